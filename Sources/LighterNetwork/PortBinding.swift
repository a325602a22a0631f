import LighterSystem

/// One published port: host (address, port) → container port, TCP or UDP.
public struct PortBinding: Codable, Sendable, Hashable, CustomStringConvertible {
    public var proto: String          // tcp | udp
    public var hostIP: String         // "" = every address
    public var hostPort: Int          // 0 = pick a free one
    public var containerPort: Int

    public init(proto: String, hostIP: String, hostPort: Int, containerPort: Int) {
        self.proto = proto
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
    }

    /// `80/tcp -> 0.0.0.0:8080`, as `docker port` prints it.
    public var description: String {
        "\(containerPort)/\(proto) -> \(hostIP.isEmpty ? "0.0.0.0" : hostIP):\(hostPort)"
    }

    /// `0.0.0.0:8080->80/tcp`, as `docker ps` prints it.
    public var psColumn: String { "\(hostIP.isEmpty ? "0.0.0.0" : hostIP):\(hostPort)->\(containerPort)/\(proto)" }

    /// `-p [ip:][hostPort[-end]:]containerPort[-end][/tcp|udp]`, ranges expanded one to one.
    public static func parse(_ text: String) throws(LighterError) -> [PortBinding] {
        func bad(_ why: String) -> LighterError {
            .invalidArgument("-p \(text): \(why) (expected [ip:][hostPort:]containerPort[/tcp|udp], ports 1-65535, ranges as 8000-8010)")
        }
        var body = Substring(text)
        var proto = "tcp"
        if let slash = body.lastIndex(of: "/") {
            proto = String(body[body.index(after: slash)...]).lowercased()
            body = body[..<slash]
            guard proto == "tcp" || proto == "udp" else { throw bad("unknown protocol \"\(proto)\"") }
        }
        var parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count) else { throw bad("too many colons") }
        var hostIP = ""
        if parts.count == 3 {
            hostIP = parts.removeFirst()
            if hostIP == "0.0.0.0" { hostIP = "" }
            if !hostIP.isEmpty, IPv4Address(hostIP) == nil { throw bad("\"\(hostIP)\" is not an IPv4 address") }
        }
        func range(_ text: String) throws(LighterError) -> ClosedRange<Int> {
            let ends = text.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(ends.count), let low = Int(ends[0]), let high = Int(ends.last!), 1...65535 ~= low, 1...65535 ~= high, low <= high else {
                throw bad("bad port \"\(text)\"")
            }
            return low...high
        }
        let container = try range(parts.last!)
        let host: ClosedRange<Int>? = parts.count == 2 && !parts[0].isEmpty ? try range(parts[0]) : nil
        if let host, host.count != container.count {
            throw bad("the host range \(parts[0]) and the container range \(parts.last!) differ in length")
        }
        return container.enumerated().map { offset, port in
            PortBinding(proto: proto, hostIP: hostIP, hostPort: host.map { $0.lowerBound + offset } ?? 0, containerPort: port)
        }
    }
}

extension PortBinding: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(proto: try f.required("proto"), hostIP: try f.required("hostIP"), hostPort: try f.required("hostPort"),
                  containerPort: try f.required("containerPort"))
    }

    public var json: JSONNode { .object(["proto": proto, "hostIP": hostIP, "hostPort": hostPort, "containerPort": containerPort]) }
}
