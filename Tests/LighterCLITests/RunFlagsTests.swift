#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `run`/`create` flags of Docker's CLI (issue #11), each seen from inside the container or in inspect.
@Suite struct RunFlagsTests {
    static func ready() -> Lighter {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        return lighter
    }

    @Test func labelsMergeWithTheImagesAndShowInInspect() throws {
        let lighter = Lighter()
        #expect(lighter.run(["import", "-c", "CMD [\"/bin/sh\"]", "-c", "LABEL from=image over=image", Repository.busyboxTarball("amd64"), "labelled"]).status == 0)
        let file = TestDirectory("lighter-labels")
        try FileSystem.writeAtomically(Array("# a comment\n\nfile=1\n".utf8), to: file.sub("labels"))
        let created = lighter.run("create", "--name", "l", "--label", "over=cli", "-l", "bare", "--label-file", file.sub("labels"), "labelled")
        #expect(created.status == 0, "\(created.stderr)")
        let labels = lighter.run("inspect", "-f", "{{json .Config.Labels}}", "l").stdout.filter { $0 != " " }
        for pair in ["\"from\":\"image\"", "\"over\":\"cli\"", "\"bare\":\"\"", "\"file\":\"1\""] {
            #expect(labels.contains(pair), "\(labels)")
        }
    }

    @Test func exposeAddsToTheImagesPorts() {
        let lighter = Self.ready()
        #expect(lighter.run("create", "--name", "e", "--expose", "7000-7001/udp", "--expose", "80", "busybox").status == 0)
        let ports = lighter.run("inspect", "-f", "{{json .Config.ExposedPorts}}", "e").stdout
        for port in ["7000/udp", "7001/udp", "80/tcp"] { #expect(ports.contains(port), "\(ports)") }
        #expect(lighter.run("create", "--expose", "80-70", "busybox").status == 125)
    }

    @Test func dnsSearchAndOptionsReachResolvConf() {
        let lighter = Self.ready()
        let result = lighter.run("run", "--rm", "--dns-search", "example.test", "--dns-search", "corp.test", "--dns-option", "ndots:2", "busybox", "cat", "/etc/resolv.conf")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.contains("search example.test corp.test"))
        #expect(lines.contains("options ndots:2"))
        #expect(lines.filter { $0.hasPrefix("search") }.count == 1)
    }

    @Test func mountsOfEveryType() throws {
        let lighter = Self.ready()
        let host = TestDirectory("lighter-mount")
        try FileSystem.writeAtomically(Array("hello\n".utf8), to: host.sub("f"))
        let bind = lighter.run("run", "--rm", "--mount", "type=bind,source=\(host.path),target=/m,readonly", "busybox", "sh", "-c", "cat /m/f; touch /m/x || echo ro")
        #expect(bind.stdout == "hello\nro\n", "\(bind.stderr)")
        let tmpfs = lighter.run("run", "--rm", "--mount", "type=tmpfs,destination=/t,tmpfs-size=1m", "busybox", "sh", "-c", "grep ' /t ' /proc/mounts")
        #expect(tmpfs.stdout.hasPrefix("tmpfs /t tmpfs ") && tmpfs.stdout.contains("size=1024k"), "\(tmpfs.stdout) \(tmpfs.stderr)")
        #expect(lighter.run("run", "--rm", "--mount", "source=mvol,target=/v", "busybox", "sh", "-c", "echo kept > /v/f").status == 0)
        #expect(lighter.run("run", "--rm", "--mount", "src=mvol,dst=/v,ro", "busybox", "cat", "/v/f").stdout == "kept\n")
        for bad in ["type=bind,target=/m", "type=bind,source=/nonexistent-lighter,target=/m", "type=nfs,target=/m", "source=x", "type=tmpfs,target=/t,color=red"] {
            let result = lighter.run("run", "--rm", "--mount", bad, "busybox", "true")
            #expect(result.status == 125 && result.stderr.contains("--mount"), "\(bad): \(result.stderr)")
        }
    }

