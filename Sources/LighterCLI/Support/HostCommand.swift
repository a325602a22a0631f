#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// Runs a host program (posix_spawnp, found on PATH) and collects its standard output; `top`'s
/// ps options are handed to the host's ps, as Docker does.
enum HostCommand {
    static func capture(_ arguments: [String]) throws(LighterError) -> (status: Int32, output: String, error: String) {
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        try syscall("pipe2") { lighter_pipe(&out) }
        try syscall("pipe2") { lighter_pipe(&err) }
        let outReader = FileDescriptor(adopting: out[0]), errReader = FileDescriptor(adopting: err[0])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        close(out[1])
        close(err[1])
        guard rc == 0 else { throw .system(call: "posix_spawnp", path: arguments[0], errno: rc) }
        // ps writes little; its stderr is read after stdout reaches end of file.
        var output: [UInt8] = []
        while true {
            let chunk = try outReader.read(upTo: 65536)
            if chunk.isEmpty { break }
            output += chunk
        }
        var error: [UInt8] = []
        while true {
            let chunk = try errReader.read(upTo: 65536)
            if chunk.isEmpty { break }
            error += chunk
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }
}
