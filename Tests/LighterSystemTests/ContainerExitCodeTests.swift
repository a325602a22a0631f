#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem

/// Docker's exit codes, from real wait statuses and real exec failures.
@Suite struct ContainerExitCodeTests {
    /// Run `/bin/sh -c script` and return waitpid's raw status.
    static func waitStatus(_ script: String) -> Int32 {
        let words: [String] = ["/bin/sh", "-c", script]
        var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) }
        argv.append(nil)
        defer { argv.forEach { free($0) } }
        // Default dispositions and no blocked signals, whatever the test runner has.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        precondition(posix_spawn(&pid, "/bin/sh", nil, &attributes, argv, environ) == 0)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status
    }

    @Test func exitStatusesAndSignals() {
        #expect(ContainerExitCode.of(waitStatus: Self.waitStatus("exit 0")) == 0)
        #expect(ContainerExitCode.of(waitStatus: Self.waitStatus("exit 3")) == 3)
        #expect(ContainerExitCode.of(waitStatus: Self.waitStatus("kill -KILL $$")) == 137)
        #expect(ContainerExitCode.of(waitStatus: Self.waitStatus("kill -TERM $$")) == 143)
    }

    @Test func execFailures() {
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("x"), nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let missing = posix_spawn(&pid, "/nonexistent/program", nil, nil, argv, environ)
        let notADirectory = posix_spawn(&pid, "/etc/passwd/program", nil, nil, argv, environ)
        let notExecutable = posix_spawn(&pid, "/etc/passwd", nil, nil, argv, environ)
        let directory = posix_spawn(&pid, "/", nil, nil, argv, environ)
        #expect(ContainerExitCode.execFailure(errno: missing) == 127)
        #expect(ContainerExitCode.execFailure(errno: notADirectory) == 127)
        #expect(ContainerExitCode.execFailure(errno: notExecutable) == 126)
        #expect(ContainerExitCode.execFailure(errno: directory) == 126)
    }
}
