#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterArchive
import LighterEngine
import LighterOCI
import LighterStore
import LighterSystem

extension Builder {
    /// COPY/ADD before the cache lookup: sources and destination expanded, globs matched, and the
    /// hash of the context files they read (from another stage or image: that state's identity).
    func prepareCopy(_ instruction: Instruction, state: BuildState) throws(LighterError) -> Prepared {
        let environment = state.substitution
        var words: [String]
        switch instruction.arguments {
        case let .json(list): words = try list.map { (word: String) throws(LighterError) -> String in try lexer.word(word, environment: environment) }
        case let .shell(text): words = try lexer.words(text, environment: environment)
        }
        guard words.count >= 2 else {
            throw position(instruction).error("\(instruction.keyword) requires at least two arguments: a source and a destination")
        }
        var destination = words.removeLast()
        if !destination.hasPrefix("/") {
            let workdir = state.containerConfig.WorkingDir ?? "/"
            destination = (workdir.hasSuffix("/") ? workdir : workdir + "/") + destination
        }
        var prepared = Prepared(cacheText: (words + [destination]).joined(separator: "\u{1}"))
        prepared.destination = destination
        let heredocNames = Set(instruction.heredocs.map { "<<" + $0.name } + instruction.heredocs.map { "<<-" + $0.name })
        var hasher = SHA256Hasher()
        // BuildKit's newer COPY/ADD flags the parser knows: refused by name rather than ignored.
        for (name, fix) in [("parents", "copy each directory to its own destination"),
                            ("exclude", "leave the files out with .dockerignore"),
                            ("unpack", "ADD unpacks local archives and keeps downloads as they are; for another choice fetch the file in a RUN")]
            where instruction.flag(name) != nil {
            throw .unsupported(feature: "\(instruction.keyword) --\(name) (line \(instruction.line))", fix: fix)
        }
        if instruction.flag("keep-git-dir") != nil {
            throw .unsupported(feature: "ADD --keep-git-dir (line \(instruction.line))", fix: "Lighter does not clone Git repositories; clone it into the build context and COPY it")
        }
        let checksum = try instruction.flag("checksum").map { (text: String) throws(LighterError) -> String in try lexer.word(text, environment: environment) }
        if checksum != nil && (instruction.keyword != "ADD" || !words.contains(where: Self.isURL)) {
            throw position(instruction).error("--checksum is for ADD of an http(s) URL only")
        }
        if let from = instruction.flag("from") {
            let name = try lexer.word(from, environment: environment)
            if let index = stageIndex(named: name, before: currentStage) {
                prepared.fromState = try stageResult(index)
            } else {
                prepared.fromState = try imageState(name, platform: platform, pull: false)
            }
            prepared.sources = words
            hasher.update(Array(prepared.fromState!.key.hex.utf8))
            prepared.contentHash = hasher.finalize()
            return prepared
        }
        let tree = try contextTree()
        for word in words {
            if heredocNames.contains(word) || word.hasPrefix("<<") {
                prepared.sources.append(word)
                continue
            }
            if Self.isGitSource(word) {
                throw .unsupported(feature: "\(instruction.keyword) of a Git repository (\(word), line \(instruction.line))",
                                   fix: "Lighter does not clone Git repositories; clone it into the build context and COPY it")
            }
            if Self.isURL(word) {
                guard instruction.keyword == "ADD" else {
                    throw position(instruction).error("COPY cannot fetch a URL (\(word)): use ADD")
                }
                let fetched = try download(word, checksum: checksum, instruction: instruction)
                prepared.sources.append(word)
                prepared.downloads[word] = fetched
                hasher.update(Array("\(word)\0\(fetched.name)\0\(fetched.digest)\0".utf8))
                continue
            }
            prepared.sources += try tree.expand(word)
        }
        for document in instruction.heredocs { hasher.update(Array((document.name + "\0" + document.body).utf8)) }
        let paths = prepared.sources.filter { !$0.hasPrefix("<<") && prepared.downloads[$0] == nil }
        hasher.update(Array(try tree.contentHash(paths).hex.utf8))
        prepared.contentHash = hasher.finalize()
        return prepared
    }

    /// The build context as a source tree (with its .dockerignore), opened once.
    func contextTree() throws(LighterError) -> SourceTree {
        if let tree = openedContext { return tree }
        let tree = try SourceTree(context: options.contextDirectory, ignore: DockerIgnore(options.dockerignore))
        openedContext = tree
        return tree
    }

