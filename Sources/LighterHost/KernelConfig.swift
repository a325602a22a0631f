import LighterSystem

/// A parsed kernel `.config`: option name (without `CONFIG_`) → value as written
/// ("y", "m", a number, a quoted string). "# CONFIG_X is not set" records "n".
public struct KernelConfig: Sendable, Equatable {
    /// Where the config came from (a path, or a description for configs built in memory).
    public let source: String
    /// The kernel version from the header comment, when the file has one.
    public let version: KernelVersion?
    public private(set) var values: [String: String]

    public init(source: String, version: KernelVersion?, values: [String: String]) {
        self.source = source
        self.version = version
        self.values = values
    }

    /// What the config says about one option.
    public func state(of name: String) -> OptionState {
        switch values[name] {
        case "y": return .enabled
        case "m": return .module
        default: return .missing
        }
    }

    /// True when the option is built in or a module.
    public func isSet(_ name: String) -> Bool { state(of: name) != .missing }

    /// The config with the fragment's assignments applied on top, as `merge_config.sh` does.
    public func merging(_ fragment: KernelConfig) -> KernelConfig {
        var merged = self
        for (name, value) in fragment.values { merged.values[name] = value }
        return merged
    }

    /// Parses config text. Every non-blank line must be a comment or a `CONFIG_NAME=value`
    /// assignment; anything else is reported with its line number.
    public static func parse(_ text: String, source: String) throws(LighterError) -> KernelConfig {
        let what = "kernel config \(source)"
        if text.isEmpty { throw .malformed(what: what, reason: "the file is empty") }
        if text.utf8.contains(0) {
            throw .malformed(what: what, reason: "binary data, not a kernel .config (plain or gzip)")
        }
        var values: [String: String] = [:]
        var version: KernelVersion?
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingSpaces()
            if line.isEmpty { continue }
            if line.hasPrefix("# Busybox version:") {
                throw .malformed(what: what, reason: "this is a BusyBox configuration; pass the kernel's .config instead (output/build/linux-<version>/.config)")
            }
            if line.hasPrefix("#") {
                if let name = notSetName(line) { values[name] = "n" }
                if version == nil { version = headerVersion(line) }
                continue
            }
            if line.hasPrefix("BR2_") {
                throw .malformed(what: what, reason: "line \(lineNumber) is a Buildroot option (\(line.prefix(40))); pass the kernel's .config instead (output/build/linux-<version>/.config)")
            }
            guard line.hasPrefix("CONFIG_"), let equals = line.firstIndex(of: "=") else {
                throw .malformed(what: what, reason: "line \(lineNumber) is not a CONFIG_NAME=value assignment or a comment: \"\(line.prefix(60))\"")
            }
            let name = String(line[line.index(line.startIndex, offsetBy: 7)..<equals])
            let value = String(line[line.index(after: equals)...])
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw .malformed(what: what, reason: "line \(lineNumber) has a bad option name: \"\(line.prefix(60))\"")
            }
            guard !value.isEmpty else {
                throw .malformed(what: what, reason: "line \(lineNumber) assigns no value to CONFIG_\(name)")
            }
            values[name] = value
        }
        guard !values.isEmpty else {
            throw .malformed(what: what, reason: "no CONFIG_ options found")
        }
        return KernelConfig(source: source, version: version, values: values)
    }

    /// "# CONFIG_FOO is not set" → "FOO".
    private static func notSetName(_ line: Substring) -> String? {
        let prefix = "# CONFIG_", suffix = " is not set"
        guard line.hasPrefix(prefix), line.hasSuffix(suffix), line.count > prefix.count + suffix.count else { return nil }
        return String(line.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// "# Linux/x86 6.18.44 Kernel Configuration" → 6.18.44.
    private static func headerVersion(_ line: Substring) -> KernelVersion? {
        guard line.hasPrefix("# Linux"), line.hasSuffix("Kernel Configuration") else { return nil }
        let words = line.split(separator: " ")
        guard words.count >= 3 else { return nil }
        return KernelVersion(release: String(words[2]))
    }
}

/// What a kernel config says about one option.
public enum OptionState: String, Sendable, Codable, CaseIterable {
    case enabled, module, missing

    /// What the state means for Lighter, in words.
    public var meaning: String {
        switch self {
        case .enabled: return "built into the kernel: always available"
        case .module: return "built as a loadable module: available once loaded (modprobe), if the module is installed"
        case .missing: return "not in the kernel: the feature cannot be used until the kernel is rebuilt with it"
        }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" || first == "\r" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result.removeLast() }
        return result
    }
}
