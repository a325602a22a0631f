/// A kernel config fragment (`CONFIG_X=y` lines) for what a config lacks, for Buildroot's
/// `BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES` or `scripts/kconfig/merge_config.sh`.
public enum KernelFragment {
    public static let unavailable = "# lighter check-config: no kernel config was available, so no fragment can be derived.\n"

    /// The options to turn on: required ones that are not usable (with `strict`, optional ones
    /// too), each preceded by prerequisites the config does not set. Modules that cannot be
    /// loaded on the running kernel are turned into built-ins.
    public static func make(for results: [OptionResult], config: KernelConfig, strict: Bool,
                            catalog: [KernelOption] = KernelOption.catalog) -> String {
        let byName = Dictionary(catalog.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        var emitted: Set<String> = []
        func emit(_ name: String, because meaning: String) {
            guard !emitted.contains(name) else { return }
            if let option = byName[name] {
                for prerequisite in option.prerequisites where config.state(of: prerequisite) == .missing {
                    emit(prerequisite, because: "needed by CONFIG_\(name)")
                }
            }
            emitted.insert(name)
            lines.append("# \(meaning)")
            lines.append("CONFIG_\(name)=y")
        }
        for result in results where !result.usable && (result.need == .required || (strict && result.need == .optional)) {
            let symbol = byName[result.name]?.providedBy ?? result.name
            emit(symbol, because: result.meaning)
        }
        var text = "# Kernel config fragment written by `lighter check-config --fragment` for \(config.source)\n"
        if lines.isEmpty {
            text += "# Nothing to add: every option Lighter \(strict ? "uses" : "needs") is set.\n"
        } else {
            text += "# Apply with Buildroot (BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES) or scripts/kconfig/merge_config.sh.\n"
            text += lines.joined(separator: "\n") + "\n"
        }
        return text
    }
}
