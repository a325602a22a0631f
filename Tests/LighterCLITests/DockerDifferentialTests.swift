#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// The same everyday commands through Debian's `docker` (20.10, against a dockerd the test starts)
/// and through `lighter`, in the same order from the same busybox import; exit code, stdout and (for
/// the cases that say so) stderr compared after normalising what legitimately differs: IDs, times,
/// sizes and the engine's name. Every case that still differs is listed in docs/COMPATIBILITY.md with
/// its reason; the test fails on an unlisted difference and on a listed case that no longer differs.
@Suite(.serialized, .enabled(if: DockerDaemon.installed, "needs Debian's docker.io (dockerd + /usr/bin/docker; scripts/install-deps.sh installs it)"))
struct DockerDifferentialTests {
    /// One command line, run by `/bin/sh -c` with `$E` the engine's CLI, `$T` the busybox tarball and
    /// `$W` a scratch directory of the engine's own.
    struct Case {
        let key: String
        let command: String
        let compareStderr: Bool
        init(_ key: String, _ command: String, stderr: Bool = false) {
            self.key = key
            self.command = command
            compareStderr = stderr
        }
    }

    static let run = "$E run --rm --network none"
    static let daemon = "$E run -d --network none"

    static let cases: [Case] = [
        // Images
        Case("import", "$E import -c 'CMD [\"/bin/sh\"]' $T bb:latest"),
        Case("images -q | wc -l", "$E images -q | wc -l"),
        Case("images", "$E images"),
        Case("images --format", "$E images --format '{{.Repository}}:{{.Tag}} {{.ID}}'"),
        Case("images --format json", "$E images --format '{{json .Repository}} {{json .Tag}}'"),
        Case("tag", "$E tag bb:latest bb:two && $E images --format '{{.Repository}} {{.Tag}}' | sort"),
        Case("tag to another repository", "$E tag bb other/bb:1 && $E images --format '{{.Repository}}:{{.Tag}}' | sort"),
        Case("rmi tag", "$E rmi bb:two other/bb:1"),
        Case("rmi missing", "$E rmi nosuch:tag", stderr: true),
        Case("image inspect Cmd", "$E image inspect -f '{{json .Config.Cmd}}' bb"),
        Case("image inspect Os/Architecture", "$E image inspect -f '{{.Os}}/{{.Architecture}}' bb"),
        Case("image inspect RepoTags", "$E image inspect -f '{{json .RepoTags}}' bb"),
        Case("image inspect Config.Env", "$E image inspect -f '{{json .Config.Env}}' bb"),
        Case("inspect --type image", "$E inspect --type image -f '{{.Id}}' bb"),
        Case("history", "$E history --format '{{.CreatedBy}}' bb"),
        // run
        Case("run echo", "\(run) bb echo hello"),
        Case("run exit code", "\(run) bb sh -c 'echo out; echo err >&2; exit 3'", stderr: true),
        Case("run -e", "\(run) -e FOO=bar -e EMPTY= bb sh -c 'echo \"$FOO\"; env | grep -v HOSTNAME | sort'"),
        Case("run -e from host", "X=fromhost \(run) -e X bb sh -c 'echo $X'"),
        Case("run --env-file", "printf 'A=1\\n# c\\nB=two words\\n' > $W/env && \(run) --env-file $W/env bb sh -c 'echo $A; echo $B'"),
        Case("run -w", "\(run) -w /tmp bb pwd"),
        Case("run -w new dir", "\(run) -w /new/dir bb sh -c 'pwd; ls -ld /new/dir | cut -c1-10'"),
        Case("run -u uid:gid", "\(run) -u 1000:1000 bb id"),
        Case("run -u name", "\(run) -u nobody bb id"),
        Case("run -u unknown", "\(run) -u nosuchuser bb id", stderr: false),
        Case("run --entrypoint", "\(run) --entrypoint echo bb a b"),
        Case("run --entrypoint sh -c", "\(run) --entrypoint sh bb -c 'echo $0' x"),
        Case("run -h", "\(run) -h myhost bb hostname"),
        Case("run --add-host", "\(run) --add-host foo:10.1.2.3 bb grep foo /etc/hosts"),
        Case("run command not found", "\(run) bb nosuchcommand"),
        Case("run not executable", "\(run) bb /etc/passwd"),
        Case("run killed by signal", "\(run) bb sh -c 'kill -9 $$'"),
        Case("run -i stdin", "echo piped | \(run) -i bb cat"),
        Case("run without -i", "echo piped | \(run) bb cat"),
        Case("run --read-only", "\(run) --read-only bb touch /x", stderr: true),
        Case("run --read-only --tmpfs", "\(run) --read-only --tmpfs /t bb sh -c 'touch /t/x && echo ok'"),
        Case("run --ulimit", "\(run) --ulimit nofile=100:200 bb sh -c 'ulimit -n; ulimit -Hn'"),
        Case("run -m", "\(run) -m 64m bb cat /sys/fs/cgroup/memory/memory.limit_in_bytes"),
        Case("run --pids-limit", "\(run) --pids-limit 10 bb cat /sys/fs/cgroup/pids/pids.max"),
        Case("run --cpu-shares", "\(run) --cpu-shares 512 bb cat /sys/fs/cgroup/cpu/cpu.shares"),
        Case("run --cap-drop", "\(run) --cap-drop ALL bb grep CapEff /proc/self/status"),
        Case("run default caps", "\(run) bb grep CapEff /proc/self/status"),
        Case("run --privileged caps", "\(run) --privileged bb grep CapEff /proc/self/status", stderr: true),
        Case("run --workdir and user", "\(run) -u 1000 -w /tmp bb sh -c 'id -u; pwd'"),
        Case("run /etc/hostname length", "\(run) bb sh -c 'wc -c < /etc/hostname'"),
        Case("run --rm leaves nothing", "$E ps -aq | wc -l"),
        Case("run missing image --pull never", "\(run) --pull never nosuch:img true", stderr: true),
        Case("run unknown flag", "$E run --nosuchflag bb true", stderr: true),
        Case("run bad --restart", "$E run --restart sometimes bb true", stderr: true),
        Case("run bad -m", "$E run -m lots bb true", stderr: true),
        // Labels, ps and inspect on long-running containers
        Case("run -d --label", "\(daemon) --name l1 --label app=web --label tier=1 -m 64m --restart on-failure:3 -e K=v bb sleep 300"),
        Case("run -d second", "\(daemon) --name s1 bb sleep 300"),
        Case("ps --filter label=", "$E ps --filter label=app=web --format '{{.Names}}'"),
        Case("ps --filter label key", "$E ps --filter label=tier --format '{{.Names}}'"),
        Case("ps --filter name", "$E ps --filter name=s1 --format '{{.Names}} {{.Image}}'"),
        Case("ps --format", "$E ps --format '{{.Names}}\\t{{.Image}}\\t{{.Command}}\\t{{.Status}}' | sort"),
        // Docker joins {{.Labels}} in Go map order, which changes between runs: one label at a time.
        Case("ps --format Labels", "$E ps --filter name=l1 --format '{{.Label \"app\"}} {{.Label \"tier\"}}'"),
        Case("ps table", "$E ps"),
        Case("ps -q | wc -l", "$E ps -q | wc -l"),
        Case("ps --no-trunc Command", "$E ps --no-trunc --format '{{.Command}}' --filter name=s1"),
        Case("container ls", "$E container ls --format '{{.Names}}' | sort"),
        Case("inspect State", "$E inspect -f '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}' l1"),
        Case("inspect Config.Env", "$E inspect -f '{{json .Config.Env}}' l1"),
        Case("inspect HostConfig.Memory", "$E inspect -f '{{.HostConfig.Memory}}' l1"),
        Case("inspect RestartPolicy", "$E inspect -f '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' l1"),
        Case("inspect Config.Labels", "$E inspect -f '{{json .Config.Labels}}' l1"),
        Case("inspect Name", "$E inspect -f '{{.Name}} {{.Config.Image}}' l1"),
        Case("inspect Cmd/Entrypoint", "$E inspect -f '{{json .Config.Cmd}} {{json .Config.Entrypoint}}' l1"),
        Case("inspect NetworkMode", "$E inspect -f '{{.HostConfig.NetworkMode}}' l1"),
        Case("inspect Id length", "$E inspect -f '{{len .Id}}' l1"),
        Case("inspect two", "$E inspect -f '{{.Name}}' l1 s1"),
        Case("inspect missing", "$E inspect nosuch", stderr: true),
        Case("inspect bad template", "$E inspect -f '{{.Nope' l1", stderr: true),
        // exec, cp, diff, export, top, pause, rename, port
        Case("exec", "$E exec s1 echo hi"),
        Case("exec exit code", "$E exec s1 sh -c 'exit 5'"),
        Case("exec -e", "$E exec -e A=b s1 sh -c 'echo $A'"),
        Case("exec -w", "$E exec -w /tmp s1 pwd"),
        Case("exec -u", "$E exec -u 1000 s1 id"),
        Case("exec -i", "echo in | $E exec -i s1 cat"),
        Case("exec missing container", "$E exec nosuch true", stderr: true),
        Case("exec command not found", "$E exec s1 nosuchcommand"),
        Case("cp into", "echo content > $W/f && $E cp $W/f s1:/tmp/f && $E exec s1 cat /tmp/f"),
        Case("cp out", "$E cp s1:/tmp/f $W/out && cat $W/out"),
        Case("cp out to stdout", "$E cp s1:/tmp/f - | tar -t"),
        Case("cp missing path", "$E cp s1:/nosuch $W/x", stderr: true),
        Case("diff", "$E exec s1 sh -c 'mkdir /newdir; echo x > /newdir/f; rm /bin/vi' && $E diff s1 | sort"),
        Case("export, tar t", "$E export s1 | tar -t | grep -v '^bin/.\\|^newdir' | sort"),
        Case("export, tar t count", "$E export s1 | tar -t | wc -l"),
        Case("top", "$E top s1 | head -1"),
        Case("top lines", "$E top s1 | wc -l"),
        Case("pause", "$E pause s1 && $E inspect -f '{{.State.Status}} {{.State.Paused}}' s1"),
        Case("ps paused", "$E ps --filter name=s1 --format '{{.Status}}'"),
        Case("unpause", "$E unpause s1 && $E inspect -f '{{.State.Status}} {{.State.Paused}}' s1"),
        Case("rename", "$E rename s1 s2 && $E ps --format '{{.Names}}' | sort"),
        Case("rename missing", "$E rename nosuch x", stderr: true),
        Case("port none published", "$E port s2"),
        Case("port missing", "$E port nosuch", stderr: true),
        // stop, kill, wait, rm
        Case("stop", "$E stop -t 1 l1"),
        Case("inspect after stop", "$E inspect -f '{{.State.Status}} {{.State.ExitCode}}' l1"),
        Case("kill -s", "$E kill -s KILL s2"),
        Case("wait killed", "$E wait s2"),
        Case("kill not running", "$E kill l1", stderr: true),
        Case("stop missing", "$E stop nosuch", stderr: true),
        Case("wait exit code", "\(daemon) --name w1 bb sh -c 'exit 7' >/dev/null && $E wait w1"),
        Case("rm", "$E rm w1"),
        Case("rm missing", "$E rm nosuch", stderr: true),
        Case("rm running", "\(daemon) --name r1 bb sleep 300 >/dev/null && $E rm r1", stderr: false),
        Case("rm -f", "$E rm -f r1"),
        // create, start -a, logs
        Case("create", "$E create --network none --name c1 bb sh -c 'echo created; echo e >&2; exit 2' | wc -c"),
        Case("inspect created", "$E inspect -f '{{.State.Status}} {{.State.Running}}' c1"),
        Case("ps -a created", "$E ps -a --filter status=created --format '{{.Names}} {{.Status}}'"),
        Case("start -a", "$E start -a c1", stderr: true),
        Case("inspect after start", "$E inspect -f '{{.State.Status}} {{.State.ExitCode}}' c1"),
        Case("logs", "$E logs c1", stderr: true),
        Case("logs --tail", "\(daemon) --name g1 bb sh -c 'seq 1 5' >/dev/null && $E wait g1 && $E logs --tail 2 g1"),
        Case("logs missing", "$E logs nosuch", stderr: true),
        Case("ps -a exited", "$E ps -a --format '{{.Names}} {{.Status}}' | sort"),
        Case("ps --filter exited", "$E ps -a --filter exited=2 --format '{{.Names}}'"),
        // Volumes
        Case("volume create", "$E volume create v1"),
        Case("volume ls", "$E volume ls"),
        Case("volume ls --format", "$E volume ls --format '{{.Name}} {{.Driver}}'"),
        Case("volume inspect", "$E volume inspect -f '{{.Name}} {{.Driver}} {{.Scope}}' v1"),
        Case("run -v volume", "\(run) -v v1:/data bb sh -c 'echo x > /data/f; cat /data/f' && \(run) -v v1:/data bb ls /data"),
        Case("volume rm", "$E volume rm v1"),
        Case("volume rm missing", "$E volume rm v1", stderr: true),
        Case("volume inspect missing", "$E volume inspect nosuch", stderr: true),
        // Networks
        Case("network create", "$E network create n1 | wc -c"),
        Case("network ls --format", "$E network ls --format '{{.Name}} {{.Driver}} {{.Scope}}' | sort"),
        Case("network inspect", "$E network inspect -f '{{.Name}} {{.Driver}}' n1"),
        Case("network create duplicate", "$E network create n1", stderr: true),
        Case("network rm", "$E network rm n1"),
        Case("network rm missing", "$E network rm n1", stderr: true),
        // Errors and formats
        Case("unknown command", "$E nosuchcommand", stderr: true),
        Case("ps bad --format field", "$E ps --format '{{.Nope}}'", stderr: true),
        Case("ps bad --format syntax", "$E ps --format '{{'", stderr: true),
        Case("images bad --format", "$E images --format '{{.Nope}}'", stderr: true),
        Case("rmi in use", "$E rmi bb", stderr: true),
        // Clean up through the CLI
        Case("rm -f all", "$E rm -f $($E ps -aq) | wc -l && $E ps -aq | wc -l"),
        Case("rmi", "$E rmi bb | sed 's/:.*//' | sort -u && $E images -q | wc -l"),
    ]

