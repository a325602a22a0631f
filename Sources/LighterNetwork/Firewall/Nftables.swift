#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// Loads a ruleset with the `nft` command from Debian's nftables package.
///
/// Why the command and not libnftables: the release binary is linked statically, and Debian ships
/// libnftables only as a shared library. The command runs only when networks change or a container
/// with published ports starts or stops, never for a plain `run` on the bridge.
public enum Nftables {
    static let candidates = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", "/bin/nft", "/usr/local/sbin/nft"]

    public static var executable: String? { candidates.first { (path: String) -> Bool in access(path, X_OK) == 0 } }

    /// Load `script` (written to `file` first, kept for inspection); errors carry nft's message.
    public static func load(_ script: String, file: String) throws(LighterError) {
        guard let nft = executable else {
            let legacy = ["/usr/sbin/iptables-legacy", "/sbin/iptables-legacy"].contains { (path: String) -> Bool in access(path, X_OK) == 0 }
            throw .unsupported(feature: "NAT and port publishing (nftables)",
                               fix: legacy ? "only iptables-legacy is installed; Lighter needs nftables: apt-get install nftables (kernel: CONFIG_NF_TABLES, NFT_NAT, NFT_MASQ, NFT_FIB_IPV4, NFT_CT)"
                                           : "install the nft command: apt-get install nftables (kernel: CONFIG_NF_TABLES, NFT_NAT, NFT_MASQ, NFT_FIB_IPV4, NFT_CT)")
        }
        try FileSystem.writeDurably(Array(script.utf8), to: file, mode: 0o600)
        var fds: [Int32] = [-1, -1]
        try syscall("pipe2") { lighter_pipe(&fds) }
        let errorRead = FileDescriptor(adopting: fds[0])
        let errorWrite = FileDescriptor(adopting: fds[1])
        let devNull = try FileDescriptor(path: "/dev/null", flags: O_RDWR)
        let argv = [nft, "-f", file]
        let env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
        let stdio: [Int32] = [devNull.rawValue, devNull.rawValue, errorWrite.rawValue]
        var args: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for p in args + envp { free(p) } }
        let pid = try syscall("clone", nft) { lighter_clone_exec(0, nft, &args, &envp, stdio, -1) }
        try errorWrite.close()
        let message = String(decoding: (try? errorRead.readAll()) ?? [], as: UTF8.self)
        var status: Int32 = 0
        try syscall("waitpid", nft) { waitpid(pid, &status, 0) }
        guard status == 0 else {
            throw .unsupported(feature: "loading Lighter's nftables rules", fix: "nft said: \(message.trimmed) (rules in \(file))")
        }
    }
}
