#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// `lighter __build-stage ROOT JOB INDEX`: builds one stage of a build in its own process (the
/// builder runs independent stages at the same time this way: each process stays single-threaded
/// and is the monitor of its RUN containers, as the engine requires). Progress events, then the
/// stage's final state or the error, go to descriptor 3 as lines:
/// `started|done|cached <TAB> seconds <TAB> step` (`done/HEX`, `cached/HEX`: the step's image),
/// `running|removed/ID <TAB> 0 <TAB> step` (a RUN's container), `result <TAB> JSON`, `error <TAB> message`.
/// Descriptor 4 is the cancel pipe: once it is readable (the builder closed its end, or died), the
/// worker stops before its next step, removing what it made, as an interrupted build does.
public enum StageWorker {
    public static let command = "__build-stage"

    public static func main(arguments: [String]) -> Never {
        let report = FileDescriptor(adopting: 3)
        do throws(LighterError) {
            guard arguments.count == 5, let index = Int(arguments[4]) else {
                throw .invalidArgument("usage: lighter \(command) ROOT JOB INDEX")
            }
            let job = try StageJob(jsonBytes: try FileSystem.readFile(arguments[3]), what: "build stage job")
            let engine = try Builder.openEngine(root: arguments[2])
            let builder = try Builder(engine: engine, options: job.options) { event in
                let kind: String
                switch event.kind {
                case .started: kind = "started"
                case .done: kind = "done"
                case .cached: kind = "cached"
                case .running: kind = "running"
                case .removed: kind = "removed"
                }
                let detail = event.image.map { "/" + $0.hex } ?? event.container.map { "/" + $0 } ?? ""
                try? report.write("\(kind)\(detail)\t\(event.seconds)\t\(event.step)\n")
            }
            builder.cancelDescriptor = 4
            let state = try builder.buildStage(index, done: job.done)
            try report.write("result\t" + String(decoding: state.json.serialized(), as: UTF8.self) + "\n")
            exit(0)
        } catch {
            let message = error.description.split(separator: "\n").joined(separator: "\u{1}")
            try? report.write("error\t\(message)\n")
            exit(1)
        }
    }
}
