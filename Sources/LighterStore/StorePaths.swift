import LighterDatabase

/// Where things live under the data root (`/var/lib/lighter`, `--root`, `LIGHTER_ROOT`).
public struct StorePaths: Sendable {
    public let root: String

    public init(root: String) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    public static let defaultRoot = "/var/lib/lighter"

    public var blobs: String { "\(root)/blobs/sha256" }
    public var ingest: String { "\(root)/ingest" }
    public var snapshots: String { "\(root)/snapshots" }
    public var snapshotsTemp: String { "\(root)/snapshots/.tmp" }
    /// `LayerIndex` files, one per gzip-unpacked snapshot (`<chainID hex>`).
    public var snapshotIndexes: String { "\(root)/snapshots/.index" }
    public var containers: String { "\(root)/containers" }
    public var database: String { DataRoot.databasePath(root) }
    public var lockFile: String { "\(root)/lighter.lock" }

    public func blob(_ hex: String) -> String { "\(blobs)/\(hex)" }
    public func snapshot(_ chainHex: String) -> String { "\(snapshots)/\(chainHex)" }
    public func snapshotIndex(_ chainHex: String) -> String { "\(snapshotIndexes)/\(chainHex)" }
}
