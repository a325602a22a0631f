import LighterOCI
import LighterSystem
import LighterTemplate

/// What `system df -v` shows — each image, container and volume, and the build cache's size — from the
/// local store or from a daemon's `/system/df`, printed as Docker's CLI prints it. Rows hold every
/// field untruncated (IDs, commands), as a `--format` template sees them; the tables shorten them.
struct DiskUsageDetail {
    /// Docker's image fields: Containers, CreatedAt, CreatedSince, Digest, ID, Repository, SharedSize,
    /// Size, Tag, UniqueSize, VirtualSize.
    var images: [OutputRow] = []
    /// `ps`'s container fields (Command whole, in quotes; ID whole), Size the writable layer's.
    var containers: [OutputRow] = []
    /// `volume ls`'s fields, Links and Size filled.
    var volumes: [OutputRow] = []
    var buildCacheSize: Int64 = 0
    /// Lighter's own line after the images (the local command's: unpacked layers and blobs); none remotely.
    var layersNote: String?

    /// An image row as Docker's CLI makes it: its first tag only (`<none>` without one); UNIQUE SIZE is
    /// SIZE less SHARED SIZE, N/A where the daemon did not count (-1).
    static func imageRow(id: String, tags: [String], digest: String, created: Int64, size: Int64, shared: Int64, containers: Int64) -> OutputRow {
        var repository = "<none>", tag = "<none>"
        if let first = tags.first, first != "<none>:<none>", let familiar = try? LighterOCI.Reference(parsing: first).familiar,
           let colon = familiar.lastIndex(of: ":"), !familiar[colon...].contains("/") {
            repository = String(familiar[..<colon])
            tag = String(familiar[familiar.index(after: colon)...])
        }
        return OutputRow(fields: [
            ("Containers", containers < 0 ? "N/A" : String(containers)),
            ("CreatedAt", DockerListRows.goTime(seconds: created)), ("CreatedSince", Time.ago(created)),
            ("Digest", digest), ("ID", id.hasPrefix("sha256:") ? id : "sha256:" + id), ("Repository", repository),
            ("SharedSize", shared < 0 ? "N/A" : Time.humanSize(shared, precision: 4)),
            ("Size", Time.humanSize(size)), ("Tag", tag),
            ("UniqueSize", shared < 0 ? "N/A" : Time.humanSize(size - shared, precision: 4)),
            ("VirtualSize", Time.humanSize(size, precision: 4)),
        ])
    }

    /// Lines to print: the four sections (`format` nil or `table`), the document as JSON, or a template run
    /// once over it (`.Images`, `.Containers`, `.Volumes`, `.BuildCache`), as Docker's `-v --format` does.
    /// JSON and templates end without a newline, as Docker's do.
    func render(format: String?) throws(LighterError) -> String {
        switch format {
        case nil, "", "table":
            return try tables().map { $0 + "\n" }.joined()
        case "json":
            return json
        case let format?:
            let body = format.replacing("\\t", with: "\t").replacing("\\n", with: "\n")
            do {
                return try FormatTemplate.parse(body, missingKeyIsError: true).execute(document)
            } catch {
                throw FormatTemplate.wrapped(error)
            }
        }
    }

    /// Docker's `-v --format json`: encoding/json of its struct (sections in its field order, each row's
    /// fields sorted as a map's, `<>&` escaped); a container's Platform is null (Docker 28's field).
    private var json: String {
        func object(_ row: OutputRow, extra: [String: String] = [:]) -> String {
            var members = row.fields.map { ($0.key, GoJSON.quote($0.value, escapeHTML: true)) }
            members += extra.map { ($0.key, $0.value) }
            return "{" + members.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }.map { GoJSON.quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        }
        func array(_ rows: [OutputRow], extra: [String: String] = [:]) -> String { "[" + rows.map { object($0, extra: extra) }.joined(separator: ",") + "]" }
        return "{\"Images\":\(array(images)),\"Containers\":\(array(containers, extra: ["Platform": "null"])),\"Volumes\":\(array(volumes)),\"BuildCache\":[]}"
    }

    private var document: TemplateValue {
        .object(["Images": .array(images.map(\.value)), "Containers": .array(containers.map(\.value)),
                 "Volumes": .array(volumes.map(\.value)), "BuildCache": .array([])])
    }

    private func tables() throws(LighterError) -> [String] {
        var lines = ["Images space usage:", ""]
        let imageRows = images.map { row in
            var shown = row
            shown.set("ID", String((row["ID"] ?? "").dropFirst("sha256:".count).prefix(12)))
            return shown
        }
        lines += try OutputRenderer(columns: [("Repository", "REPOSITORY"), ("Tag", "TAG"), ("ID", "IMAGE ID"), ("CreatedSince", "CREATED"),
                                              ("Size", "SIZE"), ("SharedSize", "SHARED SIZE"), ("UniqueSize", "UNIQUE SIZE"), ("Containers", "CONTAINERS")])
            .render(imageRows, format: nil)
        if let layersNote { lines += ["", layersNote] }
        lines += ["", "Containers space usage:", ""]
        let containerRows = containers.map { row in
            var shown = row
            // Command holds Docker's quoted text ("\"sh -c …\""): the table shortens what is inside the quotes.
            var command = String((row["Command"] ?? "").dropFirst().dropLast())
            if command.count > 20 { command = String(command.prefix(19)) + "…" }
            shown.set("Command", "\"\(command)\"")
            shown.set("ID", String((row["ID"] ?? "").prefix(12)))
            return shown
        }
        lines += try OutputRenderer(columns: [("ID", "CONTAINER ID"), ("Image", "IMAGE"), ("Command", "COMMAND"), ("LocalVolumes", "LOCAL VOLUMES"),
                                              ("Size", "SIZE"), ("RunningFor", "CREATED"), ("Status", "STATUS"), ("Names", "NAMES")])
            .render(containerRows, format: nil)
        lines += ["", "Local Volumes space usage:", ""]
        lines += try OutputRenderer(columns: [("Name", "VOLUME NAME"), ("Links", "LINKS"), ("Size", "SIZE")]).render(volumes, format: nil)
        lines += ["", "Build cache usage: \(Time.humanSize(buildCacheSize, precision: 4))", ""]
        lines += try OutputRenderer(columns: [("ID", "CACHE ID"), ("CacheType", "CACHE TYPE"), ("Size", "SIZE"), ("CreatedSince", "CREATED"),
                                              ("LastUsedSince", "LAST USED"), ("UsageCount", "USAGE"), ("Shared", "SHARED")])
            .render([], format: nil)
        return lines
    }
}

extension OutputRow {
    /// Replace field `key`'s value (appended when the row has none).
    mutating func set(_ key: String, _ value: String) {
        if let index = fields.firstIndex(where: { $0.key == key }) { fields[index].value = value } else { fields.append((key, value)) }
    }
}
