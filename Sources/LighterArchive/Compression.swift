/// Compression of a layer stream, recognised from its first bytes (not from a media type,
/// which can lie).
public enum Compression: String, Sendable {
    case none, gzip, zstd, bzip2, xz

    public static func detect(_ head: [UInt8]) -> Compression {
        if head.starts(with: [0x1f, 0x8b]) { return .gzip }
        if head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
        if head.starts(with: [0x42, 0x5a, 0x68]) { return .bzip2 }
        if head.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
        return .none
    }
}
