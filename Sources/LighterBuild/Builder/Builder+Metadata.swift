import LighterOCI
import LighterSystem

extension Builder {
    /// The instructions that change only the image config.
    func applyMetadata(_ instruction: Instruction, state: inout BuildState) throws(LighterError) {
        let environment = state.substitution
        var config = state.containerConfig
        let text = instruction.text
        switch instruction.keyword {
        case "ENV":
            for (name, value) in try pairs(instruction, environment: environment) { state.setEnv(name, value) }
            return
        case "LABEL":
            var labels = config.Labels ?? [:]
            for (name, value) in try pairs(instruction, environment: environment) { labels[name] = value }
            config.Labels = labels
        case "MAINTAINER":
            state.config.author = text
            return
        case "EXPOSE":
            var ports = config.ExposedPorts ?? [:]
            for word in try lexer.words(text, environment: environment) {
                for port in try Self.exposedPorts(word) { ports[port] = EmptyObject() }
            }
            config.ExposedPorts = ports
        case "CMD":
            config.Cmd = execForm(instruction, shell: state.shell)
            state.cmdSetInStage = true
        case "ENTRYPOINT":
            config.Entrypoint = execForm(instruction, shell: state.shell)
            // Docker: an ENTRYPOINT set here drops the Cmd the base image gave.
            if !state.cmdSetInStage { config.Cmd = nil }
        case "WORKDIR":
            let path = try lexer.word(text, environment: environment)
            let base = config.WorkingDir ?? "/"
            config.WorkingDir = Self.cleanPath(path.hasPrefix("/") ? path : base + "/" + path)
        case "USER":
            config.User = try lexer.word(text, environment: environment)
        case "VOLUME":
            var volumes = config.Volumes ?? [:]
            let words: [String]
            switch instruction.arguments {
            case let .json(list): words = try list.map { (word: String) throws(LighterError) -> String in try lexer.word(word, environment: environment) }
            case .shell: words = try lexer.words(text, environment: environment)
            }
            for word in words where !word.isEmpty { volumes[word] = EmptyObject() }
            config.Volumes = volumes
        case "SHELL":
            guard case let .json(words) = instruction.arguments else { throw position(instruction).error("SHELL needs the JSON form") }
            config.Shell = words
        case "STOPSIGNAL":
            config.StopSignal = try lexer.word(text, environment: environment)
        case "HEALTHCHECK":
            config.Healthcheck = try healthcheck(instruction)
        case "ONBUILD":
            guard let inner = instruction.onbuild.first else { return }
            config.OnBuild = (config.OnBuild ?? []) + [inner.original]
        default:
            throw position(instruction).error("unknown instruction \(instruction.keyword)")
        }
        state.containerConfig = config
    }

