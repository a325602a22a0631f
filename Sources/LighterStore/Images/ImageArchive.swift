#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterSystem

/// Formats of `save` and `load`.
public enum ImageArchiveFormat: String, Sendable, CaseIterable {
    /// What `docker save` writes (Docker 25+ layout: `manifest.json` + `repositories` over an OCI
    /// layout), which Docker 20.10, Podman and skopeo's `docker-archive:` also read.
    case docker
    /// An OCI image layout in a tar (`oci-archive:`).
    case oci
    /// An OCI image layout in a directory (`oci:`).
    case ociDirectory = "oci-dir"
}

/// Unpacks an archive into a private directory inside the store (same file system, so blobs can be
/// renamed into place), refusing any entry that is not a plain file or directory inside it. A
/// compressed archive is held to `limits` (expansion ratio, free space left on the store) as a layer is.
struct ArchiveUnpacker {
    static func unpack(from source: FileDescriptor, into directory: String, limits: LayerLimits) throws(LighterError) {
        let reader = try TarReader(readingFrom: source, limits: limits)
        var sawEntry = false
        var links: [(path: String, target: String)] = []
        while let entry = try reader.next() {
            sawEntry = true
            let name = entry.name
            let components = name.split(separator: "/", omittingEmptySubsequences: true)
            if name.hasPrefix("/") || components.contains("..") || components.isEmpty {
                if components.isEmpty { continue }
                throw .unsafeArchive(entry: name, reason: "image archives may only hold relative paths inside the archive")
            }
            let path = "\(directory)/\(components.joined(separator: "/"))"
            switch entry.type {
            case .directory:
                try FileSystem.makeDirectories(path, mode: 0o700)
            case .file:
                try FileSystem.makeDirectories(FileSystem.dirname(of: path), mode: 0o700)
                let fd = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o600)
                _ = try reader.copyData(to: fd)
                try fd.close()
            case .symlink:
                // Old docker-archives link a layer.tar to an identical one of another layer directory.
                guard let target = entry.linkTarget, !target.hasPrefix("/") else {
                    throw .unsafeArchive(entry: name, reason: "symlink target is absolute or missing")
                }
                var resolved = components.dropLast().map(String.init)
                for part in target.split(separator: "/") where part != "." {
                    if part == ".." {
                        guard !resolved.isEmpty else { throw .unsafeArchive(entry: name, reason: "symlink target \(target) leaves the archive") }
                        resolved.removeLast()
                    } else {
                        resolved.append(String(part))
                    }
                }
                links.append((path, "\(directory)/\(resolved.joined(separator: "/"))"))
            default:
                continue
            }
        }
        guard sawEntry else { throw .malformed(what: "image archive", reason: "it holds no entries") }
        for link in links {
            try FileSystem.makeDirectories(FileSystem.dirname(of: link.path), mode: 0o700)
            try syscall("link", link.path) { POSIX.link(link.target, link.path) }
        }
    }
}