    @Test func volumesFromMountsTheOtherContainersVolumesAndBinds() throws {
        let lighter = Self.ready()
        let host = TestDirectory("lighter-volumes-from")
        try FileSystem.writeAtomically(Array("bound\n".utf8), to: host.sub("f"))
        #expect(lighter.run("create", "--name", "src", "-v", "vfrom:/data", "-v", "\(host.path):/host:ro", "busybox").status == 0)
        #expect(lighter.run("run", "--rm", "-v", "vfrom:/data", "busybox", "sh", "-c", "echo hi > /data/f").status == 0)
        let shared = lighter.run("run", "--rm", "--volumes-from", "src", "busybox", "sh", "-c", "cat /data/f /host/f; touch /data/rw && echo rw; touch /host/x || echo ro")
        #expect(shared.stdout == "hi\nbound\nrw\nro\n", "\(shared.stderr)")
        let readOnly = lighter.run("run", "--rm", "--volumes-from", "src:ro", "busybox", "sh", "-c", "touch /data/x || echo ro")
        #expect(readOnly.stdout == "ro\n", "\(readOnly.stderr)")
        #expect(lighter.run("run", "--rm", "--volumes-from", "src", "-v", "other:/data", "busybox", "true").status == 125)
        #expect(lighter.run("run", "--rm", "--volumes-from", "nosuch", "busybox", "true").status == 125)
        #expect(lighter.run("run", "--rm", "--volumes-from", "src:rx", "busybox", "true").status == 125)
    }

    @Test func logDriverNoneKeepsNoLogFile() {
        let lighter = Self.ready()
        let run = lighter.run("run", "--name", "quiet", "--log-driver", "none", "busybox", "echo", "hi")
        #expect(run.status == 0 && run.stdout == "hi\n", "\(run.stderr)")
        let id = lighter.run("inspect", "-f", "{{.Id}}", "quiet").stdout.trimmed
        #expect(!FileSystem.exists("\(lighter.root.path)/containers/\(id)/\(id)-json.log"))
        let logs = lighter.run("logs", "quiet")
        #expect(logs.status != 0 && logs.stderr.contains("configured logging driver does not support reading"), "\(logs.stderr)")
        #expect(lighter.run("inspect", "-f", "{{json .HostConfig.LogConfig.Type}}", "quiet").stdout.contains("none"))
        #expect(lighter.run("run", "--rm", "--log-driver", "none", "--log-opt", "max-size=1m", "busybox", "true").status == 125)
    }

    @Test func cidfileHoldsTheIDAndIsNeverOverwritten() throws {
        let lighter = Self.ready()
        let dir = TestDirectory("lighter-cid")
        let created = lighter.run("create", "--cidfile", dir.sub("cid"), "busybox")
        #expect(created.status == 0)
        #expect(try FileSystem.readString(dir.sub("cid")) == created.stdout.trimmed)
        let again = lighter.run("run", "--rm", "--cidfile", dir.sub("cid"), "busybox", "true")
        #expect(again.status == 125 && again.stderr.contains("container ID file found"), "\(again.stderr)")
        #expect(lighter.run("ps", "-aq").stdout.split(separator: "\n").count == 1)
    }

    /// Flags whose setting Lighter cannot apply are refused, naming the flag and why.
    @Test(arguments: [["--gpus", "all"], ["--isolation", "hyperv"], ["--volume-driver", "nfs"], ["--storage-opt", "size=1G"],
                      ["--runtime", "crun"], ["--ip6", "fd00::2"], ["--link-local-ip", "169.254.1.1"], ["--log-driver", "syslog"],
                      ["--detach-keys", "ctrl-a"],
                      ["-i", "--sig-proxy=false"], ["-i", "-a", "stdout"], ["--pull", "sometimes"], ["--stop-signal", "SIGNOPE"]])
    func refusedSettingsSayWhy(flags: [String]) {
        let lighter = Self.ready()
        let result = lighter.run(["run", "--rm"] + flags + ["busybox", "true"])
        #expect(result.status == 125, "\(flags): \(result.stderr)")
        #expect(result.stderr.hasPrefix("lighter: ") && result.stderr.contains(flags[0].split(separator: "=")[0]), "\(result.stderr)")
        #expect(lighter.run("ps", "-aq").stdout == "")
    }

