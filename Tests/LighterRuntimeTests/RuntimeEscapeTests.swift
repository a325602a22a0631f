#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import LighterOCI
import LighterRuntime
import LighterSystem
import LighterTestSupport

/// Known container escapes, run as exploits against the runtime: each must fail.
@Suite struct RuntimeEscapeTests {
    /// CVE-2019-5736: a container process opens the lighter binary that runs `lighter __exec` in the
    /// container (here a detached exec's reaper, found by its command line; the container has
    /// CAP_SYS_PTRACE so that non-dumpability alone does not stop it), waits until nothing runs that
    /// binary any more (no "Text file busy" to hide behind) and writes to it through its descriptor.
    /// The runtime runs a private copy of lighter, so the write would only hurt the copy.
    @Test func aContainerCannotRewriteTheLighterBinaryThatEntersIt() throws {
        let copies = TestDirectory("lighter-exe-copy")
        defer { withExtendedLifetime(copies) {} }
        let copy = copies.sub("lighter")
        try #require(Run.sh("cp \(BusyboxBundle.lighterBinary) \(copy)").status == 0)
        let original = try #require(FileSystem.lstatOrNil(copy))
        let bind = "\(ProtectedExecutable.directory)/\(original.st_dev)-\(original.st_ino)"
        defer {
            _ = umount2(bind, Int32(MNT_DETACH))
            _ = unlink(bind)
        }
        // `running`: a lighter __exec process (the reaper, or a child before its exec) still runs the copy.
        let script = """
            running() {
              for q in /proc/[0-9]*; do
                case "$(tr '\\0' ' ' < $q/cmdline 2>/dev/null)" in "lighter __exec"*) return 0 ;; esac
              done
              return 1
            }
            for i in $(seq 1 3000); do
              for p in /proc/[0-9]*; do
                case "$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)" in "lighter __exec"*) ;; *) continue ;; esac
                echo "exe $(readlink $p/exe)"
                exec 3< $p/exe
                while running; do
                  for s in /proc/[0-9]*; do
                    case "$(tr '\\0' ' ' < $s/cmdline 2>/dev/null)" in "sleep 1000"*) kill ${s#/proc/} ;; esac
                  done
                done
                if echo pwned >> /proc/self/fd/3; then echo "write succeeded"; else echo "write failed"; fi
                exit 0
              done
            done
            echo "no reaper found"
            """
        let bundle = try BusyboxBundle(args: ["sh", "-c", script])
        defer { bundle.cleanUp() }
        for set in [\RuntimeSpec.Capabilities.bounding, \.effective, \.permitted] {
            bundle.spec.process?.capabilities?[keyPath: set]?.append("CAP_SYS_PTRACE")
        }
        try bundle.writeSpec()
        chmod(bundle.directory, 0o711)
        let runtime = Runtime(root: bundle.runtime.root, initExecutable: copy)
        let (out, err) = try bundle.openCaptures()
        try runtime.create(id: bundle.id, bundle: bundle.directory, stdio: .init(input: -1, output: out.rawValue, error: err.rawValue))
        try runtime.start(id: bundle.id)
        var sleeper = bundle.spec.process!
        sleeper.args = ["sleep", "1000"]
        _ = try runtime.exec(id: bundle.id, process: sleeper, stdio: .init(input: -1, output: -1, error: -1), detach: true)
        #expect(FileSystem.exists(bind))
        let status = try runtime.wait(id: bundle.id)
        let (stdout, stderr) = try bundle.captured()
        #expect(status.code == 0, "\(stdout)\(stderr)")
        #expect(stdout.contains("exe "), "\(stdout)")
        #expect(stdout.contains("write failed"), "\(stdout)")
        #expect(stderr.contains("Read-only file system"), "\(stderr)")
        #expect(try #require(FileSystem.lstatOrNil(copy)).st_size == original.st_size)
    }

