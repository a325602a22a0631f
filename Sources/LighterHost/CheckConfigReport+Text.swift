extension CheckConfigReport {
    /// The human-readable report.
    public var text: String {
        var out: [String] = []
        if let config {
            out.append("Kernel config: \(config.path)\(config.version.map { " (Linux \($0))" } ?? "")")
            out.append("  enabled = \(OptionState.enabled.meaning)")
            out.append("  module  = \(OptionState.module.meaning)")
            out.append("  missing = \(OptionState.missing.meaning)")
            out.append("  a leading ! marks a required option that is not usable, ? an optional one")
        } else if let configUnavailable {
            out.append("Kernel config: unavailable (\(configUnavailable)); checking the running system only")
        }
        for group in FeatureGroup.allCases {
            let results = options.filter { $0.group == group }
            if results.isEmpty { continue }
            out.append("")
            out.append("\(group.title):")
            let width = results.map(\.name.count).max() ?? 0
            for result in results {
                let name = "CONFIG_\(result.name)".padded(to: width + 7)
                let mark = result.usable ? " " : (result.need == .required ? "!" : (result.need == .optional ? "?" : " "))
                let need = result.need == .required ? "" : "(\(result.need.rawValue)) "
                out.append("\(mark) - \(name)  \(result.state.rawValue.padded(to: 7))  \(need)\(result.meaning)")
                if let note = result.note { out.append("      note: \(note)") }
            }
        }
        if !checks.isEmpty {
            out.append("")
            out.append("Running system\(host.map { " (Linux \($0.kernelRelease), \($0.machine))" } ?? ""):")
            for check in checks {
                let status = check.status == .failed ? "FAILED" : check.status.rawValue
                let need = check.need == .optional && check.status != .ok ? " (optional)" : ""
                out.append("  [\(status)]".padded(to: 12) + "\(check.id)\(need): \(check.detail)")
                if let fix = check.fix { out.append("".padded(to: 12) + "fix: \(fix)") }
            }
        }
        out.append("")
        if missingRequired.isEmpty {
            out.append("Result: everything Lighter needs is there.")
        } else {
            out.append("Result: Lighter needs what is missing: \(missingRequired.joined(separator: ", "))")
        }
        if !missingOptional.isEmpty {
            out.append("Optional, missing\(strict ? " (fails with --strict)" : ""): \(missingOptional.joined(separator: ", "))")
        }
        out.append(contentsOf: howToFix)
        return out.joined(separator: "\n") + "\n"
    }

    /// Instructions for the fragment and the boot command line, when something is missing.
    var howToFix: [String] {
        var out: [String] = []
        let missingOptions = options.contains { !$0.usable && $0.need != .notNeeded }
        let commandLineFixes = checks.filter { $0.status != .ok && ($0.id.hasPrefix("cgroup-") || $0.id == "kernel-command-line") }
            .compactMap(\.fix).filter { $0.contains("command line") }
        guard missingOptions || !commandLineFixes.isEmpty else { return out }
        out.append("")
        out.append("How to fix:")
        if missingOptions, let config {
            let file = host == nil ? " --kernel-config \(config.path)" : ""
            let requiredMissing = options.contains { !$0.usable && $0.need == .required }
            let strictFlag = strict || !requiredMissing ? " --strict" : ""
            out.append("  Kernel options: write a fragment with the missing \(strictFlag.isEmpty ? "required" : "required and optional") options")
            out.append("      lighter check-config\(file)\(strictFlag) --fragment > lighter.fragment")
            out.append("    Buildroot: set in your defconfig")
            out.append("      BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES=\"$(BR2_EXTERNAL)/board/lighter.fragment\"")
            out.append("      then rebuild the kernel: make linux-dirclean && make")
            out.append("    Kernel tree: scripts/kconfig/merge_config.sh -m .config lighter.fragment && make olddefconfig")
            out.append("    Then check the result: lighter check-config --kernel-config .config")
        }
        var seen: Set<String> = []
        for fix in commandLineFixes where seen.insert(fix).inserted {
            out.append("  Boot command line: \(fix)")
        }
        return out
    }
}

extension String {
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