    @Test func acceptedAsDockersDefaults() {
        let lighter = Self.ready()
        for flags in [["--runtime", "lighter"], ["--isolation", "default"], ["--volume-driver", "local"], ["--log-driver", "json-file"],
                      ["--disable-content-trust"], ["--sig-proxy=true"], ["-a", "stdout", "-a", "stderr"], ["--pull", "never"], ["-q"]] {
            let result = lighter.run(["run", "--rm"] + flags + ["busybox", "echo", "ok"])
            #expect(result.status == 0 && result.stdout == "ok\n", "\(flags): \(result.stderr)")
        }
    }

    /// Bug: HOME was never set. Docker: the user's home from the container's /etc/passwd, else /root (root) or /.
    @Test func homeComesFromPasswd() {
        let lighter = Self.ready()
        #expect(lighter.run("run", "--rm", "busybox", "sh", "-c", "echo $HOME").stdout == "/root\n")
        #expect(lighter.run("run", "--rm", "-u", "www-data", "busybox", "sh", "-c", "echo $HOME").stdout == "/var/www\n")
        #expect(lighter.run("run", "--rm", "-u", "4242", "busybox", "sh", "-c", "echo $HOME").stdout == "/\n")
        #expect(lighter.run("run", "--rm", "-e", "HOME=/mine", "busybox", "sh", "-c", "echo $HOME").stdout == "/mine\n")
        #expect(lighter.run("run", "-d", "--name", "h", "busybox", "sleep", "60").status == 0)
        #expect(lighter.run("exec", "h", "sh", "-c", "echo $HOME").stdout == "/root\n")
        #expect(lighter.run("exec", "-u", "www-data", "h", "sh", "-c", "echo $HOME").stdout == "/var/www\n")
        #expect(lighter.run("exec", "-u", "www-data", "-e", "HOME=/x", "h", "sh", "-c", "echo $HOME").stdout == "/x\n")
        lighter.run("rm", "-f", "h")
    }

    /// Bug: `--memory-swap -1` and `--pids-limit -1` were "Missing value".
    @Test func negativeNumbersAreValues() {
        let lighter = Self.ready()
        let result = lighter.run("run", "--rm", "-m", "32m", "--memory-swap", "-1", "--pids-limit", "-1", "busybox", "echo", "ok")
        #expect(result.status == 0 && result.stdout == "ok\n", "\(result.stderr)")
    }

    /// Bug: `--cpuset-cpus 99` failed with "write: Numerical result out of range".
    @Test func cpusetOfMissingCPUsIsRefusedUpFront() throws {
        let lighter = Self.ready()
        let online = try FileSystem.readString("/sys/devices/system/cpu/online").trimmed
        let result = lighter.run("run", "--rm", "--cpuset-cpus", "99", "busybox", "true")
        #expect(result.status == 125)
        #expect(result.stderr.contains("--cpuset-cpus 99: Requested CPUs are not available - requested 99, available: \(online)"), "\(result.stderr)")
        #expect(lighter.run("ps", "-aq").stdout == "")
        #expect(lighter.run("run", "--rm", "--cpuset-cpus", "0", "busybox", "true").status == 0)
    }

