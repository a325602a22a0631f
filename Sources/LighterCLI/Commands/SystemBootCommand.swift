import LighterArguments
import LighterEngine
import LighterSystem

/// `system boot`: what a board runs at start when no daemon does (the daemon does the same at its
/// start): containers whose monitor died with the machine are saved as exited, bridges and rules are
/// made again, and containers start by their restart policy.
struct SystemBootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "After a reboot: mark containers whose monitor is gone as exited, restore bridges and rules, start containers by restart policy.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let report = try store.openEngine().boot()
            for line in report.lines { Console.out(line) }
            if !report.succeeded { throw LighterError.conflict("some containers or networks could not be restored (see above)") }
        }
    }
}