    /// ENV's and LABEL's `k=v k2="v 2"` pairs, or the old one-pair form `ENV k the value`.
    func pairs(_ instruction: Instruction, environment: [String: String]) throws(LighterError) -> [(String, String)] {
        let text = instruction.text
        let firstWord = text.prefix { $0 != " " && $0 != "\t" }
        if !firstWord.contains("=") {
            let rest = String(text.dropFirst(firstWord.count).drop { $0 == " " || $0 == "\t" })
            guard !rest.isEmpty else {
                throw position(instruction).error("\(instruction.keyword) \(firstWord) needs a value: \(instruction.keyword) NAME=VALUE")
            }
            return [(try lexer.word(String(firstWord), environment: environment), try lexer.word(rest, environment: environment))]
        }
        var result: [(String, String)] = []
        for word in try lexer.words(text, environment: environment) {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw position(instruction).error("\(instruction.keyword) expects NAME=VALUE pairs, not \"\(word)\"")
            }
            result.append((String(word[..<equals]), String(word[word.index(after: equals)...])))
        }
        return result
    }

    /// CMD/ENTRYPOINT: the JSON form as is, the shell form through SHELL.
    func execForm(_ instruction: Instruction, shell: [String]) -> [String] {
        switch instruction.arguments {
        case let .json(words): return words
        case let .shell(text): return shell + [text]
        }
    }

    /// EXPOSE 80, 53/udp, 8000-8002/tcp → "80/tcp", "53/udp", "8000/tcp" …
    static func exposedPorts(_ word: String) throws(LighterError) -> [String] {
        let parts = word.split(separator: "/", maxSplits: 1).map(String.init)
        let proto = parts.count > 1 ? parts[1].lowercased() : "tcp"
        guard ["tcp", "udp", "sctp"].contains(proto) else { throw .invalidArgument("EXPOSE \(word): the protocol must be tcp, udp or sctp") }
        let range = parts[0].split(separator: "-", maxSplits: 1).map { UInt16($0) }
        guard let low = range.first ?? nil, let high = range.count > 1 ? range[1] : low, low <= high else {
            throw .invalidArgument("EXPOSE \(word): give a port (1-65535) or a range such as 8000-8010")
        }
        return (low...high).map { "\($0)/\(proto)" }
    }

    static func cleanPath(_ path: String) -> String {
        var out: [Substring] = []
        for element in path.split(separator: "/") {
            if element == "." { continue }
            if element == ".." {
                if !out.isEmpty { out.removeLast() }
                continue
            }
            out.append(element)
        }
        return "/" + out.joined(separator: "/")
    }

    /// HEALTHCHECK NONE | [--interval=D --timeout=D --start-period=D --start-interval=D --retries=N] CMD …
    func healthcheck(_ instruction: Instruction) throws(LighterError) -> HealthConfig {
        let text = instruction.text
        let word = text.prefix { $0 != " " && $0 != "\t" }.uppercased()
        if word == "NONE" {
            guard instruction.flags.isEmpty, text.trimmingBlanks.uppercased() == "NONE" else {
                throw position(instruction).error("HEALTHCHECK NONE takes no other arguments")
            }
            return HealthConfig(Test: ["NONE"])
        }
        guard word == "CMD" else { throw position(instruction).error("HEALTHCHECK must be NONE or CMD followed by the command") }
        let rest = String(text.dropFirst(3).drop { $0 == " " || $0 == "\t" })
        guard !rest.isEmpty else { throw position(instruction).error("HEALTHCHECK CMD needs a command") }
        var health = HealthConfig()
        if rest.hasPrefix("["), let words = Dockerfile.jsonStrings(rest) {
            health.Test = ["CMD"] + words
        } else {
            health.Test = ["CMD-SHELL", rest]
        }
        for flag in instruction.flags {
            let value = flag.value ?? ""
            switch flag.name {
            case "retries":
                guard let retries = Int(value), retries >= 0 else { throw position(instruction).error("--retries=\(value): give a whole number") }
                health.Retries = retries
            default:
                let nanoseconds = try Self.duration(value, flag: flag.name, instruction: instruction, position: position(instruction))
                switch flag.name {
                case "interval": health.Interval = nanoseconds
                case "timeout": health.Timeout = nanoseconds
                case "start-period": health.StartPeriod = nanoseconds
                default: health.StartInterval = nanoseconds
                }
            }
        }
        return health
    }

    /// Go's time.ParseDuration subset Docker accepts: "1h2m3.5s", "300ms", "10us", "0".
    static func duration(_ text: String, flag: String, instruction: Instruction, position: SourcePosition) throws(LighterError) -> Int64 {
        if text == "0" { return 0 }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { throw position.error("--\(flag) needs a duration such as 30s") }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            rest = rest.dropFirst(number.count)
            guard let value = Double(number) else { throw position.error("--\(flag)=\(text): not a duration (such as 30s, 1m30s, 500ms)") }
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else {
                throw position.error("--\(flag)=\(text): a duration needs a unit (ns, us, ms, s, m, h)")
            }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        guard total >= 0, total < 9.2e18 else { throw position.error("--\(flag)=\(text): out of range") }
        if ["interval", "timeout"].contains(flag), total > 0, total < 1e6 {
            throw position.error("--\(flag)=\(text): the duration must be at least 1ms")
        }
        return Int64(total)
    }
}
