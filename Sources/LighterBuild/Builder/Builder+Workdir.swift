import LighterSystem

extension Builder {
    /// WORKDIR as Docker's builders do it: the directory is made in the image (root-owned, 0755, with
    /// its parents) when the stage's file system lacks it, as a layer of its own; when it is there
    /// already the step is metadata (an empty layer). Returns whether a layer was made.
    func makeWorkdir(state: inout BuildState) throws(LighterError) -> Bool {
        let path = state.containerConfig.WorkingDir ?? "/"
        guard path != "/" else { return false }
        let id = try buildContainer(state)
        defer {
            _ = try? engine.remove(id, force: true)
            containers.remove(id)
        }
        var created = false
        try engine.withMountedRoot(id) { (root: FileDescriptor) throws(LighterError) in
            let writer = RootWriter(root: root)
            guard !writer.isDirectory(path) else { return }
            _ = try writer.directory(path)
            created = true
        }
        if created { try commit(container: id, into: &state) }
        return created
    }
}
