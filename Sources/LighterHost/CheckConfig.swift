#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// What a command prints and how it exits; the CLI only writes these out.
public struct CommandOutput: Sendable, Equatable {
    public let stdout: String
    public let stderr: String
    public let exitCode: Int32

    public init(stdout: String, stderr: String = "", exitCode: Int32) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
    }

    /// A bad-input failure: "lighter: <message>" on stderr.
    public static func failure(_ error: LighterError, exitCode: Int32) -> CommandOutput {
        CommandOutput(stdout: "", stderr: "lighter: \(error)\n", exitCode: exitCode)
    }
}

public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json
}

/// `lighter check-config`.
public enum CheckConfig {
    public struct Options: Sendable {
        /// A config file to check instead of the running kernel's (no live checks then).
        public var kernelConfig: String?
        public var format: OutputFormat
        /// Print the fragment instead of the report.
        public var fragment: Bool
        /// Optional features count as required.
        public var strict: Bool
        /// The data root; the overlay test runs there when it exists, else in /tmp.
        public var dataRoot: String
        /// Where the running kernel's config is looked for; nil: /proc/config.gz, /boot/config-$(uname -r).
        public var runningConfigCandidates: [String]?

        public init(kernelConfig: String? = nil, format: OutputFormat = .text, fragment: Bool = false, strict: Bool = false,
                    dataRoot: String = DataRoot.defaultPath, runningConfigCandidates: [String]? = nil) {
            self.kernelConfig = kernelConfig
            self.format = format
            self.fragment = fragment
            self.strict = strict
            self.dataRoot = dataRoot
            self.runningConfigCandidates = runningConfigCandidates
        }
    }

    /// Exit status for bad input (unreadable or malformed config, conflicting flags).
    public static let badInputExitCode: Int32 = 2

    /// Builds the report: a given file alone, or the running kernel's config plus live checks.
    public static func report(_ options: Options) throws(LighterError) -> CheckConfigReport {
        if let path = options.kernelConfig {
            let config: KernelConfig
            do {
                config = try KernelConfig.load(path: path)
            } catch let .system(_, _, code) {
                throw .invalidArgument("cannot read kernel config \(path): \(String(cString: strerror(code)))")
            }
            return CheckConfigReport(config: config, configUnavailable: nil, context: CheckContext(version: config.version),
                                     host: nil, strict: options.strict)
        }
        let release = Uname.current().release
        let candidates = options.runningConfigCandidates ?? KernelConfig.runningCandidates(release: release)
        let config = try KernelConfig.loadRunning(candidates: candidates)
        let scratch = FileSystem.isDirectory(options.dataRoot) ? options.dataRoot : "/tmp"
        let host = HostFacts.probe(scratch: scratch)
        let context = CheckContext(version: config?.version ?? KernelVersion(release: release), cgroupMode: host.cgroups.mode,
                                   modulesUnavailable: host.modules.loadable ? nil : host.modules.reason)
        let unavailable = config == nil
            ? "the kernel publishes no config: none of \(candidates.joined(separator: ", ")) exists (CONFIG_IKCONFIG_PROC gives /proc/config.gz); pass --kernel-config FILE to check one" : nil
        return CheckConfigReport(config: config, configUnavailable: unavailable, context: context, host: host, strict: options.strict)
    }

    /// Runs the command: output, error message and exit status (0 ok, 1 missing, 2 bad input).
    public static func run(_ options: Options) -> CommandOutput {
        if options.fragment && options.format == .json {
            return .failure(.invalidArgument("--fragment prints a kernel config fragment; it cannot be combined with --format json (the JSON report has a \"fragment\" field)"), exitCode: badInputExitCode)
        }
        let report: CheckConfigReport
        do {
            report = try self.report(options)
        } catch {
            return .failure(error, exitCode: badInputExitCode)
        }
        if options.fragment { return CommandOutput(stdout: report.fragment, exitCode: report.exitCode) }
        switch options.format {
        case .text:
            return CommandOutput(stdout: report.text, exitCode: report.exitCode)
        case .json:
            do {
                return CommandOutput(stdout: try HostJSON.encode(report), exitCode: report.exitCode)
            } catch {
                return .failure(error, exitCode: 125)
            }
        }
    }
}

/// The data root: `--root`, else `LIGHTER_ROOT`, else /var/lib/lighter.
public enum DataRoot {
    public static let defaultPath = "/var/lib/lighter"

    public static func resolve(option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let value = getenv("LIGHTER_ROOT"), value.pointee != 0 { return String(cString: value) }
        return defaultPath
    }
}

/// Sorted-key, pretty JSON for reports.
enum HostJSON {
    static func encode<T: Encodable>(_ value: T) throws(LighterError) -> String {
        String(decoding: try JSONCoder.encode(value, pretty: true), as: UTF8.self) + "\n"
    }
}

extension CommandOutput {
    /// Writes stdout and stderr of the command to the process's standard streams.
    public static func emit(_ output: CommandOutput) {
        for (stream, text) in [(Int32(1), output.stdout), (Int32(2), output.stderr)] where !text.isEmpty {
            guard let fd = try? syscall("dup", nil, { dup(stream) }) else { continue }
            try? FileDescriptor(adopting: fd).write(text)
        }
    }
}
