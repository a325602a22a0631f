import LighterSystem

/// Whether an ELF file needs no dynamic loader (no PT_INTERP program header): only such a binary
/// can be mounted into an arbitrary image and run there (`--init`).
enum StaticExecutable {
    static func check(_ path: String) -> Bool {
        guard let bytes = try? FileSystem.readFile(path), bytes.count > 64,
              bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46, bytes[4] == 2, bytes[5] == 1 else { return false }
        func integer(_ offset: Int, _ size: Int) -> Int {
            var value = 0
            for i in (0..<size).reversed() { value = value << 8 | Int(bytes[offset + i]) }
            return value
        }
        let headerOffset = integer(0x20, 8), entrySize = integer(0x36, 2), count = integer(0x38, 2)
        for index in 0..<count {
            let entry = headerOffset + index * entrySize
            guard entry + 4 <= bytes.count else { return false }
            if integer(entry, 4) == 3 { return false }   // PT_INTERP
        }
        return true
    }
}
