/// Choosing an entry of a multi-platform index for a wanted platform.
public enum PlatformMatcher {
    /// The best entry for `wanted`: an exact match first, then (for arm) the highest compatible
    /// lower variant — an arm/v7 machine also runs v6 and v5 images, never the reverse.
    /// Entries are compared normalized, as Docker does (`arm64/v8` is `arm64`, `arm` is `arm/v7`).
    public static func best(for wanted: Platform, among descriptors: [Descriptor]) -> Descriptor? {
        let candidates = descriptors.compactMap { descriptor -> (Descriptor, Platform)? in
            guard let raw = descriptor.platform else { return nil }
            let platform = Platform(os: raw.os, architecture: raw.architecture, variant: raw.variant)
            return wanted.canRun(platform) ? (descriptor, platform) : nil
        }
        if let exact = candidates.first(where: { $0.1 == wanted }) { return exact.0 }
        let rank = ["v5": 5, "v6": 6, "v7": 7, "v8": 8]
        return candidates.max { (rank[$0.1.variant ?? ""] ?? 0) < (rank[$1.1.variant ?? ""] ?? 0) }?.0
    }
}