    /// The race of issue #17: a container looping over /proc/*/exe while execs run caught an exec
    /// helper (before its exec) in 1 of 200 execs and opened the host's lighter binary. The helpers are
    /// non-dumpable from their first instruction: no open may reach anything but the container's own
    /// binaries (a helper may exec `true` between the loop's look and its open). `seen` counts the
    /// processes whose exe the loop could not read (how often it met a helper; not asserted, it
    /// depends on scheduling).
    @Test func aContainerLoopingOverProcExeNeverOpensAnExecHelper() throws {
        let script = """
            seen=0
            while [ ! -e /tmp/stop ]; do
              for p in /proc/[0-9]*; do
                e=$(readlink $p/exe 2>/dev/null)
                [ "$e" = /bin/busybox ] && continue
                [ -z "$e" ] && seen=$((seen + 1))
                o=$( (exec 3< $p/exe && readlink /proc/self/fd/3) 2>/dev/null )
                [ -n "$o" ] && [ "$o" != /bin/busybox ] && echo "caught $p $o"
              done
            done
            echo "seen $seen"
            """
        let bundle = try BusyboxBundle(args: ["sh", "-c", script])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        chmod(bundle.directory, 0o711)
        let (out, err) = try bundle.openCaptures()
        try bundle.runtime.create(id: bundle.id, bundle: bundle.directory, stdio: .init(input: -1, output: out.rawValue, error: err.rawValue))
        try bundle.runtime.start(id: bundle.id)
        var process = bundle.spec.process!
        process.args = ["true"]
        for _ in 0..<100 {
            _ = try bundle.runtime.exec(id: bundle.id, process: process, stdio: .init(input: -1, output: -1, error: -1))
        }
        try FileSystem.writeDurably([], to: "\(bundle.rootfs)/tmp/stop")
        _ = try bundle.runtime.wait(id: bundle.id)
        let (stdout, _) = try bundle.captured()
        #expect(!stdout.contains("caught"), "\(stdout)")
        #expect(stdout.contains("seen "), "\(stdout)")
    }

    /// CVE-2024-21626: a working directory of /proc/self/fd/N reaches whatever directory the init or
    /// the exec helper holds open as N — the host's, if the runtime's caller leaked one (as this test
    /// does). Neither may hold one: every such workdir fails to start.
    @Test func aLeakedDescriptorIsNoWorkingDirectory() throws {
        // What a careless caller leaks: a host directory open without O_CLOEXEC.
        let leaked = open("/tmp", O_RDONLY | O_DIRECTORY)
        try #require(leaked >= 0)
        defer { close(leaked) }
        let candidates = Array(0...9) + [leaked]
        for n in candidates {
            let bundle = try BusyboxBundle(args: ["sh", "-c", "pwd; ls"])
            defer { bundle.cleanUp() }
            bundle.spec.process?.cwd = "/proc/self/fd/\(n)"
            do {
                let output = try bundle.run()
                Issue.record("workdir /proc/self/fd/\(n) started: \(output.stdout)")
            } catch let error as LighterError {
                guard case .containerStart = error else { Issue.record("\(error)"); continue }
            }
        }
        let bundle = try RuntimeExecTests.started()
        defer { bundle.cleanUp() }
        for n in candidates {
            var process = bundle.spec.process!
            process.args = ["sh", "-c", "pwd; ls"]
            process.cwd = "/proc/self/fd/\(n)"
            do {
                _ = try bundle.runtime.exec(id: bundle.id, process: process, stdio: .init(input: -1, output: -1, error: -1))
                Issue.record("exec with workdir /proc/self/fd/\(n) started")
            } catch {
                guard case .containerStart = error else { Issue.record("\(error)"); continue }
            }
        }
    }

    /// The process waiting for the container (here this test process, as the engine's monitor is for a
    /// `run`) is outside the container's pid namespace: the container can neither see, signal nor
    /// trace it.
    @Test func aContainerCannotSignalOrTraceItsMonitor() throws {
        let me = getpid()
        let bundle = try BusyboxBundle(args: ["sh", "-c", "kill -9 \(me); echo kill=$?; [ -e /proc/\(me) ] && echo visible; grep PPid /proc/1/status"])
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        #expect(output.status.code == 0, "\(output.stderr)")
        #expect(output.stdout.contains("kill=1"), "\(output.stdout)")
        #expect(!output.stdout.contains("visible"), "\(output.stdout)")
        #expect(output.stdout.contains("PPid:\t0"), "\(output.stdout)")
    }
}
