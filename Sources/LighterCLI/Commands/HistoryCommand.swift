import LighterArguments
import LighterOCI
import LighterStore
import LighterSystem

/// `history IMAGE`.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show the history of an image.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: FormatOptions
    @Flag(name: .shortAndLong, help: "Only show image IDs.") var quiet = false
    @Flag(name: .long, help: "Don't truncate output.") var noTrunc = false
    @Flag(name: [.customShort("H"), .long], inversion: .prefixedNo, help: "Print sizes and dates in human readable format.") var human = true
    @Argument(help: "Image.") var image: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let store = try store.openImageStore()
            let (id, _) = try store.resolve(image)
            let record = try store.image(id: id)
            let config = try store.config(of: id)
            let history = config.history ?? record.layers.map { _ in ImageConfig.History(created: config.created, createdBy: nil) }
            let ids = try store.historyImageIDs(of: id, entries: history.count)
            var layerIndex = record.layers.count
            var rows: [OutputRow] = []
            // Newest first, like Docker; the top entry carries the image ID, each one below its
            // parent's while the chain of parents lasts (a build's step images), the rest <missing>.
            for (row, (_, entry)) in history.enumerated().reversed().enumerated() {
                let isEmpty = entry.empty_layer ?? false
                var size: Int64 = 0
                if !isEmpty, layerIndex > 0 {
                    layerIndex -= 1
                    size = record.layers[layerIndex].size
                }
                rows.append(HistoryCommand.row(id: ids[row].map { noTrunc ? $0.description : $0.short } ?? "<missing>",
                                               created: entry.created.flatMap(Time.parseRFC3339), createdBy: entry.created_by ?? "",
                                               size: size, comment: entry.comment ?? "", noTrunc: noTrunc, human: human))
            }
            for line in try HistoryCommand.renderer.render(rows, format: output.format, quietKey: "ID", quiet: quiet) { Console.out(line) }
        }
    }

    static let renderer = OutputRenderer(columns: [("ID", "IMAGE"), ("CreatedSince", "CREATED"), ("CreatedBy", "CREATED BY"), ("Size", "SIZE"), ("Comment", "COMMENT")])

    /// One history entry as its row (shared with the remote `history`); `id` already as shown.
    static func row(id: String, created: Int64?, createdBy: String, size: Int64, comment: String, noTrunc: Bool, human: Bool) -> OutputRow {
        var createdBy = createdBy
        if !noTrunc && createdBy.count > 45 { createdBy = String(createdBy.prefix(44)) + "…" }
        return OutputRow(fields: [
            ("ID", id),
            ("CreatedSince", created.map { human ? Time.ago($0) : Time.rfc3339(seconds: $0) } ?? "N/A"),
            ("CreatedAt", created.map { Time.rfc3339(seconds: $0) } ?? ""),
            ("CreatedBy", createdBy),
            ("Size", human ? Time.humanSize(size) : String(size)),
            ("Comment", comment),
        ])
    }
}
