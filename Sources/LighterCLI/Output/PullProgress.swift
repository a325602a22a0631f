#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterRegistry
import LighterSystem
import Synchronization

/// Shows a pull: per-layer bars with speed and ETA on a terminal, one line per state change
/// otherwise, nothing with `--quiet`.
final class PullProgress: Sendable {
    enum Mode { case tty, lines, quiet }

    private struct Layer {
        var id: String
        var status: String
        var bytes: Int64 = 0
        var size: Int64 = 0
        var started: Double = 0
        var startBytes: Int64 = -1
    }

    private struct State {
        var layers: [Layer] = []
        var drawnLines = 0
        var lastDraw: Double = 0
    }

    private let mode: Mode
    private let state = Mutex(State())

    init(quiet: Bool) {
        mode = quiet ? .quiet : (Console.stderrIsTerminal ? .tty : .lines)
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func handle(_ event: PullEvent) {
        guard mode != .quiet else { return }
        switch event {
        case let .resolved(_, platform):
            if let platform { line("Platform: \(platform)") }
        case let .layerExists(digest): update(digest, status: "Already exists")
        case let .layerStarted(digest, size):
            update(digest, status: "Downloading") { $0.size = size }
        case let .layerProgress(digest, bytes, size):
            update(digest, status: "Downloading", announce: false) {
                if $0.startBytes < 0 || bytes < $0.startBytes { $0.startBytes = bytes; $0.started = Self.now() }
                $0.bytes = bytes
                $0.size = size
            }
        case let .layerVerified(digest): update(digest, status: "Download complete")
        case .unpacking:
            if mode == .lines { line("Unpacking layers") }
        case let .notice(text): line(text)
        }
    }

    /// Print a line above the bars.
    func line(_ text: String) {
        state.withLock { state in
            if mode == .tty { erase(&state) }
            Console.error(text)
            if mode == .tty { draw(&state, force: true) }
        }
    }

    /// Leave the bars as they are (final newline state).
    func finish() {
        guard mode == .tty else { return }
        state.withLock { state in draw(&state, force: true); state.drawnLines = 0 }
    }

    private func update(_ digest: Digest, status: String, announce: Bool = true, _ change: (inout Layer) -> Void = { _ in }) {
        state.withLock { state in
            let id = digest.short
            let index: Int
            if let found = state.layers.firstIndex(where: { $0.id == id }) {
                index = found
            } else {
                state.layers.append(Layer(id: id, status: ""))
                index = state.layers.count - 1
            }
            let changed = state.layers[index].status != status
            state.layers[index].status = status
            change(&state.layers[index])
            switch mode {
            case .tty: draw(&state, force: changed)
            case .lines: if changed && announce { Console.error("\(id): \(status)") }
            case .quiet: break
            }
        }
    }

    private func erase(_ state: inout State) {
        guard state.drawnLines > 0 else { return }
        Console.errorRaw("\u{1B}[\(state.drawnLines)A\u{1B}[J")
        state.drawnLines = 0
    }

    private func draw(_ state: inout State, force: Bool) {
        let now = Self.now()
        guard force || now - state.lastDraw >= 0.1 else { return }
        state.lastDraw = now
        var text = state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)A" : ""
        for layer in state.layers {
            text += "\u{1B}[2K" + render(layer, now: now) + "\n"
        }
        Console.errorRaw(text)
        state.drawnLines = state.layers.count
    }

    private func render(_ layer: Layer, now: Double) -> String {
        guard layer.status == "Downloading", layer.size > 0 else { return "\(layer.id): \(layer.status)" }
        let width = 30
        let filled = Int(Double(width) * Double(layer.bytes) / Double(layer.size))
        let bar = String(repeating: "=", count: max(0, filled - 1)) + (filled > 0 ? ">" : "") + String(repeating: " ", count: width - max(filled, 0))
        let elapsed = now - layer.started
        let speed = elapsed > 0.2 ? Double(layer.bytes - layer.startBytes) / elapsed : 0
        var text = "\(layer.id): Downloading [\(bar)] \(Time.humanSize(layer.bytes))/\(Time.humanSize(layer.size))"
        if speed > 0 {
            let eta = Int(Double(layer.size - layer.bytes) / speed)
            text += "  \(Time.humanSize(Int64(speed)))/s  ETA \(eta / 60)m\(eta % 60)s"
        }
        return text
    }
}
