#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// What the builder (LighterBuild) needs of a container it made for one step: the writable layer it
/// commits, the root it copies into while nothing runs, and owners named as the container names them.
extension Engine {
    /// The container's overlay upper directory: its changes to the image, in overlayfs form.
    public func upperDirectory(_ id: String) -> String { "\(directory(id))/upper" }

    /// Run `body` with the (not running) container's root filesystem mounted, handed as an open
    /// directory; unmounted afterwards.
    public func withMountedRoot<T>(_ id: String, _ body: (FileDescriptor) throws(LighterError) -> T) throws(LighterError) -> T {
        let record = try inspect(id)
        try mountRootfs(record)
        defer { unmountRootfs(id) }
        let path = rootfsPath(id)
        let root = FileDescriptor(adopting: try syscall("open", path) { lighter_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) })
        return try body(root)
    }

    /// `--chown=user[:group]` of a build: names looked up in the container's /etc/passwd and
    /// /etc/group (the root must be mounted, as in `withMountedRoot`); a user without a group gets
    /// the group of the same number, as Docker's COPY gives.
    public func owner(_ spec: String, inContainer id: String) throws(LighterError) -> (uid: UInt32, gid: UInt32) {
        let resolver = UserResolver(rootfs: rootfsPath(id))
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let uid: UInt32
        if let number = UInt32(parts[0]) {
            uid = number
        } else {
            do {
                uid = try resolver.resolve(parts[0]).uid
            } catch {
                throw .invalidArgument("--chown=\(spec): no user \"\(parts[0])\" in the image's /etc/passwd")
            }
        }
        guard parts.count > 1 else { return (uid, uid) }
        if let number = UInt32(parts[1]) { return (uid, number) }
        do {
            return (uid, try resolver.groupID(parts[1]))
        } catch {
            throw .invalidArgument("--chown=\(spec): no group \"\(parts[1])\" in the image's /etc/group")
        }
    }
}
