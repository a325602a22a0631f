/// Go's `time.Duration` text, as Docker's flags take it (`--health-interval 1m30s`, `500ms`) and prints it.
public enum GoDuration {
    /// Nanoseconds of a Go duration ("300ms", "1.5h", "2h45m", "-1s"; units ns, us, µs, ms, s, m, h;
    /// "0" alone needs no unit). Nil when the text is not one.
    public static func parse(_ text: String) -> Int64? {
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
            guard total < 9.2e18 else { return nil }
        }
        return Int64(negative ? -total : total)
    }

    /// Go's `Duration.String()` for whole milliseconds and up ("30s", "1m30s", "1.5s", "250ms", "1h0m0s").
    public static func format(_ nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let n = nanoseconds.magnitude
        if n < 1_000_000_000 {
            if n < 1_000 { return "\(sign)\(n)ns" }
            if n < 1_000_000 { return sign + decimal(n, unit: 1_000) + "µs" }
            return sign + decimal(n, unit: 1_000_000) + "ms"
        }
        let hours = n / 3_600_000_000_000, minutes = n / 60_000_000_000 % 60
        let seconds = decimal(n % 60_000_000_000, unit: 1_000_000_000) + "s"
        if hours > 0 { return "\(sign)\(hours)h\(minutes)m\(seconds)" }
        if minutes > 0 { return "\(sign)\(minutes)m\(seconds)" }
        return sign + seconds
    }

    private static func decimal(_ value: UInt64, unit: UInt64) -> String {
        let whole = value / unit, fraction = value % unit
        guard fraction > 0 else { return "\(whole)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: String(unit).count - 1 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
