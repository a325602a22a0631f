#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// CVE-2024-21626: a working directory that names a descriptor the init or `exec` holds (`/proc/self/fd/N`,
/// directly or through a link in the image) would put the process in a host directory. Refused, for `run` and
/// for `exec`, whatever N is.
@Suite struct WorkdirEscapeTests {
    @Test func runAndExecRefuseAWorkdirThroughADescriptor() {
        let lighter = RunCommandTests.ready()
        for fd in 3...8 {
            let run = lighter.run("run", "--rm", "-w", "/proc/self/fd/\(fd)", "busybox", "sh", "-c", "pwd; ls ..")
            #expect(run.status == 125 && run.stderr.contains("working directory"), "fd \(fd): \(run.stdout) \(run.stderr)")
        }
        let started = lighter.run("run", "-d", "--name", "wd", "busybox", "sh", "-c",
                                  "ln -s /proc/self/fd/5 /leak; touch /ready; while true; do sleep 1; done")
        #expect(started.status == 0, "\(started.stderr)")
        defer { lighter.run("rm", "-f", "wd") }
        for _ in 0..<200 where lighter.run("exec", "wd", "test", "-e", "/ready").status != 0 { usleep(20_000) }
        for dir in ["/proc/self/fd/3", "/proc/self/fd/4", "/proc/self/cwd", "/leak"] {
            let exec = lighter.run("exec", "-w", dir, "wd", "sh", "-c", "pwd; ls ..")
            #expect(exec.status != 0 && exec.stderr.contains("working directory"), "\(dir): \(exec.stdout) \(exec.stderr)")
        }
        // An ordinary working directory still works.
        #expect(lighter.run("exec", "-w", "/tmp", "wd", "pwd").stdout == "/tmp\n")
    }
}
