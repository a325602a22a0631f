/// One challenge of a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
public struct AuthChallenge: Sendable, Equatable {
    public var scheme: String
    public var parameters: [String: String]

    public init(scheme: String, parameters: [String: String]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// Parse a header value into its challenges (a header may carry several, comma separated).
    public static func parse(_ header: String) -> [AuthChallenge] {
        var challenges: [AuthChallenge] = []
        var scalars = Substring(header)
        func skipSpace() { while let c = scalars.first, c == " " || c == "\t" || c == "," { scalars.removeFirst() } }
        func token() -> String {
            var word = ""
            while let c = scalars.first, c != " ", c != "\t", c != ",", c != "=" { word.append(c); scalars.removeFirst() }
            return word
        }
        skipSpace()
        while !scalars.isEmpty {
            let scheme = token()
            guard !scheme.isEmpty else { break }
            var parameters: [String: String] = [:]
            while true {
                skipSpace()
                // Look ahead: `name=` is a parameter; a bare word starts the next challenge.
                let saved = scalars
                let name = token()
                guard !name.isEmpty, scalars.first == "=" else { scalars = saved; break }
                scalars.removeFirst()
                var value = ""
                if scalars.first == "\"" {
                    scalars.removeFirst()
                    while let c = scalars.first {
                        scalars.removeFirst()
                        if c == "\\", let next = scalars.first { value.append(next); scalars.removeFirst(); continue }
                        if c == "\"" { break }
                        value.append(c)
                    }
                } else {
                    value = token()
                }
                parameters[name.lowercased()] = value
            }
            challenges.append(AuthChallenge(scheme: scheme.lowercased(), parameters: parameters))
            skipSpace()
        }
        return challenges
    }
}
