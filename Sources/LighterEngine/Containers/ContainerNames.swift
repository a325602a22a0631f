/// Docker-style generated names: `adjective_surname`.
enum ContainerNames {
    static let adjectives = [
        "admiring", "agitated", "amazing", "angry", "awesome", "blissful", "bold", "brave", "busy", "charming",
        "clever", "compassionate", "confident", "cool", "dazzling", "determined", "eager", "ecstatic", "elegant",
        "epic", "focused", "friendly", "gallant", "gifted", "goofy", "gracious", "happy", "hopeful", "jolly",
        "keen", "kind", "laughing", "loving", "lucid", "magical", "modest", "nice", "nifty", "optimistic",
        "peaceful", "practical", "priceless", "quirky", "relaxed", "serene", "sharp", "stoic", "sweet", "tender",
        "trusting", "upbeat", "vibrant", "wizardly", "youthful", "zealous",
    ]
    static let surnames = [
        "babbage", "bell", "borg", "curie", "darwin", "dijkstra", "einstein", "euler", "fermat", "feynman",
        "galileo", "gauss", "hamilton", "hopper", "hypatia", "kepler", "knuth", "lamport", "lovelace", "maxwell",
        "meitner", "newton", "noether", "pascal", "perlman", "ritchie", "shannon", "thompson", "torvalds",
        "turing", "volta", "wozniak", "yalow",
    ]

    static func random() -> String {
        "\(adjectives.randomElement()!)_\(surnames.randomElement()!)"
    }

    /// Docker's rule for user-given names.
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }
    }
}
