import LighterArguments
import LighterEngine
import LighterOCI
import LighterSystem

/// `volume create|ls|inspect|rm|prune`.
struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "volume", abstract: "Manage named volumes.",
                                                    subcommands: [Create.self, List.self, Inspect.self, Remove.self, Prune.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a volume (prints its name).")
        @OptionGroup var store: StoreOptions
        @Option(name: .long, help: "Set metadata (KEY=VALUE).") var label: [String] = []
        @Option(name: [.customShort("o"), .long], help: "Driver option KEY=VALUE (type=none o=bind device=/host/dir).") var opt: [String] = []
        @Argument(help: "Volume name (default: a random one).") var name: String?

        func run() throws {
            try guarded(exitCode: 1) { () throws(LighterError) in
                var labels: [String: String] = [:]
                for entry in label {
                    guard let eq = entry.firstIndex(of: "=") else { throw .invalidArgument("--label \(entry): expected KEY=VALUE") }
                    labels[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
                }
                var options: [String: String] = [:]
                for entry in opt {
                    guard let eq = entry.firstIndex(of: "=") else { throw .invalidArgument("--opt \(entry): expected KEY=VALUE") }
                    options[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
                }
                Console.out(try store.openEngine().volumes.create(name, labels: labels, options: options).Name)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List volumes.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: FormatOptions
        @Flag(name: [.customShort("q"), .long], help: "Only display volume names.") var quiet = false

        func run() throws {
            try guarded(exitCode: 1) { () throws(LighterError) in
                let rows = try store.openEngine().volumes.list().map(DockerListRows.volume)
                let renderer = OutputRenderer(columns: [("Driver", "DRIVER"), ("Name", "VOLUME NAME")])
                for line in try renderer.render(rows, format: output.format, quietKey: "Name", quiet: quiet) { Console.out(line) }
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on volumes.")
        @OptionGroup var store: StoreOptions
        @Option(name: [.customShort("f"), .long], help: "Format with a template such as '{{.Mountpoint}}'.") var format: String?
        @Argument(help: "Volumes.") var names: [String] = []

        func run() throws {
            try guarded(exitCode: 1) { () throws(LighterError) in
                guard !names.isEmpty else { throw .invalidArgument("\"volume inspect\" requires at least 1 argument") }
                let volumes = try store.openEngine().volumes
                // As Docker: what is found is printed ([] when nothing), then one error per missing name.
                var found: [Volume] = [], missing: [LighterError] = []
                for name in names {
                    do throws(LighterError) { found.append(try volumes.inspect(name)) } catch {
                        guard case .notFound = error else { throw error }
                        missing.append(error)
                    }
                }
                if let format {
                    for volume in found { Console.out(try JSONTemplate.render(format, value: try JSON.encode(volume))) }
                } else {
                    Console.out(found.isEmpty ? "[]" : String(decoding: try JSON.encode(found, pretty: true), as: UTF8.self))
                }
                if let last = missing.last {
                    for error in missing.dropLast() { Console.error("lighter: \(error)") }
                    throw last
                }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove volumes no container uses.")
        @OptionGroup var store: StoreOptions
        @Flag(name: [.customShort("f"), .long], help: "Do not fail when a volume does not exist.") var force = false
        @Argument(help: "Volumes.") var names: [String] = []

        func run() throws {
            try eachName(names, store: store, command: "volume rm") { (engine, name) throws(LighterError) in
                do throws(LighterError) {
                    try engine.volumes.remove(name, users: try engine.volumeUsers(name))
                } catch {
                    if case .notFound = error, force { return }
                    throw error
                }
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all volumes no container uses.")
        @OptionGroup var store: StoreOptions
        @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation (Lighter never prompts).") var force = false

        func run() throws {
            try guarded(exitCode: 1) { () throws(LighterError) in
                let removed = try store.openEngine().pruneVolumes()
                if !removed.isEmpty {
                    Console.out("Deleted Volumes:")
                    for name in removed { Console.out(name) }
                    Console.out("")
                }
            }
        }
    }
}
