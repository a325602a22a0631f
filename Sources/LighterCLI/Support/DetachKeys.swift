import LighterSystem

/// Docker's detach key sequence (`--detach-keys`, default `ctrl-p,ctrl-q`): comma-separated keys, each
/// one character or `ctrl-X` (X one of a–z, @, [, \, ], ^, _). Typed at an attached stdin, the sequence
/// detaches instead of reaching the container; a partial match is held back until it is decided.
struct DetachKeys {
    let sequence: [UInt8]
    private var held: [UInt8] = []

    static let dockerDefault = "ctrl-p,ctrl-q"

    init(_ text: String) throws(LighterError) {
        var keys: [UInt8] = []
        for key in text.split(separator: ",", omittingEmptySubsequences: false) {
            let lower = key.lowercased()
            if lower.hasPrefix("ctrl-"), lower.count == 6, let code = lower.utf8.last {
                switch code {
                case UInt8(ascii: "a")...UInt8(ascii: "z"): keys.append(code - UInt8(ascii: "a") + 1)
                case UInt8(ascii: "@"): keys.append(0)
                case UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "]"), UInt8(ascii: "^"), UInt8(ascii: "_"):
                    keys.append(code - 0x40)
                default: throw .invalidArgument("Invalid escape keys (\(text)) provided")
                }
            } else if key.utf8.count == 1, let byte = key.utf8.first {
                keys.append(byte)
            } else {
                throw .invalidArgument("Invalid escape keys (\(text)) provided")
            }
        }
        guard !keys.isEmpty else { throw .invalidArgument("Invalid escape keys (\(text)) provided") }
        sequence = keys
    }

    /// What of `bytes` goes on to the container, and whether the sequence was typed (the bytes after it
    /// are dropped, as the attachment ends).
    mutating func feed(_ bytes: [UInt8]) -> (forward: [UInt8], detach: Bool) {
        var forward: [UInt8] = []
        for byte in bytes {
            if byte == sequence[held.count] {
                held.append(byte)
                if held.count == sequence.count { return (forward, true) }
            } else {
                forward += held
                held.removeAll()
                if byte == sequence[0] { held.append(byte) } else { forward.append(byte) }
            }
        }
        return (forward, false)
    }
}
