/// One file name as the tar stored it. Linux names are bytes, not text: a latin-1 name in an old ustar
/// header must land on disk byte for byte, so names are never round-tripped through `String`.
struct RawName: Hashable {
    /// The bytes followed by a NUL, ready to pass to a system call.
    let cString: [CChar]

    init<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        cString = bytes.map { CChar(bitPattern: $0) } + [0]
    }

    init(_ text: String) { self.init(Array(text.utf8)) }

    var bytes: [UInt8] { cString.dropLast().map { UInt8(bitPattern: $0) } }
    var isEmpty: Bool { cString.count == 1 }
    /// For messages only (invalid UTF-8 shows as U+FFFD).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    func hasPrefix(_ prefix: String) -> Bool { bytes.starts(with: prefix.utf8) }
    func dropFirst(_ count: Int) -> RawName { RawName(bytes.dropFirst(count)) }
    func isEqual(to text: String) -> Bool { bytes.elementsEqual(text.utf8) }

    /// Bytes of a NUL-terminated C string, copied.
    static func bytes(of pointer: UnsafePointer<CChar>) -> [UInt8] {
        var result: [UInt8] = []
        var p = pointer
        while p.pointee != 0 {
            result.append(UInt8(bitPattern: p.pointee))
            p += 1
        }
        return result
    }
}
