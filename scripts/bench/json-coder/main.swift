// JSONCoder (Lighter's Codable coder) against Foundation's JSONEncoder/JSONDecoder on the paths
// that use them: a big image config and a manifest (pull, load, build), and inspect's round trip
// (a document decoded into a generic tree and printed pretty). Built by ../json-coder.sh with -O.
import FoundationEssentials
import Glibc

struct Config: Codable, Equatable {
    var created: String?
    var author: String?
    var architecture: String
    var os: String
    var variant: String?
    var config: Container?
    var rootfs: RootFS
    var history: [History]?
    struct RootFS: Codable, Equatable { var type: String; var diff_ids: [String] }
    struct History: Codable, Equatable { var created: String?; var created_by: String?; var author: String?; var comment: String?; var empty_layer: Bool? }
    struct Container: Codable, Equatable {
        var User: String?; var ExposedPorts: [String: Empty]?; var Env: [String]?; var Entrypoint: [String]?; var Cmd: [String]?
        var Volumes: [String: Empty]?; var WorkingDir: String?; var Labels: [String: String]?; var StopSignal: String?
    }
    struct Empty: Codable, Equatable {}
}

struct Descriptor: Codable, Equatable { var mediaType: String; var digest: String; var size: Int64; var annotations: [String: String]? }
struct Manifest: Codable, Equatable { var schemaVersion: Int; var mediaType: String?; var config: Descriptor; var layers: [Descriptor] }

/// The CLI's `JSONValue` (inspect): any document as a tree.
indirect enum Value: Codable {
    case object([String: Value]), array([Value]), string(String), number(Double), bool(Bool), null
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let v = try? container.decode(Bool.self) { self = .bool(v) }
        else if let v = try? container.decode(Double.self) { self = .number(v) }
        else if let v = try? container.decode(String.self) { self = .string(v) }
        else if let v = try? container.decode([Value].self) { self = .array(v) }
        else { self = .object(try container.decode([String: Value].self)) }
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .object(v): try container.encode(v)
        case let .array(v): try container.encode(v)
        case let .string(v): try container.encode(v)
        case let .number(v): if v == v.rounded(), abs(v) < 1e15 { try container.encode(Int64(v)) } else { try container.encode(v) }
        case let .bool(v): try container.encode(v)
        case .null: try container.encodeNil()
        }
    }
}

func hex(_ n: Int) -> String { String(repeating: String(n % 10), count: 64) }
let config = Config(
    created: "2026-11-29T00:00:00Z", author: "bench", architecture: "arm64", os: "linux", variant: "v8",
    config: .init(User: "1000:1000", ExposedPorts: ["80/tcp": .init(), "443/tcp": .init(), "8080/tcp": .init()],
                  Env: (0..<40).map { "VAR_\($0)=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
                  Entrypoint: ["/docker-entrypoint.sh"], Cmd: ["nginx", "-g", "daemon off;"], Volumes: ["/var/cache": .init()],
                  WorkingDir: "/srv", Labels: Dictionary(uniqueKeysWithValues: (0..<40).map { ("org.opencontainers.image.label\($0)", "value \($0) with some text") }),
                  StopSignal: "SIGQUIT"),
    rootfs: .init(type: "layers", diff_ids: (0..<60).map { "sha256:" + hex($0) }),
    history: (0..<120).map { .init(created: "2026-11-29T00:00:00Z", created_by: "/bin/sh -c #(nop) RUN set -eux; apt-get update; apt-get install -y --no-install-recommends pkg\($0) && rm -rf /var/lib/apt/lists/*", author: nil, comment: $0 % 3 == 0 ? "buildkit.dockerfile.v0" : nil, empty_layer: $0 % 2 == 0 ? true : nil) })
let manifest = Manifest(schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
                        config: .init(mediaType: "application/vnd.oci.image.config.v1+json", digest: "sha256:" + hex(1), size: 7023, annotations: nil),
                        layers: (0..<60).map { .init(mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: "sha256:" + hex($0), size: 31_000_000 + Int64($0), annotations: nil) })

let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
let pretty = JSONEncoder()
pretty.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
let configBytes = Array(try encoder.encode(config))
let manifestBytes = Array(try encoder.encode(manifest))
let ourConfig = try JSONCoder.encode(config), ourManifest = try JSONCoder.encode(manifest)
precondition(ourConfig == configBytes && ourManifest == manifestBytes, "JSONCoder's bytes differ from Foundation's")

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// CPU time of the thread (the machine may be shared), best of 15 rounds of `iterations` calls,
/// the two coders taking turns, in microseconds per call.
func measure(_ iterations: Int, _ first: () throws -> Void, _ second: () throws -> Void) rethrows -> (Double, Double) {
    var best = (Double.infinity, Double.infinity)
    for _ in 0..<15 {
        var start = now()
        for _ in 0..<iterations { try first() }
        best.0 = min(best.0, (now() - start) / Double(iterations) * 1e6)
        start = now()
        for _ in 0..<iterations { try second() }
        best.1 = min(best.1, (now() - start) / Double(iterations) * 1e6)
    }
    return best
}

var sink = 0
let rows: [(String, () throws -> Void, () throws -> Void)] = [
    ("encode image config (\(configBytes.count) B)",
     { sink &+= try encoder.encode(config).count }, { sink &+= try JSONCoder.encode(config).count }),
    ("decode image config",
     { sink &+= try JSONDecoder().decode(Config.self, from: Data(configBytes)).history!.count },
     { sink &+= try JSONCoder.decode(Config.self, from: configBytes, what: "config").history!.count }),
    ("decode manifest (\(manifestBytes.count) B)",
     { sink &+= try JSONDecoder().decode(Manifest.self, from: Data(manifestBytes)).layers.count },
     { sink &+= try JSONCoder.decode(Manifest.self, from: manifestBytes, what: "manifest").layers.count }),
    ("inspect: decode tree + encode pretty",
     { sink &+= try pretty.encode([JSONDecoder().decode(Value.self, from: Data(configBytes))]).count },
     { sink &+= try JSONCoder.encode([JSONCoder.decode(Value.self, from: configBytes, what: "document")], pretty: true).count }),
]
print("µs of CPU per call (best of 15)     Foundation   JSONCoder")
for (name, foundation, ours) in rows {
    let (f, o) = try measure(100, foundation, ours)
    func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    print(pad(name, 37) + pad(String(Int(f.rounded())), 13) + String(Int(o.rounded())))
}
if sink == 42 { print(sink) }
