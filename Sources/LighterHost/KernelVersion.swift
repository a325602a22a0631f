/// A Linux kernel version (major.minor.patch), read from `uname -r` or a config header
/// ("# Linux/arm64 6.1.21 Kernel Configuration").
public struct KernelVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses the leading "X.Y[.Z]" of a release string such as "6.18.44-fc-v595" or "5.15.0-rc1+".
    public init?(release: String) {
        var numbers: [Int] = []
        var current = ""
        for character in release {
            if character.isASCII, character.isNumber {
                current.append(character)
            } else {
                guard !current.isEmpty, let value = Int(current) else { break }
                numbers.append(value)
                current = ""
                if character != "." || numbers.count == 3 { break }
            }
        }
        if !current.isEmpty, numbers.count < 3, let value = Int(current) { numbers.append(value) }
        guard numbers.count >= 2 else { return nil }
        self.init(numbers[0], numbers[1], numbers.count > 2 ? numbers[2] : 0)
    }

    public static func < (lhs: KernelVersion, rhs: KernelVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = KernelVersion(release: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a kernel version: \(text)"))
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
