#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterArchive
import LighterBuild
import LighterHTTP
import LighterNetwork
import LighterOCI
import LighterRegistry
import LighterRuntime
import LighterSystem
import LighterTemplate

/// One parser of outside input, fed arbitrary bytes. A target may throw `LighterError` (that is the
/// parser refusing the input, as it should); it must never crash, hang or leak.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Void

    static let all: [FuzzTarget] = [json, reference, change, registry, dns, netlink, tar, gzipMembers, template, runtimeSpec, apiRequest, dockerfile]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// JSONNode: parse, and what parsed serializes to something that parses again.
    static let json = FuzzTarget(name: "json") { bytes in
        guard let node = try? JSONNode.parse(bytes, what: "fuzz") else { return }
        let again = node.serialized(pretty: false)
        guard (try? JSONNode.parse(again, what: "fuzz again")) != nil else {
            fatalError("JSONNode serialized a document it cannot parse back: \(String(decoding: again, as: UTF8.self))")
        }
    }

    /// Image references and platforms (the first line is a reference, the rest a platform).
    static let reference = FuzzTarget(name: "reference") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        if let reference = try? Reference(parsing: String(lines[0])) {
            _ = reference.description
        }
        if let platform = try? Platform(parsing: lines.count > 1 ? String(lines[1]) : text) {
            _ = platform.description
            _ = Platform.normalize(architecture: platform.architecture, variant: platform.variant)
        }
    }

    /// `--change` instructions, one a line, applied in turn to one config.
    static let change = FuzzTarget(name: "change") { bytes in
        var config = ContainerConfig()
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            try? config.apply(change: String(line))
        }
        _ = config.json.serialized(pretty: false)
    }

    /// Registry responses: a WWW-Authenticate header (first line), then a manifest, index and image config.
    static let registry = FuzzTarget(name: "registry") { bytes in
        let newline = bytes.firstIndex(of: 10) ?? bytes.endIndex
        for challenge in AuthChallenge.parse(String(decoding: bytes[..<newline], as: UTF8.self)) {
            _ = challenge.scheme
        }
        let body = Array(bytes[newline...].dropFirst())
        _ = try? JSON.decode(Manifest.self, from: body, what: "manifest")
        _ = try? JSON.decode(Index.self, from: body, what: "index")
        _ = try? ImageConfig(jsonBytes: body, what: "image config")
    }

    /// DNS replies, as the stub resolver reads them from a server.
    static let dns = FuzzTarget(name: "dns") { bytes in
        _ = DNSReplyParser.addresses(in: bytes)
    }

    /// Netlink replies: a datagram walked as the socket does, then each payload as a link and as attributes.
    static let netlink = FuzzTarget(name: "netlink") { bytes in
        var payloads: [ArraySlice<UInt8>] = [bytes[...]]
        for dump in [false, true] {
            if let walked = try? NetlinkReplyParser.replies(in: bytes[...], sequence: 1, dump: dump) {
                payloads += walked.payloads
            }
        }
        for payload in payloads {
            _ = NetlinkReplyParser.link(payload)
            _ = NetlinkReplyParser.attributes(payload)
        }
    }

    /// A layer (tar, maybe compressed) applied into a fresh directory on tmpfs; both removed after each input.
    static let tar = FuzzTarget(name: "tar") { bytes in
        let base = "/dev/shm/lighter-fuzz-\(getpid())"
        let input = base + ".layer"
        let directory = base + ".dir"
        try? FileSystem.removeTree(directory)
        do {
            try FileSystem.writeThrowaway(bytes, to: input)
            try FileSystem.makeDirectories(directory, mode: 0o755)
            let fd = try FileDescriptor(path: input, flags: O_RDONLY)
            let limits = LayerLimits(maxUncompressedBytes: 16 << 20, maxExpansionRatio: 0, ratioAllowance: 0, diskPath: nil)
            let first = try LayerApplier.apply(from: fd, into: directory, expectedDigest: nil, limits: limits)
            // The same bytes again, every member said to be a copy of the first's: it unpacks again, linking
            // at most the files the index lists.
            if let index = first.index {
                try? FileSystem.removeTree(directory + "2")
                try FileSystem.makeDirectories(directory + "2", mode: 0o755)
                let again = try LayerApplier.apply(from: try FileDescriptor(path: input, flags: O_RDONLY), into: directory + "2", expectedDigest: nil,
                                                   limits: limits, links: [LayerLinkSource(directory: directory, index: index,
                                                                                           copies: [.init(offset: 0, baseOffset: 0, size: index.gzipEnd)])])
                guard again.diffID == first.diffID, again.linkedFiles <= index.files.count else {
                    fatalError("the same layer unpacked with links from itself: \(again) after \(first)")
                }
            }
        } catch {}
        do {
            try FileSystem.removeTree(directory)
            try FileSystem.removeTree(directory + "2")
            try FileSystem.removeTree(input)
        } catch {
            fatalError("cannot remove what the layer left in \(directory): \(error)")
        }
    }

    /// Gzip blobs member by member and tar headers, as a delta reads BASE's and TARGET's blobs and the
    /// byte ranges a delta's config names: split (the members must tile the input and their sizes add
    /// up), inflate of each member and of a range from the input's own bytes, the entry names of what
    /// split made and of the input as a tar, and the layer writer re-cutting that tar.
    static let gzipMembers = FuzzTarget(name: "gzip-members") { bytes in
        let limits = LayerLimits(maxUncompressedBytes: 16 << 20, maxExpansionRatio: 0, ratioAllowance: 0, diskPath: nil)
        let path = "/dev/shm/lighter-fuzz-\(getpid()).tar"
        defer { try? FileSystem.removeTree(path) }
        bytes.withUnsafeBytes { blob in
            _ = TarHeaders.entries(of: blob)
            guard let sink = try? FileDescriptor(path: path, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600) else { return }
            if let split = try? GzipMembers.split(blob, to: sink, limits: limits, what: "fuzz") {
                var next = 0
                var total: Int64 = 0
                for member in split.members {
                    guard member.offset == next, member.size > 0, member.uncompressedOffset == total else {
                        fatalError("members do not tile the blob: \(split.members)")
                    }
                    next += member.size
                    total += member.uncompressedSize
                    guard let out = try? FileDescriptor(path: "/dev/null", flags: O_WRONLY),
                          (try? GzipMembers.inflate(blob, range: member.offset..<member.offset + member.size, to: out, limit: limits.maxUncompressedBytes,
                                                    what: "fuzz")) == member.uncompressedSize else {
                        fatalError("a member split found does not inflate alone to its size")
                    }
                }
                guard next == blob.count, total == split.size else { fatalError("members cover \(next) of \(blob.count) bytes") }
                if let tar = try? MappedFile(path: path, what: "fuzz") {
                    _ = TarHeaders.entries(of: tar.bytes)
                    if let writer = try? GzipLayerWriter(level: 1, output: { _ in }) {
                        try? writer.write(tar.bytes)
                        try? writer.finish()
                    }
                }
            }
            // A range the input's first bytes choose, as a hostile delta config would.
            if blob.count >= 4, let out = try? FileDescriptor(path: "/dev/null", flags: O_WRONLY) {
                let start = Int(blob[0]) % blob.count
                let end = min(blob.count, start + Int(blob[1]) * 256 + Int(blob[2]))
                _ = try? GzipMembers.inflate(blob, range: start..<end, to: out, limit: limits.maxUncompressedBytes, what: "fuzz")
            }
        }
    }

    /// Go templates: the input is a template, parsed and executed over a fixed inspect-like document.
    static let template = FuzzTarget(name: "template") { bytes in
        guard let template = try? Template(String(decoding: bytes, as: UTF8.self)) else { return }
        _ = template.executePartially(fixedDocument())
    }

    /// Made for each input: a static one holds enum payloads LeakSanitizer cannot trace (spare pointer bits).
    static func fixedDocument() -> TemplateValue {
        let text = #"""
        {"Id":"4e1c2b","Name":"/web","State":{"Status":"running","Pid":42,"Running":true,"ExitCode":0},
         "Config":{"Env":["A=1","B=two"],"Cmd":["sh","-c","echo hi"],"Labels":{"a":"b","c":""},"Image":"busybox"},
         "Mounts":[{"Source":"/v","Destination":"/data","RW":true}],"Size":1234567,"Ratio":0.5,"Nothing":null,
         "NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}}}
        """#
        return try! TemplateValue(jsonText: Array(text.utf8))
    }

    /// The runtime's config.json.
    static let runtimeSpec = FuzzTarget(name: "runtime-spec") { bytes in
        guard let spec = try? RuntimeSpec(jsonBytes: bytes, what: "config.json") else { return }
        _ = spec.jsonBytes()
    }

    /// The daemon's request parser (LighterAPI): a head, then a chunked body after it; a parsed head's
    /// length lies within the input, and the chunked decoder never yields more than its limit.
    static let apiRequest = FuzzTarget(name: "api-request") { bytes in
        guard let (head, length) = try? HTTPRequestParser.parseHead(bytes[...]) else { return }
        guard length <= bytes.count else { fatalError("head length \(length) beyond the \(bytes.count) input bytes") }
        _ = head.query
        _ = try? head.bodyFraming()
        var decoder = ChunkedDecoder(limit: 4096)
        var body: [UInt8] = []
        if let used = try? decoder.feed(bytes[length...], into: &body) {
            guard used <= bytes.count - length, body.count <= 4096 else { fatalError("chunked decoder overran its input or limit") }
        }
    }

    /// Dockerfiles: parsed, split into stages, and every instruction's arguments run through the
    /// variable substitution (as one word and as words) with a small environment.
    static let dockerfile = FuzzTarget(name: "dockerfile") { bytes in
        guard let file = try? Dockerfile(parsing: String(decoding: bytes, as: UTF8.self)) else { return }
        _ = try? file.stages()
        let lexer = ShellLexer(escape: file.escape)
        let environment = ["A": "alpha", "EMPTY": "", "P": "/usr/local/bin:/usr/bin"]
        for instruction in file.instructions + file.instructions.flatMap(\.onbuild) {
            _ = try? lexer.word(instruction.text, environment: environment)
            _ = try? lexer.words(instruction.text, environment: environment)
            for heredoc in instruction.heredocs { _ = try? lexer.word(heredoc.body, environment: environment) }
        }
    }
}
