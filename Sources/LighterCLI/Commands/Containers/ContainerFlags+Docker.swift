import LighterEngine
import LighterRuntime
import LighterSystem

/// The flags of Docker's CLI beyond the process, resources and network basics: labels, `--mount`,
/// `--expose`, DNS search and options, `--pull`, and those Lighter refuses with the reason.
extension ContainerFlags {
    func applyMetadata(to spec: inout ContainerSpec) throws(LighterError) {
        for file in labelFile { for entry in try Self.labelLines(file) { spec.labels[Self.labelKey(entry)] = Self.labelValue(entry) } }
        for entry in label {
            guard !entry.isEmpty, !entry.hasPrefix("=") else { throw .invalidArgument("--label \"\(entry)\": expected KEY=VALUE or KEY") }
            spec.labels[Self.labelKey(entry)] = Self.labelValue(entry)
        }
        for mount in mount { try Self.apply(mount: mount, to: &spec) }
        for port in expose { spec.exposedPorts += try Self.exposedPorts(port) }
        spec.dnsSearch = dnsSearch
        spec.links = try link.map(Self.link)
        spec.dnsOptions = dnsOption
        if let stopSignal {
            do { _ = try Signals.parse(stopSignal) } catch { throw .invalidArgument("--stop-signal \(stopSignal): invalid signal (use a name such as SIGTERM or a number)") }
        }
        guard ImagePresence.policies.contains(pull) else {
            throw .invalidArgument("--pull \(pull): invalid pull option: '\(pull)': must be one of \"always\", \"missing\" or \"never\"")
        }
        try refuseWhatCannotApply()
    }

    /// Docker's flags whose setting Lighter cannot honour: an error that says why, never ignored.
    private func refuseWhatCannotApply() throws(LighterError) {
        if let gpus { throw .unsupported(feature: "--gpus \(gpus)", fix: "Lighter has no GPU support; pass the device nodes with --device") }
        if let isolation, isolation != "default" { throw .unsupported(feature: "--isolation \(isolation)", fix: "the only isolation on Linux is default (namespaces)") }
        if let volumeDriver, volumeDriver != "local" { throw .unsupported(feature: "--volume-driver \(volumeDriver)", fix: "Lighter's only volume driver is local") }
        if let first = storageOpt.first { throw .unsupported(feature: "--storage-opt \(first)", fix: "the overlay storage of Lighter takes no per-container options (no size quota)") }
        if let runtime, runtime != "lighter", runtime != "runc" {
            throw .unsupported(feature: "--runtime \(runtime)", fix: "Lighter runs containers with its built-in runtime only (--runtime lighter)")
        }
        if let ip6 { throw .unsupported(feature: "--ip6 \(ip6)", fix: "Lighter's networks are IPv4 only") }
        if let first = linkLocalIp.first { throw .unsupported(feature: "--link-local-ip \(first)", fix: "Lighter's networks have no link-local addresses") }
        if let logDriver, logDriver != "json-file", logDriver != "none" {
            throw .unsupported(feature: "--log-driver \(logDriver)", fix: "the supported log drivers are json-file (with --log-opt max-size and max-file) and none")
        }
        if logDriver == "none", let first = logOpt.first { throw .invalidArgument("--log-opt \(first): the none log driver takes no options") }
    }

    /// `--attach`, `--detach-keys`, `--sig-proxy`, checked: the output streams an attached run copies to
    /// this process (`-a stdout`, `-a stderr`: one of them; both by default). `-a stdin` is `-i`'s stdin
    /// (Docker opens stdin for it). `--sig-proxy=false` (without -t, where Docker ignores it) runs the
    /// container under its detached monitor while this process follows its log: a signal ends this
    /// process only. Stdin through that path, and `--detach-keys`, need an input channel to the monitor.
    func attachedStreams(detach: Bool) throws(LighterError) -> Set<String> {
        for stream in attach where !["stdin", "stdout", "stderr"].contains(stream.lowercased()) {
            throw .invalidArgument("--attach \(stream): valid streams are STDIN, STDOUT and STDERR")
        }
        if detach && !attach.isEmpty { throw .invalidArgument("conflicting options: cannot specify both --attach and --detach") }
        let streams = Set(attach.map { $0.lowercased() })
        if interactive && !streams.isEmpty && !streams.contains("stdin") {
            throw .unsupported(feature: "-i with --attach \(attach.joined(separator: " --attach ")) (stdin open but not attached)",
                               fix: "add --attach stdin, or leave -i out")
        }
        if let detachKeys {
            _ = try DetachKeys(detachKeys)
            guard tty && interactive else {
                throw .unsupported(feature: "--detach-keys \(detachKeys) without -i -t", fix: "an attached run detaches only from a terminal (-it); start it with -d -i and use `lighter attach`")
            }
        }
        if !sigProxy && !tty && (interactive || streams.contains("stdin")) {
            throw .unsupported(feature: "--sig-proxy=false with -i", fix: "attaching stdin needs the attached CLI as the container's monitor, which forwards signals; leave --sig-proxy out, or -i")
        }
        let output = streams.subtracting(["stdin"])
        return output.isEmpty ? ["stdout", "stderr"] : output
    }

