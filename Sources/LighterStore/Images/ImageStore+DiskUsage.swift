import LighterDatabase
import LighterOCI
import LighterSystem

/// Disk usage of one image, with the part it shares with other images (`system df -v`).
public struct ImageUsage: Sendable {
    public let image: ImageRecord
    public let sharedSize: Int64
    public var uniqueSize: Int64 { image.size - sharedSize }
    public let containers: Int
}

/// `system df`.
public struct DiskUsageReport: Sendable {
    public var images: [ImageUsage]
    /// Unpacked layers, each counted once however many images share it.
    public var snapshotsSize: Int64
    /// Blobs (compressed layers, configs, manifests), each counted once.
    public var blobsSize: Int64
    /// What `image prune -a` would free.
    public var reclaimableSize: Int64
    public var totalSize: Int64 { snapshotsSize + blobsSize }
}

extension ImageStore {
    public func diskUsage() throws(LighterError) -> DiskUsageReport {
        // The images `images` lists (a build's step images share their layers and are not counted).
        let images = try images().filter { !$0.isHiddenIntermediate }
        var users: [Digest: Int] = [:]
        for image in images { for layer in Set(image.layers.map(\.chainID)) { users[layer, default: 0] += 1 } }
        var containerCount: [String: Int] = [:]
        for row in try db.query("SELECT image_id, COUNT(*) AS n FROM containers GROUP BY image_id") {
            containerCount[row.string("image_id")] = Int(row.int("n"))
        }
        let usages = images.map { image in
            let shared = image.layers.filter { (users[$0.chainID] ?? 0) > 1 }.reduce(Int64(0)) { $0 + $1.size }
            return ImageUsage(image: image, sharedSize: shared, containers: containerCount[image.id.hex] ?? 0)
        }
        let snapshotsSize = try db.query("SELECT COALESCE(SUM(size), 0) AS n FROM snapshots").first?.int("n") ?? 0
        let blobsSize = try db.query("SELECT COALESCE(SUM(size), 0) AS n FROM blobs").first?.int("n") ?? 0
        // Reclaimable: layers and blobs of images no container uses, unless an image in use needs them too.
        let reclaimSnapshots = try db.query("""
            SELECT COALESCE(SUM(size), 0) AS n FROM snapshots WHERE chain_id NOT IN
            (SELECT chain_id FROM image_layers WHERE image_id IN (SELECT image_id FROM containers))
            """).first?.int("n") ?? 0
        let reclaimBlobs = try db.query("""
            SELECT COALESCE(SUM(size), 0) AS n FROM blobs WHERE digest NOT IN
            (SELECT digest FROM image_blobs WHERE image_id IN (SELECT image_id FROM containers))
            """).first?.int("n") ?? 0
        return DiskUsageReport(images: usages, snapshotsSize: snapshotsSize, blobsSize: blobsSize, reclaimableSize: reclaimSnapshots + reclaimBlobs)
    }
}