    struct Outcome: Equatable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    @Test func sameCommandsSameOutputsAsDocker() throws {
        let docker = try DockerDaemon(label: "differential")
        defer { docker.stop() }
        let lighter = Lighter()
        let scratch = TestDirectory("lighter-differential")
        let dockerWork = try scratch.directory("docker"), lighterWork = try scratch.directory("lighter")
        let tarball = Repository.busyboxTarball()

        func outcomes(_ engine: String, _ work: String, _ environment: [String: String]) -> [Outcome] {
            Self.cases.map { step in
                let result = Run.capture(["timeout", "60", "/bin/sh", "-c", step.command],
                                         environment: environment.merging(["E": engine, "T": tarball, "W": work]) { $1 })
                return Outcome(status: result.status, stdout: Self.normalise(result.stdout),
                               stderr: step.compareStderr ? Self.normaliseMessages(Self.normalise(result.stderr)) : "")
            }
        }
        let fromDocker = outcomes("/usr/bin/docker", dockerWork, docker.clientEnvironment)
        let fromLighter = outcomes(Repository.lighterBinary, lighterWork, ["LIGHTER_ROOT": lighter.root.path])
        // Whatever a failed case left behind.
        _ = Run.capture(["/bin/sh", "-c", "$E rm -f $($E ps -aq) >/dev/null 2>&1; true"],
                        environment: ["E": Repository.lighterBinary, "LIGHTER_ROOT": lighter.root.path])
        docker.stop()

