#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// `build --ssh` and `RUN --mount=type=ssh`, with a real `ssh-agent` the test starts and a key
/// `ssh-keygen` makes: the RUN lists the agent's keys with the host's `ssh-add` (bound in from the
/// context with the libraries `ldd` names, so none of it enters a layer), which fails when the socket
/// is not forwarded; nothing of the agent is left in the image's layers, config or history.
@Suite(.serialized, .enabled(if: FileSystem.exists("/usr/bin/ssh-agent") && FileSystem.exists("/usr/bin/ssh-keygen")))
struct BuildSSHTests {
    /// A context with `sshbin/` (ssh-add, its libraries and loader) and `Dockerfile`.
    static func context(_ dockerfile: String) throws -> TestDirectory {
        let context = try BuildCommandTests.context(["Dockerfile": dockerfile])
        _ = try context.directory("sshbin")
        let libraries = Run.capture(["ldd", "/usr/bin/ssh-add"]).stdout.split(separator: "\n").compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first { $0.hasPrefix("/") }.map(String.init)
        }
        for file in ["/usr/bin/ssh-add"] + libraries {
            #expect(Run.capture(["cp", "-L", file, context.sub("sshbin/")]).status == 0)
        }
        return context
    }

    /// `ssh-add -l` inside the RUN, through the bound-in loader.
    static let sshAdd = "/ssh/ld-linux-x86-64.so.2 --library-path /ssh /ssh/ssh-add -l"
    static let bin = "--mount=type=bind,source=sshbin,target=/ssh"

    /// A key and an agent holding it, for the test's duration.
    final class Agent {
        let dir = TestDirectory("lighter-ssh")
        let socket: String
        let pid: pid_t
        let fingerprint: String

        init() throws {
            socket = dir.sub("agent.sock")
            #expect(Run.capture(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lighter-test", "-f", dir.sub("key")]).status == 0)
            pid = Run.spawn(["ssh-agent", "-D", "-a", socket], stdout: "/dev/null", stderr: dir.sub("agent.log"))
            for _ in 0..<200 where !FileSystem.exists(socket) { usleep(10_000) }
            #expect(Run.capture(["ssh-add", "-q", dir.sub("key")], environment: ["SSH_AUTH_SOCK": socket]).status == 0)
            fingerprint = Run.capture(["ssh-add", "-l"], environment: ["SSH_AUTH_SOCK": socket]).stdout.trimmed
        }

        deinit {
            // SIGKILL: the agent inherits the test thread's blocked signals, so SIGTERM would wait.
            kill(pid, SIGKILL)
            _ = Run.wait(pid)
        }
    }

    /// Every entry name of every layer, the config and the history of `image`, as text.
    static func imageText(_ lighter: Lighter, _ image: String) throws -> (entries: [String], config: String) {
        let out = TestDirectory("lighter-ssh-save")
        #expect(lighter.run("save", "-o", out.sub("image.tar"), image).status == 0)
        let listing = Run.capture(["python3", "-c", """
            import io, json, sys, tarfile
            outer = tarfile.open(sys.argv[1])
            manifest = json.load(outer.extractfile("manifest.json"))[0]
            for layer in manifest["Layers"]:
                for m in tarfile.open(fileobj=io.BytesIO(outer.extractfile(layer).read()), mode="r:*").getmembers():
                    print(m.name)
            """, out.sub("image.tar")])
        #expect(listing.status == 0, "\(listing.stderr)")
        let config = lighter.run("image", "inspect", image).stdout + lighter.run("history", "--no-trunc", image).stdout
        return (listing.stdout.split(separator: "\n").map(String.init), config)
    }

    @Test func theAgentReachesTheRunAndNothingOfItStaysInTheImage() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let agent = try Agent()
        #expect(agent.fingerprint.contains("lighter-test (ED25519)"), "\(agent.fingerprint)")
        let context = try Self.context("""
            FROM busybox
            RUN --mount=type=ssh \(Self.bin) \(Self.sshAdd) > /keys && echo "$SSH_AUTH_SOCK" > /sock
            RUN --mount=type=ssh,id=deploy,target=/tmp/deploy.sock,required=true \(Self.bin) \(Self.sshAdd) > /deploy-keys
            RUN echo "${SSH_AUTH_SOCK:-unset}" > /after
            """)
        // `default` from $SSH_AUTH_SOCK; `deploy` named with its socket.
        let built = lighter.run(["build", "--progress", "plain", "--ssh", "default", "--ssh", "deploy=\(agent.socket)", "-t", "ssh:1", context.path],
                                environment: ["SSH_AUTH_SOCK": agent.socket])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(lighter.run("run", "--rm", "ssh:1", "cat", "/keys").stdout.trimmed == agent.fingerprint)
        #expect(lighter.run("run", "--rm", "ssh:1", "cat", "/sock").stdout == "/run/buildkit/ssh_agent.0\n")
        #expect(lighter.run("run", "--rm", "ssh:1", "cat", "/deploy-keys").stdout.trimmed == agent.fingerprint)
        // For that RUN only.
        #expect(lighter.run("run", "--rm", "ssh:1", "cat", "/after").stdout == "unset\n")
        let (entries, config) = try Self.imageText(lighter, "ssh:1")
        #expect(entries.contains("keys") && entries.contains("deploy-keys"), "\(entries)")
        #expect(!entries.contains { $0.hasPrefix("run") || $0.contains("ssh_agent") || $0.contains("deploy.sock") }, "\(entries)")
        #expect(!config.contains(agent.socket) && !config.contains("ssh_agent"), "\(config)")
        #expect(!lighter.run("image", "inspect", "--format", "{{json .Config.Env}}", "ssh:1").stdout.contains("SSH_AUTH_SOCK"))
        #expect(lighter.run("system", "check").status == 0)
    }

    /// `uid=,gid=,mode=` (BuildKit's): the RUN's socket has that owner and mode, so a RUN as uid 1000
    /// reaches the agent through it, and through a default (root, 0600) one it cannot; the agent's
    /// own socket keeps its owner and mode.
    @Test func theSocketHasTheMountsOwnerAndMode() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let agent = try Agent()
        func owner(_ path: String) -> String { Run.capture(["stat", "-c", "%u %g %a", path]).stdout }
        let hostOwner = owner(agent.socket)
        #expect(hostOwner == "0 0 600\n", "\(hostOwner)")
        let context = try Self.context("""
            FROM busybox
            RUN --mount=type=ssh,uid=1000,gid=1000,mode=0600 stat -c '%u %g %a' /run/buildkit/ssh_agent.0 > /owned
            RUN --mount=type=ssh,id=deploy,target=/tmp/group.sock,gid=1000,mode=0660 stat -c '%u %g %a' /tmp/group.sock > /group
            RUN mkdir /out && chown 1000:1000 /out
            USER 1000:1000
            RUN --mount=type=ssh,uid=1000,gid=1000,mode=0600 \(Self.bin) \(Self.sshAdd) > /out/keys
            RUN --mount=type=ssh \(Self.bin) \(Self.sshAdd) > /out/default 2>&1; echo $? > /out/default-status
            """)
        let built = lighter.run(["build", "--progress", "plain", "--ssh", "default=\(agent.socket)", "--ssh", "deploy=\(agent.socket)", "-t", "ssh:3", context.path])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(lighter.run("run", "--rm", "ssh:3", "cat", "/owned").stdout == "1000 1000 600\n")
        #expect(lighter.run("run", "--rm", "ssh:3", "cat", "/group").stdout == "0 1000 660\n")
        #expect(lighter.run("run", "--rm", "ssh:3", "cat", "/out/keys").stdout.trimmed == agent.fingerprint)
        // Root's 0600 socket is out of uid 1000's reach: ssh-add cannot connect (status 2).
        #expect(lighter.run("run", "--rm", "ssh:3", "cat", "/out/default-status").stdout == "2\n",
                "\(lighter.run("run", "--rm", "ssh:3", "cat", "/out/default").stdout)")
        #expect(owner(agent.socket) == hostOwner)
        #expect(Run.capture(["ssh-add", "-l"], environment: ["SSH_AUTH_SOCK": agent.socket]).stdout.trimmed == agent.fingerprint)
        let (entries, config) = try Self.imageText(lighter, "ssh:3")
        #expect(!entries.contains { $0.contains("ssh_agent") || $0.contains("group.sock") || $0.hasPrefix("run/") }, "\(entries)")
        #expect(!config.contains(agent.socket) && !config.contains("build-ssh"), "\(config)")
        #expect(((try? FileSystem.list("/run/lighter/build-ssh")) ?? []).filter { $0.hasSuffix(".fwd") || $0.hasSuffix(".new") } == [])
    }

    @Test func keyFilesGoIntoAPrivateAgentThatEndsWithTheBuild() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let agent = try Agent()   // only for its key and fingerprint: the build starts its own agent
        let before = Set((try? FileSystem.list("/run/lighter/build-ssh")) ?? [])
        let context = try Self.context("""
            FROM busybox
            RUN --mount=type=ssh,id=keys,required=true \(Self.bin) \(Self.sshAdd) > /keys && echo "$SSH_AUTH_SOCK" > /sock
            """)
        let built = lighter.run(["build", "--ssh", "keys=\(agent.dir.sub("key"))", "-t", "ssh:2", context.path], environment: ["SSH_AUTH_SOCK": ""])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(lighter.run("run", "--rm", "ssh:2", "cat", "/keys").stdout.trimmed == agent.fingerprint)
        #expect(lighter.run("run", "--rm", "ssh:2", "cat", "/sock").stdout == "/run/buildkit/ssh_agent.0\n")
        // The agent and its socket are gone.
        #expect(Set((try? FileSystem.list("/run/lighter/build-ssh")) ?? []) == before)
        let agents = ((try? FileSystem.list("/proc")) ?? []).filter { name in
            guard Int(name) != nil, let bytes = try? FileSystem.readFile("/proc/\(name)/cmdline") else { return false }
            return String(decoding: bytes, as: UTF8.self).contains("/run/lighter/build-ssh/")
        }
        #expect(agents.isEmpty, "\(agents)")
        // A build killed with SIGKILL mid-RUN leaves no agent and no socket either (the guard process
        // gets its parent-death signal).
        try context.write("Dockerfile", "FROM busybox\nRUN --mount=type=ssh,id=keys sleep 30\n")
        let log = TestDirectory("lighter-ssh-kill")
        let build = Run.spawn([Repository.lighterBinary, "build", "--ssh", "keys=\(agent.dir.sub("key"))", context.path],
                              stdout: log.sub("out"), stderr: log.sub("err"), environment: ["LIGHTER_ROOT": lighter.root.path, "SSH_AUTH_SOCK": ""])
        var started = false
        for _ in 0..<300 where !started {
            started = lighter.run("ps", "-q").stdout.split(separator: "\n").count == 1
            if !started { usleep(50_000) }
        }
        #expect(started, "\((try? FileSystem.readString(log.sub("err"))) ?? "")")
        // The agent's socket and the RUN's (its forwarder's).
        #expect(Set((try? FileSystem.list("/run/lighter/build-ssh")) ?? []).subtracting(before).count == 2)
        kill(build, SIGKILL)
        _ = Run.wait(build)
        var gone = false
        for _ in 0..<100 where !gone {
            gone = Set((try? FileSystem.list("/run/lighter/build-ssh")) ?? []) == before
            if !gone { usleep(50_000) }
        }
        #expect(gone)
        for id in lighter.run("ps", "-aq").stdout.split(separator: "\n") { lighter.run("rm", "-f", String(id)) }
        // A key that is no key is refused before anything runs.
        let bad = lighter.run(["build", "--ssh", "keys=\(context.sub("Dockerfile"))", context.path], environment: ["SSH_AUTH_SOCK": ""])
        #expect(bad.status != 0 && bad.stderr.contains("ssh-add could not load"), "\(bad.stderr)")
    }

    @Test func aMissingAgentFailsAsBuildKitSays() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        // Required and not given: BuildKit's error.
        let required = try Self.context("FROM busybox\nRUN --mount=type=ssh,required=true true\n")
        let missing = lighter.run(["build", required.path], environment: ["SSH_AUTH_SOCK": ""])
        #expect(missing.status != 0 && missing.stderr.contains("no SSH key \"default\" forwarded from the client"), "\(missing.stderr)")
        // Not required: not mounted, so the agent is out of reach (the RUN's ssh-add fails).
        let optional = try Self.context("FROM busybox\nRUN --mount=type=ssh \(Self.bin) \(Self.sshAdd)\n")
        let unreachable = lighter.run(["build", optional.path], environment: ["SSH_AUTH_SOCK": ""])
        #expect(unreachable.status != 0 && unreachable.stderr.contains("Could not open a connection to your authentication agent"), "\(unreachable.stderr)")
        // `--ssh default` with no SSH_AUTH_SOCK, a socket among keys, and an owner Lighter cannot give.
        let unset = lighter.run(["build", "--ssh", "default", optional.path], environment: ["SSH_AUTH_SOCK": ""])
        #expect(unset.status != 0 && unset.stderr.contains("make sure SSH_AUTH_SOCK is set"), "\(unset.stderr)")
        let agent = try Agent()
        let mixed = lighter.run(["build", "--ssh", "default=\(agent.socket),\(agent.dir.sub("key"))", optional.path])
        #expect(mixed.status != 0 && mixed.stderr.contains("an agent socket goes alone"), "\(mixed.stderr)")
        let owner = try Self.context("FROM busybox\nRUN --mount=type=ssh,uid=nobody true\n")
        let refused = lighter.run(["build", "--ssh", "default=\(agent.socket)", owner.path])
        #expect(refused.status != 0 && refused.stderr.contains("uid and gid are numbers"), "\(refused.stderr)")
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
    }
}
