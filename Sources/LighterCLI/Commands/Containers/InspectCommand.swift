import LighterArguments
import LighterEngine
import LighterNetwork
import LighterOCI
import LighterStore
import LighterSystem

/// `inspect [-f TEMPLATE] NAME...`: containers first, then images, as Docker.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", _superCommandName: "lighter", abstract: "Return low-level information on containers or images.")

    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("f"), .long], help: "Format with a template such as '{{.State.ExitCode}}'.") var format: String?
    @Option(name: .long, help: "Only this type of object: container or image.") var type: String?
    @Argument(help: "Containers or images.") var names: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard !names.isEmpty else { throw .invalidArgument("\"inspect\" requires at least 1 argument") }
            let engine = try store.openEngine()
            var documents: [[UInt8]] = []
            // As Docker: what is found is printed (an empty list without --format), then one error per
            // name not found ("no such object" when no --type narrows it), and the exit code is 1.
            var missing: [LighterError] = []
            for name in names {
                if type != "image", let id = try? engine.resolve(name) {
                    documents.append(ContainerInspectDocument.build(try engine.inspect(id), engine: engine).serialized())
                } else if type != "container" {
                    do throws(LighterError) {
                        let (id, _) = try engine.images.resolve(name)
                        documents.append(try ImageInspectDocument.build(store: engine.images, id: id).serialized())
                    } catch {
                        guard case .notFound = error else { throw error }
                        missing.append(.notFound(kind: type == "image" ? "image" : "object", name: name))
                    }
                } else {
                    missing.append(.notFound(kind: "container", name: name))
                }
            }
            if let format {
                for document in documents { Console.out(try JSONTemplate.render(format, value: document)) }
            } else {
                let values = try documents.map { (d) throws(LighterError) -> JSONValue in try JSON.decode(JSONValue.self, from: d, what: "document") }
                Console.out(values.isEmpty ? "[]" : String(decoding: try JSON.encode(values, pretty: true), as: UTF8.self))
            }
            if let last = missing.last {
                for error in missing.dropLast() { Console.error("lighter: \(error)") }
                throw last
            }
        }
    }
}

/// `container prune`.
struct ContainerPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all stopped containers.")
    @OptionGroup var store: StoreOptions
    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation (Lighter never prompts).") var force = false

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let removed = try store.openEngine().prune()
            if !removed.isEmpty {
                Console.out("Deleted Containers:")
                for id in removed { Console.out(id) }
                Console.out("")
            }
        }
    }
}
