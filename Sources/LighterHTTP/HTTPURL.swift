import LighterSystem

/// An `http` or `https` URL split into what a request needs.
public struct HTTPURL: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    /// `host[:port]` as written (IPv6 literals bracketed); the Host header.
    public var authority: String
    /// The host name or address, without brackets.
    public var host: String
    public var port: UInt16
    /// Path and query (`/v2/?x=1`); never empty.
    public var target: String

    public var isTLS: Bool { scheme == "https" }
    public var description: String { "\(scheme)://\(authority)\(target)" }

    public init(parsing text: String) throws(LighterError) {
        guard let separator = text.firstIndex(of: ":"), text[separator...].hasPrefix("://") else {
            throw .invalidArgument("URL \"\(text)\" has no http:// or https:// scheme")
        }
        scheme = text[..<separator].lowercased()
        guard scheme == "http" || scheme == "https" else { throw .invalidArgument("URL \"\(text)\": only http and https are supported") }
        let rest = text[text.index(separator, offsetBy: 3)...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        authority = String(rest[..<end])
        var path = String(rest[end...].prefix { $0 != "#" })
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        target = path
        var hostPart = Substring(authority)
        if let at = hostPart.lastIndex(of: "@") { hostPart = hostPart[hostPart.index(after: at)...] }
        var portText: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw .invalidArgument("URL \"\(text)\": unterminated [IPv6] host") }
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = hostPart.lastIndex(of: ":") {
            host = String(hostPart[..<colon])
            portText = hostPart[hostPart.index(after: colon)...]
        } else {
            host = String(hostPart)
        }
        guard !host.isEmpty else { throw .invalidArgument("URL \"\(text)\" has no host") }
        if let portText, !portText.isEmpty {
            guard let number = UInt16(portText), number > 0 else { throw .invalidArgument("URL \"\(text)\": bad port \"\(portText)\"") }
            port = number
        } else {
            port = scheme == "https" ? 443 : 80
        }
    }

    /// A `Location` header resolved against this URL: absolute, scheme-relative, absolute-path or relative.
    public func resolving(_ location: String) throws(LighterError) -> HTTPURL {
        if location.hasPrefix("http://") || location.hasPrefix("https://") || location.hasPrefix("HTTP") { return try HTTPURL(parsing: location) }
        if location.hasPrefix("//") { return try HTTPURL(parsing: "\(scheme):\(location)") }
        var next = self
        if location.hasPrefix("/") {
            next.target = location
        } else {
            let path = target.prefix { $0 != "?" }
            let directory = path.lastIndex(of: "/").map { path[...$0] } ?? "/"
            next.target = directory + location
        }
        return next
    }

    /// The pool key: one keep-alive pool per scheme, host and port.
    var endpoint: String { "\(scheme)://\(host):\(port)" }
}
