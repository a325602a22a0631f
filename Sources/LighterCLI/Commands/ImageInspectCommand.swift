import LighterArguments
import LighterOCI
import LighterStore
import LighterSystem

/// `image inspect IMAGE...`: Docker's image JSON (an array).
struct ImageInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more images.")

    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("f"), .long], help: "Format with a template such as '{{.Id}}' or '{{json .Config}}'.") var format: String?
    @Argument(help: "Images.") var images: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard !images.isEmpty else { throw .invalidArgument("\"inspect\" requires at least 1 argument") }
            let store = try store.openImageStore()
            var documents: [[UInt8]] = []
            for image in images {
                let (id, _) = try store.resolve(image)
                documents.append(try ImageInspectDocument.build(store: store, id: id).serialized())
            }
            if let format {
                for document in documents { Console.out(try JSONTemplate.render(format, value: document)) }
            } else {
                let values = try documents.map { (d) throws(LighterError) -> JSONValue in try JSON.decode(JSONValue.self, from: d, what: "document") }
                Console.out(String(decoding: try JSON.encode(values, pretty: true), as: UTF8.self))
            }
        }
    }
}