    /// COPY/ADD: the sources written into a created (never started) container of the current state,
    /// whose changes become a layer. Docker's rules: a directory's contents are copied, not the
    /// directory; several sources need a destination ending in "/"; a file goes into a destination
    /// ending in "/" or naming a directory, else becomes the destination; ADD unpacks local tar
    /// archives (plain, gzip, bzip2, xz, zstd) into the destination.
    func copy(_ instruction: Instruction, prepared: Prepared, state: inout BuildState) throws(LighterError) -> String {
        let isAdd = instruction.keyword == "ADD"
        let many = prepared.sources.count > 1
        if many && !prepared.destination.hasSuffix("/") {
            throw position(instruction).error("with more than one source file, the destination must be a directory and end with a /")
        }
        var mode: mode_t?
        if let text = instruction.flag("chmod") {
            guard let value = mode_t(text, radix: 8), value <= 0o7777 else {
                throw position(instruction).error("--chmod=\(text): give an octal mode such as 0755")
            }
            mode = value
        }
        let chown = try instruction.flag("chown").map { (text: String) throws(LighterError) -> String in try lexer.word(text, environment: state.substitution) }
        let id = try buildContainer(state)
        let current = state
        let work = { (tree: SourceTree) throws(LighterError) -> Void in
            try self.engine.withMountedRoot(id) { (root: FileDescriptor) throws(LighterError) in
                var writer = RootWriter(root: root)
                writer.mode = mode
                if let chown { writer.owner = try self.engine.owner(chown, inContainer: id) }
                let intoDirectory = prepared.destination.hasSuffix("/") || many || writer.isDirectory(prepared.destination)
                for path in prepared.sources {
                    if let fetched = prepared.downloads[path] {
                        try self.writeDownload(fetched, writer: writer, destination: prepared.destination, intoDirectory: intoDirectory)
                        continue
                    }
                    try self.copySource(path, tree: tree, instruction: instruction, state: current, writer: writer,
                                        destination: prepared.destination, intoDirectory: intoDirectory, unpack: isAdd)
                }
            }
        }
        if let from = prepared.fromState {
            let other = try buildContainer(from)
            let label = "stage or image \(instruction.flag("from") ?? "")"
            try engine.withMountedRoot(other) { (otherRoot: FileDescriptor) throws(LighterError) in
                try work(SourceTree(root: otherRoot, label: label))
            }
            try engine.remove(other, force: true)
            containers.remove(other)
        } else {
            try work(try contextTree())
        }
        try commit(container: id, into: &state)
        try engine.remove(id, force: true)
        containers.remove(id)
        let from = instruction.flag("from").map { "--from=\($0) " } ?? ""
        return "\(instruction.keyword) \(from)\(prepared.sources.joined(separator: " ")) \(prepared.destination) # buildkit"
    }

    /// One source of COPY/ADD written under the destination.
    func copySource(_ path: String, tree: SourceTree, instruction: Instruction, state: BuildState, writer: RootWriter,
                    destination: String, intoDirectory: Bool, unpack: Bool) throws(LighterError) {
        if path.hasPrefix("<<") {
            let name = String(path.drop { $0 == "<" || $0 == "-" }.filter { $0 != "\"" && $0 != "'" })
            guard let document = instruction.heredocs.first(where: { $0.name == name }) else { return }
            let body = document.expands ? try lexer.expandVariables(document.body, environment: state.substitution) : document.body
            try writeDocument(body, name: name, writer: writer, destination: destination, intoDirectory: intoDirectory)
            return
        }
        let cleaned = try tree.clean(path)
        let opened = try tree.open(cleaned, flags: O_RDONLY | O_NONBLOCK)
        let st = try opened.stat()
        if unpack, st.st_mode & S_IFMT == S_IFREG, try Self.isArchive(opened) {
            let target = try writer.directory(destination)
            // The directory as the kernel resolved it inside the root (no symlink left in the path);
            // the applier opens everything beneath it with RESOLVE_BENEATH.
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = try syscall("readlink", destination) { readlink("/proc/self/fd/\(target.rawValue)", &buffer, buffer.count - 1) }
            let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            _ = try LayerApplier.apply(from: opened, into: path, expectedDigest: nil, limits: LayerLimits())
            return
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            let target = try writer.directory(destination)
            try writer.copy(opened, path: cleaned, tree: tree, to: target, as: nil)
        } else if intoDirectory {
            let target = try writer.directory(destination)
            let name = String(cleaned.split(separator: "/").last ?? Substring(cleaned))
            try writer.copy(opened, path: cleaned, tree: tree, to: target, as: name)
        } else {
            let (parent, name) = Self.split(destination)
            let target = try writer.directory(parent)
            try writer.copy(opened, path: cleaned, tree: tree, to: target, as: name)
        }
    }

    func writeDocument(_ body: String, name: String, writer: RootWriter, destination: String, intoDirectory: Bool) throws(LighterError) {
        let (parentPath, fileName) = intoDirectory ? (destination, name) : Self.split(destination)
        let parent = try writer.directory(parentPath)
        let fd = FileDescriptor(adopting: try syscall("openat", fileName) {
            lighter_openat(parent.rawValue, fileName, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, writer.mode ?? 0o644)
        })
        try fd.write(Array(body.utf8))
        try syscall("fchown", fileName) { fchown(fd.rawValue, writer.owner.uid, writer.owner.gid) }
        try syscall("fchmod", fileName) { fchmod(fd.rawValue, writer.mode ?? 0o644) }
    }

    /// "/a/b" → ("/a", "b").
    static func split(_ path: String) -> (String, String) {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return ("/", trimmed) }
        let parent = String(trimmed[..<slash])
        return (parent.isEmpty ? "/" : parent, String(trimmed[trimmed.index(after: slash)...]))
    }

    /// Whether a regular file is a tar archive, compressed or not (ADD unpacks those).
    static func isArchive(_ fd: FileDescriptor) throws(LighterError) -> Bool {
        var head = [UInt8](repeating: 0, count: 512)
        let n = head.withUnsafeMutableBytes { pread(fd.rawValue, $0.baseAddress, 512, 0) }
        guard n > 0 else { return false }
        head = Array(head[0..<n])
        if Compression.detect(head) != .none { return true }
        return n >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
    }

    /// A created, never started container of `state`, for COPY to write into or read from.
    func buildContainer(_ state: BuildState) throws(LighterError) -> String {
        let runner = try runnerImage(state)
        var spec = ContainerSpec(image: runner.description, imageID: runner)
        spec.entrypoint = []
        spec.command = ["/.lighter-build-copy"]
        let record = try engine.create(spec, name: nil)
        containers.insert(record.id)
        return record.id
    }
}

