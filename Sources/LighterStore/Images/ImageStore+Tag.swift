import LighterDatabase
import LighterOCI
import LighterSystem

/// What `rmi` did, line by line as Docker prints it.
public enum RemovalEvent: Sendable, Equatable, CustomStringConvertible {
    case untagged(String)
    case deleted(Digest)

    public var description: String {
        switch self {
        case let .untagged(name): return "Untagged: \(name)"
        case let .deleted(id): return "Deleted: \(id)"
        }
    }
}

extension ImageStore {
    /// `tag SOURCE TARGET`.
    public func tag(_ source: String, as target: String) throws(LighterError) {
        let targetRef = try Reference(parsing: target)
        guard targetRef.digest == nil else {
            throw .invalidReference("\(target): a tag cannot contain a digest")
        }
        try withLock(.shared) { () throws(LighterError) in
            try db.transaction(durable: true) { () throws(LighterError) in
                let (id, _) = try resolve(source)
                try db.execute("INSERT OR REPLACE INTO tags (name, image_id) VALUES (?, ?)", [.text(targetRef.description), .text(id.hex)])
            }
            try writeTagJournal()
        }
        emit("tag", id: (try? resolve(target).id.description) ?? target, name: targetRef.familiar)
    }

    /// `rmi [-f] [--no-prune] IMAGE`: untag, and delete the image when nothing names or uses it any
    /// more, with its untagged parents nothing else holds unless `prune` is false.
    public func remove(_ input: String, force: Bool, prune: Bool = true) throws(LighterError) -> [RemovalEvent] {
        try withLock(.exclusive) { () throws(LighterError) -> [RemovalEvent] in
            let events = try db.transaction(durable: true) { () throws(LighterError) -> [RemovalEvent] in
                let (id, tag) = try resolve(input)
                var events: [RemovalEvent] = []
                let tags = try db.query("SELECT name FROM tags WHERE image_id = ? ORDER BY name", [.text(id.hex)]).map { $0.string("name") }
                let users = try db.query("SELECT id FROM containers WHERE image_id = ?", [.text(id.hex)]).map { $0.string("id") }
                let hasChildren = try !children(of: id).isEmpty
                let plainTags = tags.filter { !$0.contains("@") }
                // Docker's isSingleReference: one tag (or none) and digest references of that one repository.
                func repository(_ name: String) -> String { (try? Reference(parsing: name)).map { "\($0.registry)/\($0.repository)" } ?? name }
                let digestRepositories = Set(tags.filter { $0.contains("@") }.map(repository))
                let single = plainTags.count <= 1 && digestRepositories.count <= 1
                    && (plainTags.isEmpty || digestRepositories.isEmpty || digestRepositories.contains(repository(plainTags[0])))
                if let tag {
                    // A repository's digest references (RepoDigests) go with its last tag, as Docker's do;
                    // the image stays while other references remain.
                    let name = tag.description
                    let tagsLeftInRepository = plainTags.contains { $0 != name && repository($0) == repository(name) }
                    let digests = tagsLeftInRepository ? [] : tags.filter { $0.contains("@") && repository($0) == repository(name) }
                    let remaining = tags.filter { $0 != name && !digests.contains($0) }
                    if !remaining.isEmpty || (!users.isEmpty && force) || (users.isEmpty && hasChildren) {
                        // One name of several, a forced untag of an image in use, or the last name of
                        // an image others were built on (it stays, untagged, as Docker keeps it): untag only.
                        var untagged: [RemovalEvent] = []
                        for doomed in [name] + digests {
                            try db.execute("DELETE FROM tags WHERE name = ?", [.text(doomed)])
                            untagged.append(.untagged((try? Reference(parsing: doomed).familiar) ?? doomed))
                        }
                        return untagged
                    }
                    if let user = users.first {
                        throw .conflict("unable to remove repository reference \"\(input)\" (must force) - container \(user.prefix(12)) is using its referenced image \(id.short)")
                    }
                } else {
                    if hasChildren {
                        throw .conflict("unable to delete \(id.short) (cannot be forced) - image has dependent child images")
                    }
                    if let user = users.first {
                        throw .conflict("unable to delete \(id.short) (cannot be forced) - image is being used by container \(user.prefix(12))")
                    }
                    if tags.count > 1 && !single && !force {
                        throw .conflict("unable to delete \(id.short) (must be forced) - image is referenced in multiple repositories")
                    }
                }
                for name in tags {
                    try db.execute("DELETE FROM tags WHERE name = ?", [.text(name)])
                    events.append(.untagged((try? Reference(parsing: name).familiar) ?? name))
                }
                let parent = try parent(of: id)
                try db.execute("DELETE FROM images WHERE id = ?", [.text(id.hex)])
                events.append(.deleted(id))
                // Its untagged parents nothing else uses go with it (a build's step images).
                if prune { events += try deleteUnusedParents(from: parent).map { .deleted($0) } }
                return events
            }
            try writeTagJournal()
            try collectGarbage()
            emit(events)
            return events
        }
    }
}
