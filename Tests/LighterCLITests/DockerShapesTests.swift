#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// The JSON documents and rows Docker's users read with templates and scripts: keys, nulls and
/// empty values as Docker 20.10 writes them (issue #11).
@Suite struct DockerShapesTests {
    static func document(_ text: String) -> [String: JSONNode] {
        guard case let .array(items)? = try? JSONNode.parse(Array(text.utf8), what: "inspect"), case let .object(fields)? = items.first else {
            return [:]
        }
        return fields
    }

    static func object(_ node: JSONNode?) -> [String: JSONNode] {
        if case let .object(fields)? = node { return fields }
        return [:]
    }

    static let topKeys: Set<String> = ["Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath", "HostsPath",
                                       "LogPath", "Name", "RestartCount", "Driver", "Platform", "MountLabel", "ProcessLabel", "AppArmorProfile",
                                       "ExecIDs", "HostConfig", "GraphDriver", "Mounts", "Config", "NetworkSettings"]
    static let stateKeys: Set<String> = ["Status", "Running", "Paused", "Restarting", "OOMKilled", "Dead", "Pid", "ExitCode", "Error",
                                         "StartedAt", "FinishedAt"]
    static let hostConfigKeys: Set<String> = [
        "Binds", "ContainerIDFile", "LogConfig", "NetworkMode", "PortBindings", "RestartPolicy", "AutoRemove", "VolumeDriver", "VolumesFrom",
        "CapAdd", "CapDrop", "CgroupnsMode", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "GroupAdd", "IpcMode", "Cgroup", "Links",
        "OomScoreAdj", "PidMode", "Privileged", "PublishAllPorts", "ReadonlyRootfs", "SecurityOpt", "UTSMode", "UsernsMode", "ShmSize",
        "Runtime", "ConsoleSize", "Isolation", "CpuShares", "Memory", "NanoCpus", "CgroupParent", "BlkioWeight", "BlkioWeightDevice",
        "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "CpuPeriod", "CpuQuota",
        "CpuRealtimePeriod", "CpuRealtimeRuntime", "CpusetCpus", "CpusetMems", "Devices", "DeviceCgroupRules", "DeviceRequests",
        "KernelMemory", "KernelMemoryTCP", "MemoryReservation", "MemorySwap", "MemorySwappiness", "OomKillDisable", "PidsLimit", "Ulimits",
        "CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth", "MaskedPaths", "ReadonlyPaths",
    ]
    static let configKeys: Set<String> = ["Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin",
                                          "StdinOnce", "Env", "Cmd", "Image", "Volumes", "WorkingDir", "Entrypoint", "OnBuild", "Labels"]
    static let networkSettingsKeys: Set<String> = [
        "Bridge", "SandboxID", "HairpinMode", "LinkLocalIPv6Address", "LinkLocalIPv6PrefixLen", "Ports", "SandboxKey", "SecondaryIPAddresses",
        "SecondaryIPv6Addresses", "EndpointID", "Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "IPAddress", "IPPrefixLen",
        "IPv6Gateway", "MacAddress", "Networks",
    ]
    static let endpointKeys: Set<String> = ["IPAMConfig", "Links", "Aliases", "NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen",
                                            "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "MacAddress", "DriverOpts"]

    @Test func containerInspectHasDockersKeysAndZeroValues() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("create", "--name", "shape", "-e", "GREETING=hi", "busybox", "true").status == 0)
        let doc = Self.document(lighter.run("inspect", "shape").stdout)
        #expect(Set(doc.keys) == Self.topKeys, "\(Set(doc.keys).symmetricDifference(Self.topKeys))")
        #expect(Set(Self.object(doc["State"]).keys) == Self.stateKeys)
        let host = Self.object(doc["HostConfig"])
        #expect(Set(host.keys) == Self.hostConfigKeys, "\(Set(host.keys).symmetricDifference(Self.hostConfigKeys))")
        let config = Self.object(doc["Config"])
        #expect(Set(config.keys) == Self.configKeys, "\(Set(config.keys).symmetricDifference(Self.configKeys))")
        let network = Self.object(doc["NetworkSettings"])
        #expect(Set(network.keys) == Self.networkSettingsKeys, "\(Set(network.keys).symmetricDifference(Self.networkSettingsKeys))")
        #expect(Set(Self.object(Self.object(network["Networks"])["none"]).keys) == Self.endpointKeys)
        #expect(Set(Self.object(Self.object(doc["GraphDriver"])["Data"]).keys) == ["LowerDir", "MergedDir", "UpperDir", "WorkDir"])

