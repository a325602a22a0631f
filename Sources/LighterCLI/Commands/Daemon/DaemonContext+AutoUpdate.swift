#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterSystem

extension DaemonContext {
    /// `--auto-update-interval`: `lighter auto-update` every `nanoseconds`, as its own process (it
    /// stops, starts and health-waits containers, and recovers an interrupted update first), on the
    /// daemon's data root. Each container it updated, rolled back or failed to update is one line of the
    /// daemon's log; one that needed nothing is not.
    func startAutoUpdates(every nanoseconds: Int64) {
        LighterAPI.Thread.detached(stackBytes: 128 * 1024) { [root] in
            let format = "{{.ContainerName}} {{.Image}} {{.Policy}} {{.Updated}}"
            while true {
                var interval = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
                var left = timespec()
                while nanosleep(&interval, &left) == -1 && errno == EINTR { interval = left }
                do {
                    let status = try DaemonSubcommand.run(["--root", root, "auto-update", "--format", format]) { line in
                        if !line.hasSuffix(" false") { Console.error("lighter daemon: auto-update: \(line)") }
                    }
                    if status != 0 { Console.error("lighter daemon: auto-update ended with status \(status)") }
                } catch {
                    Console.error("lighter daemon: auto-update: \(error)")
                }
            }
        }
    }

    /// The interval of `--auto-update-interval` in nanoseconds: a Go duration of at least one second.
    static func autoUpdateInterval(_ text: String) throws(LighterError) -> Int64 {
        guard let nanoseconds = GoDuration.parse(text), nanoseconds >= 1_000_000_000 else {
            throw .invalidArgument("--auto-update-interval \(text): give a duration of at least 1s, such as 30m or 24h")
        }
        return nanoseconds
    }
}
