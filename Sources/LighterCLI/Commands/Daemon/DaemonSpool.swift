#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterAPI
import LighterSystem

/// Where the daemon keeps a request's spooled body and what it unpacks from it: a private directory
/// under the data root's tmp, removed when the request ends.
struct DaemonScratch {
    let directory: String

    init(root: String, purpose: String) throws(LighterError) {
        try FileSystem.makeDirectories("\(root)/tmp", mode: 0o700)
        var template = Array("\(root)/tmp/daemon-\(purpose)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw .system(call: "mkdtemp", path: "\(root)/tmp", errno: lighter_errno()) }
        directory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The request's body, written to `name` in the scratch directory; returns its path.
    func spool(_ request: APIRequest, as name: String) throws(LighterError) -> String {
        let path = "\(directory)/\(name)"
        let fd = FileDescriptor(adopting: try syscall("open", path) { lighter_open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600) })
        defer { try? fd.close() }
        if let spool = request.spool {
            try spool.write(to: fd)
        } else {
            try fd.write(request.body)
        }
        return path
    }

    func remove() { try? FileSystem.removeTree(directory) }
}

/// A `lighter` subcommand run by the daemon as its own process (the same binary, `/proc/self/exe`):
/// the builder runs containers and blocks signals, which a multi-threaded daemon must not do in
/// itself. Its standard output and error come back line by line.
enum DaemonSubcommand {
    static func run(_ arguments: [String], stdin: String = "/dev/null", line: (String) -> Void) throws(LighterError) -> Int32 {
        var pipe: [Int32] = [-1, -1]
        try syscall("pipe2") { lighter_pipe(&pipe) }
        let reader = FileDescriptor(adopting: pipe[0])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
        // The daemon blocks SIGTERM and SIGINT in every thread; the child starts with none blocked.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = (["lighter"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, argv, environ)
        close(pipe[1])
        guard rc == 0 else { throw .system(call: "posix_spawn", path: "/proc/self/exe", errno: rc) }
        var pending: [UInt8] = []
        while let chunk = try? reader.read(upTo: 65536), !chunk.isEmpty {
            pending += chunk
            while let newline = pending.firstIndex(of: 0x0a) {
                line(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self)) }
        try? reader.close()
        var status: Int32 = 0
        try syscall("waitpid") { waitpid(pid, &status, 0) }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
