#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterRuntime
import LighterSystem

extension ContainerMonitor {
    /// argv[1] of a monitor process.
    public static let command = "__monitor"

    /// Entry point of `lighter __monitor ROOT ID [--stdin]` (reporting on fd 3; `--stdin`: fd 0 is the
    /// container's standard input).
    public static func main(arguments: [String]) -> Never {
        guard arguments.count == 4 || (arguments.count == 5 && arguments[4] == "--stdin"),
              let engine = try? Engine(root: arguments[2]) else {
            Console.error("lighter __monitor: usage: lighter __monitor ROOT ID [--stdin]")
            exit(125)
        }
        var monitor = ContainerMonitor(engine: engine, id: arguments[3], attach: false, input: 0, reportFD: 3)
        monitor.inputHanded = arguments.count == 5
        exit(monitor.run())
    }
}
