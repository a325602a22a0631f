#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterArchive
import LighterOCI
import LighterSystem
import LighterTestSupport

/// Build a tar at `path` with Python's tarfile. `body` is Python using the helpers below;
/// names are written exactly as given (no cleaning), so hostile entries are truly hostile.
func makeTar(_ path: String, _ body: String) throws {
    let script = """
    import tarfile, io, sys
    t = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
    def _add(ti, data=b"", **kw):
        for k, v in kw.items(): setattr(ti, k, v)
        ti.size = len(data) if ti.type in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
        t.addfile(ti, io.BytesIO(data) if ti.size else None)
    def f(name, data=b"", **kw):
        ti = tarfile.TarInfo(name); ti.mode = kw.pop("mode", 0o644); _add(ti, data, **kw)
    def d(name, **kw):
        ti = tarfile.TarInfo(name); ti.type = tarfile.DIRTYPE; ti.mode = kw.pop("mode", 0o755); _add(ti, **kw)
    def sl(name, target, **kw):
        ti = tarfile.TarInfo(name); ti.type = tarfile.SYMTYPE; ti.linkname = target; ti.mode = 0o777; _add(ti, **kw)
    def hl(name, target, **kw):
        ti = tarfile.TarInfo(name); ti.type = tarfile.LNKTYPE; ti.linkname = target; _add(ti, **kw)
    def dev(name, kind, major, minor, **kw):
        ti = tarfile.TarInfo(name); ti.type = kind; ti.devmajor = major; ti.devminor = minor; _add(ti, **kw)
    \(body)
    t.close()
    """
    let scriptPath = path + ".py"
    try FileSystem.writeDurably(Array(script.utf8), to: scriptPath)
    let status = try Run.shell("python3 '\(scriptPath)' '\(path)'")
    guard status == 0 else { throw LighterError.malformed(what: "test tar script", reason: "python3 exited \(status)") }
    try FileSystem.remove(scriptPath)
}

/// Apply the layer file at `tar` into `directory`.
func applyLayer(_ tar: String, into directory: String, expected: Digest? = nil,
                limits: LayerLimits = LayerLimits()) throws(LighterError) -> AppliedLayer {
    let fd = try FileDescriptor(path: tar, flags: O_RDONLY)
    return try LayerApplier.apply(from: fd, into: directory, expectedDigest: expected, limits: limits)
}

func lstatPath(_ path: String) -> stat? { FileSystem.lstatOrNil(path) }

func fileType(_ st: stat) -> mode_t { st.st_mode & S_IFMT }

func getxattrValue(_ path: String, _ name: String) -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: 256)
    let n = buffer.withUnsafeMutableBytes { lgetxattr(path, name, $0.baseAddress, $0.count) }
    return n < 0 ? nil : Array(buffer[0..<n])
}

func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink(path, &buffer, buffer.count - 1)
    guard n >= 0 else { return nil }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A sibling directory of the extraction root holding a canary file: hostile layers aim at it.
struct Canary {
    let outside: String
    let file: String
    static let content = "canary-unchanged"

    init(in temp: TestDirectory) throws {
        outside = try temp.directory("outside")
        file = "\(outside)/canary"
        try FileSystem.writeDurably(Array(Self.content.utf8), to: file)
    }

    /// The canary file is intact and nothing else appeared next to it.
    var untouched: Bool {
        guard let names = try? FileSystem.list(outside), names == ["canary"],
              let st = lstatPath(file), fileType(st) == S_IFREG, st.st_nlink == 1,
              let bytes = try? FileSystem.readFile(file) else { return false }
        return String(decoding: bytes, as: UTF8.self) == Self.content
    }
}
