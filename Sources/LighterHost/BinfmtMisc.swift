import LighterEmulation
import LighterSystem

/// binfmt_misc on the running system: can it run foreign-architecture binaries? (LighterEmulation owns
/// binfmt_misc; this is what `check-config` and `info` report of it.)
public struct BinfmtFacts: Sendable, Codable, Equatable {
    /// The kernel knows the binfmt_misc file system (/proc/filesystems).
    public let supported: Bool
    /// Where it is mounted, if it is.
    public let mountPoint: String?
    /// The global switch (status file): false when "disabled".
    public let enabled: Bool
    public let handlers: [Binfmt.Registration]

    public var qemuHandlers: [Binfmt.Registration] { handlers.filter(\.isQemu) }

    public static let defaultMountPoint = "/proc/sys/fs/binfmt_misc"

    public static func probe(mounts: [MountEntry], filesystems: String?) -> BinfmtFacts {
        let supported = (filesystems ?? "").split(separator: "\n").contains { $0.hasSuffix("\tbinfmt_misc") || $0.hasSuffix(" binfmt_misc") }
        guard let mount = mounts.last(where: { $0.fileSystemType == "binfmt_misc" }) else {
            return BinfmtFacts(supported: supported, mountPoint: nil, enabled: false, handlers: [])
        }
        let read = readDirectory(mount.mountPoint)
        return BinfmtFacts(supported: true, mountPoint: mount.mountPoint, enabled: read.enabled, handlers: read.handlers)
    }

    /// Reads the status and every handler of a binfmt_misc directory.
    public static func readDirectory(_ directory: String) -> (enabled: Bool, handlers: [Binfmt.Registration]) {
        let status = (try? FileSystem.readString("\(directory)/status"))?.split(separator: "\n").first
        let names = ((try? FileSystem.list(directory)) ?? []).filter { $0 != "register" && $0 != "status" }
        let handlers = names.compactMap { name -> Binfmt.Registration? in
            guard let text = try? FileSystem.readString("\(directory)/\(name)") else { return nil }
            return Binfmt.Registration(name: name, text: text)
        }
        return (status == "enabled", handlers)
    }
}
