#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import LighterRuntime
import LighterSystem

/// `Runtime.run` on the real kernel with a busybox rootfs.
@Suite struct RuntimeRunTests {
    @Test(arguments: [
        (["true"], Int32(0)),
        (["false"], Int32(1)),
        (["sh", "-c", "exit 7"], Int32(7)),
    ])
    func exitStatusIsPassedThrough(args: [String], expected: Int32) throws {
        let bundle = try BusyboxBundle(args: args)
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        #expect(output.status.code == expected)
        #expect(output.status.oomKilled == false)
        #expect(output.status.signal == nil)
    }

    /// A process killed by signal N exits 128+N. (In its own pid namespace the shell is PID 1, which
    /// the kernel protects from its own SIGKILL, so this container shares the host's pid namespace.)
    @Test func killedBySignalIs128PlusN() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "kill -9 $$"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.namespaces?.removeAll { $0.type == "pid" }
        let output = try bundle.run()
        #expect(output.status.code == 137)
        #expect(output.status.signal == SIGKILL)
    }

    @Test func missingExecutableIs127() throws {
        let bundle = try BusyboxBundle(args: ["no-such-program"])
        defer { bundle.cleanUp() }
        do {
            _ = try bundle.run()
            Issue.record("run of a missing program succeeded")
        } catch let error as LighterError {
            #expect(error.exitCode == 127)
            #expect(error.description.contains("\"no-such-program\": executable file not found in $PATH"))
        }
        #expect(!FileSystem.exists("\(bundle.directory)/state/\(bundle.id)"))
    }

    @Test func nonExecutableIs126() throws {
        let bundle = try BusyboxBundle(args: ["/etc/passwd"])
        defer { bundle.cleanUp() }
        do {
            _ = try bundle.run()
            Issue.record("run of a non-executable file succeeded")
        } catch let error as LighterError {
            #expect(error.exitCode == 126)
            #expect(error.description.contains("permission denied"))
        }
    }

    @Test func stdoutAndStderrAreTheGivenDescriptors() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "echo out; echo err >&2"])
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        #expect(output.stdout == "out\n")
        #expect(output.stderr == "err\n")
    }

    @Test func psSeesOnlyTheContainersProcesses() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "ps; true"])
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        let pids = output.stdout.split(separator: "\n").dropFirst().compactMap { line in
            line.split(separator: " ").first.flatMap { Int($0) }
        }
        #expect(output.status.code == 0)
        #expect(pids.count == 2, "ps output: \(output.stdout)")
        #expect(pids.contains(1))
    }

    @Test func hostnameComesFromTheSpec() throws {
        let bundle = try BusyboxBundle(args: ["hostname"])
        defer { bundle.cleanUp() }
        #expect(try bundle.run().stdout == "box-test\n")
    }

    @Test func namespacesDifferFromTheHost() throws {
        let kinds = ["pid", "mnt", "uts", "ipc", "net"]
        let bundle = try BusyboxBundle(args: ["sh", "-c", "for n in \(kinds.joined(separator: " ")); do readlink /proc/self/ns/$n; done"])
        defer { bundle.cleanUp() }
        let inside = try bundle.run().stdout.split(separator: "\n").map(String.init)
        #expect(inside.count == kinds.count)
        for (index, kind) in kinds.enumerated() {
            var buffer = [CChar](repeating: 0, count: 256)
            let count = readlink("/proc/self/ns/\(kind)", &buffer, 255)
            let host = String(decoding: buffer[0..<max(0, count)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            #expect(host.hasPrefix("\(kind):["))
            if index < inside.count {
                #expect(inside[index].hasPrefix("\(kind):["))
                #expect(inside[index] != host, "\(kind) namespace is the host's")
            }
        }
    }

    @Test func capabilitiesAreDockersDefaultSet() throws {
        let bundle = try BusyboxBundle(args: ["grep", "-E", "^Cap(Eff|Bnd|Inh|Amb)", "/proc/self/status"])
        defer { bundle.cleanUp() }
        let lines = try bundle.run().stdout
        #expect(lines.contains("CapEff:\t00000000a80425fb"))
        #expect(lines.contains("CapBnd:\t00000000a80425fb"))
        #expect(lines.contains("CapInh:\t0000000000000000"))
        #expect(lines.contains("CapAmb:\t0000000000000000"))
    }

    @Test func droppedCapabilityIsGone() throws {
        let bundle = try BusyboxBundle(args: ["grep", "-E", "^Cap(Eff|Bnd)", "/proc/self/status"])
        defer { bundle.cleanUp() }
        let caps = Capability.dockerDefault.filter { $0 != "CAP_NET_RAW" }
        bundle.spec.process?.capabilities = .init(bounding: caps, effective: caps, permitted: caps)
        let lines = try bundle.run().stdout
        #expect(lines.contains("CapEff:\t00000000a80405fb"))
        #expect(lines.contains("CapBnd:\t00000000a80405fb"))
    }

    @Test func nonRootUserHasNoCapabilities() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "id -u; id -g; grep CapEff /proc/self/status"])
        defer { bundle.cleanUp() }
        bundle.spec.process?.user = .init(uid: 65534, gid: 65534, additionalGids: [10, 20])
        bundle.spec.process?.args = ["sh", "-c", "id -u; id -G; grep CapEff /proc/self/status"]
        let output = try bundle.run()
        #expect(output.stdout == "65534\n65534 10 20\nCapEff:\t0000000000000000\n")
    }

    @Test func userNamespaceMapsRootToAnUnprivilegedHostID() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/gid_map; grep CapEff /proc/self/status; touch /tmp/owned"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.namespaces?.append(.init(type: "user"))
        bundle.spec.linux?.uidMappings = [.init(containerID: 0, hostID: 100_000, size: 65536)]
        bundle.spec.linux?.gidMappings = [.init(containerID: 0, hostID: 100_000, size: 65536)]
        let output = try bundle.run()
        let lines = output.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines == ["0", "0 100000 65536", "0 100000 65536", "CapEff:\t00000000a80425fb"], "\(output.stderr)")
        // Files the container's root creates belong to the mapped host uid.
        let st = FileSystem.lstatOrNil("\(bundle.rootfs)/tmp/owned")
        #expect(st?.st_uid == 100_000)
        #expect(st?.st_gid == 100_000)
    }

    @Test func sysctlsAndRlimitsFromTheSpec() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "cat /proc/sys/net/ipv4/ip_forward; ulimit -n; ulimit -H -n; cat /proc/self/oom_score_adj"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.sysctl = ["net.ipv4.ip_forward": "1"]
        bundle.spec.process?.rlimits = [.init(type: "RLIMIT_NOFILE", hard: 200, soft: 100)]
        bundle.spec.process?.oomScoreAdj = 500
        let output = try bundle.run()
        #expect(output.stdout == "1\n100\n200\n500\n", "\(output.stderr)")
    }

    @Test func readonlyRootRefusesWrites() throws {
        let bundle = try BusyboxBundle(args: ["touch", "/new-file"])
        defer { bundle.cleanUp() }
        bundle.spec.root?.readonly = true
        let output = try bundle.run()
        #expect(output.status.code != 0)
        #expect(output.stderr.contains("Read-only file system"))
        #expect(!FileSystem.exists("\(bundle.rootfs)/new-file"))
    }

    @Test func writableRootAcceptsWrites() throws {
        let bundle = try BusyboxBundle(args: ["touch", "/new-file"])
        defer { bundle.cleanUp() }
        #expect(try bundle.run().status.code == 0)
        #expect(FileSystem.exists("\(bundle.rootfs)/new-file"))
    }

    @Test func maskedPathsReadEmpty() throws {
        // The host's timer_list has content; the container's is /dev/null.
        #expect(try FileDescriptor(path: "/proc/timer_list", flags: O_RDONLY).read(upTo: 64).count > 0)
        let bundle = try BusyboxBundle(args: ["sh", "-c", "wc -c < /proc/timer_list; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname"])
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        #expect(output.stdout == "0\n0\n")
        #expect(output.stderr.contains("Read-only file system"))
    }

    @Test func nothingIsLeftAfterRun() throws {
        let bundle = try BusyboxBundle(args: ["sleep", "0"])
        defer { bundle.cleanUp() }
        #expect(try bundle.run().status.code == 0)
        #expect(BusyboxBundle.hostMounts(mentioning: bundle.directory).isEmpty)
        for controller in ["memory", "cpu", "pids", "devices", "freezer"] {
            #expect(!FileSystem.exists("/sys/fs/cgroup/\(controller)\(bundle.cgroupsPath)"))
        }
        #expect(!FileSystem.exists("\(bundle.directory)/state/\(bundle.id)"))
    }
}
