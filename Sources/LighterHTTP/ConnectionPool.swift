import Synchronization

/// Idle keep-alive connections by endpoint (scheme, host, port), a few per endpoint.
final class ConnectionPool: Sendable {
    private let idle = Mutex<[String: [HTTPConnection]]>([:])
    private let perEndpoint = 4

    func take(_ endpoint: String) -> HTTPConnection? {
        idle.withLock { $0[endpoint]?.popLast() }
    }

    func put(_ connection: HTTPConnection) {
        let extra: HTTPConnection? = idle.withLock { all in
            var list = all[connection.endpoint] ?? []
            guard list.count < perEndpoint else { return connection }
            list.append(connection)
            all[connection.endpoint] = list
            return nil
        }
        extra?.close()
    }

    func closeAll() {
        let all = idle.withLock { all in
            defer { all = [:] }
            return all.values.flatMap { $0 }
        }
        for connection in all { connection.close() }
    }
}