    /// `--link CONTAINER[:ALIAS]` as "CONTAINER:ALIAS" (the engine checks the container, Docker's way).
    static func link(_ text: String) throws(LighterError) -> String {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let name = parts[0].hasPrefix("/") ? String(parts[0].dropFirst()) : parts[0]
        guard parts.count <= 2, !name.isEmpty, parts.count == 1 || !parts[1].isEmpty else {
            throw .invalidArgument("--link \(text): bad format for links: \(text) (CONTAINER[:ALIAS])")
        }
        return "\(name):\(parts.count == 2 ? parts[1] : name)"
    }

    static func labelKey(_ entry: String) -> String {
        entry.firstIndex(of: "=").map { String(entry[..<$0]) } ?? entry
    }

    static func labelValue(_ entry: String) -> String {
        entry.firstIndex(of: "=").map { String(entry[entry.index(after: $0)...]) } ?? ""
    }

    /// `--label-file FILE`: a label a line; blank lines and `#` comments skipped.
    static func labelLines(_ file: String) throws(LighterError) -> [String] {
        guard let text = try? FileSystem.readString(file) else { throw .invalidArgument("--label-file \(file): cannot read the file") }
        return text.split(separator: "\n").map { String($0.trimmed) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// `--expose 80`, `--expose 53/udp`, `--expose 8000-8002/tcp` as image-style keys ("80/tcp").
    static func exposedPorts(_ text: String) throws(LighterError) -> [String] {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let proto = parts.count > 1 ? parts[1].lowercased() : "tcp"
        let bounds = parts[0].split(separator: "-", omittingEmptySubsequences: false).compactMap { UInt16($0) }
        guard parts.count <= 2, ["tcp", "udp", "sctp"].contains(proto), !bounds.isEmpty, bounds.count == parts[0].split(separator: "-", omittingEmptySubsequences: false).count,
              bounds.count <= 2, bounds.allSatisfy({ $0 > 0 }), bounds.first! <= bounds.last! else {
            throw .invalidArgument("--expose \(text): invalid range format for --expose (PORT[-PORT][/PROTO])")
        }
        return (bounds.first!...bounds.last!).map { "\($0)/\(proto)" }
    }

    /// `--mount type=bind|volume|tmpfs,source=…,target=…[,readonly][,tmpfs-size=…][,tmpfs-mode=…]`,
    /// Docker's syntax, onto the same binds, volumes and tmpfs mounts as `-v` and `--tmpfs`.
    static func apply(mount text: String, to spec: inout ContainerSpec) throws(LighterError) {
        var fields: [String: String] = [:]
        var readOnly = false
        var tmpfsOptions: [String] = []
        for field in text.split(separator: ",") {
            let key = labelKey(String(field)).lowercased(), value = labelValue(String(field))
            switch key {
            case "type", "source", "src", "target", "destination", "dst":
                fields[["src": "source", "destination": "target", "dst": "target"][key] ?? key] = value
            case "readonly", "ro":
                guard let truth = field.contains("=") ? ContainerCommandLine.parseBool(value) : true else {
                    throw .invalidArgument("--mount \(text): invalid value for \(key): \(value)")
                }
                readOnly = truth
            case "tmpfs-size": tmpfsOptions.append("size=\(value)")
            case "tmpfs-mode": tmpfsOptions.append("mode=\(value)")
            case "consistency": continue
            case "volume-driver" where value == "local": continue
            case "bind-propagation" where value == "rprivate": continue
            default: throw .invalidArgument("--mount \(text): unexpected key '\(key)' (type, source, target, readonly, tmpfs-size, tmpfs-mode)")
            }
        }
        guard let target = fields["target"], target.hasPrefix("/") else {
            throw .invalidArgument("--mount \(text): target is required and must be an absolute path")
        }
        let source = fields["source"] ?? ""
        switch fields["type"] ?? "volume" {
        case "bind":
            guard source.hasPrefix("/") else { throw .invalidArgument("--mount \(text): a bind mount needs source=/absolute/host/path") }
            guard FileSystem.exists(source) else { throw .invalidArgument("--mount \(text): invalid mount config for type \"bind\": bind source path does not exist: \(source)") }
            spec.binds.append(try BindMount(parsing: "\(source):\(target)\(readOnly ? ":ro" : "")"))
        case "volume":
            if source.isEmpty {
                var bind = BindMount(anonymousAt: target)
                bind.readOnly = readOnly
                spec.binds.append(bind)
            } else {
                spec.binds.append(try BindMount(parsing: "\(source):\(target)\(readOnly ? ":ro" : "")"))
            }
        case "tmpfs":
            guard source.isEmpty else { throw .invalidArgument("--mount \(text): a tmpfs mount takes no source") }
            spec.tmpfs[target] = ((readOnly ? ["ro"] : []) + tmpfsOptions).joined(separator: ",")
        case let other:
            throw .invalidArgument("--mount \(text): unsupported mount type \"\(other)\" (bind, volume, tmpfs)")
        }
    }
}
