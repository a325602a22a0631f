#if canImport(Glibc)
import Glibc
#endif
import LighterEmulation
import LighterOCI
import LighterStore
import LighterSystem

extension Engine {
    /// `create`: resolve the image, work out the process, reserve the name, lay out the container's
    /// directory. Nothing runs yet.
    public func create(_ spec: ContainerSpec, name: String?) throws(LighterError) -> ContainerRecord {
        var spec = spec
        let (imageID, _) = try images.resolve(spec.image)
        spec.imageID = imageID
        let config = try images.config(of: imageID)
        try checkPlatform(config.platform, image: spec.image, wanted: spec.platform)
        let imageConfig = config.config ?? LighterOCI.ContainerConfig()

        // Docker's rules: --entrypoint replaces the image's Entrypoint and drops its Cmd;
        // arguments after the image replace Cmd.
        let entrypoint: [String]
        var command: [String]
        if let given = spec.entrypoint {
            entrypoint = given.filter { !$0.isEmpty }
            command = spec.command
        } else {
            entrypoint = imageConfig.Entrypoint ?? []
            command = spec.command.isEmpty ? (imageConfig.Cmd ?? []) : spec.command
        }
        let full = entrypoint + command
        guard let path = full.first else {
            throw .invalidArgument("no command specified: the image has no Entrypoint or Cmd, so give one after the image name")
        }
        if spec.stopSignal == nil { spec.stopSignal = imageConfig.StopSignal }
        if let name, !ContainerNames.isValid(name) {
            throw .invalidArgument("invalid container name \"\(name)\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }

        var idBytes = [UInt8](repeating: 0, count: 32)
        for i in idBytes.indices { idBytes[i] = UInt8.random(in: 0...255) }
        let id = idBytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let now = Time.now()
        var record = ContainerRecord(id: id, name: name ?? "", created: Time.rfc3339(seconds: now.seconds, nanoseconds: now.nanoseconds),
                                     spec: spec, path: path, args: Array(full.dropFirst()), state: ContainerRuntimeState())
        let directory = directory(id)
        try FileSystem.makeDirectories(images.paths.containers, mode: 0o700)
        try syscall("mkdir", directory) { mkdir(directory, 0o700) }
        do {
            for sub in ["upper", "work", "rootfs"] {
                try syscall("mkdir", sub) { mkdir("\(directory)/\(sub)", 0o755) }
            }
            let hostname = spec.hostname ?? String(id.prefix(12))
            try FileSystem.writeAtomically(Array("\(hostname)\n".utf8), to: "\(directory)/hostname")
            try FileSystem.writeAtomically(Array(Engine.hostsFile(hostname: hostname, network: spec.network).utf8), to: "\(directory)/hosts")
            try FileSystem.writeAtomically(Array(Engine.resolvConf().utf8), to: "\(directory)/resolv.conf")
            record.name = try reserveName(name, id: id, imageID: imageID, created: now.seconds)
            try save(record)
        } catch {
            try? FileSystem.removeTree(directory)
            _ = try? images.db.execute("DELETE FROM containers WHERE id = ?", [.text(id)])
            throw error
        }
        return record
    }

    /// Insert the container's row; a taken name is a clear conflict, a generated one is retried.
    private func reserveName(_ wanted: String?, id: String, imageID: Digest, created: Int64) throws(LighterError) -> String {
        for _ in 0..<20 {
            let name = wanted ?? ContainerNames.random()
            let taken = try images.db.transaction { () throws(LighterError) -> String? in
                if let row = try images.db.query("SELECT id FROM containers WHERE name = ?", [.text(name)]).first {
                    return row.string("id")
                }
                try images.db.execute("INSERT INTO containers (id, name, image_id, created_at) VALUES (?, ?, ?, ?)",
                                      [.text(id), .text(name), .text(imageID.hex), .integer(created)])
                return nil
            }
            guard let owner = taken else { return name }
            if wanted != nil {
                throw .conflict("the container name \"/\(name)\" is already in use by container \"\(owner)\". You have to remove (or rename) that container to be able to reuse that name.")
            }
        }
        throw .conflict("could not find a free container name")
    }

    /// A foreign-architecture image runs only through a registered emulator; `--platform` must match the image.
    func checkPlatform(_ platform: Platform, image: String, wanted: Platform?) throws(LighterError) {
        if let wanted, wanted != platform, !(wanted.architecture == platform.architecture && wanted.canRun(platform)) {
            throw .conflict("image \(image) is \(platform), which does not match the requested platform \(wanted)")
        }
        guard platform.os == "linux" else {
            throw .unsupported(feature: "running \(platform) images", fix: "Lighter runs linux images only")
        }
        let host = Platform.host
        if host.canRun(platform) || Binfmt().canRun(platform.architecture) { return }
        throw .unsupported(feature: "running \(image) (\(platform)) on this \(host) machine",
                           fix: "register the QEMU emulator with `lighter binfmt install \(platform.architecture)` (needs Debian's qemu-user-static)")
    }

    static func hostsFile(hostname: String, network: String) -> String {
        if network == "host", let hosts = try? FileSystem.readString("/etc/hosts") { return hosts }
        return """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        ff00::0\tip6-mcastprefix
        ff02::1\tip6-allnodes
        ff02::2\tip6-allrouters
        127.0.1.1\t\(hostname)

        """
    }

    /// The host's resolv.conf without loopback resolvers (unreachable from the container), as Docker does.
    static func resolvConf() -> String {
        let host = (try? FileSystem.readString("/etc/resolv.conf")) ?? ""
        var lines: [String] = []
        var servers = 0
        for line in host.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = line.trimmed
            if text.hasPrefix("nameserver") {
                let address = text.dropFirst("nameserver".count).trimmed
                if address.hasPrefix("127.") || address == "::1" { continue }
                servers += 1
            }
            lines.append(String(line))
        }
        var result = lines.joined(separator: "\n")
        if servers == 0 { result += "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n" }
        return result
    }
}
