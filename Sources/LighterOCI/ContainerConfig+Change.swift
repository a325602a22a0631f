import LighterSystem

extension ContainerConfig {
    /// Apply one Dockerfile instruction, as `docker import --change` and `docker commit --change` do:
    /// CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL, HEALTHCHECK.
    public mutating func apply(change: String) throws(LighterError) {
        let trimmed = change.trimmed
        let parts = trimmed.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let keyword = parts.first?.uppercased(), parts.count == 2 else {
            throw .invalidArgument("--change \"\(change)\": expected an instruction and its arguments, e.g. CMD [\"/bin/sh\"]")
        }
        let argument = String(parts[1]).trimmed
        switch keyword {
        case "CMD": Cmd = try ContainerConfig.commandForm(argument, change)
        case "ENTRYPOINT": Entrypoint = try ContainerConfig.commandForm(argument, change)
        case "ENV":
            for (key, value) in try ContainerConfig.keyValues(argument, change, allowLegacy: true) {
                var env = (Env ?? []).filter { !$0.hasPrefix("\(key)=") }
                env.append("\(key)=\(value)")
                Env = env
            }
        case "LABEL":
            var labels = Labels ?? [:]
            for (key, value) in try ContainerConfig.keyValues(argument, change, allowLegacy: false) { labels[key] = value }
            Labels = labels
        case "EXPOSE":
            var ports = ExposedPorts ?? [:]
            for port in argument.split(separator: " ") {
                let spec = port.contains("/") ? String(port) : "\(port)/tcp"
                let pieces = spec.split(separator: "/")
                guard pieces.count == 2, let number = Int(pieces[0]), (1...65535).contains(number), ["tcp", "udp", "sctp"].contains(pieces[1].lowercased()) else {
                    throw .invalidArgument("--change \"\(change)\": \"\(port)\" is not a port (e.g. 80 or 53/udp)")
                }
                ports["\(number)/\(pieces[1].lowercased())"] = EmptyObject()
            }
            ExposedPorts = ports
        case "VOLUME":
            var volumes = Volumes ?? [:]
            let paths = argument.hasPrefix("[") ? try ContainerConfig.jsonArray(argument, change) : argument.split(separator: " ").map(String.init)
            for path in paths { volumes[path] = EmptyObject() }
            Volumes = volumes
        case "USER": User = argument
        case "WORKDIR":
            guard argument.hasPrefix("/") else { throw .invalidArgument("--change \"\(change)\": WORKDIR must be an absolute path") }
            WorkingDir = argument
        case "STOPSIGNAL": StopSignal = argument
        case "HEALTHCHECK": Healthcheck = try ContainerConfig.healthcheck(argument, change)
        default:
            throw .invalidArgument("--change \"\(change)\": \(keyword) is not supported (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL, HEALTHCHECK)")
        }
    }

    /// JSON array form `["a","b"]` or shell form `a b` → `/bin/sh -c "a b"`.
    static func commandForm(_ argument: String, _ change: String) throws(LighterError) -> [String] {
        if argument.hasPrefix("[") { return try jsonArray(argument, change) }
        return ["/bin/sh", "-c", argument]
    }

    static func jsonArray(_ argument: String, _ change: String) throws(LighterError) -> [String] {
        guard let node = try? JSONNode.parse(Array(argument.utf8), what: "--change"),
              let words = try? [String](json: node, path: JSONPath(what: "--change")) else {
            throw .invalidArgument("--change \"\(change)\": \(argument) is not a JSON array of strings")
        }
        return words
    }

    /// `K=V K2="v 2"`, or the legacy `ENV K V` form.
    static func keyValues(_ argument: String, _ change: String, allowLegacy: Bool) throws(LighterError) -> [(String, String)] {
        if allowLegacy, let space = argument.firstIndex(of: " "), !argument[..<space].contains("=") {
            return [(String(argument[..<space]), argument[space...].trimmed)]
        }
        var result: [(String, String)] = []
        var words: [String] = []
        var current = ""
        var quote: Character?
        for c in argument {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == " " {
                if !current.isEmpty { words.append(current); current = "" }
            } else {
                current.append(c)
            }
        }
        if quote != nil { throw .invalidArgument("--change \"\(change)\": unterminated quote") }
        if !current.isEmpty { words.append(current) }
        for word in words {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                throw .invalidArgument("--change \"\(change)\": \"\(word)\" is not KEY=VALUE")
            }
            result.append((String(word[..<eq]), String(word[word.index(after: eq)...])))
        }
        return result
    }
}
