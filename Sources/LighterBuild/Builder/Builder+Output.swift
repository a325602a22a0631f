#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterArchive
import LighterOCI
import LighterSystem

/// `-o type=local|tar`: the final stage's filesystem, the mounted root of a created (never started)
/// container of it, written as a tar by LayerCommit (owners, modes, times, hard links, devices and
/// file capabilities kept; overlayfs hides the whiteouts) (beside FILE, then renamed into place; or to
/// standard output) or unpacked into DIR. No image is stored; the cache keeps the steps.
extension Builder {
    func writeOutput(_ state: BuildState) throws(LighterError) {
        switch options.output {
        case .image:
            return
        case .oci:
            throw .invalidArgument("--output type=oci is written by Builder.build(engine:options:platforms:)")
        case let .tar(destination):
            let container = try buildContainer(state)
            if destination == "-" {
                let out = FileDescriptor(adopting: 1)
                defer { out.forget() }
                try writeTar(container, to: out)
                return
            }
            let temporary = destination + ".lighter-build-\(getpid())"
            do throws(LighterError) {
                let fd = try FileDescriptor(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o644)
                try writeTar(container, to: fd)
                try syscall("fsync", temporary) { fsync(fd.rawValue) }
                try fd.close()
                try FileSystem.rename(temporary, to: destination)
            } catch {
                try? FileSystem.remove(temporary)
                throw error
            }
        case let .local(destination):
            let container = try buildContainer(state)
            let temp = "\(engine.images.paths.root)/tmp"
            try FileSystem.makeDirectories(temp, mode: 0o700)
            let tempPath = "\(temp)/build-output-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let archive = try FileDescriptor(path: tempPath, flags: O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o600)
            unlink(tempPath)
            try writeTar(container, to: archive)
            try archive.seek(to: 0)
            try FileSystem.makeDirectories(destination, mode: 0o755)
            _ = try LayerApplier.apply(from: archive, into: destination, expectedDigest: nil, limits: LayerLimits())
        }
    }

    /// The container's root, mounted for the time it takes, as an uncompressed tar.
    func writeTar(_ container: String, to output: FileDescriptor) throws(LighterError) {
        try engine.withMountedRoot(container) { (root: FileDescriptor) throws(LighterError) in
            _ = try LayerCommit.write(root: root, to: output, sourceDateEpoch: options.sourceDateEpoch, compression: .none)
        }
    }
}
