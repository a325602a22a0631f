import LighterArguments
import LighterBuild
import LighterSystem

/// `build --check`: Docker's build checks over the Dockerfile, nothing built. Prints as buildx does
/// ("Check complete, N warnings have been found!", each rule with its page and the lines around),
/// exit 1 when anything was found, 0 with "Check complete, no warnings found.".
extension BuildCommand {
    func runChecks() throws(ExitCode) {
        var found = 0
        try guarded(exitCode: 1) { () throws(LighterError) in
            let options = try BuildInput.options(context: context, file: file, root: store.resolvedRoot)
            defer { BuildInput.removeUnpacked(options) }
            let dockerfile = try Dockerfile(parsing: options.dockerfile, name: options.dockerfileName)
            let warnings = try dockerfile.checks()
            found = warnings.count
            Console.out(Self.checkReport(warnings, source: options.dockerfile, name: options.dockerfileName))
        }
        if found > 0 { throw ExitCode(1) }
    }

    static func checkReport(_ warnings: [BuildCheckWarning], source: String, name: String) -> String {
        guard !warnings.isEmpty else { return "Check complete, no warnings found." }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var text = "Check complete, \(warnings.count == 1 ? "1 warning has" : "\(warnings.count) warnings have") been found!\n"
        for warning in warnings {
            text += "\nWARNING: \(warning.rule) - \(warning.url)\n\(warning.detail)\n"
            text += "\(name):\(warning.line)\n--------------------\n"
            let first = max(1, warning.line - 2), last = min(lines.count, warning.line + 2)
            if first <= last {
                for number in first...last {
                    let mark = number == warning.line ? ">>>" : "   "
                    let label = String(number)
                    text += String(repeating: " ", count: max(0, 4 - label.count)) + label + " | \(mark) " + lines[number - 1] + "\n"
                }
            }
            text += "--------------------\n"
        }
        return String(text.dropLast())
    }
}
