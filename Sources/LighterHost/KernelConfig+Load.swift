#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterSystem

extension KernelConfig {
    /// Reads a kernel config, plain or compressed (gzip, xz, zstd, bzip2: libarchive decides).
    public static func load(path: String) throws(LighterError) -> KernelConfig {
        if FileSystem.isDirectory(path) {
            throw .invalidArgument("\(path) is a directory; pass the kernel .config file inside it")
        }
        // Kernel configs are a few hundred KiB; 32 MiB bounds a bomb.
        let plain = try Decompression.readFile(path, limit: 32 << 20, what: "kernel config \(path)")
        if plain.isEmpty { throw .malformed(what: "kernel config \(path)", reason: "the file is empty") }
        guard !plain.contains(0), let text = String(validating: plain, as: UTF8.self) else {
            throw .malformed(what: "kernel config \(path)", reason: "binary data, not a kernel .config (plain or gzip)")
        }
        return try parse(text, source: path)
    }

    /// Where the running kernel's config is looked for, in order.
    public static func runningCandidates(release: String) -> [String] {
        ["/proc/config.gz", "/boot/config-\(release)"]
    }

    /// The running kernel's config, or nil when the kernel publishes none (no IKCONFIG_PROC
    /// and nothing in /boot). A file that exists but cannot be parsed is an error.
    public static func loadRunning(candidates: [String]) throws(LighterError) -> KernelConfig? {
        for candidate in candidates where FileSystem.exists(candidate) {
            return try load(path: candidate)
        }
        return nil
    }
}

/// uname(2) fields.
public struct Uname: Sendable, Codable, Equatable {
    public let release: String
    public let machine: String

    public static func current() -> Uname {
        var info = utsname()
        _ = try? syscall("uname") { uname(&info) }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        return Uname(release: field(info.release), machine: field(info.machine))
    }
}
