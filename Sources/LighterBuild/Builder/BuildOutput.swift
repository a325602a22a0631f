import LighterSystem

/// `--output` (`-o`) of a build, as BuildKit spells it: where the result goes.
/// `type=docker`/`type=image` (the default) stores the image; `type=local,dest=DIR` writes the final
/// stage's filesystem into DIR and `type=tar,dest=FILE` (or `-` for standard output) as a tar, storing
/// no image; `type=oci,dest=FILE` an OCI layout tar with an image index (several platforms). The shorthands `-o DIR` and `-o -` are `type=local,dest=DIR` and `type=tar,dest=-`.
public enum BuildOutput: Sendable, Equatable {
    case image
    case local(destination: String)
    case tar(destination: String)
    /// An OCI image layout tar holding an image index (one image per platform).
    case oci(destination: String)

    public init(parsing text: String) throws(LighterError) {
        guard text.contains("=") else {
            guard !text.isEmpty else { throw .invalidArgument("--output: give type=local,dest=DIR or type=tar,dest=FILE") }
            self = text == "-" ? .tar(destination: "-") : .local(destination: text)
            return
        }
        var fields: [String: String] = [:]
        for field in text.split(separator: ",").map(String.init) {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw .invalidArgument("--output \(text): \"\(field)\" is not KEY=VALUE")
            }
            fields[parts[0].lowercased()] = parts[1]
        }
        let type = fields.removeValue(forKey: "type") ?? "local"
        let destination = fields.removeValue(forKey: "dest")
        if let unknown = fields.keys.sorted().first {
            throw .unsupported(feature: "--output \(unknown)=…", fix: "Lighter's outputs take type= and dest= only")
        }
        switch type {
        case "docker", "image":
            guard destination == nil else {
                throw .unsupported(feature: "--output type=\(type),dest=…", fix: "the image is stored; write it to a file with `lighter save`")
            }
            self = .image
        case "oci":
            guard let destination, !destination.isEmpty else { throw .invalidArgument("--output type=oci: give dest=FILE (or - for standard output)") }
            self = .oci(destination: destination)
        case "local", "tar":
            guard let destination, !destination.isEmpty else {
                throw .invalidArgument("--output type=\(type): give dest=\(type == "local" ? "DIR" : "FILE (or - for standard output)")")
            }
            if type == "local" {
                guard destination != "-" else { throw .invalidArgument("--output type=local,dest=-: a directory is needed; use type=tar for standard output") }
                self = .local(destination: destination)
            } else {
                self = .tar(destination: destination)
            }
        default:
            throw .unsupported(feature: "--output type=\(type)", fix: "use type=docker (the default), type=local,dest=DIR, type=tar,dest=FILE or type=oci,dest=FILE")
        }
    }
}
