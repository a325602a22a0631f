#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// The command tree as Docker has it: unknown commands, global --root before any command, DOCKER_HOST,
/// the management commands, `version` and `info`.
@Suite struct DispatchVersionInfoTests {
    @Test func unknownCommandsAreNamedAsDockerNamesThem() {
        let lighter = Lighter()
        let bogus = lighter.run("bogus")
        #expect(bogus.status == 1)
        #expect(bogus.stderr == "lighter: 'bogus' is not a lighter command.\nSee 'lighter --help'\n", "\(bogus.stderr)")
        let nested = lighter.run("container", "bogus")
        #expect(nested.status == 1)
        #expect(nested.stderr == "lighter: 'container bogus' is not a lighter command.\nSee 'lighter container --help'\n", "\(nested.stderr)")
        // The old top-level `ls` alias of `images` is gone; `image ls` is the management spelling.
        let ls = lighter.run("ls")
        #expect(ls.status == 1 && ls.stderr.contains("'ls' is not a lighter command"), "\(ls.stderr)")
        #expect(lighter.run("--root", lighter.root.path, "bogus").stderr.hasPrefix("lighter: 'bogus' is not"))
    }

    @Test func rootBeforeAnyCommandNestedOrNot() {
        let lighter = Lighter()
        let other = TestDirectory("lighter-other-root")
        // LIGHTER_ROOT points at the test's root; --root before the command wins, in both spellings.
        #expect(lighter.run(["--root", other.path, "import", "--platform", "linux/amd64", Repository.busyboxTarball("amd64"), "elsewhere:1"]).status == 0)
        #expect(lighter.run("images", "-q").stdout == "")
        #expect(lighter.run("--root", other.path, "images", "--format", "{{.Repository}}").stdout == "elsewhere\n")
        #expect(lighter.run("--root=\(other.path)", "image", "ls", "--format", "{{.Repository}}").stdout == "elsewhere\n")
        #expect(lighter.run("--root", other.path, "system", "df", "--format", "{{.Type}} {{.TotalCount}}").stdout.hasPrefix("Images 1\n"))
        // Commands that have no --root of their own accept it before them too.
        let version = lighter.run("--root", other.path, "version", "--format", "{{.Client.Version}}")
        #expect(version.status == 0 && version.stdout == "\(LighterVersion.version)\n", "\(version.stderr)")
        let binfmt = lighter.run("--root", other.path, "binfmt", "status")
        #expect(!binfmt.stderr.contains("Unknown option"), "\(binfmt.stderr)")
        #expect(lighter.run("--root", other.path, "info", "--format", "{{.DockerRootDir}} {{.Images}}").stdout == "\(other.path) 1\n")
    }

    @Test func remoteHostsAreNotSilentlyIgnored() {
        let lighter = Lighter()
        // A host in the environment sends the command there (nothing listens on this port: Docker's message, exit 1).
        let remote = lighter.run(["images", "-q"], environment: ["DOCKER_HOST": "tcp://127.0.0.1:1"])
        #expect(remote.status == 1 && remote.stdout.isEmpty)
        #expect(remote.stderr.hasPrefix("Cannot connect to the Docker daemon at tcp://127.0.0.1:1. Is the docker daemon running?"), "\(remote.stderr)")
        let lighterHost = lighter.run(["images", "-q"], environment: ["LIGHTER_HOST": "npipe:////./pipe/docker_engine"])
        #expect(lighterHost.status == 125 && lighterHost.stderr.contains("npipe://"), "\(lighterHost.stderr)")
        let local = lighter.run(["images", "-q"], environment: ["DOCKER_HOST": "unix:///var/run/docker.sock"])
        #expect(local.status == 0 && local.stderr.isEmpty, "\(local.stderr)")
    }

