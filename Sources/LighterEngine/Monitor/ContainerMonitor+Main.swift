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

    /// Entry point of `lighter __monitor ROOT ID` (reporting on fd 3).
    public static func main(arguments: [String]) -> Never {
        guard arguments.count == 4, let engine = try? Engine(root: arguments[2]) else {
            Console.error("lighter __monitor: usage: lighter __monitor ROOT ID")
            exit(125)
        }
        let monitor = ContainerMonitor(engine: engine, id: arguments[3], attach: false, input: 0, reportFD: 3)
        exit(monitor.run())
    }
}
