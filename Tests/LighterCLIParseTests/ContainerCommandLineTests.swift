import Testing
@testable import LighterCLI

/// `run`/`create` read from ContainerOption's table as Docker's CLI (pflag) reads them.
@Suite struct ContainerCommandLineTests {
    static func request(_ arguments: [String], _ command: String = "run") throws -> ContainerCommandLine {
        let outcome = ContainerCommandLine.parse(arguments, command: command)
        guard case let .request(line) = outcome else {
            Issue.record("\(arguments): \(outcome)")
            throw CancellationError()
        }
        return line
    }

    static func usage(_ arguments: [String], _ command: String = "run") -> String? {
        if case let .usage(text) = ContainerCommandLine.parse(arguments, command: command) { return text }
        return nil
    }

    @Test func valuesInEveryForm() throws {
        let line = try Self.request(["--name", "a", "--hostname=b", "-e", "A=1", "-eB=2", "-e=C=3", "--env=D=4", "-w/tmp", "-u", "1:2",
                                     "-p80:80", "-p", "81:81", "busybox", "sh", "-c", "echo"])
        #expect(line.flags.name == "a")
        #expect(line.flags.hostname == "b")
        #expect(line.flags.env == ["A=1", "B=2", "C=3", "D=4"])
        #expect(line.flags.workdir == "/tmp")
        #expect(line.flags.user == "1:2")
        #expect(line.flags.publish == ["80:80", "81:81"])
        #expect(line.image == "busybox")
        #expect(line.command == ["sh", "-c", "echo"])
    }

    @Test func bundlesOfShortFlagsAndAValueAtTheEnd() throws {
        let line = try Self.request(["-dit", "-Pp8080:80", "busybox"])
        #expect(line.detach && line.flags.interactive && line.flags.tty && line.flags.publishAll)
        #expect(line.flags.publish == ["8080:80"])
        let attached = try Self.request(["-itd", "-eX=1", "busybox"])
        #expect(attached.detach && attached.flags.env == ["X=1"])
    }

    /// pflag takes the next argument as the value whatever it starts with: `--memory-swap -1`.
    @Test func negativeNumbersAndDashValues() throws {
        let line = try Self.request(["--memory-swap", "-1", "--pids-limit", "-1", "--cpu-quota", "-1", "--stop-timeout", "-1",
                                     "--memory-swappiness", "-1", "--oom-score-adj", "-500", "-e", "-x", "busybox"])
        #expect(line.flags.memorySwap == "-1")
        #expect(line.flags.pidsLimit == -1)
        #expect(line.flags.stopTimeout == -1)
        #expect(line.flags.kernel.cpuQuota == "-1")
        #expect(line.flags.kernel.memorySwappiness == "-1")
        #expect(line.flags.kernel.oomScoreAdj == "-500")
        #expect(line.flags.env == ["-x"])
    }

    @Test func optionsEndAtTheImageOrAtDoubleDash() throws {
        let line = try Self.request(["--rm", "busybox", "--rm", "-d", "--", "x"])
        #expect(line.rm && !line.detach)
        #expect(line.command == ["--rm", "-d", "--", "x"])
        let dashed = try Self.request(["--rm", "--", "busybox", "-x"])
        #expect(dashed.image == "busybox" && dashed.command == ["-x"])
        let stdin = try Self.request(["-", "x"])
        #expect(stdin.image == "-")
    }

    @Test func repeatsAppendListsAndTheLastSingleValueWins() throws {
        let line = try Self.request(["--name", "a", "--name", "b", "-v", "/a:/a", "-v", "/b:/b", "--label", "x=1", "-l", "y", "busybox"])
        #expect(line.flags.name == "b")
        #expect(line.flags.volume == ["/a:/a", "/b:/b"])
        #expect(line.flags.label == ["x=1", "y"])
    }

    @Test func booleanValuesAsGoParsesThem() throws {
        let line = try Self.request(["--rm=true", "--sig-proxy=false", "--privileged=1", "--init=F", "-t=true", "busybox"])
        #expect(line.rm && !line.flags.sigProxy && line.flags.privileged && !line.flags.`init` && line.flags.tty)
        #expect(Self.usage(["--rm=yes", "busybox"]) == "invalid argument \"yes\" for \"--rm\" flag: strconv.ParseBool: parsing \"yes\": invalid syntax")
    }

