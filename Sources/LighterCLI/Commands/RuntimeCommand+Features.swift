import LighterArguments
import LighterRuntime
import LighterSystem

extension RuntimeCommand {
    struct Features: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "features", abstract: "Print what this runtime supports, as JSON (runc's features document).")
        @OptionGroup var options: Options

        func run() throws {
            try options.perform { () throws(LighterError) in
                Console.out(String(decoding: Runtime.features().serialized(pretty: true), as: UTF8.self))
            }
        }
    }
}
