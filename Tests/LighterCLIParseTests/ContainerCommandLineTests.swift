import ArgumentParser
import Testing
@testable import LighterCLI

/// `run`/`create` read by ContainerCommandLine must mean exactly what ArgumentParser reads.
@Suite struct ContainerCommandLineTests {
    static func viaArgumentParser(_ arguments: [String], command: String) throws -> ContainerCommandLine {
        if command == "run" { return try #require(try RunCommand.parseAsRoot(arguments) as? RunCommand).commandLine }
        return try #require(try CreateCommand.parseAsRoot(arguments) as? CreateCommand).commandLine
    }

    /// One value for every option, in each form ArgumentParser accepts that the table reads.
    static var sample: [[String]] {
        var lines: [[String]] = []
        for entry in ContainerCommandLine.table {
            let value: String
            switch entry.setter {
            case .flag: value = ""
            case .integer, .integer64, .unsigned64: value = "42"
            default: value = "v-\(entry.long)"
            }
            if value.isEmpty {
                lines.append(["--\(entry.long)", "busybox"])
                if let short = entry.short { lines.append(["-\(short)", "busybox", "true"]) }
            } else {
                lines.append(["--\(entry.long)", value, "busybox"])
                lines.append(["--\(entry.long)=\(value)", "busybox", "sh", "-c", "x"])
                if let short = entry.short { lines.append(["-\(short)", value, "busybox"]) }
            }
        }
        lines += [
            ["-dit", "--rm", "busybox"], ["-it", "busybox", "sh"], ["-ti", "-P", "busybox"],
            ["--rm", "--network", "none", "busybox", "true"],
            ["-e", "A=1", "-e", "B", "--env=C=3", "-v", "/a:/b:ro", "-v", "/c:/d", "-p", "80:80", "-p", "127.0.0.1:81:81/udp", "busybox"],
            ["--name", "web", "-h", "box", "-w", "/tmp", "-u", "1:2", "--entrypoint", "", "busybox", "--rm", "-d", "--", "x"],
            ["--restart", "on-failure:2", "--log-opt", "max-size=1m", "--log-opt", "max-file=2", "--ulimit", "nofile=10:20", "busybox"],
            ["--memory", "32m", "--memory-swap", "64m", "--cpus", "1.5", "-c", "512", "--cpuset-cpus", "0", "--pids-limit", "10", "busybox"],
            ["--cap-add", "NET_ADMIN", "--cap-drop", "ALL", "--privileged", "--read-only", "--security-opt", "seccomp=unconfined", "busybox"],
            ["--root", "/tmp/x", "--platform", "linux/arm64", "--init", "--stop-signal", "SIGINT", "--stop-timeout", "3", "busybox", "a", "b"],
            ["busybox"], ["busybox", "-it", "--name", "x"],
        ]
        return lines
    }

    @Test(arguments: sample)
    func runReadsAsArgumentParserDoes(arguments: [String]) throws {
        let fast = try #require(ContainerCommandLine.parse(arguments, command: "run"), "\(arguments) fell back")
        #expect(fast == (try Self.viaArgumentParser(arguments, command: "run")), "\(arguments)")
    }

    @Test func createReadsAsArgumentParserDoesAndHasNoDetach() throws {
        for arguments in Self.sample where !arguments.contains(where: { $0 == "-d" || $0 == "--detach" || $0 == "-dit" || $0.hasPrefix("--detach") }) {
            let fast = try #require(ContainerCommandLine.parse(arguments, command: "create"), "\(arguments) fell back")
            #expect(fast == (try Self.viaArgumentParser(arguments, command: "create")), "\(arguments)")
        }
        #expect(ContainerCommandLine.parse(["-d", "busybox"], command: "create") == nil)
    }

    /// What the table does not read goes to ArgumentParser (which accepts it or says what is wrong).
    @Test(arguments: [
        ["--help"], ["-h"], ["--bogus", "busybox"], ["-x", "busybox"], [],
        ["--name", "a", "--name", "b", "busybox"], ["--memory-swap", "-1", "busybox"], ["-eA=1", "busybox"],
        ["--rm=true", "busybox"], ["--pids-limit", "many", "busybox"], ["-dx", "busybox"], ["-e"], ["--", "busybox"],
        ["-", "busybox"], ["--rm"], ["--env=", "busybox"], ["--name=", "x", "busybox"],
    ])
    func unusualFormsFallBack(arguments: [String]) {
        #expect(ContainerCommandLine.parse(arguments, command: "run") == nil, "\(arguments)")
    }

    /// The table names every option ArgumentParser knows for `run` (a new flag must be added to both).
    @Test func tableCoversEveryOption() {
        let help = RunCommand.helpMessage(columns: 400)
        var named: Set<String> = []
        for word in help.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" }) where word.hasPrefix("--") {
            named.insert(String(word.dropFirst(2)))
        }
        named.remove("help")
        #expect(!named.isEmpty)
        #expect(named == Set(ContainerCommandLine.table.map(\.long)), "\(named.symmetricDifference(Set(ContainerCommandLine.table.map(\.long))))")
    }
}
