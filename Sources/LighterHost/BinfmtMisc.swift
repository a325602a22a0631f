import LighterSystem

/// One registered binfmt_misc handler (/proc/sys/fs/binfmt_misc/<name>).
public struct BinfmtHandler: Sendable, Codable, Equatable {
    public let name: String
    public let enabled: Bool
    public let interpreter: String?
    public let flags: String?

    /// A QEMU user-mode emulator (qemu-aarch64, qemu-arm, ...).
    public var isQemu: Bool { name.hasPrefix("qemu-") || (interpreter?.contains("qemu") ?? false) }
}

/// binfmt_misc on the running system: can it run foreign-architecture binaries?
public struct BinfmtFacts: Sendable, Codable, Equatable {
    /// The kernel knows the binfmt_misc file system (/proc/filesystems).
    public let supported: Bool
    /// Where it is mounted, if it is.
    public let mountPoint: String?
    /// The global switch (status file): false when "disabled".
    public let enabled: Bool
    public let handlers: [BinfmtHandler]

    public var qemuHandlers: [BinfmtHandler] { handlers.filter(\.isQemu) }

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
    public static func readDirectory(_ directory: String) -> (enabled: Bool, handlers: [BinfmtHandler]) {
        let status = (try? FileSystem.readString("\(directory)/status"))?.split(separator: "\n").first
        let names = ((try? FileSystem.list(directory)) ?? []).filter { $0 != "register" && $0 != "status" }
        let handlers = names.compactMap { name -> BinfmtHandler? in
            guard let text = try? FileSystem.readString("\(directory)/\(name)") else { return nil }
            return parseHandler(name: name, text: text)
        }
        return (status == "enabled", handlers)
    }

    /// Parses a handler file: "enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: OCF\n...".
    public static func parseHandler(name: String, text: String) -> BinfmtHandler {
        var enabled = false, interpreter: String?, flags: String?
        for line in text.split(separator: "\n") {
            if line == "enabled" { enabled = true }
            if line.hasPrefix("interpreter ") { interpreter = String(line.dropFirst("interpreter ".count)) }
            if line.hasPrefix("flags: ") { flags = String(line.dropFirst("flags: ".count)) }
            if line.hasPrefix("flags:"), flags == nil { flags = String(line.dropFirst("flags:".count)) }
        }
        return BinfmtHandler(name: name, enabled: enabled, interpreter: interpreter, flags: flags)
    }
}
