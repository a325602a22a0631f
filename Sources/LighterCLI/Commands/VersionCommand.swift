#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterHost
import LighterOCI
import LighterSystem

/// `version [--format TEMPLATE]`: Docker's Client and Server sections. Lighter is daemonless: the
/// "server" is this same binary's engine, so both sections always answer.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show the Lighter version information.")
    @Option(name: [.customShort("f"), .long], help: "Format output using a custom template: 'json' or a Go-style template such as '{{.Client.Version}}'.")
    var format: String?

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            try Self.print(VersionReport.current(), format: format)
        }
    }
}

/// What `version` shows, with Docker's JSON keys ("GoVersion" holds the Swift compiler's version).
struct VersionReport: Codable {
    struct PlatformName: Codable { var Name: String }
    struct ClientSection: Codable {
        var Platform: PlatformName
        var Version: String
        var ApiVersion: String
        var DefaultAPIVersion: String
        var GitCommit: String
        var GoVersion: String
        var Os: String
        var Arch: String
        var BuildTime: String
        var Context: String
        /// Docker 20.10: deprecated, always true.
        var Experimental = true
    }
    struct ComponentSection: Codable {
        var Name: String
        var Version: String
        var Details: [String: String]
    }
    struct ServerSection: Codable {
        var Platform: PlatformName
        var Components: [ComponentSection]
        var Version: String
        var ApiVersion: String
        var MinAPIVersion: String
        var GitCommit: String
        var GoVersion: String
        var Os: String
        var Arch: String
        var KernelVersion: String
        var BuildTime: String
        var Experimental = false
    }
    var Client: ClientSection
    var Server: ServerSection

    static func current() -> VersionReport {
        let uname = Uname.current()
        let arch = LighterOCI.Platform(architecture: uname.machine).architecture
        let commit = LighterVersion.gitCommit.isEmpty ? "unknown" : LighterVersion.gitCommit
        let built = buildTime()
        let client = ClientSection(
            Platform: PlatformName(Name: "Lighter"), Version: LighterVersion.version, ApiVersion: LighterVersion.apiVersion,
            DefaultAPIVersion: LighterVersion.apiVersion, GitCommit: commit, GoVersion: LighterVersion.swiftVersion,
            Os: "linux", Arch: arch, BuildTime: built.text, Context: "default")
        let engine = ComponentSection(Name: "Engine", Version: LighterVersion.version, Details: [
            "ApiVersion": LighterVersion.apiVersion, "Arch": arch, "BuildTime": built.rfc3339, "Experimental": "false",
            "GitCommit": commit, "GoVersion": LighterVersion.swiftVersion, "KernelVersion": uname.release,
            "MinAPIVersion": LighterVersion.minimumAPIVersion, "Os": "linux",
        ])
        // The OCI runtime and the --init process are part of the binary (no containerd, runc or tini).
        let runtime = ComponentSection(Name: "lighter-runtime", Version: LighterVersion.version, Details: ["GitCommit": commit])
        let initProcess = ComponentSection(Name: "lighter-init", Version: LighterVersion.version, Details: ["GitCommit": commit])
        let server = ServerSection(
            Platform: PlatformName(Name: "Lighter Engine"), Components: [engine, runtime, initProcess], Version: LighterVersion.version,
            ApiVersion: LighterVersion.apiVersion, MinAPIVersion: LighterVersion.minimumAPIVersion, GitCommit: commit,
            GoVersion: LighterVersion.swiftVersion, Os: "linux", Arch: arch, KernelVersion: uname.release, BuildTime: built.rfc3339)
        return VersionReport(Client: client, Server: server)
    }

    /// The build time set at build, else the binary's modification time: as Docker prints it ("Fri May 30
    /// 12:07:14 2025", UTC) and in RFC 3339.
    static func buildTime() -> (text: String, rfc3339: String) {
        var seconds: Int64 = 0
        if let set = Time.parseRFC3339(LighterVersion.buildTime) {
            seconds = set
        } else {
            var st = stat()
            if stat("/proc/self/exe", &st) == 0 { seconds = Int64(st.st_mtim.tv_sec) }
        }
        return (ansic(seconds), Time.rfc3339(seconds: seconds))
    }

    /// Go's time.ANSIC layout, "Mon Jan _2 15:04:05 2006", in UTC.
    static func ansic(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let day = parts.tm_mday < 10 ? " \(parts.tm_mday)" : "\(parts.tm_mday)"
        return "\(days[Int(parts.tm_wday)]) \(months[Int(parts.tm_mon)]) \(day) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) \(1900 + parts.tm_year)"
    }

    /// Docker's text layout: labels padded to 20 columns (its tabwriter's minimum width).
    var text: String {
        func line(_ label: String, _ value: String) -> String {
            label + String(repeating: " ", count: max(1, 20 - label.count)) + value
        }
        var lines = [
            "Client: \(Client.Platform.Name)",
            line(" Version:", Client.Version),
            line(" API version:", Client.ApiVersion),
            line(" Swift version:", Client.GoVersion),
            line(" Git commit:", Client.GitCommit),
            line(" Built:", Client.BuildTime),
            line(" OS/Arch:", "\(Client.Os)/\(Client.Arch)"),
            line(" Context:", Client.Context),
            "",
            "Server: \(Server.Platform.Name)",
        ]
        for component in Server.Components {
            lines.append(" \(component.Name):")
            if component.Name == "Engine" {
                let details = component.Details
                lines += [
                    line("  Version:", component.Version),
                    line("  API version:", "\(details["ApiVersion"] ?? "") (minimum version \(details["MinAPIVersion"] ?? ""))"),
                    line("  Swift version:", details["GoVersion"] ?? ""),
                    line("  Git commit:", details["GitCommit"] ?? ""),
                    line("  Built:", VersionReport.ansic(Time.parseRFC3339(details["BuildTime"] ?? "") ?? 0)),
                    line("  OS/Arch:", "\(details["Os"] ?? "")/\(details["Arch"] ?? "")"),
                    line("  Experimental:", details["Experimental"] ?? "false"),
                ]
            } else {
                lines.append(line("  Version:", component.Version))
                for key in component.Details.keys.sorted() { lines.append(line("  \(key):", component.Details[key] ?? "")) }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension VersionCommand {
    /// The report as `version` prints it (also the remote `version`, with the daemon's Server section).
    static func print(_ report: VersionReport, format: String?) throws(LighterError) {
        switch format {
        case nil, "":
            Console.out(String(report.text.dropLast()))
        case "json":
            Console.out(String(decoding: try JSON.encode(report), as: UTF8.self))
        case let template?:
            // Docker's version is a typed struct: a field it does not have is an error, not <no value>.
            Console.out(try JSONTemplate.render(template, value: try JSON.encode(report), missingKeyIsError: true))
        }
    }
}
