#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterSystem

/// A named volume: a directory under `volumes/<name>/_data` that outlives containers.
public struct Volume: Codable, Sendable, Equatable {
    public var Name: String
    public var Driver: String
    public var Mountpoint: String
    public var CreatedAt: String
    public var Labels: [String: String]
    public var Scope: String
    /// The local driver's options (`volume create -o`, compose's `driver_opts`); nil when none were given.
    /// Lighter applies `type=none o=bind device=DIR`: the volume is that host directory.
    public var Options: [String: String]?

    /// What a container mounts: the `device` directory of a bind volume, the volume's own data otherwise.
    public var source: String { Options?["device"] ?? Mountpoint }
    /// A bind volume made with `o=bind,ro`.
    public var readOnly: Bool { (Options?["o"] ?? "").split(separator: ",").contains("ro") }
}

/// Named volumes (`volume create/ls/inspect/rm/prune`, `-v NAME:/path`), one directory and one
/// `volume.json` each; which containers use a volume is read from the container records.
public struct VolumeStore: Sendable {
    public let root: String

    public init(dataRoot: String) { root = "\(dataRoot)/volumes" }

    public func directory(_ name: String) -> String { "\(root)/\(name)" }

    /// Docker's rule for volume names.
    public static func isValidName(_ name: String) -> Bool {
        guard name.count >= 2, let first = name.unicodeScalars.first, first.isASCII,
              first.properties.isAlphabetic || ("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }
    }

    /// Create a volume (idempotent, as Docker: an existing one is returned as it is).
    @discardableResult
    public func create(_ name: String?, labels: [String: String] = [:], options: [String: String] = [:]) throws(LighterError) -> Volume {
        try Self.checkOptions(options)
        let name = name ?? (0..<32).map { _ in String(UInt8.random(in: 0...255), radix: 16).leftPadded(to: 2) }.joined()
        guard Self.isValidName(name) else {
            throw .invalidArgument("invalid volume name \"\(name)\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least 2 characters")
        }
        if let existing = try? inspect(name) { return existing }
        try FileSystem.makeDirectories(root, mode: 0o701)
        let temp = "\(root)/.new-\(name)-\(getpid())"
        try FileSystem.makeDirectories("\(temp)/_data", mode: 0o755)
        let now = Time.now()
        let volume = Volume(Name: name, Driver: "local", Mountpoint: "\(directory(name))/_data",
                            CreatedAt: Time.rfc3339(seconds: now.seconds), Labels: labels, Scope: "local",
                            Options: options.isEmpty ? nil : options)
        do {
            try FileSystem.writeDurably(try JSON.encode(volume, pretty: true), to: "\(temp)/volume.json")
            if let code = try syscallTolerating("rename", directory(name), [EEXIST, ENOTEMPTY], { rename(temp, directory(name)) }) {
                _ = code   // created meanwhile by another process: theirs stands
                try FileSystem.removeTree(temp)
                return try inspect(name)
            }
            try FileSystem.syncDirectory(root)
        } catch {
            try? FileSystem.removeTree(temp)
            throw error
        }
        emit("create", name: name)
        return volume
    }

    /// The local driver's options Lighter can apply: none, or a bind of an existing host directory
    /// (`type=none`, `o=bind` with `ro`/`rw`/`rbind`, `device=/absolute/dir`). Others (nfs, tmpfs, a
    /// block device) are refused by name: Lighter does not mount them.
    static func checkOptions(_ options: [String: String]) throws(LighterError) {
        guard !options.isEmpty else { return }
        for key in options.keys.sorted() where !["type", "o", "device"].contains(key) {
            throw .unsupported(feature: "volume option \(key)", fix: "use type=none o=bind device=/host/dir, or no options")
        }
        let flags = (options["o"] ?? "").split(separator: ",").map(String.init)
        let isBind = flags.contains { $0 == "bind" || $0 == "rbind" } && flags.allSatisfy { ["bind", "rbind", "ro", "rw"].contains($0) }
        guard options["type"] == "none", isBind else {
            throw .unsupported(feature: "volume options type=\(options["type"] ?? "") o=\(options["o"] ?? "")",
                               fix: "Lighter's local volumes take type=none o=bind device=/host/dir only")
        }
        guard let device = options["device"], device.hasPrefix("/"), FileSystem.isDirectory(device) else {
            throw .invalidArgument("volume option device=\(options["device"] ?? ""): expected an existing host directory (an absolute path)")
        }
    }

    public func inspect(_ name: String) throws(LighterError) -> Volume {
        guard let bytes = try? FileSystem.readFile("\(directory(name))/volume.json") else {
            throw .notFound(kind: "volume", name: name)
        }
        return try JSON.decode(Volume.self, from: bytes, what: "volume \(name)")
    }

    public func list() throws(LighterError) -> [Volume] {
        guard FileSystem.isDirectory(root) else { return [] }
        return try FileSystem.list(root).filter { !$0.hasPrefix(".") }.compactMap { try? inspect($0) }
    }

    /// Remove a volume no container uses (`users`: names of containers that mount it).
    public func remove(_ name: String, users: [String]) throws(LighterError) {
        _ = try inspect(name)
        if let user = users.first {
            throw .conflict("remove \(name): volume is in use by container \(user)")
        }
        let doomed = "\(root)/.rm-\(name)-\(getpid())"
        try FileSystem.rename(directory(name), to: doomed)
        emit("destroy", name: name)
        try FileSystem.removeTree(doomed)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