    @Test func managementCommandsMatchTheTopLevelOnes() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("create", "--name", "one", "busybox", "true").status == 0)
        let ps = lighter.run("ps", "-a", "--format", "{{.Names}} {{.Status}}").stdout
        #expect(ps == "one Created\n")
        for spelling in ["ls", "list", "ps"] {
            #expect(lighter.run("container", spelling, "-a", "--format", "{{.Names}} {{.Status}}").stdout == ps, "container \(spelling)")
        }
        let images = lighter.run("images", "--format", "{{.Repository}}:{{.Tag}}").stdout
        #expect(images == "busybox:latest\n")
        for spelling in ["ls", "list", "images"] {
            #expect(lighter.run("image", spelling, "--format", "{{.Repository}}:{{.Tag}}").stdout == images, "image \(spelling)")
        }
        for path in [["image", "pull"], ["image", "push"], ["image", "rmi"], ["image", "remove"], ["container", "port"], ["container", "export"],
                     ["container", "diff"], ["container", "update"], ["system", "info"], ["system", "events"], ["export"], ["diff"], ["update"], ["events"]] {
            let help = lighter.run(path + ["--help"])
            #expect(help.status == 0 && help.stdout.contains("USAGE"), "\(path): \(help.stderr)")
        }
        #expect(lighter.run("image", "ls", "--help").stdout.contains("USAGE: lighter image ls [--root <dir>]"))
        #expect(lighter.run("container", "list", "--help").stdout.contains("USAGE: lighter container ls [--root <dir>]"))
        #expect(lighter.run("image", "tag", "busybox", "mine:1").status == 0)
        #expect(lighter.run("image", "rmi", "mine:1").stdout == "Untagged: mine:1\n")
    }

    @Test func versionPrintsDockersTwoSections() throws {
        let lighter = Lighter()
        let text = lighter.run("version")
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(lines.prefix(3)) == ["Client: Lighter", " Version:           \(LighterVersion.version)", " API version:       1.41"])
        #expect(lines.contains(" Swift version:     \(LighterVersion.swiftVersion)"))
        let arch = Uname.machine == "x86_64" ? "amd64" : Uname.machine == "aarch64" ? "arm64" : Uname.machine
        #expect(lines.contains(" OS/Arch:           linux/\(arch)"))
        #expect(lines.contains("Server: Lighter Engine"))
        #expect(lines.contains("  API version:      1.41 (minimum version 1.12)"))
        #expect(lines.contains(" lighter-init:"))
        #expect(lighter.run("version", "--format", "{{.Server.Version}}").stdout == "\(LighterVersion.version)\n")
        #expect(lighter.run("version", "-f", "{{.Server.KernelVersion}}").stdout == "\(Uname.release)\n")
        let json = lighter.run("version", "--format", "{{json .}}").stdout
        let document = try #require(try? JSONNode.parse(Array(json.utf8), what: "version"))
        guard case let .object(top) = document, case let .object(server)? = top["Server"], case let .array(components)? = server["Components"] else {
            Issue.record("unexpected shape: \(json)")
            return
        }
        #expect(components.count == 3)
        #expect(top["Client"] != nil)
        let bad = lighter.run("version", "--format", "{{nothing .}}")
        #expect(bad.status == 1 && bad.stderr.hasPrefix("lighter: "))
    }

    @Test func infoUsesDockersLayoutAndKeys() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("create", "--name", "idle", "busybox", "true").status == 0)
        let info = lighter.run("info")
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.hasPrefix("Client:\n Version:    \(LighterVersion.version)\n Context:    default\n Debug Mode: false\n\nServer:\n"))
        #expect(info.stdout.contains("\n Containers: 1\n  Running: 0\n  Paused: 0\n  Stopped: 1\n Images: 1\n Server Version: \(LighterVersion.version)\n Storage Driver: overlayfs\n"))
        for line in [" Cgroup Driver: cgroupfs", " Kernel Version: \(Uname.release)", " OSType: linux", " Lighter Root Dir: \(lighter.root.path)",
                     " Init Binary: lighter-init", "  seccomp", "   Profile: builtin"] {
            #expect(info.stdout.contains("\n" + line + "\n"), "\(line)")
        }
        #expect(info.stdout.contains("\n  Controllers: ") && info.stdout.contains("\n Emulation: "))
        #expect(lighter.run("info", "--format", "{{.Containers}} {{.ContainersStopped}} {{.Images}} {{.ServerVersion}} {{.OSType}}").stdout
            == "1 1 1 \(LighterVersion.version) linux\n")
        let system = lighter.run("system", "info", "--format", "{{json .}}").stdout
        #expect(system.contains("\"DockerRootDir\":\"\(lighter.root.path)\"") && system.contains("\"NCPU\":"), "\(system)")
        // info never creates a data root it does not find.
        let missing = "\(lighter.root.path)/not-there"
        #expect(lighter.run("--root", missing, "info", "--format", "{{.Containers}}").stdout == "0\n")
        #expect(!FileSystem.exists(missing))
    }
}