    @Test func dockersErrorTexts() {
        #expect(Self.usage(["--bogus", "busybox"]) == "unknown flag: --bogus")
        #expect(Self.usage(["-x", "busybox"]) == "unknown shorthand flag: 'x' in -x")
        #expect(Self.usage(["-dx", "busybox"]) == "unknown shorthand flag: 'x' in -dx")
        #expect(Self.usage(["--name"]) == "flag needs an argument: --name")
        #expect(Self.usage(["busybox", "--name"]) == nil)
        #expect(Self.usage(["-e"]) == "flag needs an argument: 'e' in -e")
        #expect(Self.usage(["-c", "x", "busybox"]) == "invalid argument \"x\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"x\": invalid syntax")
        #expect(Self.usage(["--pids-limit", "99999999999999999999", "busybox"])
                == "invalid argument \"99999999999999999999\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \"99999999999999999999\": value out of range")
        #expect(Self.usage([]) == "\"run\" requires at least 1 argument.")
        #expect(Self.usage(["--rm"], "create") == "\"create\" requires at least 1 argument.")
        #expect(Self.usage(["-d", "busybox"], "create") == "unknown shorthand flag: 'd' in -d")
        #expect(Self.usage(["--sig-proxy=false", "busybox"], "create") == "unknown flag: --sig-proxy")
    }

    @Test func helpAnywhereAmongTheOptions() {
        #expect(ContainerCommandLine.parse(["--help"], command: "run") == .help)
        #expect(ContainerCommandLine.parse(["--rm", "--help", "busybox"], command: "create") == .help)
        #expect(ContainerCommandLine.parse(["busybox", "--help"], command: "run") != .help)
    }

    /// Every option of the table reaches its field: given once in its long form, the request differs
    /// from the default one; each long name and each short letter is declared once.
    @Test func everyOptionLandsSomewhere() throws {
        let table = ContainerOption.table
        #expect(Set(table.map(\.long)).count == table.count)
        let shorts = table.compactMap(\.short)
        #expect(Set(shorts).count == shorts.count)
        for option in table {
            let arguments: [String]
            switch option.kind {
            case let .flag(path):
                arguments = ["--\(option.long)=\(!ContainerCommandLine()[keyPath: path])"]
            case .integer: arguments = ["--\(option.long)", "7"]
            default: arguments = ["--\(option.long)", "value-\(option.long)"]
            }
            let line = try Self.request(arguments + ["busybox"])
            #expect(line != ContainerCommandLine(image: "busybox"), "\(option.long)")
        }
    }

    @Test func theKernelFlagsLandInKernelFlagsAsTyped() throws {
        let line = try Self.request(["--device", "/dev/null:/dev/n:rw", "--device-cgroup-rule", "c 1:3 mr", "--group-add", "audio", "--cpu-period", "100000",
                                     "--cpu-rt-period", "1", "--cpu-rt-runtime", "2", "--cpuset-mems", "0", "--memory-reservation", "64m",
                                     "--kernel-memory", "1g", "--oom-kill-disable", "--blkio-weight", "500", "--blkio-weight-device", "/dev/sda:200",
                                     "--device-read-bps", "/dev/sda:1mb", "--device-write-bps", "/dev/sda:2mb", "--device-read-iops", "/dev/sda:10",
                                     "--device-write-iops", "/dev/sda:20", "--shm-size", "128m", "--sysctl", "net.ipv4.ip_forward=1",
                                     "--pid", "host", "--ipc", "private", "--uts", "host", "--cgroupns", "private", "busybox"])
        let k = line.flags.kernel
        #expect(k.device == ["/dev/null:/dev/n:rw"] && k.deviceCgroupRule == ["c 1:3 mr"] && k.groupAdd == ["audio"])
        #expect(k.cpuPeriod == "100000" && k.cpuRtPeriod == "1" && k.cpuRtRuntime == "2" && k.cpusetMems == "0")
        #expect(k.memoryReservation == "64m" && k.kernelMemory == "1g" && k.oomKillDisable && k.blkioWeight == "500")
        #expect(k.blkioWeightDevice == ["/dev/sda:200"] && k.deviceReadBps == ["/dev/sda:1mb"] && k.deviceWriteBps == ["/dev/sda:2mb"])
        #expect(k.deviceReadIops == ["/dev/sda:10"] && k.deviceWriteIops == ["/dev/sda:20"] && k.shmSize == "128m")
        #expect(k.sysctl == ["net.ipv4.ip_forward=1"] && k.pid == "host" && k.ipc == "private" && k.uts == "host" && k.cgroupns == "private")
    }
}