        // Docker's nulls, empty lists and objects, and types.
        #expect(doc["ExecIDs"] == .null)
        #expect(doc["Mounts"] == .array([]))
        #expect(host["Binds"] == .null && host["CapAdd"] == .null && host["ExtraHosts"] == .null && host["Ulimits"] == .null)
        #expect(host["Dns"] == .array([]) && host["DnsOptions"] == .array([]) && host["Devices"] == .array([]))
        #expect(host["PortBindings"] == .object([:]))
        #expect(host["PidsLimit"] == .null && host["MemorySwappiness"] == .null)
        #expect(host["LogConfig"].map(Self.object)?["Type"] == .string("json-file"))
        #expect(host["RestartPolicy"] == .object(["Name": .string("no"), "MaximumRetryCount": .number("0")]))
        #expect(host["ConsoleSize"] == .array([.number("0"), .number("0")]))
        #expect(config["Cmd"] == .array([.string("true")]) && config["Entrypoint"] == .null && config["Volumes"] == .null)
        #expect(config["Labels"] == .object([:]) && config["OnBuild"] == .null)
        #expect(config["ExposedPorts"] == nil)   // omitempty
        #expect(config["Env"] == .array([.string("GREETING=hi")]), "\(String(describing: config["Env"]))")   // the image has none
        #expect(network["Ports"] == .object([:]) && network["SecondaryIPAddresses"] == .null)
        #expect(lighter.run("inspect", "-f", "{{.State.Status}} {{.HostConfig.LogConfig.Type}} {{.Driver}}", "shape").stdout == "created json-file overlay2\n")
    }

    @Test func containerInspectReflectsFlags() {
        let lighter = RunCommandTests.ready()
        let created = lighter.run("create", "--name", "flags", "--restart", "on-failure:3", "--cap-add", "NET_ADMIN", "--dns", "9.9.9.9",
                                  "--add-host", "db:10.0.0.9", "-v", "/data", "--tmpfs", "/run", "--init", "--stop-signal", "SIGINT",
                                  "--entrypoint", "sh", "busybox", "-c", "true")
        #expect(created.status == 0, "\(created.stderr)")
        let doc = Self.document(lighter.run("inspect", "flags").stdout)
        let host = Self.object(doc["HostConfig"]), config = Self.object(doc["Config"])
        #expect(host["RestartPolicy"] == .object(["Name": .string("on-failure"), "MaximumRetryCount": .number("3")]))
        #expect(host["CapAdd"] == .array([.string("NET_ADMIN")]) && host["Dns"] == .array([.string("9.9.9.9")]))
        #expect(host["ExtraHosts"] == .array([.string("db:10.0.0.9")]))
        #expect(host["Binds"] == .null)   // an anonymous volume is not a bind: it is in Config.Volumes
        #expect(config["Volumes"] == .object(["/data": .object([:])]))
        #expect(host["Tmpfs"] == .object(["/run": .string("")]) && host["Init"] == .bool(true))
        #expect(config["Entrypoint"] == .array([.string("sh")]) && config["Cmd"] == .array([.string("-c"), .string("true")]))
        #expect(config["StopSignal"] == .string("SIGINT"))
        guard case let .array(mounts)? = doc["Mounts"], let first = mounts.first else { Issue.record("no Mounts"); return }
        #expect(Self.object(first)["Type"] == .string("volume") && Self.object(first)["Destination"] == .string("/data"))
    }

    @Test func imageInspectHasDockersShape() {
        let lighter = RunCommandTests.ready()
        let doc = Self.document(lighter.run("image", "inspect", "busybox").stdout)
        let keys: Set<String> = ["Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "Container", "ContainerConfig", "DockerVersion",
                                 "Author", "Config", "Architecture", "Os", "Size", "VirtualSize", "GraphDriver", "RootFS", "Metadata", "Descriptor"]
        #expect(Set(doc.keys) == keys, "\(Set(doc.keys).symmetricDifference(keys))")
        #expect(doc["RepoTags"] == .array([.string("busybox:latest")]))
        #expect(doc["RepoDigests"] == .array([]))   // imported: never pulled or pushed
        #expect(Set(Self.object(doc["ContainerConfig"]).keys) == Self.configKeys)
        #expect(Self.object(doc["ContainerConfig"])["Cmd"] == .null)
        #expect(Set(Self.object(doc["Config"]).keys) == Self.configKeys)
        #expect(Self.object(doc["Config"])["Cmd"] == .array([.string("/bin/sh")]))
        #expect(Self.object(doc["GraphDriver"])["Name"] == .string("overlay2"))
        #expect(Self.object(Self.object(doc["GraphDriver"])["Data"])["UpperDir"] != nil)
        // `inspect` without --type finds images with the same document.
        #expect(lighter.run("inspect", "-f", "{{.Os}} {{.Container}}|{{.DockerVersion}}|", "busybox").stdout == "linux ||\n")
    }

    @Test func listRowsHaveDockersKeys() throws {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("volume", "create", "--label", "b=2", "--label", "a=1", "data").status == 0)
        func keys(_ line: String) -> (Set<String>, [String: JSONNode]) {
            guard case let .object(fields)? = try? JSONNode.parse(Array(line.utf8), what: "row") else { return ([], [:]) }
            return (Set(fields.keys), fields)
        }
        let (imageKeys, image) = keys(lighter.run("images", "--format", "{{json .}}").stdout)
        #expect(imageKeys.isSuperset(of: ["Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository", "SharedSize", "Size", "Tag",
                                          "UniqueSize", "VirtualSize"]), "\(imageKeys)")
        #expect(image["Digest"] == .string("<none>") && image["Containers"] == .string("N/A"))
        if case let .string(created)? = image["CreatedAt"] { #expect(created.hasSuffix(" +0000 UTC") && created.count == 29, "\(created)") }

        let networkLines = lighter.run("network", "ls", "--format", "{{json .}}").stdout.split(separator: "\n").map(String.init)
        #expect(networkLines.count == 3)
        let (networkKeys, network) = keys(networkLines.first ?? "")
        #expect(networkKeys == ["CreatedAt", "Driver", "ID", "IPv6", "Internal", "Labels", "Name", "Scope"], "\(networkKeys)")
        #expect(network["IPv6"] == .string("false") && network["Scope"] == .string("local"))

        let (volumeKeys, volume) = keys(lighter.run("volume", "ls", "--format", "{{json .}}").stdout)
        #expect(volumeKeys == ["Driver", "Labels", "Links", "Mountpoint", "Name", "Scope", "Size"], "\(volumeKeys)")
        #expect(volume["Labels"] == .string("a=1,b=2") && volume["Links"] == .string("N/A") && volume["Size"] == .string("N/A"))
    }

    @Test func repositoryNamesOver255CharactersAreRefused() {
        let lighter = RunCommandTests.ready()
        // docker.io/library/ + 237 = 255: accepted; one more is refused, as Docker.
        #expect(lighter.run("tag", "busybox", String(repeating: "a", count: 237)).status == 0)
        let refused = lighter.run("tag", "busybox", String(repeating: "a", count: 238))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("repository name must not be more than 255 characters"), "\(refused.stderr)")
        let run = lighter.run("run", "--rm", String(repeating: "x", count: 300), "true")
        #expect(run.status == 125 && run.stderr.contains("must not be more than 255 characters"), "\(run.stderr)")
    }

    @Test func systemPruneReportsTheSpaceItReclaimed() throws {
        let lighter = RunCommandTests.ready()
        // Leftovers of interrupted operations: an ingest file and a half-unpacked layer (2 MiB + 3 MiB).
        let root = lighter.root.path
        try FileSystem.makeDirectories("\(root)/ingest", mode: 0o700)
        try FileSystem.makeDirectories("\(root)/snapshots/.tmp/half/usr", mode: 0o755)
        try FileSystem.writeDurably([UInt8](repeating: 7, count: 2 << 20), to: "\(root)/ingest/blob-1")
        try FileSystem.writeDurably([UInt8](repeating: 9, count: 3 << 20), to: "\(root)/snapshots/.tmp/half/usr/lib")
        // And a stopped container that wrote 1 MiB in its writable layer.
        #expect(lighter.run("run", "--name", "writer", "busybox", "dd", "if=/dev/zero", "of=/big", "bs=1024", "count=1024").status == 0)
        let result = lighter.run("system", "prune", "-f")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Deleted Containers:"))
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.hasPrefix("Total reclaimed space: "), "\(result.stdout)")
        let figure = line.dropFirst("Total reclaimed space: ".count)
        let megabytes = Double(figure.dropLast(2)) ?? 0
        #expect(figure.hasSuffix("MB") && megabytes >= 6.2 && megabytes < 7.5, "\(line)")   // 6 MiB = 6.29 MB, plus logs and metadata
        #expect(!FileSystem.exists("\(root)/ingest/blob-1") && !FileSystem.exists("\(root)/snapshots/.tmp/half"))
    }
}

