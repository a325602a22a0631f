#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import LighterRuntime
import LighterSystem
import LighterTestSupport

/// `/proc/PID/stat` read as bytes: the state letter and start time, also when the command name holds
/// spaces and parentheses (it is cut at the last ")").
@Suite struct ProcessStatTests {
    /// Field 22 (starttime) and field 3 (state) as `ps -o lstart`-independent text tools see them.
    static func expected(_ pid: Int32) -> (UInt64, Character)? {
        guard let text = try? FileSystem.readString("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return (UInt64(fields[19])!, fields[0].first!)
    }

    @Test func readsThisProcess() {
        let info = ProcessStat.stat(getpid())
        #expect(info != nil)
        #expect(info?.startTime == Self.expected(getpid())?.0)
        #expect(info?.state == "R" || info?.state == "S")
        #expect(ProcessStat.stat(Int32.max) == nil)
    }

    @Test func aCommandNameWithParenthesesAndSpaces() {
        let directory = TestDirectory()
        let path = directory.sub("a) b (c")
        #expect(Run.capture(["cp", "/bin/sleep", path]).status == 0)
        let pid = Run.spawn([path, "30"], stdout: "/dev/null", stderr: "/dev/null")
        defer { kill(pid, SIGKILL); _ = Run.wait(pid) }
        usleep(100_000)
        #expect((try? FileSystem.readString("/proc/\(pid)/stat"))?.contains("(a) b (c)") == true)
        let info = ProcessStat.stat(pid)
        #expect(info?.startTime == Self.expected(pid)?.0 && info?.state == "S")
        #expect(ProcessStat.isAlive(pid, startTime: info?.startTime ?? 0))
        #expect(!ProcessStat.isAlive(pid, startTime: (info?.startTime ?? 0) + 1))
    }
}
