#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport

/// A Lighter data root whose commands run inside a network namespace made for the test, wired to a
/// second namespace ("outside", 198.18.0.2) through a veth pair: the engine's bridge, NAT and
/// published ports never touch the host's links or firewall, and no packet leaves the machine.
final class NetworkRig: @unchecked Sendable {
    let lighter: Lighter
    let engine = NetworkNamespace()
    let outside = NetworkNamespace()
    static let engineAddress = "198.18.0.1"
    static let outsideAddress = "198.18.0.2"

    init() {
        lighter = RunCommandTests.ready()
        engine.sh("ip link add up0 type veth peer name up1 netns \(outside.name) && ip addr add \(Self.engineAddress)/24 dev up0 && ip link set up0 up && ip route add default via \(Self.outsideAddress)")
        outside.sh("ip addr add \(Self.outsideAddress)/24 dev up1 && ip link set up1 up")
    }

    /// `lighter ARGS` inside the engine's namespace, with the bridge as the default network.
    @discardableResult
    func run(_ arguments: String...) -> ProcessResult { run(arguments) }

    @discardableResult
    func run(_ arguments: [String]) -> ProcessResult {
        engine.run([Repository.lighterBinary] + arguments, environment: ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "bridge"])
    }

    /// `wget -q -O - URL` with busybox from the given namespace, retried while the server starts.
    func fetch(_ url: String, from namespace: NetworkNamespace, attempts: Int = 50) -> String {
        for _ in 0..<attempts {
            let result = namespace.run(["timeout", "5", "busybox", "wget", "-q", "-O", "-", url])
            if result.status == 0 { return result.stdout }
            usleep(100_000)
        }
        return ""
    }

    /// Links, addresses and Lighter's nftables rules in the engine's namespace, for leak checks.
    var links: [String] {
        engine.run(["ip", "-o", "link", "show"]).stdout.split(separator: "\n").compactMap { line in
            line.split(separator: ":").dropFirst().first.map { String($0.trimmed.split(separator: "@").first ?? "") }
        }
    }
    /// The links once the kernel has finished destroying dead containers' namespaces (it removes
    /// their veth pairs asynchronously); polls up to 5 s for veths to go.
    var settledLinks: [String] {
        for _ in 0..<50 where links.contains(where: { $0.hasPrefix("veth") }) { usleep(100_000) }
        return links
    }
    /// The number of veths, polled until it is `expected` (dead namespaces' pairs go asynchronously).
    func vethCount(settlingAt expected: Int) -> Int {
        var count = 0
        for _ in 0..<50 {
            count = links.filter { $0.hasPrefix("veth") }.count
            if count == expected { break }
            usleep(100_000)
        }
        return count
    }
    var rules: String { engine.run(["nft", "list", "table", "ip", "lighter"]).stdout }

    deinit {
        let ids = run("ps", "-aq").stdout.split(separator: "\n").map(String.init)
        if !ids.isEmpty { run(["rm", "-f"] + ids) }
    }
}
