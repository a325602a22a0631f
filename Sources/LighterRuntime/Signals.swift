import LighterSystem

/// Signal names as `kill` takes them: "TERM", "SIGTERM", "15".
public enum Signals {
    private static let names: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
        "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17,
        "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25,
        "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "POLL": 29, "PWR": 30, "SYS": 31,
    ]

    public static func parse(_ text: String) throws(LighterError) -> Int32 {
        if let number = Int32(text) {
            guard (1...64).contains(number) else { throw .invalidArgument("signal \(text) is out of range 1-64") }
            return number
        }
        let upper = text.uppercased()
        let bare = upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper
        guard let number = names[bare] else { throw .invalidArgument("unknown signal \"\(text)\"") }
        return number
    }
}
