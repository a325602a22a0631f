#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// The outcome of really mounting an overlay file system.
public struct OverlayTest: Sendable, Codable, Equatable {
    /// False when the test could not run for lack of privilege (mount needs root).
    public var tested: Bool = true
    public let mountable: Bool
    /// The directory the test ran in (already removed).
    public let directory: String
    public let detail: String
}

public enum OverlayProbe {
    /// Mounts an overlay (lower + upper) in a fresh directory under `base`, checks that a lower file
    /// shows through and that a write lands in the upper layer, unmounts and removes everything.
    public static func test(under base: String) -> OverlayTest {
        let directory = "\(base)/lighter-overlay-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var mounted = false
        defer {
            if mounted { unmount("\(directory)/merged") }
            try? FileSystem.removeTree(directory)
        }
        do throws(LighterError) {
            for sub in ["lower", "upper", "work", "merged"] {
                try FileSystem.makeDirectories("\(directory)/\(sub)", mode: 0o700)
            }
            try FileSystem.writeDurably(Array("lower\n".utf8), to: "\(directory)/lower/probe")
            let options = "lowerdir=\(directory)/lower,upperdir=\(directory)/upper,workdir=\(directory)/work"
            let merged = "\(directory)/merged"
            if let code = try syscallTolerating("mount overlay", merged, [EPERM], { mount("overlay", merged, "overlay", 0, options) }) {
                return OverlayTest(tested: false, mountable: false, directory: directory,
                                   detail: "not tested: mounting needs root (\(LighterError.system(call: "mount overlay", path: merged, errno: code)))")
            }
            mounted = true
            guard (try? FileSystem.readString("\(merged)/probe")) == "lower\n" else {
                return OverlayTest(mountable: false, directory: directory, detail: "mounted, but the lower layer does not show through")
            }
            let fd = try FileDescriptor(path: "\(merged)/written", flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
            try fd.write("upper\n")
            try fd.close()
            guard FileSystem.exists("\(directory)/upper/written") else {
                return OverlayTest(mountable: false, directory: directory, detail: "mounted, but a write did not reach the upper layer")
            }
            return OverlayTest(mountable: true, directory: directory, detail: "an overlay was mounted in \(base), written through and unmounted")
        } catch {
            return OverlayTest(mountable: false, directory: directory, detail: "\(error)")
        }
    }

    private static func unmount(_ path: String) {
        if (try? syscallTolerating("umount", path, [EBUSY, EINVAL, ENOENT], { umount2(path, 0) })) == .some(EBUSY) {
            _ = try? syscallTolerating("umount", path, [EINVAL, ENOENT]) { umount2(path, Int32(MNT_DETACH)) }
        }
    }
}