/// Engine bugs a Docker user hits (issue #11): loopback under `--network none`, `stop` racing `--rm`.
@Suite struct DockerBehaviourTests {
    @Test func loopbackIsUpUnderNetworkNone() {
        let lighter = RunCommandTests.ready()
        let result = lighter.run("run", "--rm", "--network", "none", "busybox", "sh", "-c",
                                 "echo served > /tmp/page && httpd -p 127.0.0.1:8080 -h /tmp && for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://127.0.0.1:8080/page && break; sleep 0.2; done")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "served\n")
    }

    @Test func stopKillAndForcedRemovalOfAnAutoRemovedContainerSucceed() {
        let lighter = RunCommandTests.ready()
        // A container that exits at once on SIGTERM, so its monitor removes it while `stop` is still at work.
        let script = "trap 'exit 0' TERM; while :; do sleep 0.05; done"
        for round in 0..<5 {
            for command in [["stop", "-t", "5"], ["kill"], ["rm", "-f"]] {
                let name = "gone\(round)\(command[0])"
                let started = lighter.run("run", "-d", "--rm", "--name", name, "busybox", "sh", "-c", script)
                #expect(started.status == 0, "\(started.stderr)")
                let result = lighter.run(command + [name])
                #expect(result.status == 0, "\(command) round \(round): \(result.stderr)")
                #expect(result.stdout == "\(name)\n")
            }
        }
        // They are all gone, and a name that never existed still fails.
        for _ in 0..<100 where !lighter.run("ps", "-aq").stdout.isEmpty { usleep(50_000) }
        #expect(lighter.run("ps", "-aq").stdout == "")
        #expect(lighter.run("stop", "never-was").status == 1)
    }
}
