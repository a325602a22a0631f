/// Docker's byte sizes (`--memory 32m`, `--log-opt max-size=10m`): a number with an optional
/// binary unit b, k, m, g, t (any case, optional trailing "b").
public enum ByteSize {
    public static func parse(_ text: String, flag: String) throws(LighterError) -> Int64 {
        var digits = text.lowercased()
        var multiplier: Int64 = 1
        if digits.count > 1, digits.hasSuffix("b"), let before = digits.dropLast().last, !before.isNumber { digits.removeLast() }
        switch digits.last {
        case "k": multiplier = 1 << 10
        case "m": multiplier = 1 << 20
        case "g": multiplier = 1 << 30
        case "t": multiplier = 1 << 40
        case "b": multiplier = 1
        default: break
        }
        if let last = digits.last, !last.isNumber, last != "." { digits.removeLast() }
        guard let value = Double(digits), value > 0, value.isFinite, value * Double(multiplier) < 9.2e18 else {
            throw .invalidArgument("\(flag)=\(text): not a size (e.g. 512k, 32m, 1g)")
        }
        return Int64(value * Double(multiplier))
    }
}
