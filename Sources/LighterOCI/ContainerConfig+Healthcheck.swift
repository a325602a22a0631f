import LighterSystem

extension ContainerConfig {
    /// `HEALTHCHECK NONE` or `HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D]
    /// [--retries=N] CMD command` (shell form → CMD-SHELL, JSON form → CMD), as a Dockerfile or
    /// `import`/`commit --change` writes it.
    static func healthcheck(_ argument: String, _ change: String) throws(LighterError) -> HealthConfig {
        if argument.uppercased() == "NONE" { return HealthConfig(Test: ["NONE"]) }
        var rest = Substring(argument)
        var config = HealthConfig()
        while rest.hasPrefix("--") {
            let word = rest.prefix { $0 != " " }
            rest = rest.dropFirst(word.count).drop { $0 == " " }
            let pieces = word.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
            // A bare "--" has no name: the message names the word as written.
            guard pieces.count == 2 else { throw .invalidArgument("--change \"\(change)\": \(word) needs a value (\(word.prefix { $0 != "=" })=VALUE)") }
            if pieces[0] == "retries" {
                guard let retries = Int(pieces[1]), retries >= 0 else { throw .invalidArgument("--change \"\(change)\": --retries \(pieces[1]) is not a count") }
                config.Retries = retries
                continue
            }
            guard let value = GoDuration.parse(pieces[1]), value >= 0 else {
                throw .invalidArgument("--change \"\(change)\": --\(pieces[0]) \(pieces[1]) is not a duration (e.g. 30s)")
            }
            switch pieces[0] {
            case "interval": config.Interval = value
            case "timeout": config.Timeout = value
            case "start-period": config.StartPeriod = value
            case "start-interval": config.StartInterval = value
            default: throw .invalidArgument("--change \"\(change)\": unknown HEALTHCHECK flag --\(pieces[0]) (interval, timeout, start-period, start-interval, retries)")
            }
        }
        let command = rest.prefix { $0 != " " }
        let body = String(rest.dropFirst(command.count)).trimmed
        guard command.uppercased() == "CMD", !body.isEmpty else {
            throw .invalidArgument("--change \"\(change)\": expected HEALTHCHECK [OPTIONS] CMD command, or HEALTHCHECK NONE")
        }
        config.Test = body.hasPrefix("[") ? ["CMD"] + (try jsonArray(body, change)) : ["CMD-SHELL", body]
        return config
    }
}
