/// A process environment built Docker's way: `KEY=VALUE` entries where a later entry replaces an
/// earlier one of the same name, keeping the position where the name first appeared.
struct EnvironmentList {
    private var order: [String] = []
    private var values: [String: String] = [:]

    init() {}

    mutating func set(_ entry: String) {
        let key = String(entry.prefix { $0 != "=" })
        if values[key] == nil { order.append(key) }
        values[key] = entry
    }

    mutating func set(contentsOf entries: [String]) { for entry in entries { set(entry) } }

    func contains(_ key: String) -> Bool { values[key] != nil }

    var entries: [String] { order.compactMap { values[$0] } }
}
