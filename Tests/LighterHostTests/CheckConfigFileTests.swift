import Testing
import LighterSystem
import LighterTestSupport
@testable import LighterHost

/// `lighter check-config --kernel-config FILE` against fixture configs written here.
@Suite struct CheckConfigFileTests {
    func run(_ text: String, strict: Bool = false, format: OutputFormat = .text, fragment: Bool = false) throws -> CommandOutput {
        let temp = TestDirectory("lighter-host-test")
        defer { temp.remove() }
        let path = try temp.write("config", text)
        return CheckConfig.run(.init(kernelConfig: path, format: format, fragment: fragment, strict: strict))
    }

    func report(_ text: String, strict: Bool = false) throws -> CheckConfigReport {
        let temp = TestDirectory("lighter-host-test")
        defer { temp.remove() }
        return try CheckConfig.report(.init(kernelConfig: try temp.write("config", text), strict: strict))
    }

    @Test func everythingSetPassesEvenStrict() throws {
        let report = try report(Fixture.config())
        #expect(report.missingRequired == [])
        #expect(report.missingOptional == [])
        #expect(report.exitCode == 0)
        #expect(report.host == nil && report.checks.isEmpty)
        #expect(report.config?.version == KernelVersion(6, 1, 21))
        #expect(report.options.allSatisfy { $0.state == .enabled && $0.usable })
        let output = try run(Fixture.config(), strict: true)
        #expect(output.exitCode == 0)
        #expect(output.stderr == "")
        #expect(output.stdout.contains("Result: everything Lighter needs is there."))
        #expect(output.stdout.contains("- CONFIG_MEMCG"))
        #expect(!output.stdout.contains("How to fix"))
    }

    @Test func severalMissingGiveExactVerdictsAndExitOne() throws {
        let missing: Set<String> = ["MEMCG", "VETH", "OVERLAY_FS", "SECCOMP_FILTER", "BINFMT_MISC"]
        let report = try report(Fixture.config(missing: missing))
        #expect(report.missingRequired == ["CONFIG_MEMCG", "CONFIG_VETH", "CONFIG_OVERLAY_FS"])
        #expect(report.missingOptional == ["CONFIG_SECCOMP_FILTER", "CONFIG_BINFMT_MISC"])
        #expect(report.exitCode == 1)
        let byName = Dictionary(uniqueKeysWithValues: report.options.map { ($0.name, $0) })
        #expect(byName["MEMCG"]?.state == .missing)
        #expect(byName["MEMCG"]?.need == .required)
        #expect(byName["MEMCG"]?.group == .generallyNecessary)
        #expect(byName["VETH"]?.group == .networking)
        #expect(byName["OVERLAY_FS"]?.group == .storage)
        #expect(byName["BINFMT_MISC"]?.group == .optional)
        #expect(byName["BINFMT_MISC"]?.need == .optional)
        #expect(byName["NAMESPACES"]?.state == .enabled)

        let output = try run(Fixture.config(missing: missing))
        #expect(output.exitCode == 1)
        #expect(output.stdout.contains("Result: Lighter needs what is missing: CONFIG_MEMCG, CONFIG_VETH, CONFIG_OVERLAY_FS"))
        #expect(output.stdout.contains("BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES"))
        #expect(output.stdout.contains("merge_config.sh"))
        #expect(output.stdout.contains("missing = \(OptionState.missing.meaning)"))
    }

    @Test func missingWithoutNotSetLinesIsMissingToo() throws {
        let report = try report(Fixture.config(missing: ["KEYS"], notSetLines: false))
        #expect(report.missingRequired == ["CONFIG_KEYS"])
    }

    @Test func optionalMissingFailsOnlyWithStrict() throws {
        let text = Fixture.config(missing: ["USER_NS", "CGROUP_PIDS"])
        #expect(try run(text).exitCode == 0)
        #expect(try run(text, strict: true).exitCode == 1)
        #expect(try report(text, strict: true).missingOptional == ["CONFIG_USER_NS", "CONFIG_CGROUP_PIDS"])
        let fragment = try run(text, fragment: true).stdout
        #expect(!fragment.contains("CONFIG_USER_NS=y"))
        let strictFragment = try run(text, strict: true, fragment: true).stdout
        #expect(strictFragment.contains("CONFIG_USER_NS=y\n"))
        #expect(strictFragment.contains("CONFIG_CGROUP_PIDS=y\n"))
    }