    /// Bug: a huge environment variable failed with "send: Broken pipe".
    @Test func anOversizedEnvironmentVariableIsRefusedByName() throws {
        let lighter = Self.ready()
        let dir = TestDirectory("lighter-env")
        try FileSystem.writeAtomically(Array("BIG=\(String(repeating: "x", count: 1_000_000))\n".utf8), to: dir.sub("env"))
        let result = lighter.run("run", "--rm", "--env-file", dir.sub("env"), "busybox", "true")
        #expect(result.status == 125)
        #expect(result.stderr.contains("argument list too long: the environment variable BIG is 1000004 bytes"), "\(result.stderr)")
        #expect(lighter.run("ps", "-aq").stdout == "")
        try FileSystem.writeAtomically(Array("BIG=\(String(repeating: "x", count: 100_000))\n".utf8), to: dir.sub("env"))
        #expect(lighter.run("run", "--rm", "--env-file", dir.sub("env"), "busybox", "sh", "-c", "echo ${#BIG}").stdout == "100000\n")
    }

    @Test func usageErrorsAndHelpAsDockersCLI() {
        let lighter = Self.ready()
        let bogus = lighter.run("run", "--bogus", "busybox")
        #expect(bogus.status == 125 && bogus.stderr == "lighter: unknown flag: --bogus\nSee 'lighter run --help'.\n")
        let missing = lighter.run("create", "--name")
        #expect(missing.status == 125 && missing.stderr == "lighter: flag needs an argument: --name\nSee 'lighter create --help'.\n")
        let none = lighter.run("run")
        #expect(none.status == 125 && none.stderr.hasPrefix("lighter: \"run\" requires at least 1 argument.\nSee 'lighter run --help'.\n\nUsage:  lighter run [OPTIONS]"))
        let help = lighter.run("run", "--help")
        #expect(help.status == 0 && help.stdout.hasPrefix("\nUsage:  lighter run [OPTIONS] IMAGE [COMMAND] [ARG...]") && help.stdout.contains("--device-cgroup-rule list"))
        #expect(lighter.run("container", "run", "--rm", "busybox", "echo", "ok").stdout == "ok\n")
        #expect(lighter.run("container", "create", "--help").stdout.contains("Usage:  lighter create"))
    }

    @Test func completionAndManPageAreGenerated() {
        let lighter = Lighter()
        for shell in ["bash", "zsh", "fish"] {
            let script = lighter.run("completion", shell)
            #expect(script.status == 0 && script.stdout.contains("memory-swap") && script.stdout.contains("images"), "\(shell): \(script.stderr)")
        }
        let man = lighter.run("__man", "run")
        #expect(man.status == 0 && man.stdout.hasPrefix(".TH LIGHTER\\-RUN 1"))
        #expect(lighter.run("__options-markdown").stdout.contains("| `--pull` | string |"))
    }

    /// `--pull`: missing pulls what is not local (saying so), never does not, always pulls anyway.
    @Test func pullPolicies() throws {
        let lighter = Self.ready()
        let registry = try LoopbackRegistry("lighter-pull-registry")
        defer { registry.stop() }
        let port = registry.port
        let image = "127.0.0.1:\(port)/flags/busybox:latest"
        #expect(lighter.run("tag", "busybox", image).status == 0)
        var pushed = lighter.run("push", image)
        for _ in 0..<100 where pushed.status != 0 {
            usleep(100_000)
            pushed = lighter.run("push", image)
        }
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(lighter.run("rmi", image).status == 0)

        let never = lighter.run("run", "--rm", "--pull", "never", image, "true")
        #expect(never.status == 125 && never.stderr.contains("no such image"), "\(never.stderr)")
        let missing = lighter.run("run", "--rm", image, "echo", "pulled")
        #expect(missing.status == 0 && missing.stdout == "pulled\n", "\(missing.stderr)")
        #expect(missing.stderr.hasPrefix("Unable to find image '\(image)' locally\n"), "\(missing.stderr)")
        let local = lighter.run("run", "--rm", image, "true")
        #expect(local.status == 0 && local.stderr == "")
        let always = lighter.run("create", "--pull", "always", "-q", image)
        #expect(always.status == 0 && always.stderr == "", "\(always.stderr)")
        let loud = lighter.run("create", "--pull=always", image)
        #expect(loud.status == 0 && loud.stderr.contains("Status: Image is up to date for \(image)"), "\(loud.stderr)")
    }
}
