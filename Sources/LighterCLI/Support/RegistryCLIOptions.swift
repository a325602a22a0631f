import LighterArguments
import LighterRegistry
import LighterSystem

/// Flags every registry command shares.
struct RegistryCLIOptions: ParsableArguments {
    @Option(name: .customLong("insecure-registry"), help: ArgumentHelp("Allow this registry (host[:port]) over plain HTTP or unverified TLS (loopback addresses always are).", valueName: "host"))
    var insecureRegistries: [String] = []
    @Option(name: .customLong("certs-dir"), help: ArgumentHelp("Per-registry CA and client certificates (default /etc/lighter/certs.d).", valueName: "dir"))
    var certsDirectory: String?
    @Option(name: .customLong("max-concurrent-downloads"), help: "Layers downloaded at once.")
    var maxConcurrentDownloads: Int = 3
    @Option(name: .customLong("upload-chunk-size"), help: ArgumentHelp("Push layers larger than this in chunks that resume after a dropped connection (e.g. 8m); default one upload per layer.", valueName: "size"))
    var uploadChunkSize: String?

    func registryOptions() throws(LighterError) -> RegistryOptions {
        guard (1...32).contains(maxConcurrentDownloads) else {
            throw .invalidArgument("--max-concurrent-downloads \(maxConcurrentDownloads): must be between 1 and 32")
        }
        var options = RegistryOptions(insecureRegistries: Set(insecureRegistries), maxConcurrentDownloads: maxConcurrentDownloads)
        if let certsDirectory { options.certsDirectory = certsDirectory }
        if let uploadChunkSize { options.uploadChunkSize = try ByteSize.parse(uploadChunkSize, flag: "--upload-chunk-size") }
        return options
    }
}
