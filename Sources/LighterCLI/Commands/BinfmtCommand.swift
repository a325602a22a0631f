import LighterArguments
import LighterEmulation
import LighterOCI
import LighterSystem

/// `binfmt status|install|uninstall [ARCH...]`: QEMU user emulation for foreign-architecture images.
struct BinfmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "binfmt", abstract: "Run foreign-architecture images through QEMU user emulation (binfmt_misc).",
        subcommands: [Status.self, Install.self, Uninstall.self], defaultSubcommand: Status.self)

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show which architectures can run here.")
        @OptionGroup var output: FormatOptions

        func run() throws {
            try guarded(exitCode: 1) { () throws(LighterError) in
                let binfmt = Binfmt()
                if !binfmt.isMounted { Console.out("binfmt_misc is not mounted (`lighter binfmt install` mounts it)") }
                let rows = BinfmtHandler.all.map { handler -> OutputRow in
                    let registration = binfmt.registration(handler.handlerName)
                    let native = handler.architecture == LighterOCI.Platform.host.architecture
                    let state = native ? "native" : (registration.map { $0.enabled ? "enabled" : "disabled" } ?? "not registered")
                    return OutputRow(fields: [("Architecture", handler.architecture), ("Handler", handler.handlerName), ("State", state),
                                              ("Interpreter", registration?.interpreter ?? (FileSystem.exists(handler.interpreter) ? handler.interpreter : "-")),
                                              ("Flags", registration?.flags ?? "")])
                }
                let renderer = OutputRenderer(columns: [("Architecture", "ARCH"), ("Handler", "HANDLER"), ("State", "STATE"), ("Interpreter", "INTERPRETER"), ("Flags", "FLAGS")])
                for line in try renderer.render(rows, format: output.format) { Console.out(line) }
            }
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "install", abstract: "Register QEMU for these architectures (default: every foreign one).")
        @Argument(help: "Architectures: arm64, arm, riscv64, ppc64le, s390x, 386, amd64.") var architectures: [String] = []

        func run() throws {
            try guarded(exitCode: 1) { () throws(LighterError) in
                for outcome in try Binfmt().install(architectures) { Console.out(outcome.description) }
            }
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Remove the QEMU handlers for these architectures (default: every foreign one).")
        @Argument(help: "Architectures.") var architectures: [String] = []

        func run() throws {
            try guarded(exitCode: 1) { () throws(LighterError) in
                for outcome in try Binfmt().uninstall(architectures) { Console.out(outcome.description) }
            }
        }
    }
}
