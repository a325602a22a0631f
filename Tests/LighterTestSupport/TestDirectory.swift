#if canImport(Glibc)
import Glibc
#endif
import LighterSystem

/// A fresh directory under /tmp, removed when released.
public final class TestDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "lighter-test") {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func sub(_ name: String) -> String { "\(path)/\(name)" }

    /// `sub(name)`, made as a directory (with its parents).
    public func directory(_ name: String) throws(LighterError) -> String {
        let path = sub(name)
        try FileSystem.makeDirectories(path)
        return path
    }

    /// Write `text` to `sub(name)` durably; returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws(LighterError) -> String { try write(name, Array(text.utf8)) }

    /// Write `bytes` to `sub(name)` durably; returns its path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws(LighterError) -> String {
        let file = sub(name)
        try FileSystem.writeDurably(bytes, to: file)
        return file
    }

    /// Remove the directory now (it is removed when released anyway). Names that are not UTF-8, which
    /// FileSystem.removeTree cannot spell, are left to rm.
    public func remove() {
        try? FileSystem.removeTree(path)
        if FileSystem.exists(path) { Run.capture(["rm", "-rf", path]) }
    }

    deinit { remove() }
}

/// Where the repository's fixtures and built binary are.
public enum Repository {
    public static func root(file: String = #filePath) -> String {
        // Tests/<Target>/<File>.swift → repository root
        FileSystem.dirname(of: FileSystem.dirname(of: FileSystem.dirname(of: file)))
    }

    /// A busybox rootfs tarball made by scripts/fixtures.sh (amd64 or arm64).
    public static func busyboxTarball(_ arch: String = "amd64") -> String {
        let path = "\(root())/.fixtures/busybox-\(arch).tar"
        precondition(FileSystem.exists(path), "missing fixture \(path): run scripts/fixtures.sh (scripts/test.sh does)")
        return path
    }

    /// The static release binary (scripts/test.sh builds it with scripts/build-release.sh).
    public static var staticLighterBinary: String {
        let path = "\(root())/.build/release/lighter"
        precondition(FileSystem.exists(path), "missing \(path): run scripts/build-release.sh first (scripts/test.sh does)")
        return path
    }

    /// The debug `lighter` binary (scripts/test.sh builds it before `swift test`).
    public static var lighterBinary: String {
        let path = "\(root())/.build/debug/lighter"
        precondition(FileSystem.exists(path), "missing \(path): run `swift build` first (scripts/test.sh does)")
        return path
    }
}
