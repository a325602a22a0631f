import LighterSystem

/// `/etc/hosts`: `ADDRESS NAME [ALIAS...]` lines, `#` comments. Names match case-insensitively.
public struct HostsFile: Sendable {
    public private(set) var entries: [String: [IPAddress]] = [:]

    public init(parsing text: String) {
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.prefix { $0 != "#" }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard fields.count >= 2, let address = IPAddress(parsing: String(fields[0])) else { continue }
            for name in fields.dropFirst() {
                let key = name.lowercased()
                if entries[key]?.contains(address) != true { entries[key, default: []].append(address) }
            }
        }
    }

    /// The file at `path`, or an empty one when it cannot be read.
    public init(path: String) {
        self.init(parsing: (try? FileSystem.readString(path)) ?? "")
    }

    public func addresses(of name: String) -> [IPAddress] {
        var key = name.lowercased()
        if key.hasSuffix(".") { key.removeLast() }
        return entries[key] ?? []
    }
}
