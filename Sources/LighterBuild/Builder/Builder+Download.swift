#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterHTTP
import LighterOCI
import LighterSystem

/// A file `ADD http(s)://…` fetched: the body in an unlinked temporary file, the name it gets in
/// the image (the URL path's last component) and the time of its Last-Modified header.
struct Download {
    var url: String
    var file: FileDescriptor
    var name: String
    var modified: Int64?
    var digest: Digest
}

/// `ADD http(s)://URL`, as Docker does: the file is fetched on every build (its content is part of
/// the step's cache key, its Last-Modified time is not), written with mode 0600 (or --chmod) and
/// owner root (or --chown) and the Last-Modified time as its mtime, never unpacked. `--checksum=
/// sha256:…` must match the body. Git sources (`git@…`, `git://…`, `….git`, `--keep-git-dir`) are
/// refused: Lighter does not clone repositories.
extension Builder {
    static func isURL(_ source: String) -> Bool {
        let lowered = source.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }

    static func isGitSource(_ source: String) -> Bool {
        let lowered = source.lowercased()
        let path = lowered.split(separator: "#", maxSplits: 1).first.map(String.init) ?? lowered
        return lowered.hasPrefix("git@") || lowered.hasPrefix("git://") || lowered.hasPrefix("ssh://")
            || (isURL(lowered) && (path.hasSuffix(".git") || path.hasSuffix(".git/")))
    }

    /// Fetch `url` into an unlinked file under ROOT/tmp, hashing it; checked against `checksum`.
    func download(_ url: String, checksum: String?, instruction: Instruction) throws(LighterError) -> Download {
        let parsed = try HTTPURL(parsing: url)
        let path = parsed.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard let name = path.split(separator: "/").last.map(String.init), !name.isEmpty else {
            throw position(instruction).error("ADD \(url): the URL names no file (its path ends in /); give the file's URL")
        }
        let client = HTTPClient()
        defer { client.close() }
        let response = try client.execute(HTTPRequest(url: parsed))
        guard response.status == 200 else {
            response.discard()
            throw .buildFailed("\(file.name):\(instruction.line): ADD \(url): the server answered \(response.status)")
        }
        let temp = "\(engine.images.paths.root)/tmp"
        try FileSystem.makeDirectories(temp, mode: 0o700)
        let tempPath = "\(temp)/add-url-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let body = try FileDescriptor(path: tempPath, flags: O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o600)
        unlink(tempPath)
        var hasher = SHA256Hasher()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = try response.read(into: chunk)
            if n == 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: chunk[..<n])
            hasher.update(bytes)
            try body.write(bytes)
        }
        let digest = hasher.finalize()
        if let checksum {
            guard checksum.hasPrefix("sha256:"), let expected = try? Digest(parsing: checksum) else {
                throw position(instruction).error("--checksum=\(checksum): give sha256:<64 hex digits>")
            }
            guard expected == digest else {
                throw .digestMismatch(what: "ADD \(url) (--checksum at \(file.name):\(instruction.line))", expected: expected.description, actual: digest.description)
            }
        }
        return Download(url: url, file: body, name: name, modified: response.headers["Last-Modified"].flatMap(Self.httpDate), digest: digest)
    }

    /// The fetched file written into the root: named by the destination, or by the URL inside a
    /// destination directory.
    func writeDownload(_ download: Download, writer: RootWriter, destination: String, intoDirectory: Bool) throws(LighterError) {
        let (parentPath, fileName) = intoDirectory ? (destination, download.name) : Self.split(destination)
        let parent = try writer.directory(parentPath)
        let fd = FileDescriptor(adopting: try syscall("openat", fileName) {
            lighter_openat(parent.rawValue, fileName, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        })
        try download.file.seek(to: 0)
        _ = try download.file.readChunks { (bytes: UnsafeRawBufferPointer) throws(LighterError) in try fd.write(bytes) }
        try syscall("fchown", fileName) { fchown(fd.rawValue, writer.owner.uid, writer.owner.gid) }
        try syscall("fchmod", fileName) { fchmod(fd.rawValue, writer.mode ?? 0o600) }
        if let modified = download.modified {
            var times = [timespec(tv_sec: Int(modified), tv_nsec: 0), timespec(tv_sec: Int(modified), tv_nsec: 0)]
            try syscall("futimens", fileName) { futimens(fd.rawValue, &times) }
        }
    }

    /// An HTTP date (RFC 7231's IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT") as Unix seconds.
    static func httpDate(_ text: String) -> Int64? {
        let words = text.split(separator: " ")
        guard words.count == 6, words[5] == "GMT", let day = Int64(words[1]), let year = Int64(words[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(words[2])) else { return nil }
        let clock = words[4].split(separator: ":").compactMap { Int64($0) }
        guard clock.count == 3 else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let month = Int64(monthIndex + 1)
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + clock[0] * 3_600 + clock[1] * 60 + clock[2]
    }
}
