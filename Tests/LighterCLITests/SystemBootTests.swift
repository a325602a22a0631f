#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `system boot` after a simulated reboot: monitors and container processes SIGKILLed, the overlay
/// mounts gone, the runtime's state under /run/lighter removed (a tmpfs at boot), and in the bridge
/// case the bridge and Lighter's nftables table deleted. Restart policies decide what runs again.
@Suite(.serialized) struct SystemBootTests {
    /// Kill a running container's monitor and process, then remove what a reboot removes. Its cgroup
    /// directories are left (a reboot would drop them; `system boot` must remove them itself).
    static func powerCut(_ lighter: Lighter, _ id: String, namespace: NetworkNamespace? = nil) throws {
        let monitor = try #require(ContainerCrashTests.monitorPid(lighter, id))
        let pid = try #require(Int32(lighter.run("inspect", "-f", "{{.State.Pid}}", id).stdout.trimmed))
        try #require(pid > 0)
        kill(monitor, SIGKILL)
        kill(pid, SIGKILL)
        #expect(ContainerCrashTests.waitUntil { ContainerCrashTests.isDead(pid) && ContainerCrashTests.isDead(monitor) })
        let rootfs = "\(lighter.root.path)/containers/\(id)/rootfs"
        while FileSystem.isMountPoint(rootfs) { _ = umount2(rootfs, Int32(MNT_DETACH)) }
        try? FileSystem.removeTree("/run/lighter/runtime/\(id)")
    }

    static func id(_ lighter: Lighter, _ name: String) -> String {
        lighter.run("inspect", "-f", "{{.Id}}", name).stdout.trimmed
    }

    static func names(_ lighter: Lighter, _ arguments: String...) -> Set<String> {
        Set(lighter.run(["ps", "--format", "{{.Names}}"] + arguments).stdout.split(separator: "\n").map(String.init))
    }