    @Test func modulesCountAsEnabledForAFileAndAsMissingWhenModulesCannotLoad() throws {
        let modules: Set<String> = ["OVERLAY_FS", "VETH", "BRIDGE", "NF_CONNTRACK"]
        let config = try KernelConfig.parse(Fixture.config(modules: modules), source: "fixture")
        let forFile = ConfigCheck.evaluate(config, context: CheckContext(version: config.version))
        for name in modules {
            let result = forFile.first { $0.name == name }
            #expect(result?.state == .module)
            #expect(result?.usable == true)
        }
        #expect(try run(Fixture.config(modules: modules)).exitCode == 0)
        #expect(try run(Fixture.config(modules: modules)).stdout.contains("CONFIG_OVERLAY_FS         module"))

        let noModules = CheckContext(version: config.version, modulesUnavailable: "/proc/modules is absent")
        let report = CheckConfigReport(config: config, configUnavailable: nil, context: noModules, host: nil, strict: false)
        #expect(report.missingRequired == ["CONFIG_VETH", "CONFIG_BRIDGE", "CONFIG_NF_CONNTRACK", "CONFIG_OVERLAY_FS"])
        #expect(report.exitCode == 1)
        #expect(report.options.first { $0.name == "VETH" }?.note?.contains("cannot load modules") == true)
        #expect(report.fragment.contains("CONFIG_OVERLAY_FS=y\n"))
    }

    @Test func gzipConfigIsRead() throws {
        let temp = TestDirectory("lighter-host-test")
        defer { temp.remove() }
        let plain = Fixture.config(missing: ["CPUSETS"])
        let gz = try Fixture.gzip(Array(plain.utf8))
        #expect(gz.starts(with: [0x1f, 0x8b]))
        let path = try temp.write("config.gz", gz)
        let config = try KernelConfig.load(path: path)
        #expect(config == (try KernelConfig.parse(plain, source: path)))
        let output = CheckConfig.run(.init(kernelConfig: path))
        #expect(output.exitCode == 1)
        #expect(output.stdout.contains("Kernel config: \(path) (Linux 6.1.21)"))
        #expect(output.stdout.contains("Result: Lighter needs what is missing: CONFIG_CPUSETS\n"))
    }

    @Test(arguments: [
        ("garbage", Array("hello world\nthis is not a config\n".utf8), "line 1 is not a CONFIG_NAME=value assignment"),
        ("binary", [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0x10], "binary data"),
        ("empty", [], "the file is empty"),
        ("comments-only", Array("# just a comment\n\n".utf8), "no CONFIG_ options found"),
        ("bad-name", Array("CONFIG_A=y\nCONFIG_B C=y\n".utf8), "line 2 has a bad option name"),
        ("no-value", Array("CONFIG_A=y\nCONFIG_B=\n".utf8), "line 2 assigns no value to CONFIG_B"),
        ("buildroot", Array("BR2_aarch64=y\nBR2_LINUX_KERNEL=y\n".utf8), "pass the kernel's .config instead"),
        ("truncated-gzip", [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x4c], "malformed kernel config"),
    ] as [(String, [UInt8], String)])
    func badInputExitsTwoWithAClearMessage(name: String, bytes: [UInt8], expected: String) throws {
        let temp = TestDirectory("lighter-host-test")
        defer { temp.remove() }
        let path = try temp.write(name, bytes)
        let output = CheckConfig.run(.init(kernelConfig: path))
        #expect(output.exitCode == 2)
        #expect(output.stdout == "")
        #expect(output.stderr.hasPrefix("lighter: "))
        #expect(output.stderr.contains(expected), "\(output.stderr)")
        #expect(output.stderr.contains(path))
    }

    @Test func unreadableFileExitsTwo() throws {
        let output = CheckConfig.run(.init(kernelConfig: "/nonexistent/lighter/config"))
        #expect(output.exitCode == 2)
        #expect(output.stderr == "lighter: invalid argument: cannot read kernel config /nonexistent/lighter/config: No such file or directory\n")
        let temp = TestDirectory("lighter-host-test")
        defer { temp.remove() }
        let directory = CheckConfig.run(.init(kernelConfig: temp.path))
        #expect(directory.exitCode == 2)
        #expect(directory.stderr.contains("is a directory"))
    }

    @Test func fragmentWithJSONIsBadInput() throws {
        let output = try run(Fixture.config(), format: .json, fragment: true)
        #expect(output.exitCode == 2)
        #expect(output.stderr.contains("--fragment"))
    }

