/// One line of /proc/self/mountinfo.
public struct MountEntry: Sendable, Equatable {
    public let mountPoint: String
    public let fileSystemType: String
    public let source: String
    /// Per-superblock options (for cgroup v1: the controllers of the hierarchy).
    public let superOptions: [String]
    /// The directory of the file system mounted there ("/" for a whole file system, a subdirectory for a bind).
    public let root: String

    public init(mountPoint: String, fileSystemType: String, source: String, superOptions: [String], root: String = "/") {
        self.root = root
        self.mountPoint = mountPoint
        self.fileSystemType = fileSystemType
        self.source = source
        self.superOptions = superOptions
    }
}

public enum MountInfo {
    public static func read(_ path: String = "/proc/self/mountinfo") throws(LighterError) -> [MountEntry] {
        parse(try FileSystem.readString(path))
    }

    /// Parses mountinfo text: "id parent major:minor root mountpoint options [optional...] - fstype source superoptions".
    public static func parse(_ text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard let dash = fields.firstIndex(of: "-"), dash >= 6, fields.count >= dash + 3 else { return nil }
            return MountEntry(mountPoint: unescape(fields[4]), fileSystemType: String(fields[dash + 1]),
                              source: unescape(fields[dash + 2]),
                              superOptions: fields.count > dash + 3 ? fields[dash + 3].split(separator: ",").map(String.init) : [],
                              root: unescape(fields[3]))
        }
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo octal.
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count,
               let value = UInt8(String(decoding: utf8[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
