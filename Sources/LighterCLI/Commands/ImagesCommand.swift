import LighterArguments
import LighterOCI
import LighterStore
import LighterSystem

/// `images` / `image ls`.
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List images.")
    @OptionGroup var options: ImagesOptions
    func run() throws { try options.run() }
}

/// `images`' options and listing, shared by `images` and `image ls`.
struct ImagesOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: FormatOptions
    @Flag(name: .shortAndLong, help: "Show all images (default hides intermediate images).") var all = false
    @Flag(name: .shortAndLong, help: "Only show image IDs.") var quiet = false
    @Flag(name: .long, help: "Show digests.") var digests = false
    @Flag(name: .long, help: "Don't truncate output.") var noTrunc = false
    @Option(name: [.customShort("f"), .long], help: "Filter output: dangling=true|false, reference=PATTERN.") var filter: [String] = []
    @Argument(help: "Only images of this repository[:tag].") var repository: String?

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let images = try store.openImageStore().images()
            let filters = try ImageFilter(filter + (repository.map { ["reference=\($0)"] } ?? []))
            var rows: [OutputRow] = []
            var seenIDs = Set<Digest>()
            for image in images where all || !image.isHiddenIntermediate {
                let names: [Reference?] = image.tags.isEmpty ? digestOnlyNames(image) : image.tags.compactMap { try? Reference(parsing: $0) }
                for name in names where filters.matches(image: image, name: name) {
                    if quiet && !seenIDs.insert(image.id).inserted { continue }
                    rows.append(row(image, name))
                }
            }
            try render(rows)
        }
    }

    /// The table, `--format` or `-q` lines of `rows` (the local store's or a remote daemon's).
    func render(_ rows: [OutputRow]) throws(LighterError) {
        let renderer = OutputRenderer(columns: [("Repository", "REPOSITORY"), ("Tag", "TAG")]
            + (digests ? [("Digest", "DIGEST")] : []) + [("ID", "IMAGE ID"), ("CreatedSince", "CREATED"), ("Size", "SIZE")])
        for line in try renderer.render(rows, format: output.format, quietKey: "ID", quiet: quiet) { Console.out(line) }
    }

    /// An image with no tag but pulled by digest: one `REPOSITORY <none>` row per repository, as
    /// Docker lists it; with neither, one `<none> <none>` row.
    private func digestOnlyNames(_ image: ImageRecord) -> [Reference?] {
        var seen = Set<String>()
        let names = image.repoDigests.compactMap { try? Reference(parsing: $0) }
            .filter { seen.insert("\($0.registry)/\($0.repository)").inserted }
            .map { Reference(registry: $0.registry, repository: $0.repository, tag: nil) }
        return names.isEmpty ? [nil] : names
    }

    /// The digest this row's repository knows the image by (its RepoDigest), as Docker's column.
    private func digest(_ image: ImageRecord, _ name: Reference?) -> String {
        let references = image.repoDigests.compactMap { try? Reference(parsing: $0) }
        let match = name.flatMap { n in references.first { $0.registry == n.registry && $0.repository == n.repository } }
            ?? (name == nil ? references.first : nil)
        return match?.digest?.description ?? "<none>"
    }

    private func row(_ image: ImageRecord, _ name: Reference?) -> OutputRow {
        let id = noTrunc ? image.id.description : image.id.short
        return OutputRow(fields: [
            ("Containers", "N/A"),
            ("CreatedAt", DockerListRows.goTime(seconds: image.createdSeconds)),
            ("CreatedSince", Time.ago(image.createdSeconds)),
            ("Digest", digest(image, name)),
            ("ID", id),
            ("Platform", image.platform),
            ("Repository", name?.familiarName ?? "<none>"),
            ("SharedSize", "N/A"),
            ("Size", Time.humanSize(image.size)),
            ("Tag", name?.tag ?? "<none>"),
            ("UniqueSize", "N/A"),
            ("VirtualSize", Time.humanSize(image.size)),
        ])
    }
}

/// `--filter` for images: dangling=true|false, reference=PATTERN (shell glob on the familiar name).
struct ImageFilter {
    var dangling: Bool?
    var references: [String] = []

    init(_ specs: [String]) throws(LighterError) {
        for spec in specs {
            guard let eq = spec.firstIndex(of: "=") else { throw .invalidArgument("bad filter \"\(spec)\": expected key=value") }
            let key = spec[..<eq].lowercased(), value = String(spec[spec.index(after: eq)...])
            switch key {
            case "dangling":
                guard value == "true" || value == "false" || value == "1" || value == "0" else {
                    throw .invalidArgument("invalid filter 'dangling=\(value)': use true or false")
                }
                dangling = value == "true" || value == "1"
            case "reference": references.append(value)
            default: throw .invalidArgument("invalid filter '\(key)' (supported: dangling, reference)")
            }
        }
    }

    func matches(image: ImageRecord, name: Reference?) -> Bool {
        // Docker's dangling images: untagged, and no image built on them.
        if let dangling, dangling != (image.tags.isEmpty && !image.hasChildren) { return false }
        if references.isEmpty { return true }
        guard let name else { return false }
        return references.contains { pattern in
            let hasTag = pattern.contains(":") && !(pattern.split(separator: "/").last?.contains(":") == false)
            let subject = hasTag ? name.familiar : name.familiarName
            return Glob.matches(pattern, subject) || Glob.matches(pattern, name.familiar)
        }
    }
}

/// Shell-style glob with `*` and `?` (what Docker's reference filter uses).
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) { pi += 1; ti += 1 }
            else if pi < p.count && p[pi] == "*" { star = pi; mark = ti; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
