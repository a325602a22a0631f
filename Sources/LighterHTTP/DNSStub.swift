#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// A stub resolver: A and AAAA questions over UDP to the configured name servers, each attempt
/// bounded by a timeout. No TCP fallback (a truncated answer's addresses are used as they are).
public struct DNSStub: Sendable {
    public struct Server: Sendable, Hashable, CustomStringConvertible {
        public var address: IPAddress
        public var port: UInt16
        public init(address: IPAddress, port: UInt16 = 53) {
            self.address = address
            self.port = port
        }
        public var description: String { port == 53 ? address.description : "\(address):\(port)" }
    }

    /// What the servers said about one name.
    public enum Outcome: Sendable, Equatable {
        case addresses([IPAddress])
        /// NXDOMAIN, or a name without A/AAAA records.
        case noSuchName
    }

    public var servers: [Server]
    public var timeoutMilliseconds: Int
    public var attempts: Int

    public init(servers: [Server], timeoutMilliseconds: Int = 5000, attempts: Int = 2) {
        self.servers = servers
        self.timeoutMilliseconds = timeoutMilliseconds
        self.attempts = max(1, attempts)
    }

    /// Ask the servers in turn (all of them, `attempts` rounds) until one answers.
    public func lookup(_ name: String) throws(LighterError) -> Outcome {
        var problems: [String] = []
        for _ in 0..<attempts {
            for server in servers {
                do throws(LighterError) {
                    if let outcome = try ask(server, name) { return outcome }
                    problems.append("\(server) did not answer within \(timeoutMilliseconds) ms")
                } catch {
                    if case let .registry(_, message) = error { problems.append(message) } else { problems.append(error.description) }
                }
            }
        }
        throw .registry(host: name, message: "cannot resolve \(name): \(Self.unique(problems).joined(separator: "; "))")
    }

    /// One server: both questions on one socket; nil on timeout.
    func ask(_ server: Server, _ name: String) throws(LighterError) -> Outcome? {
        let idA = UInt16.random(in: 0...UInt16.max)
        let idAAAA = idA &+ 1
        guard let queryA = DNSMessage.query(id: idA, name: name, type: DNSMessage.typeA),
              let queryAAAA = DNSMessage.query(id: idAAAA, name: name, type: DNSMessage.typeAAAA) else {
            throw .registry(host: name, message: "\"\(name)\" is not a valid host name")
        }
        let raw = try syscall("socket") { socket(server.address.family, POSIX.datagramSocket | POSIX.closeOnExecSocket, 0) }
        let fd = FileDescriptor(adopting: raw)
        try syscall("connect", server.description) { server.address.withSocketAddress(port: server.port) { connect(raw, $0, $1) } }
        for query in [queryA, queryAAAA] {
            _ = try syscall("send", server.description) { query.withUnsafeBytes { send(fd.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        }
        var answers: [UInt16: DNSMessage.Answer] = [:]
        let deadline = Self.now() + timeoutMilliseconds
        var buffer = [UInt8](repeating: 0, count: 4096)
        while answers.count < 2 {
            let left = deadline - Self.now()
            if left <= 0 { return nil }
            var poller = pollfd(fd: raw, events: Int16(POLLIN), revents: 0)
            if try syscall("poll", server.description, { poll(&poller, 1, Int32(left)) }) == 0 { return nil }
            let received: Int
            do throws(LighterError) {
                received = try syscall("recv", server.description) { buffer.withUnsafeMutableBytes { recv(raw, $0.baseAddress, $0.count, 0) } }
            } catch {
                if case let .system(_, _, code) = error { throw .registry(host: name, message: "name server \(server): \(TCPSocket.describe(code))") }
                throw error
            }
            guard let answer = DNSMessage.parse(Array(buffer[..<received])), answer.id == idA || answer.id == idAAAA else { continue }
            switch answer.responseCode {
            case 0: answers[answer.id] = answer
            case 3: return .noSuchName
            default: throw .registry(host: name, message: "name server \(server) answered with error code \(answer.responseCode)")
            }
        }
        let addresses = (answers[idA]?.addresses ?? []) + (answers[idAAAA]?.addresses ?? [])
        return addresses.isEmpty ? .noSuchName : .addresses(addresses)
    }

    static func now() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time.tv_sec * 1000 + time.tv_nsec / 1_000_000
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
