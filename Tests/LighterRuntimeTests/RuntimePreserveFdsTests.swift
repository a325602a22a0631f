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

/// `runtime run/create --preserve-fds N` and systemd's LISTEN_FDS: the caller's descriptors 3, 4, … reach
/// the container process (LISTEN_FDS ones first, announced as LISTEN_FDS=N LISTEN_PID=1), nothing past
/// them does; compared with runc and crun where they are installed.
@Suite struct RuntimePreserveFdsTests {
    static func runtimes() -> [(name: String, command: [String])] {
        var found: [(name: String, command: [String])] = [("lighter", [BusyboxBundle.lighterBinary, "runtime"])]
        for other in ["runc": "/usr/sbin/runc", "crun": "/usr/bin/crun"].sorted(by: { $0.key < $1.key })
        where FileSystem.exists(other.value) {
            found.append((other.key, [other.value]))
        }
        return found
    }

    /// The caller opens files on 3, 4 and 5 (and 6, which is not to be passed), then execs the runtime.
    static func run(_ runtime: [String], bundle: BusyboxBundle, state: String, listen: Bool, preserve: Int) -> ProcessResult {
        for n in 3...6 { try? FileSystem.writeDurably(Array("file \(n)\n".utf8), to: "\(bundle.directory)/fd\(n)") }
        let d = bundle.directory
        let activation = listen ? "export LISTEN_FDS=1 LISTEN_PID=$$; " : "unset LISTEN_FDS LISTEN_PID; "
        let command = runtime.map { "'\($0)'" }.joined(separator: " ")
            + " --root \(state) run --preserve-fds \(preserve) --bundle \(d) \(bundle.id)"
        return Run.capture(["/bin/sh", "-c", "exec 3<\(d)/fd3 4<\(d)/fd4 5<\(d)/fd5 6<\(d)/fd6 7<&-; \(activation)exec \(command)"])
    }

    @Test func descriptorsAfterStdioReachTheContainerAsWithRuncAndCrun() throws {
        let script = "echo \"LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID\"; for fd in 3 4 5 6 7; do "
            + "if [ -e /proc/$$/fd/$fd ]; then echo \"$fd: $(cat /proc/$$/fd/$fd)\"; else echo \"$fd: closed\"; fi; done"
        for runtime in Self.runtimes() {
            let bundle = try BusyboxBundle(args: ["sh", "-c", script])
            defer { bundle.cleanUp() }
            try bundle.writeSpec()
            // LISTEN_FDS=1 (fd 3) for this process, and two more.
            let both = Self.run(runtime.command, bundle: bundle, state: "\(bundle.directory)/state-a", listen: true, preserve: 2)
            #expect(both.status == 0, "\(runtime.name): \(both.stderr)")
            // crun 1.8.1 passes the descriptors and LISTEN_PID but not LISTEN_FDS; runc and Lighter pass both.
            let listen = runtime.name == "crun" ? "LISTEN_FDS= LISTEN_PID=1" : "LISTEN_FDS=1 LISTEN_PID=1"
            #expect(both.stdout == "\(listen)\n3: file 3\n4: file 4\n5: file 5\n6: closed\n7: closed\n",
                    "\(runtime.name): \(both.stdout)")
            // --preserve-fds alone: no activation variables.
            let preserved = Self.run(runtime.command, bundle: bundle, state: "\(bundle.directory)/state-b", listen: false, preserve: 1)
            #expect(preserved.status == 0, "\(runtime.name): \(preserved.stderr)")
            #expect(preserved.stdout == "LISTEN_FDS= LISTEN_PID=\n3: file 3\n4: closed\n5: closed\n6: closed\n7: closed\n",
                    "\(runtime.name): \(preserved.stdout)")
        }
    }

    @Test func aDescriptorTheCallerDoesNotHoldIsRefused() throws {
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        // 3 … 6 are open, 7 is not.
        let result = Self.run([BusyboxBundle.lighterBinary, "runtime"], bundle: bundle, state: "\(bundle.directory)/state",
                              listen: false, preserve: 5)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--preserve-fds 5: descriptor 7 is not open"), "\(result.stderr)")
        #expect(!FileSystem.exists("\(bundle.directory)/state/\(bundle.id)"))
    }
}
