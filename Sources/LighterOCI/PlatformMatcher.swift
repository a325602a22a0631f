/// Choosing an entry of a multi-platform index for a wanted platform.
public enum PlatformMatcher {
    /// The best entry for `wanted`: an exact match first, then (for arm) the highest compatible
    /// lower variant — an arm/v7 machine also runs v6 and v5 images, never the reverse.
    public static func best(for wanted: Platform, among descriptors: [Descriptor]) -> Descriptor? {
        let candidates = descriptors.filter { $0.platform.map { wanted.canRun($0) } ?? false }
        if let exact = candidates.first(where: { $0.platform == wanted }) { return exact }
        let rank = ["v5": 5, "v6": 6, "v7": 7, "v8": 8]
        return candidates.max { (rank[$0.platform?.variant ?? ""] ?? 0) < (rank[$1.platform?.variant ?? ""] ?? 0) }
    }
}
