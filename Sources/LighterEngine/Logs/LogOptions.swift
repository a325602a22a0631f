import LighterSystem

/// json-file log settings (`--log-opt max-size=10m --log-opt max-file=3`). Rotation is on by default:
/// an SD card must not fill up with one chatty container's output.
public struct LogOptions: Sendable, Equatable, Codable {
    public var maxSize: Int64
    public var maxFiles: Int

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
            case "max-size": maxSize = try LogOptions.parseSize(value, flag: "--log-opt max-size")
            case "max-file":
                guard let n = Int(value), n >= 1 else { throw .invalidArgument("--log-opt max-file=\(value): must be a whole number of at least 1") }
                maxFiles = n
            default:
                throw .invalidArgument("--log-opt \(key): unknown log option for the json-file driver (max-size, max-file)")
            }
        }
    }

    /// Docker's byte sizes: `512`, `10k`, `10m`, `1g` (also with a trailing `b`, any case); binary units.
    public static func parseSize(_ text: String, flag: String) throws(LighterError) -> Int64 {
        var digits = text.lowercased()
        if digits.hasSuffix("b") && digits.count > 1 && !(digits.dropLast().last?.isNumber ?? true) { digits.removeLast() }
        var multiplier: Int64 = 1
        switch digits.last {
        case "k": multiplier = 1 << 10
        case "m": multiplier = 1 << 20
        case "g": multiplier = 1 << 30
        case "t": multiplier = 1 << 40
        case "b": multiplier = 1
        default: break
        }
        if multiplier != 1 || digits.last == "b" { digits.removeLast() }
        guard let value = Double(digits), value > 0, value.isFinite else {
            throw .invalidArgument("\(flag)=\(text): not a size (e.g. 512k, 10m, 1g)")
        }
        return Int64(value * Double(multiplier))
    }
}