extension DispatchVersionInfoTests {
    /// Every field of Docker 20.10's `docker version` and `docker info` structs prints a value in a template
    /// (none `<no value>`), and a field they do not have is an error, as with Docker's typed structs.
    @Test func versionAndInfoTemplatesKnowDockersFieldsAndRefuseOthers() {
        let lighter = Lighter()
        let client = ["Platform", "Version", "ApiVersion", "DefaultAPIVersion", "GitCommit", "GoVersion", "Os", "Arch", "BuildTime",
                      "Context", "Experimental"]
        let server = ["Platform", "Components", "Version", "ApiVersion", "MinAPIVersion", "GitCommit", "GoVersion", "Os", "Arch",
                      "KernelVersion", "Experimental", "BuildTime"]
        let version = (client.map { "{{.Client.\($0)}}" } + server.map { "{{.Server.\($0)}}" }).joined(separator: "|")
        let versions = lighter.run("version", "--format", version)
        #expect(versions.status == 0 && !versions.stdout.contains("<no value>"), "\(versions.stdout) \(versions.stderr)")
        #expect(lighter.run("version", "--format", "{{.Client.Experimental}} {{.Server.Experimental}}").stdout == "true false\n")
        let info = ["ID", "Containers", "ContainersRunning", "ContainersPaused", "ContainersStopped", "Images", "Driver", "DriverStatus",
                    "SystemStatus", "Plugins", "MemoryLimit", "SwapLimit", "KernelMemory", "KernelMemoryTCP", "CpuCfsPeriod", "CpuCfsQuota",
                    "CPUShares", "CPUSet", "PidsLimit", "IPv4Forwarding", "BridgeNfIptables", "BridgeNfIp6tables", "Debug", "NFd",
                    "OomKillDisable", "NGoroutines", "SystemTime", "LoggingDriver", "CgroupDriver", "CgroupVersion", "NEventsListener",
                    "KernelVersion", "OperatingSystem", "OSVersion", "OSType", "Architecture", "IndexServerAddress", "RegistryConfig",
                    "NCPU", "MemTotal", "GenericResources", "DockerRootDir", "HttpProxy", "HttpsProxy", "NoProxy", "Name", "Labels",
                    "ExperimentalBuild", "ServerVersion", "ClusterStore", "ClusterAdvertise", "Runtimes", "DefaultRuntime", "Swarm",
                    "LiveRestoreEnabled", "Isolation", "InitBinary", "ContainerdCommit", "RuncCommit", "InitCommit", "SecurityOptions",
                    "ProductLicense", "DefaultAddressPools", "Warnings", "ClientInfo"]
        let infos = lighter.run("info", "--format", info.map { "{{.\($0)}}" }.joined(separator: "|"))
        #expect(infos.status == 0 && !infos.stdout.contains("<no value>"), "\(infos.stdout) \(infos.stderr)")
        let nested = lighter.run("info", "--format", "{{.Swarm.LocalNodeState}} {{.RegistryConfig.IndexConfigs}} {{.ClientInfo.Context}} {{.ClientInfo.Plugins}}")
        #expect(nested.stdout.hasPrefix("inactive map[docker.io:map[") && nested.stdout.hasSuffix(" default []\n"), "\(nested.stdout)")
        for (command, template) in [("version", "{{.Client.Nope}}"), ("info", "{{.Nope}}"), ("info", "{{.Swarm.Nope}}")] {
            let refused = lighter.run(command, "--format", template)
            #expect(refused.status == 1 && refused.stderr.contains("map has no entry for key \"Nope\""), "\(command) \(template): \(refused.stderr)")
        }
    }
}

/// The host's kernel release and machine, as `uname -r` / `uname -m` print them.
enum Uname {
    static var release: String { Run.capture(["uname", "-r"]).stdout.trimmed }
    static var machine: String { Run.capture(["uname", "-m"]).stdout.trimmed }
}
