#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterEngine
import LighterSystem

/// `RUN --mount=type=secret,id=ID[,target=PATH][,required=true][,mode=0400][,uid=0][,gid=0]`: the
/// secret given with `--secret id=ID,…` as a read-only file (default /run/secrets/ID) for that RUN
/// only. The file lives in a private directory on /run (a tmpfs), removed when the RUN ends; the
/// empty mount point the runtime makes in the container's upper directory is removed before the
/// commit, so the secret never lands in a layer; its content is no part of the cache key or history.
extension Builder {
    static let secretsDirectory = "/run/lighter/build-secrets"

    func secretMount(_ fields: [String: String], text: String, instruction: Instruction, create: Bool,
                     into result: inout RunMounts) throws(LighterError) {
        let known: Set<String> = ["type", "id", "target", "dst", "destination", "required", "mode", "uid", "gid"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw .unsupported(feature: "RUN --mount=type=secret,\(unknown)=…",
                               fix: "Lighter mounts a secret as a file (id, target, required, mode, uid, gid); line \(instruction.line)")
        }
        guard let id = fields["id"] ?? (fields["target"] ?? fields["dst"] ?? fields["destination"]).map(FileSystem.basename(of:)), !id.isEmpty else {
            throw position(instruction).error("--mount=\(text): give the secret's id=")
        }
        let target = fields["target"] ?? fields["dst"] ?? fields["destination"] ?? "/run/secrets/\(id)"
        guard target.hasPrefix("/"), target != "/" else {
            throw position(instruction).error("--mount=\(text): give an absolute target= other than /")
        }
        guard let mode = mode_t(fields["mode"] ?? "0400", radix: 8), mode <= 0o7777,
              let uid = UInt32(fields["uid"] ?? "0"), let gid = UInt32(fields["gid"] ?? "0") else {
            throw position(instruction).error("--mount=\(text): mode is octal (0400), uid and gid are numbers")
        }
        guard let secret = options.secrets.first(where: { $0.id == id }) else {
            guard fields["required"] != "true" else {
                throw .notFound(kind: "build secret", name: "\(id) (line \(instruction.line) requires it: give --secret id=\(id),src=FILE or env=VAR)")
            }
            return  // as BuildKit: a secret not given and not required is not mounted
        }
        guard create else { return }
        let contents = try secret.contents()
        if result.secretDirectory == nil {
            try FileSystem.makeDirectories(Self.secretsDirectory, mode: 0o700)
            let directory = "\(Self.secretsDirectory)/\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try syscall("mkdir", directory) { mkdir(directory, 0o700) }
            result.secretDirectory = directory
        }
        let file = "\(result.secretDirectory!)/\(result.mountPoints.count)"
        let fd = try FileDescriptor(path: file, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o600)
        try fd.write(contents)
        try syscall("fchown", file) { fchown(fd.rawValue, uid, gid) }
        try syscall("fchmod", file) { fchmod(fd.rawValue, mode) }
        try fd.close()
        result.binds.append(try BindMount(parsing: "\(file):\(target):ro"))
        result.mountPoints.append(target)
    }

    /// Remove a RUN's secret files (whether it succeeded or not).
    static func removeSecrets(_ mounts: RunMounts) {
        if let directory = mounts.secretDirectory { try? FileSystem.removeTree(directory) }
        for forwarder in mounts.sshForwarders { forwarder.stop() }
    }

    /// The empty files and directories the runtime made in the upper directory to mount secrets on:
    /// removed before the commit (each path up to the first component that holds anything else).
    static func dropSecretMountPoints(_ mounts: RunMounts, upper: String) {
        for target in mounts.mountPoints {
            var path = upper + target
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size == 0 else { continue }
            unlink(path)
            while true {
                path = FileSystem.dirname(of: path)
                guard path.count > upper.count else { break }
                var opaque: [UInt8] = [0, 0]
                if lgetxattr(path, "trusted.overlay.opaque", &opaque, 2) == 1 || rmdir(path) != 0 { break }
            }
        }
    }
}
