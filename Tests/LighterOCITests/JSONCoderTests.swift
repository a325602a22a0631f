#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LighterTestSupport
import Testing
import LighterOCI
import LighterSystem

/// Lighter's Codable coder (`JSONCoder`, no Foundation) against Foundation's JSONEncoder and
/// JSONDecoder, which only the tests still link: the same bytes for every value, so that
/// content-addressed documents keep their digests and visible output does not change.
@Suite struct JSONCoderTests {
    static func foundation<T: Encodable>(_ value: T, pretty: Bool = false) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Both codings of `value`, compact and pretty, are the same bytes; and Lighter's decoder reads
    /// them back to what Foundation's reads.
    static func expectSame<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for pretty in [false, true] {
            let expected = try foundation(value, pretty: pretty)
            let actual = try JSONCoder.encode(value, pretty: pretty)
            #expect(String(decoding: actual, as: UTF8.self) == String(decoding: expected, as: UTF8.self), sourceLocation: sourceLocation)
            let ours = try JSONCoder.decode(T.self, from: expected, what: "document")
            let theirs = try JSONDecoder().decode(T.self, from: Data(expected))
            #expect(ours == theirs, sourceLocation: sourceLocation)
        }
    }

    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    static func manifest() throws -> Manifest {
        let config = Descriptor(mediaType: MediaType.dockerConfig, digest: try Digest(parsing: digest), size: 1469)
        let layers = try (0..<3).map { index in
            Descriptor(mediaType: MediaType.dockerLayerGzip, digest: try Digest(parsing: "sha256:" + String(repeating: "0\(index)", count: 32)),
                       size: Int64(index) * 3_000_000_123, annotations: index == 1 ? ["org.example/url": "http://x/<a>&b", "é": "😀\u{2028}\t"] : nil)
        }
        return Manifest(mediaType: MediaType.dockerManifest, config: config, layers: layers, annotations: ["z": "1", "a/b": "2", "A": "3"])
    }

    static func index() throws -> Index {
        let platforms = [Platform(architecture: "amd64"), Platform(architecture: "arm", variant: "v7"), Platform(os: "linux", architecture: "arm64", variant: "v8")]
        let manifests = try platforms.enumerated().map { offset, platform in
            Descriptor(mediaType: MediaType.ociManifest, digest: try Digest(parsing: "sha256:" + String(repeating: "\(offset)f", count: 32)),
                       size: 500 + Int64(offset), annotations: ["org.opencontainers.image.ref.name": "v\(offset)"], platform: platform)
        }
        return Index(manifests: manifests, annotations: [:])
    }

    /// A config the size of a real distribution image's: 80 history entries, 40 layers, labels.
    static func bigConfig() throws -> ImageConfig {
        var image = try ImageConfigJSONTests.full()
        image.rootfs.diff_ids = try (0..<40).map { try Digest(parsing: "sha256:" + String(repeating: String(format2($0)), count: 32)) }
        image.history = (0..<80).map { index in
            ImageConfig.History(created: "2026-11-29T00:00:\(format2(index % 60))Z",
                                createdBy: "/bin/sh -c #(nop) RUN apt-get install -y \"pkg\(index)\" && echo <done> & /usr/bin/true",
                                comment: index % 3 == 0 ? "buildkit.dockerfile.v0" : nil, emptyLayer: index % 2 == 0 ? true : nil)
        }
        image.config?.Env = (0..<30).map { "VAR_\($0)=/usr/local/bin:/usr/bin:\\$HOME \"quoted\"" }
        image.config?.Labels = Dictionary(uniqueKeysWithValues: (0..<30).map { ("org.label-schema.\($0)", "value \($0) ünïcödé") })
        image.config?.ExposedPorts = ["80/tcp": EmptyObject(), "443/tcp": EmptyObject(), "8080/tcp": EmptyObject(), "53/udp": EmptyObject()]
        return image
    }

    static func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    @Test func ociDocumentsEncodeAsFoundationDoes() throws {
        try Self.expectSame(try Self.manifest())
        try Self.expectSame(try Self.index())
        try Self.expectSame(try ImageConfigJSONTests.full())
        try Self.expectSame(try Self.bigConfig())
        try Self.expectSame(ImageConfig(created: nil, architecture: "amd64", os: "linux", variant: nil, config: nil, diffIDs: [], history: nil))
        try Self.expectSame([DockerArchiveEntry(config: "blobs/sha256/ab", repoTags: ["busybox:latest", "reg:5000/a/b:1"], layers: ["x/layer.tar"])].map(Entry.init))
        try Self.expectSame(["busybox": ["latest": "ab" + String(repeating: "0", count: 62)]])
        try Self.expectSame(Index(manifests: []))
    }

    /// The docker-archive entry as an Equatable wrapper for `expectSame`.
    struct Entry: Codable, Equatable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
        init(_ entry: DockerArchiveEntry) { Config = entry.Config; RepoTags = entry.RepoTags; Layers = entry.Layers }
    }

    /// A fixture written by the Foundation-based code before the switch: these bytes (and so the
    /// manifest's digest) must never change.
    @Test func manifestBytesAreTheRecordedOnes() throws {
        let expected = #"{"annotations":{"A":"3","a/b":"2","z":"1"},"config":{"digest":"sha256:abababababababababababababababababababababababababababababababab","mediaType":"application/vnd.docker.container.image.v1+json","size":1469},"layers":[{"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":0},{"annotations":{"org.example/url":"http://x/<a>&b","é":"😀\#u{2028}\t"},"digest":"sha256:0101010101010101010101010101010101010101010101010101010101010101","mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":3000000123},{"digest":"sha256:0202020202020202020202020202020202020202020202020202020202020202","mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":6000000246}],"mediaType":"application/vnd.docker.distribution.manifest.v2+json","schemaVersion":2}"#
        #expect(String(decoding: try Self.foundation(try Self.manifest()), as: UTF8.self) == expected)
        #expect(String(decoding: try JSON.encode(try Self.manifest()), as: UTF8.self) == expected)
    }

    /// Every primitive, the edge values of each width, floating-point text, escapes, key order,
    /// nil left out, explicit nulls, empty containers, and values that encode nothing.
    struct Sample: Codable, Equatable {
        var int8 = [Int8.min, 0, Int8.max]
        var int16 = [Int16.min, Int16.max]
        var int32 = [Int32.min, Int32.max]
        var int64 = [Int64.min, -1, Int64.max]
        var int = [Int.min, Int.max]
        var uint8 = [UInt8.max]
        var uint16 = [UInt16.max]
        var uint32 = [UInt32.max]
        var uint64 = [UInt64.max, 0]
        var uint = [UInt.max]
        var doubles = [1.0, 0.5, -0.0, 1e15, 1e16, 1e20, 1e21, 1e-7, 0.0001, 2.5e-5, 123456789.123, 3.14159, 0.1 + 0.2, Double.leastNonzeroMagnitude,
                       Double.greatestFiniteMagnitude, -1.5, 100]
        var floats: [Float] = [1, 0.1, 3.4e38, 1e-7, -2.5]
        var text = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }.joined() + "\u{7f}\u{2028}\u{2029}<>&/\"\\é😀\u{feff}"
        var keys: [String: Int] = ["80/tcp": 1, "443/tcp": 2, "a": 3, "B": 4, "a10": 5, "a9": 6, "é": 7, "Z": 9, "_x": 10, "ab": 11, "a-b": 12, "": 13, "😀": 14, "\u{7f}": 15]
        var missing: String? = nil
        var present: String? = "here"
        var bools = [true, false]
        var empty: [Int] = []
        var emptyObject: [String: [Int]] = [:]
        var nested: [[[String: [Int]]]] = [[["a": [], "b": [1, 2]]], [], [[:]]]
        var optionals: [Int?] = [1, nil, 3]
        var nothing = EmptyObject()
        var custom = Custom()
    }

    /// Hand-written coding through every kind of container: nested keyed and unkeyed, super
    /// encoders, explicit null, a double optional, a single-value wrapper.
    struct Custom: Codable, Equatable {
        var name = "c"
        var inner: Int? = nil
        var wrapped = Wrapper(value: 42)

        enum Keys: String, CodingKey { case name, list, nested, null, wrapped }
        struct Wrapper: Codable, Equatable {
            var value: Int
            init(value: Int) { self.value = value }
            init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int.self) }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(value)
            }
        }

        init() {}

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            name = try container.decode(String.self, forKey: .name)
            var list = try container.nestedUnkeyedContainer(forKey: .list)
            _ = try list.decode(Int.self)
            #expect(try list.decodeNil())
            let inner = try list.nestedContainer(keyedBy: Keys.self)
            _ = try inner.decode(String.self, forKey: .name)
            _ = try list.nestedUnkeyedContainer()
            #expect(list.isAtEnd)
            _ = try inner.nestedUnkeyedContainer(forKey: .list).count
            let nested = try container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            self.inner = try nested.decodeIfPresent(Int.self, forKey: .null)
            #expect(try container.decodeNil(forKey: .null))
            wrapped = try container.decode(Wrapper.self, forKey: .wrapped)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(name, forKey: .name)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode(1)
            try list.encodeNil()
            var inner = list.nestedContainer(keyedBy: Keys.self)
            try inner.encode("x/y", forKey: .name)
            _ = inner.nestedUnkeyedContainer(forKey: .list)
            var deeper = list.nestedUnkeyedContainer()
            try deeper.encode(2.5)
            var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            try nested.encodeIfPresent(self.inner, forKey: .null)
            try nested.encode(Optional<Optional<Int>>.some(nil), forKey: .list)
            try container.encodeNil(forKey: .null)
            try container.encode(wrapped, forKey: .wrapped)
        }
    }

    @Test func primitivesAndContainersEncodeAsFoundationDoes() throws {
        try Self.expectSame(Sample())
        try Self.expectSame([Sample(), Sample()])
        try Self.expectSame("top-level /string")
        try Self.expectSame(42)
        try Self.expectSame([EmptyObject()])
        try Self.expectSame([[String]]())
    }

    /// A JSON value of any shape, for the random differential test.
    indirect enum Tree: Codable, Equatable {
        case object([String: Tree])
        case array([Tree])
        case string(String)
        case integer(Int64)
        case double(Double)
        case bool(Bool)
        case null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let value = try? container.decode(Bool.self) { self = .bool(value) }
            else if let value = try? container.decode(Int64.self) { self = .integer(value) }
            else if let value = try? container.decode(Double.self) { self = .double(value) }
            else if let value = try? container.decode(String.self) { self = .string(value) }
            else if let value = try? container.decode([Tree].self) { self = .array(value) }
            else { self = .object(try container.decode([String: Tree].self)) }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .object(value): try container.encode(value)
            case let .array(value): try container.encode(value)
            case let .string(value): try container.encode(value)
            case let .integer(value): try container.encode(value)
            case let .double(value): try container.encode(value)
            case let .bool(value): try container.encode(value)
            case .null: try container.encodeNil()
            }
        }

        static func random(_ rng: inout some RandomNumberGenerator, depth: Int) -> Tree {
            let alphabet: [Character] = ["a", "B", "0", "9", "/", "<", ">", "&", "\"", "\\", "\n", "\u{1}", "\u{1f}", "é", "ß", "😀", "\u{2028}", " ", "-", "_", "~", "\u{7f}"]
            func text() -> String { String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }) }
            switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
            case 0: return .string(text())
            case 1: return .integer(Int64.random(in: Int64.min...Int64.max, using: &rng) >> Int64.random(in: 0...63, using: &rng))
            case 2:
                let value = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
                return value.isFinite && value.rounded() != value ? .double(value) : .double(Double(Int.random(in: -999...999, using: &rng)) / 8)
            case 3: return .bool(Bool.random(using: &rng))
            case 4: return .null
            case 5: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in random(&rng, depth: depth + 1) })
            default:
                var fields: [String: Tree] = [:]
                for _ in 0..<Int.random(in: 0...5, using: &rng) { fields[text()] = random(&rng, depth: depth + 1) }
                return .object(fields)
            }
        }
    }

    /// A seeded generator, so a failure reproduces.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func randomDocumentsEncodeAndDecodeAsFoundationDoes() throws {
        var rng = SplitMix(state: 15)
        for _ in 0..<1500 {
            let tree = Tree.random(&rng, depth: 0)
            try Self.expectSame(tree)
        }
    }

    /// JSON from outside: unknown keys ignored, escapes (surrogate pairs included), big integers,
    /// numbers written as `1e3` or `2.0` for integer fields.
    @Test func readsOutsideDocuments() throws {
        let text = #"""
        {"schemaVersion": 2.0, "mediaType": "application/vnd.oci.image.index.v1+json", "unknown": {"deep": [1, {"x": null}]},
         "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:\#(String(repeating: "ab", count: 32))",
           "size": 9223372036854775807, "platform": {"architecture": "arm64", "os": "linux", "os.features": ["x"]},
           "annotations": {"k\ud83d\ude00\u00e9\/": "\"\\\b\f\n\r\t\u0001"}}]}
        """#
        let index = try JSON.decode(Index.self, from: Array(text.utf8), what: "index")
        #expect(index.schemaVersion == 2 && index.manifests.count == 1 && index.manifests[0].size == Int64.max)
        #expect(index.manifests[0].annotations == ["k😀é/": "\"\\\u{8}\u{c}\n\r\t\u{1}"])
        #expect(index.manifests[0].platform == Platform(architecture: "arm64"))
        #expect(try JSONCoder.decode([UInt64].self, from: Array("[18446744073709551615, 1e3, 0]".utf8), what: "n") == [UInt64.max, 1000, 0])
        #expect(try JSONCoder.decode([Int64].self, from: Array("[-9223372036854775808, -0]".utf8), what: "n") == [Int64.min, 0])
        #expect(try JSONCoder.decode([Double].self, from: Array("[1, 18446744073709551615, 2.5e-3]".utf8), what: "n") == [1, 1.8446744073709552e19, 0.0025])
        #expect(try JSONCoder.decode([String: String?].self, from: Array(#"{"a": null, "b": "x"}"#.utf8), what: "n") == ["a": nil, "b": "x"])
    }

    /// Each failure names the document and where in it.
    @Test func errorsNameTheKeyPath() throws {
        let layer = #"{"mediaType":"m","digest":"sha256:\#(String(repeating: "ab", count: 32))","size":1}"#
        func message(_ text: String) -> String {
            do {
                _ = try JSON.decode(Manifest.self, from: Array(text.utf8), what: "manifest")
                return "decoded"
            } catch {
                return error.description
            }
        }
        #expect(message(#"{"schemaVersion":2,"config":\#(layer),"layers":[\#(layer),{"mediaType":"m","size":1}]}"#)
                == #"malformed manifest: missing field "layers.1.digest""#)
        #expect(message(#"{"schemaVersion":"2","config":\#(layer),"layers":[]}"#)
                == #"malformed manifest: wrong type at "schemaVersion": expected a whole number, found a string"#)
        #expect(message(#"{"schemaVersion":2,"config":null,"layers":[]}"#)
                == #"malformed manifest: wrong type at "config": expected an object, found null"#)
        #expect(message(#"{"schemaVersion":2.5,"config":\#(layer),"layers":[]}"#).contains(#"bad value at "schemaVersion": 2.5 is not a whole number"#))
        #expect(message(#"{"schemaVersion":2,"config":\#(layer),"layers":{}}"#) == #"malformed manifest: wrong type at "layers": expected an array, found an object"#)
        #expect(message(#"{"schemaVersion":2,"config":{"mediaType":"m","digest":"md5:00","size":1},"layers":[]}"#).contains("md5"))
        #expect(message(#"{"schemaVersion":2,"#).hasPrefix("malformed manifest: not valid JSON"))
        #expect(message(#"{"a":"\ud83d"}"#).contains("surrogate"))
        #expect(message(#"{} x"#).contains("unexpected text after the document"))
        #expect(throws: LighterError.self) { try JSONCoder.decode([UInt8].self, from: Array("[256]".utf8), what: "n") }
        #expect(throws: LighterError.self) { try JSONCoder.decode([Double].self, from: Array("[1e400]".utf8), what: "n") }
        #expect(throws: LighterError.self) { try JSONCoder.encode([Double.nan]) }
        #expect(throws: LighterError.self) { try JSONCoder.decode([Int].self, from: Array("[1, null]".utf8), what: "n") }
    }
}