        let listed = try Self.listedDifferences()
        var identical = 0
        var report: [String] = []
        for (index, step) in Self.cases.enumerated() {
            let same = fromDocker[index] == fromLighter[index]
            if same { identical += 1 }
            if !same {
                report.append("""
                    ── \(step.key): \(step.command)
                    docker  \(fromDocker[index].status): \(fromDocker[index].stdout)\(fromDocker[index].stderr)
                    lighter \(fromLighter[index].status): \(fromLighter[index].stdout)\(fromLighter[index].stderr)
                    """)
            }
            #expect(same || listed.contains(step.key),
                    "`\(step.key)` differs from Docker and is not in docs/COMPATIBILITY.md:\ndocker: \(fromDocker[index])\nlighter: \(fromLighter[index])")
            #expect(!same || !listed.contains(step.key), "`\(step.key)` is listed in docs/COMPATIBILITY.md but no longer differs from Docker")
        }
        for key in listed where !Self.cases.contains(where: { $0.key == key }) {
            Issue.record("docs/COMPATIBILITY.md lists `\(key)`, which is not a case of this test")
        }
        if let path = getenv("LIGHTER_DIFFERENTIAL_REPORT").map({ String(cString: $0) }) {
            try FileSystem.writeDurably(Array(("\(Self.cases.count) compared, \(identical) identical\n\n" + report.joined(separator: "\n\n") + "\n").utf8), to: path)
        }
    }

    /// The first column of docs/COMPATIBILITY.md's table of differences: "| `key` | … |".
    static func listedDifferences() throws(LighterError) -> Set<String> {
        let text = try FileSystem.readString("\(Repository.root())/docs/COMPATIBILITY.md")
        var keys: Set<String> = []
        // The rows of the "Differences" section only: the other sections' tables (the remote client's)
        // are not cases of this test.
        var inSection = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("## ") { inSection = line == "## Differences" }
            guard inSection, line.hasPrefix("| `") else { continue }
            let cell = line.dropFirst(3)
            if let end = cell.firstIndex(of: "`") { keys.insert(String(cell[..<end])) }
        }
        return keys
    }

    /// Error lines without the prefix each CLI puts before a message (`docker: `, `Error: `, `Error
    /// response from daemon: `, `lighter: `) and with the message's first letter in lower case: the
    /// messages themselves are compared.
    static func normaliseMessages(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var line = Substring(line)
            for prefix in ["<ENGINE>: ", "Error response from daemon: ", "Error: "] where line.hasPrefix(prefix) {
                line = line.dropFirst(prefix.count)
            }
            guard let first = line.first else { return "" }
            return first.lowercased() + line.dropFirst()
        }.joined(separator: "\n")
    }

    /// What legitimately differs between two engines: IDs, times, durations, sizes, the engine's name.
    static func normalise(_ text: String) -> String {
        var text = text
        let rules: [(String, String)] = [
            (#"[0-9a-f]{64}"#, "<ID>"),
            (#"\b[0-9a-f]{12}\b"#, "<ID>"),
            (#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"#, "<TIME>"),
            (#"(About an?|Less than a|\d+) (second|minute|hour|day|week|month|year)s?( ago)?"#, "<DURATION>"),
            (#"\b\d+(\.\d+)?\s?([kKMG]i?)?B\b"#, "<SIZE>"),
            (#"\bdocker\b"#, "<ENGINE>"),
            (#"\blighter\b"#, "<ENGINE>"),
        ]
        for (pattern, replacement) in rules {
            guard let regex = try? Regex(pattern) else { continue }
            text = text.replacing(regex, with: replacement)
        }
        // Tables: runs of spaces depend on column widths, which depend on the values normalised above.
        if let spaces = try? Regex(#" {2,}"#) { text = text.replacing(spaces, with: "  ") }
        return text
    }
}
