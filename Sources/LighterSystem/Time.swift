#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Wall-clock times as Docker prints and stores them, without Foundation's date formatting.
public enum Time {
    /// Seconds and nanoseconds since the epoch.
    public static func now() -> (seconds: Int64, nanoseconds: Int64) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int64(ts.tv_sec), Int64(ts.tv_nsec))
    }

    /// Now, in RFC 3339 (UTC, nanoseconds).
    public static func nowRFC3339() -> String {
        let t = now()
        return rfc3339(seconds: t.seconds, nanoseconds: t.nanoseconds)
    }

    /// RFC 3339 in UTC with nanoseconds, as in image configs: `2026-11-29T06:49:43.123456789Z`.
    public static func rfc3339(seconds: Int64, nanoseconds: Int64 = 0) -> String {
        var t = time_t(seconds)
        var tm = POSIX.Time()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var s = "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2))"
        if nanoseconds > 0 {
            var frac = String(nanoseconds)
            frac = String(repeating: "0", count: 9 - frac.count) + frac
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        return s + "Z"
    }

    /// Parse RFC 3339 (`Z` or `±hh:mm` offsets, optional fraction) into epoch seconds.
    public static func parseRFC3339(_ string: String) -> Int64? {
        let chars = Array(string.utf8)
        guard chars.count >= 20 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int32? {
            guard from + count <= chars.count else { return nil }
            var v: Int32 = 0
            for c in chars[from..<from + count] {
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int32(c - 48)
            }
            return v
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        var index = 19
        if index < chars.count && chars[index] == UInt8(ascii: ".") {
            index += 1
            while index < chars.count && chars[index] >= 48 && chars[index] <= 57 { index += 1 }
        }
        var offset: Int64 = 0
        if index < chars.count && (chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-")) {
            guard let oh = number(index + 1, 2), let om = number(index + 4, 2) else { return nil }
            offset = Int64(oh) * 3600 + Int64(om) * 60
            if chars[index] == UInt8(ascii: "-") { offset = -offset }
        } else if index >= chars.count || (chars[index] != UInt8(ascii: "Z") && chars[index] != UInt8(ascii: "z")) {
            return nil
        }
        var tm = POSIX.Time()
        tm.tm_year = year - 1900
        tm.tm_mon = month - 1
        tm.tm_mday = day
        tm.tm_hour = hour
        tm.tm_min = minute
        tm.tm_sec = second
        return Int64(timegm(&tm)) - offset
    }

    /// "3 hours ago", as `docker images` prints it.
    public static func ago(_ seconds: Int64, now: Int64 = Time.now().seconds) -> String {
        let d = max(0, now - seconds)
        func unit(_ n: Int64, _ name: String) -> String { n == 1 ? "\(name == "hour" ? "An" : "1") \(name) ago" : "\(n) \(name)s ago" }
        if d < 1 { return "Less than a second ago" }
        if d < 60 { return d == 1 ? "1 second ago" : "\(d) seconds ago" }
        if d < 3600 { return d / 60 == 1 ? "About a minute ago" : "\(d / 60) minutes ago" }
        if d < 86400 { return d / 3600 == 1 ? "About an hour ago" : "\(d / 3600) hours ago" }
        if d < 86400 * 14 { return unit(d / 86400, "day") }
        if d < 86400 * 60 { return "\(d / 86400 / 7) weeks ago" }
        if d < 86400 * 365 * 2 { return "\(d / 86400 / 30) months ago" }
        return "\(d / 86400 / 365) years ago"
    }

    /// Docker's human sizes: 1.2MB, 4.27kB, 512B (decimal units), `precision` significant digits as Go's
    /// `%.Ng`: 3 for the sizes of `images` and `ps` (go-units' HumanSizeWithPrecision), 4 where Docker's CLI
    /// calls go-units' HumanSize (`system df`'s summary, SHARED SIZE, UNIQUE SIZE, volume sizes).
    public static func humanSize(_ bytes: Int64, precision: Int = 3) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes)
        var index = 0
        while value >= 1000 && index < units.count - 1 {
            value /= 1000
            index += 1
        }
        if index == 0 { return "\(bytes)B" }
        let digits = max(0, precision - (value >= 100 ? 3 : (value >= 10 ? 2 : 1)))
        var text = format(value, decimals: digits)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + units[index]
    }

    static func format(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        let whole = Int64(rounded)
        if decimals == 0 { return String(whole) }
        var fraction = String(Int64(((rounded - Double(whole)) * scale).rounded()))
        fraction = String(repeating: "0", count: max(0, decimals - fraction.count)) + fraction
        return "\(whole).\(fraction)"
    }
}
