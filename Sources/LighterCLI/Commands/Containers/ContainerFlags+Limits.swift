#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// Checks made before anything is created, so a value the kernel would refuse later (with an
/// errno naming neither the flag nor the limit) is an error that says which and why.
extension ContainerFlags {
    /// Linux's MAX_ARG_STRLEN: one argument or environment string, terminator included, at most 32 pages.
    static let maxArgumentString = 32 * 4096

    /// execve(2) refuses an environment variable longer than MAX_ARG_STRLEN and arguments plus
    /// environment beyond ARG_MAX (E2BIG): say so now, naming the variable and the limit.
    static func checkArgumentSize(env: [String], command: [String]) throws(LighterError) {
        for entry in env where entry.utf8.count + 1 > maxArgumentString {
            let name = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            throw .limitExceeded("argument list too long: the environment variable \(name) is \(entry.utf8.count) bytes; Linux takes at most \(maxArgumentString - 1) bytes per variable (MAX_ARG_STRLEN)")
        }
        for argument in command where argument.utf8.count + 1 > maxArgumentString {
            throw .limitExceeded("argument list too long: an argument of \(argument.utf8.count) bytes; Linux takes at most \(maxArgumentString - 1) bytes per argument (MAX_ARG_STRLEN)")
        }
        let total = (env + command).reduce(0) { $0 + $1.utf8.count + 1 + MemoryLayout<UInt>.size }
        let limit = sysconf(Int32(_SC_ARG_MAX))
        if limit > 0, total > limit {
            throw .limitExceeded("argument list too long: the command and environment take \(total) bytes; this system allows \(limit) (ARG_MAX)")
        }
    }

    /// The CPUs of `--cpuset-cpus` must be online (Docker's check and text).
    static func checkCPUsAvailable(_ list: String, online: String? = nil) throws(LighterError) {
        guard let requested = cpuSet(list) else {
            throw .invalidArgument("--cpuset-cpus \(list): expected a list such as 0-2 or 0,1")
        }
        let available = (online ?? (try? FileSystem.readString("/sys/devices/system/cpu/online")) ?? "").trimmed
        guard let onlineSet = cpuSet(String(available)) else { return }
        let missing = requested.subtracting(onlineSet)
        if !missing.isEmpty {
            throw .invalidArgument("--cpuset-cpus \(list): Requested CPUs are not available - requested \(list), available: \(available)")
        }
    }

    /// "0-2,4" as a set; nil when malformed.
    static func cpuSet(_ text: String) -> Set<Int>? {
        var set: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil, low >= 0, low <= high, high < 8192 else { return nil }
            set.formUnion(low...high)
        }
        return set.isEmpty ? nil : set
    }
}