    @Test func fragmentMergedBackPasses() throws {
        let missing: Set<String> = ["MEMCG", "CGROUP_FREEZER", "NETFILTER", "NF_TABLES", "NFT_MASQ", "OVERLAY_FS", "KEYS",
                                    "IP_NF_NAT", "CGROUPS"]
        let text = Fixture.config(missing: missing)
        let output = try run(text, fragment: true)
        #expect(output.exitCode == 1)
        let assignments = output.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }
        // Prerequisites come first; CGROUP_NS has no symbol and maps to CGROUPS; IP_NF_NAT is not needed
        // because the nftables set becomes complete.
        #expect(assignments == ["CONFIG_CGROUPS=y", "CONFIG_CGROUP_FREEZER=y", "CONFIG_MEMCG=y", "CONFIG_KEYS=y",
                                "CONFIG_NETFILTER=y", "CONFIG_NF_TABLES=y", "CONFIG_NFT_MASQ=y", "CONFIG_OVERLAY_FS=y"])
        let original = try KernelConfig.parse(text, source: "original")
        let fragment = try KernelConfig.parse(output.stdout, source: "fragment")
        let merged = original.merging(fragment)
        let temp = TestDirectory("lighter-host-test")
        defer { temp.remove() }
        var mergedText = ""
        for (name, value) in merged.values.sorted(by: { $0.key < $1.key }) {
            mergedText += value == "n" ? "# CONFIG_\(name) is not set\n" : "CONFIG_\(name)=\(value)\n"
        }
        let path = try temp.write("merged", mergedText)
        let again = CheckConfig.run(.init(kernelConfig: path))
        #expect(again.exitCode == 0, "\(again.stdout)")
        #expect(CheckConfig.run(.init(kernelConfig: path, fragment: true)).stdout.contains("Nothing to add"))
    }

    @Test func firewallNeedsOneCompleteSet() throws {
        let nft: Set<String> = ["NF_TABLES", "NF_TABLES_IPV4", "NFT_NAT", "NFT_MASQ", "NFT_CT"]
        let iptables: Set<String> = ["IP_NF_IPTABLES", "IP_NF_FILTER", "IP_NF_MANGLE", "IP_NF_RAW", "IP_NF_NAT",
                                     "IP_NF_TARGET_MASQUERADE", "NETFILTER_XT_MATCH_ADDRTYPE", "NETFILTER_XT_MATCH_CONNTRACK",
                                     "NETFILTER_XT_MARK"]
        // Legacy host: no nftables, complete iptables set.
        let legacy = try report(Fixture.config(missing: nft))
        #expect(legacy.exitCode == 0)
        #expect(legacy.options.filter { nft.contains($0.name) }.allSatisfy { $0.need == .notNeeded && $0.state == .missing })
        // nftables host: iptables set missing is fine.
        let modern = try report(Fixture.config(missing: iptables))
        #expect(modern.exitCode == 0)
        #expect(modern.options.filter { iptables.contains($0.name) }.allSatisfy { $0.need == .notNeeded })
        // Neither: the nftables set is what is asked for.
        let neither = try report(Fixture.config(missing: nft.union(["IP_NF_NAT"])))
        #expect(neither.exitCode == 1)
        #expect(neither.missingRequired == ["CONFIG_NF_TABLES", "CONFIG_NF_TABLES_IPV4", "CONFIG_NFT_NAT", "CONFIG_NFT_MASQ", "CONFIG_NFT_CT"])
    }

    @Test func versionDecidesWhichOptionsApply() throws {
        let old = try KernelConfig.parse(Fixture.config(version: "4.4.302", missing: ["DEVPTS_MULTIPLE_INSTANCES"]), source: "old")
        let oldResults = ConfigCheck.evaluate(old, context: CheckContext(version: old.version))
        let oldNames = Set(oldResults.map(\.name))
        #expect(oldNames.isSuperset(of: ["DEVPTS_MULTIPLE_INSTANCES", "NF_NAT_IPV4", "NF_NAT_NEEDED", "MEMCG_SWAP"]))
        #expect(!oldNames.contains("CGROUP_NS") && !oldNames.contains("CGROUP_BPF"))
        #expect(oldResults.first { $0.name == "DEVPTS_MULTIPLE_INSTANCES" }?.usable == false)

        let new = try KernelConfig.parse(Fixture.config(version: "6.6.0"), source: "new")
        let newNames = Set(ConfigCheck.evaluate(new, context: CheckContext(version: new.version)).map(\.name))
        #expect(newNames.isDisjoint(with: ["DEVPTS_MULTIPLE_INSTANCES", "NF_NAT_IPV4", "NF_NAT_NEEDED", "MEMCG_SWAP"]))
        #expect(newNames.isSuperset(of: ["CGROUP_NS", "CGROUP_BPF"]))
    }

    @Test func cgroupV1OnlyOptionsAreNotNeededOnV2() throws {
        let config = try KernelConfig.parse(Fixture.config(missing: ["CGROUP_FREEZER", "CGROUP_DEVICE"]), source: "v2")
        let onV2 = CheckConfigReport(config: config, configUnavailable: nil,
                                     context: CheckContext(version: config.version, cgroupMode: .v2), host: nil, strict: true)
        #expect(onV2.exitCode == 0)
        let onV1 = CheckConfigReport(config: config, configUnavailable: nil,
                                     context: CheckContext(version: config.version, cgroupMode: .hybrid), host: nil, strict: false)
        #expect(onV1.missingRequired == ["CONFIG_CGROUP_DEVICE", "CONFIG_CGROUP_FREEZER"])
    }

    @Test func jsonIsSortedAndRoundTrips() throws {
        let output = try run(Fixture.config(missing: ["VETH"]), format: .json)
        #expect(output.exitCode == 1)
        let decoded = try HostJSONDecode.report(output.stdout)
        #expect(decoded.missingRequired == ["CONFIG_VETH"])
        #expect(decoded.exitCode == 1)
        #expect(decoded.options.count == KernelOption.catalog.filter { $0.applies(to: KernelVersion(6, 1, 21)) }.count)
        let keys = output.stdout.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(keys == keys.sorted())
        #expect(keys.contains("fragment") && keys.contains("options") && keys.contains("exitCode"))
    }
}
