/// The stub resolver's reply parser, for tools outside the module (the fuzz targets in scripts/fuzz).
public enum DNSReplyParser {
    /// The addresses of a well-formed reply; nil when the bytes are not one.
    public static func addresses(in reply: [UInt8]) -> [IPAddress]? { DNSMessage.parse(reply)?.addresses }
}
