import Dispatch
import LighterOCI
import LighterStore
import LighterSystem
import Synchronization

/// Unpacks a pulled image's layers in order as soon as their blobs are in the content store,
/// on a thread of its own (unpacking blocks), while later layers are still downloading.
final class LayerUnpackQueue: Sendable {
    private let store: ImageStore
    private let layers: [LayerBlob]
    private let chainIDs: [Digest]
    private let diffIDs: [Digest]
    private let queue = DispatchQueue(label: "lighter.pull.unpack")
    /// Next layer to unpack, and the snapshots made so far (chain ID → size).
    private let state = Mutex<(next: Int, unpacked: [Digest: Int64])>((0, [:]))

    init(store: ImageStore, layers: [LayerBlob], chainIDs: [Digest], diffIDs: [Digest]) {
        self.store = store
        self.layers = layers
        self.chainIDs = chainIDs
        self.diffIDs = diffIDs
    }

    /// Unpack every layer, in order, whose blob (and every earlier one) is stored; returns all
    /// snapshots this queue has made.
    func unpackReady() async throws(LighterError) -> [Digest: Int64] {
        let result: Result<[Digest: Int64], LighterError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(LighterError) {
                    continuation.resume(returning: .success(try self.unpackReadySync()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private func unpackReadySync() throws(LighterError) -> [Digest: Int64] {
        while true {
            let index = state.withLock { $0.next }
            guard index < layers.count, store.content.contains(layers[index].digest) else { break }
            if let size = try store.unpackPulledLayer(layers[index], chainID: chainIDs[index], diffID: diffIDs[index]) {
                state.withLock { $0.unpacked[chainIDs[index]] = size }
            }
            state.withLock { $0.next = index + 1 }
        }
        return state.withLock { $0.unpacked }
    }
}