    @Test func restartPoliciesDecideWhatRunsAfterAReboot() throws {
        let lighter = RunCommandTests.ready()
        defer {
            let ids = lighter.run("ps", "-aq").stdout.split(separator: "\n").map(String.init)
            if !ids.isEmpty { lighter.run(["rm", "-f"] + ids) }
        }
        // name → --restart; all running when the power goes, except those stopped below.
        let policies = [("always", "always"), ("always-stopped", "always"), ("unless", "unless-stopped"),
                        ("unless-stopped", "unless-stopped"), ("onfail", "on-failure"), ("onfail-seen", "on-failure:3"),
                        ("onfail-stopped", "on-failure"), ("unless-killed", "unless-stopped"), ("no", "no")]
        for (name, policy) in policies {
            let run = lighter.run("run", "-d", "--name", name, "--restart", policy, "busybox", "sleep", "600")
            try #require(run.status == 0, "\(run.stderr)")
        }
        // Ended before the power cut: a clean exit (on-failure leaves it), a --rm container, one never started.
        try #require(lighter.run("run", "-d", "--name", "onfail-done", "--restart", "on-failure", "busybox", "true").status == 0)
        try #require(lighter.run("run", "-d", "--rm", "--name", "gone", "busybox", "sleep", "600").status == 0)
        try #require(lighter.run("create", "--name", "never", "--restart", "always", "busybox", "sleep", "600").status == 0)
        #expect(lighter.run("wait", "onfail-done").stdout.trimmed == "0")
        for name in ["always-stopped", "unless-stopped", "onfail-stopped"] {
            #expect(lighter.run("stop", "-t", "1", name).status == 0)
        }
        #expect(lighter.run("kill", "unless-killed").status == 0)
        #expect(lighter.run("wait", "unless-killed").stdout.trimmed == "137")
        let running = ["always", "unless", "onfail", "onfail-seen", "no", "gone"]
        let ids = Dictionary(uniqueKeysWithValues: (running + ["always-stopped", "unless-stopped", "onfail-stopped", "unless-killed", "onfail-done", "never"]).map { ($0, Self.id(lighter, $0)) })
        for name in running { try Self.powerCut(lighter, ids[name]!) }
        // A command that looks first settles one as exited: boot must still know it was running.
        #expect(lighter.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "onfail-seen").stdout.trimmed == "exited 255")

        let boot = lighter.run("system", "boot")
        #expect(boot.status == 0, "\(boot.stderr)")
        let lines = boot.stdout.split(separator: "\n").map(String.init)
        for name in ["always", "always-stopped", "unless", "onfail", "onfail-seen"] {
            #expect(lines.contains { $0.hasPrefix("started: \(name) (") }, "\(name) not started: \(boot.stdout)")
        }
        for name in ["always", "unless", "onfail", "no"] {
            #expect(lines.contains { $0.hasPrefix("exited: \(name) (") }, "\(name) not marked exited: \(boot.stdout)")
        }
        #expect(lines.contains { $0.hasPrefix("removed: gone (") }, "\(boot.stdout)")
        #expect(lines.count == 10, "\(boot.stdout)")
        #expect(Self.names(lighter) == ["always", "always-stopped", "unless", "onfail", "onfail-seen"])
        #expect(lighter.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "no").stdout.trimmed == "exited 255")
        #expect(lighter.run("inspect", "-f", "{{.State.Status}}", "never").stdout.trimmed == "created")
        #expect(lighter.run("inspect", "gone").status != 0)
        for name in ["no", "gone"] {
            #expect(ContainerCrashTests.cgroupDirectories(ids[name]!).isEmpty, "cgroups of \(name) left")
        }
        #expect(!FileSystem.exists("\(lighter.root.path)/containers/\(ids["gone"]!)"))
        // The ones started run: exec works in them.
        #expect(lighter.run("exec", "onfail-seen", "true").status == 0)

        // Idempotent: nothing more to do, nothing started twice.
        let pids = lighter.run("ps", "-q", "--no-trunc").stdout.split(separator: "\n").map { lighter.run("inspect", "-f", "{{.State.Pid}}", String($0)).stdout }
        let again = lighter.run("system", "boot")
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stdout)\(again.stderr)")
        #expect(lighter.run("ps", "-q", "--no-trunc").stdout.split(separator: "\n").map { lighter.run("inspect", "-f", "{{.State.Pid}}", String($0)).stdout } == pids)
        let check = lighter.run("system", "check")
        #expect(check.status == 0 && !check.stdout.contains("leftover"), "\(check.stdout)")
        // A user's stop of an `always` container started at boot is a stop (boot cleared nothing it should not).
        #expect(lighter.run("stop", "-t", "1", "always").status == 0)
        #expect(lighter.run("system", "boot").stdout == "started: always (\(ids["always"]!.prefix(12))): restart policy always\n")
    }

    /// After a real reboot the recorded pids name other processes (small boards reuse low pids at every
    /// boot): a record from an earlier boot is dead whatever runs under its monitor's pid now.
    @Test func aMonitorPidReusedAfterARebootDoesNotKeepTheContainerRunning() throws {
        let lighter = RunCommandTests.ready()
        defer { lighter.run("rm", "-f", "reused") }
        try #require(lighter.run("run", "-d", "--name", "reused", "--restart", "unless-stopped", "busybox", "sleep", "600").status == 0)
        let id = Self.id(lighter, "reused")
        try Self.powerCut(lighter, id)
        let stranger = Run.spawn(["sleep", "60"], stdout: "/dev/null", stderr: "/dev/null")
        defer { Run.stop(stranger) }
        let path = "\(lighter.root.path)/containers/\(id)/container.json"
        var text = try FileSystem.readString(path)
        let bootID = try FileSystem.readString("/proc/sys/kernel/random/boot_id").trimmed
        #expect(text.contains(bootID), "the record does not hold this boot's ID: \(text)")
        text = text.replacing(#/"monitorPid" *: *[0-9]+/#, with: "\"monitorPid\" : \(stranger)")
            .replacing(bootID, with: "00000000-0000-4000-8000-000000000000")
        try FileSystem.writeDurably(Array(text.utf8), to: path, mode: 0o600)

        let boot = lighter.run("system", "boot")
        #expect(boot.status == 0, "\(boot.stderr)")
        #expect(boot.stdout == "exited: reused (\(id.prefix(12))): its monitor was gone, exit code 255\nstarted: reused (\(id.prefix(12))): restart policy unless-stopped\n",
                "\(boot.stdout)")
        #expect(Self.names(lighter) == ["reused"])
        #expect(!ContainerCrashTests.isDead(stranger), "boot touched the process that took the old pid")
    }

    /// The daemon's start and a `system boot` (or two of either) at the same moment: each container is
    /// settled and started once.
    @Test func concurrentBootsStartEachContainerOnce() throws {
        let lighter = RunCommandTests.ready()
        defer {
            let ids = lighter.run("ps", "-aq").stdout.split(separator: "\n").map(String.init)
            if !ids.isEmpty { lighter.run(["rm", "-f"] + ids) }
        }
        let names = (1...3).map { "twice\($0)" }
        for name in names {
            try #require(lighter.run("run", "-d", "--name", name, "--restart", "always", "busybox", "sleep", "600").status == 0)
            try Self.powerCut(lighter, Self.id(lighter, name))
        }
        let boots = (0..<4).map { n in
            Run.spawn([Repository.lighterBinary, "system", "boot"], stdout: lighter.root.sub("boot\(n).out"), stderr: lighter.root.sub("boot\(n).err"),
                      environment: ["LIGHTER_ROOT": lighter.root.path])
        }
        for pid in boots { #expect(Run.wait(pid) == 0) }
        let output = try (0..<4).map { try FileSystem.readString(lighter.root.sub("boot\($0).out")) }.joined()
        for name in names {
            #expect(output.components("started: \(name) (") == 1, "\(output)")
            #expect(output.components("exited: \(name) (") == 1, "\(output)")
        }
        #expect(Self.names(lighter) == Set(names))
        // One monitor each: no second one runs for any of them.
        let monitors = Run.sh("pgrep -f -- '[_]_monitor \(lighter.root.path) ' | wc -l").stdout.trimmed
        #expect(monitors == "3", "\(monitors) monitors")
    }

    /// One container that cannot start (its bind mount's source went with the reboot) is reported and
    /// makes the exit status 1; the others still start.
    @Test func aContainerThatCannotStartIsReportedAndTheOthersStillStart() throws {
        let lighter = RunCommandTests.ready()
        defer { lighter.run("rm", "-f", "broken", "fine") }
        let source = TestDirectory("lighter-boot-bind")
        try #require(lighter.run("run", "-d", "--name", "broken", "--restart", "always", "-v", "\(source.path):/data", "busybox", "sleep", "600").status == 0)
        try #require(lighter.run("run", "-d", "--name", "fine", "--restart", "always", "busybox", "sleep", "600").status == 0)
        for name in ["broken", "fine"] { try Self.powerCut(lighter, Self.id(lighter, name)) }
        try FileSystem.removeTree(source.path)

        let boot = lighter.run("system", "boot")
        #expect(boot.status == 1, "\(boot.stdout)\(boot.stderr)")
        #expect(boot.stdout.contains("failed: broken (") && boot.stdout.contains("restart policy always, but it did not start:"), "\(boot.stdout)")
        #expect(boot.stdout.contains("started: fine ("), "\(boot.stdout)")
        #expect(Self.names(lighter) == ["fine"])
        // It keeps failing the same way, and nothing else is done again.
        let again = lighter.run("system", "boot")
        #expect(again.status == 1 && again.stdout.split(separator: "\n").count == 1 && again.stdout.hasPrefix("failed: broken ("), "\(again.stdout)")
    }

    @Test func bridgeRulesAndPublishedPortComeBackAfterAReboot() throws {
        let rig = NetworkRig()
        let started = rig.run("run", "-d", "--name", "web", "--restart", "unless-stopped", "-p", "8080:80", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www")
        try #require(started.status == 0, "\(started.stderr)")
        // A user network's bridge comes back too.
        try #require(rig.run("network", "create", "--subnet", "10.77.0.0/24", "backend").status == 0)
        try #require(rig.run("run", "-d", "--name", "api", "--network", "backend", "--restart", "always", "busybox", "sleep", "600").status == 0)
        let userBridge = try #require(rig.links.first { $0.hasPrefix("lt-") })
        #expect(rig.fetch("http://\(NetworkRig.engineAddress):8080/", from: rig.outside).contains(NetworkBridgeTests.page))
        try #require(rig.run("run", "-d", "--name", "idle", "-p", "8081:80", "busybox", "sleep", "600").status == 0)
        for name in ["web", "idle", "api"] { try Self.powerCut(rig.lighter, Self.id(rig.lighter, name)) }
        rig.engine.sh("ip link del lighter0; ip link del \(userBridge); nft delete table ip lighter")
        #expect(!rig.links.contains("lighter0") && !rig.links.contains(userBridge))

        let boot = rig.run("system", "boot")
        #expect(boot.status == 0, "\(boot.stderr)")
        let network = boot.stdout.split(separator: "\n").first { $0.hasPrefix("network: bridges ") } ?? ""
        #expect(network.contains("lighter0") && network.contains(userBridge) && network.hasSuffix(" and their rules restored"), "\(boot.stdout)")
        #expect(boot.stdout.contains("started: web ("), "\(boot.stdout)")
        #expect(boot.stdout.contains("started: api ("), "\(boot.stdout)")
        #expect(rig.run("exec", "api", "ip", "-o", "-4", "addr", "show", "eth0").stdout.contains("inet 10.77.0.2/24"))
        #expect(rig.run("exec", "api", "ping", "-c", "1", "-W", "2", "10.77.0.1").status == 0)
        #expect(boot.stdout.contains("exited: idle ("), "\(boot.stdout)")
        #expect(!boot.stdout.contains("started: idle"), "\(boot.stdout)")
        #expect(rig.fetch("http://\(NetworkRig.engineAddress):8080/", from: rig.outside).contains(NetworkBridgeTests.page))
        #expect(rig.fetch("http://127.0.0.1:8080/", from: rig.engine).contains(NetworkBridgeTests.page))
        // The dead container's port is not in the rules; the live one's is.
        #expect(rig.rules.contains("8080") && !rig.rules.contains("8081"), "\(rig.rules)")
        #expect(rig.vethCount(settlingAt: 2) == 2)

        let again = rig.run("system", "boot")
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stdout)\(again.stderr)")
        let check = rig.run("system", "check")
        #expect(check.status == 0 && !check.stdout.contains("leftover"), "\(check.stdout)")
    }
}
