#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterSystem

/// The kernel's binfmt_misc: where foreign-architecture binaries are handed to QEMU.
public struct Binfmt: Sendable {
    public let mountPoint: String

    public init(mountPoint: String = "/proc/sys/fs/binfmt_misc") { self.mountPoint = mountPoint }

    /// What the kernel has registered under one handler name (`<mountPoint>/<name>`): what `install`
    /// checks and what `check-config` and `info` report.
    public struct Registration: Sendable, Codable, Equatable {
        public let name: String
        public let enabled: Bool
        public let interpreter: String?
        public let flags: String?

        public init(name: String, enabled: Bool, interpreter: String?, flags: String?) {
            self.name = name
            self.enabled = enabled
            self.interpreter = interpreter
            self.flags = flags
        }

        /// Parses a handler file: "enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: OCF\n...".
        public init(name: String, text: String) {
            var enabled = false, interpreter: String?, flags: String?
            for line in text.split(separator: "\n") {
                if line == "enabled" { enabled = true }
                if line.hasPrefix("interpreter ") { interpreter = String(line.dropFirst("interpreter ".count)) }
                if line.hasPrefix("flags: ") { flags = String(line.dropFirst("flags: ".count)) }
                if line.hasPrefix("flags:"), flags == nil { flags = String(line.dropFirst("flags:".count)) }
            }
            self.init(name: name, enabled: enabled, interpreter: interpreter, flags: flags)
        }

        /// A QEMU user-mode emulator (qemu-aarch64, qemu-arm, ...).
        public var isQemu: Bool { name.hasPrefix("qemu-") || (interpreter?.contains("qemu") ?? false) }
    }

    public var isMounted: Bool { FileSystem.exists("\(mountPoint)/register") }

    /// Mount binfmt_misc if it is not (it is built into the kernel here but not mounted at boot).
    public func mount() throws(LighterError) {
        if isMounted { return }
        guard (try? FileSystem.readString("/proc/filesystems"))?.contains("binfmt_misc") == true else {
            throw .unsupported(feature: "binfmt_misc", fix: "enable CONFIG_BINFMT_MISC in the kernel (see `lighter check-config`)")
        }
        try syscall("mount binfmt_misc", mountPoint) { POSIX.mount("binfmt_misc", mountPoint, "binfmt_misc", 0, nil) }
    }

    /// The registration named `name`, if any.
    public func registration(_ name: String) -> Registration? {
        guard let text = try? FileSystem.readString("\(mountPoint)/\(name)") else { return nil }
        return Registration(name: name, text: text)
    }

    /// Is an enabled emulator registered for this architecture?
    public func canRun(_ architecture: String) -> Bool {
        guard let handler = BinfmtHandler.forArchitecture(architecture) else { return false }
        return registration(handler.handlerName)?.enabled == true
    }

    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        case registered(String)
        case alreadyRegistered(String, interpreter: String)
        case removed(String)
        case notRegistered(String)

        public var description: String {
            switch self {
            case let .registered(arch): return "\(arch): registered"
            case let .alreadyRegistered(arch, interpreter): return "\(arch): already registered (\(interpreter))"
            case let .removed(arch): return "\(arch): removed"
            case let .notRegistered(arch): return "\(arch): was not registered"
            }
        }
    }

    /// Register QEMU for each architecture (all foreign ones when empty). Idempotent: an enabled
    /// handler of the same name (e.g. Debian's) is kept.
    public func install(_ architectures: [String]) throws(LighterError) -> [Outcome] {
        let handlers = try Self.handlers(for: architectures)
        try mount()
        var outcomes: [Outcome] = []
        for handler in handlers {
            if let existing = registration(handler.handlerName), existing.enabled {
                outcomes.append(.alreadyRegistered(handler.architecture, interpreter: existing.interpreter ?? "?"))
                continue
            }
            guard FileSystem.exists(handler.interpreter) else {
                throw .unsupported(feature: "emulating \(handler.architecture)", fix: "install Debian's qemu-user-static (apt-get install qemu-user-static): \(handler.interpreter) is missing")
            }
            if registration(handler.handlerName) != nil { try write("-1", to: "\(mountPoint)/\(handler.handlerName)") }
            try write(handler.registration, to: "\(mountPoint)/register")
            outcomes.append(.registered(handler.architecture))
        }
        return outcomes
    }

    /// Remove the handlers for these architectures (all foreign ones when empty).
    public func uninstall(_ architectures: [String]) throws(LighterError) -> [Outcome] {
        let handlers = try Self.handlers(for: architectures)
        guard isMounted else { return handlers.map { .notRegistered($0.architecture) } }
        var outcomes: [Outcome] = []
        for handler in handlers {
            if registration(handler.handlerName) == nil {
                outcomes.append(.notRegistered(handler.architecture))
            } else {
                try write("-1", to: "\(mountPoint)/\(handler.handlerName)")
                outcomes.append(.removed(handler.architecture))
            }
        }
        return outcomes
    }

    static func handlers(for architectures: [String]) throws(LighterError) -> [BinfmtHandler] {
        if architectures.isEmpty { return BinfmtHandler.foreign }
        var result: [BinfmtHandler] = []
        for name in architectures {
            guard let handler = BinfmtHandler.forArchitecture(name) else {
                throw .invalidArgument("unknown architecture \"\(name)\" (known: \(BinfmtHandler.all.map(\.architecture).joined(separator: ", ")))")
            }
            guard handler.architecture != Platform.host.architecture else {
                throw .invalidArgument("\(name) is this machine's own architecture: it needs no emulator")
            }
            result.append(handler)
        }
        return result
    }

    private func write(_ text: String, to path: String) throws(LighterError) {
        let fd = try FileDescriptor(path: path, flags: O_WRONLY)
        try fd.write(text)
        try fd.close()
    }
}
