import LighterSystem

/// json-file log settings (`--log-opt max-size=10m --log-opt max-file=3`). Rotation is on by default:
/// an SD card must not fill up with one chatty container's output.
public struct LogOptions: Sendable, Equatable {
    public var maxSize: Int64
    public var maxFiles: Int
    /// `--log-driver`: json-file, or none (no log file; `logs` cannot read it).
    public var driver = "json-file"

    public static let `default` = LogOptions(maxSize: 10 * 1024 * 1024, maxFiles: 3)

    public init(maxSize: Int64, maxFiles: Int) {
        self.maxSize = maxSize
        self.maxFiles = maxFiles
    }

    /// Parse `--log-opt KEY=VALUE` pairs over the defaults.
    public init(parsing options: [String]) throws(LighterError) {
        self = .default
        for option in options {
            guard let eq = option.firstIndex(of: "=") else {
                throw .invalidArgument("--log-opt \(option): expected KEY=VALUE (max-size, max-file)")
            }
            let key = String(option[..<eq]), value = String(option[option.index(after: eq)...])
            switch key {
            case "max-size": maxSize = try ByteSize.parse(value, flag: "--log-opt max-size")
            case "max-file":
                guard let n = Int(value), n >= 1 else { throw .invalidArgument("--log-opt max-file=\(value): must be a whole number of at least 1") }
                maxFiles = n
            default:
                throw .invalidArgument("--log-opt \(key): unknown log option for the json-file driver (max-size, max-file)")
            }
        }
    }
}
