import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem

/// `run`/`create --pull missing|always|never`: the image is local before the container is made.
enum ImagePresence {
    static let policies = ["always", "missing", "never"]

    /// Docker's rules: `missing` pulls an image that is not local (saying so on stderr first),
    /// `always` pulls every time, `never` only looks locally ("no such image").
    static func ensure(_ image: String, policy: String, platform: Platform?, quiet: Bool, images: ImageStore) throws(LighterError) {
        guard policies.contains(policy) else {
            throw .invalidArgument("invalid pull option: '\(policy)': must be one of \"always\", \"missing\" or \"never\"")
        }
        if policy != "always" {
            do throws(LighterError) {
                _ = try images.resolve(image)
                return
            } catch {
                guard case .notFound = error, policy == "missing" else { throw error }
                // An image ID that is not here cannot be pulled: say it is missing.
                guard let reference = try? Reference(parsing: image) else { throw error }
                Console.error("Unable to find image '\(reference.familiar)' locally")
            }
        }
        let reference = try Reference(parsing: image)
        let puller = ImagePuller(store: images, options: RegistryOptions())
        let display = PullProgress(quiet: quiet)
        if !quiet {
            Console.error(reference.digest == nil ? "\(reference.tag ?? "latest"): Pulling from \(reference.familiarName)" : "Pulling \(reference.familiar)")
        }
        let pulled = try runBlocking { () async throws(LighterError) -> PulledImage in
            try await puller.pull(reference, platform: platform) { display.handle($0) }
        }
        display.finish()
        if !quiet {
            Console.error("Digest: \(pulled.resolvedDigest)")
            Console.error(pulled.downloadedLayers > 0 ? "Status: Downloaded newer image for \(reference.familiar)" : "Status: Image is up to date for \(reference.familiar)")
        }
    }
}
