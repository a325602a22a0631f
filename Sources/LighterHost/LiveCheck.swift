import LighterSystem

/// One finding about the running system.
public struct LiveCheck: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case ok, warning, failed, info
    }
    /// Stable identifier ("cgroup-mode", "cgroup-memory", "overlayfs", ...).
    public let id: String
    public let status: Status
    public let need: Need
    public let detail: String
    /// What to do about it, when something is wrong.
    public let fix: String?

    public init(_ id: String, _ status: Status, _ need: Need, _ detail: String, fix: String? = nil) {
        self.id = id
        self.status = status
        self.need = need
        self.detail = detail
        self.fix = fix
    }

    /// True when this finding fails the check at the given strictness.
    public func fails(strict: Bool) -> Bool {
        status == .failed && (need == .required || (strict && need == .optional))
            || status == .warning && strict && need == .optional
    }
}

extension HostFacts {
    /// Kernel option behind each controller, for fixes.
    static let controllerOption = ["cpu": "CGROUP_SCHED", "cpuacct": "CGROUP_CPUACCT", "cpuset": "CPUSETS", "memory": "MEMCG",
                                   "devices": "CGROUP_DEVICE", "freezer": "CGROUP_FREEZER", "pids": "CGROUP_PIDS",
                                   "blkio": "BLK_CGROUP", "io": "BLK_CGROUP", "hugetlb": "CGROUP_HUGETLB"]

    /// The boot-command-line change that turns a disabled controller back on.
    public static func commandLineFix(for controller: String) -> String {
        var fix = "remove cgroup_disable=\(controller) from the kernel command line and add cgroup_enable=\(controller)"
        if controller == "memory" {
            fix += " cgroup_memory=1 (Raspberry Pi: append \"cgroup_enable=memory cgroup_memory=1\" to the single line of /boot/firmware/cmdline.txt, or /boot/cmdline.txt on older images, then reboot)"
        } else {
            fix += ", then reboot"
        }
        return fix
    }

    /// Turns the observations into findings, each with a fix.
    public var checks: [LiveCheck] {
        var checks: [LiveCheck] = []
        switch cgroups.mode {
        case .none:
            checks.append(LiveCheck("cgroup-mode", .failed, .required, "no cgroup file system is mounted",
                                    fix: "mount -t cgroup2 none /sys/fs/cgroup (or mount the v1 hierarchies, e.g. with cgroupfs-mount)"))
        case .v1:
            checks.append(LiveCheck("cgroup-mode", .ok, .required, "v1: one hierarchy per controller under /sys/fs/cgroup"))
        case .hybrid:
            checks.append(LiveCheck("cgroup-mode", .ok, .required,
                                    "hybrid: v1 controller hierarchies, cgroup2 at \(cgroups.unifiedPath ?? "?") (controllers follow their v1 mounts)"))
        case .v2:
            checks.append(LiveCheck("cgroup-mode", .ok, .required, "v2: unified hierarchy at \(cgroups.unifiedPath ?? "/sys/fs/cgroup")"))
        }
        for controller in cgroups.controllers {
            let need: Need = CgroupFacts.requiredControllers.contains(controller.name) ? .required : .optional
            let id = "cgroup-\(controller.name)"
            switch controller.state {
            case .usable:
                let place = controller.path.map { " (\(controller.hierarchy ?? "") at \($0))" } ?? ""
                checks.append(LiveCheck(id, .ok, need, "\(controller.name) controller usable\(place)"))
            case .disabled:
                checks.append(LiveCheck(id, .failed, need, "\(controller.name) controller is disabled on the kernel command line",
                                        fix: Self.commandLineFix(for: controller.name)))
            case .notMounted:
                checks.append(LiveCheck(id, .failed, need, "\(controller.name) controller is in the kernel but not mounted",
                                        fix: cgroups.mode == .v2
                                            ? "it is bound to a v1 hierarchy; unmount that, or boot with cgroup_no_v1=\(controller.name)"
                                            : "mkdir -p /sys/fs/cgroup/\(controller.name) && mount -t cgroup -o \(controller.name) cgroup /sys/fs/cgroup/\(controller.name)"))
            case .missing:
                checks.append(LiveCheck(id, .failed, need, "\(controller.name) controller is not in the kernel",
                                        fix: "rebuild the kernel with CONFIG_\(Self.controllerOption[controller.name] ?? "CGROUPS")=y"))
            }
        }
        if let memoryTest, !memoryTest.tested {
            checks.append(LiveCheck("memory-limit", .info, .notNeeded, memoryTest.detail))
        } else if let memoryTest {
            checks.append(LiveCheck("memory-limit", memoryTest.works ? .ok : .failed, .required, memoryTest.detail,
                                    fix: memoryTest.works ? nil : "check that the memory controller is enabled and writable (run as root)"))
        }
        if commandLineDisabled.isEmpty {
            let flags = commandLineFlags.isEmpty ? "no cgroup or module flags" : commandLineFlags.joined(separator: " ")
            checks.append(LiveCheck("kernel-command-line", .ok, .required, flags))
        } else {
            checks.append(LiveCheck("kernel-command-line", .failed, .required,
                                    "\(commandLineFlags.joined(separator: " ")) disables \(commandLineDisabled.joined(separator: ", "))",
                                    fix: commandLineDisabled.map(Self.commandLineFix(for:)).joined(separator: "; ")))
        }
        checks.append(!overlay.tested
                      ? LiveCheck("overlayfs", .info, .notNeeded, overlay.detail)
                      : LiveCheck("overlayfs", overlay.mountable ? .ok : .failed, .required, overlay.detail,
                                  fix: overlay.mountable ? nil : "build the kernel with CONFIG_OVERLAY_FS=y; the data root must be on ext4, xfs (ftype=1), btrfs or tmpfs"))
        checks.append(binfmtCheck)
        checks.append(firewallCheck)
        let requiredNamespaces = ["ipc": "IPC_NS", "mnt": "NAMESPACES", "net": "NET_NS", "pid": "PID_NS", "uts": "UTS_NS"]
        let absent = requiredNamespaces.keys.sorted().filter { !namespaces.contains($0) }
        checks.append(absent.isEmpty
                      ? LiveCheck("namespaces", .ok, .required, "available: \(namespaces.joined(separator: " "))")
                      : LiveCheck("namespaces", .failed, .required, "missing namespaces: \(absent.joined(separator: " ")) (/proc/self/ns)",
                                  fix: "rebuild the kernel with " + absent.compactMap { requiredNamespaces[$0].map { "CONFIG_\($0)=y" } }.joined(separator: " ")))
        checks.append(security.contains("seccomp")
                      ? LiveCheck("seccomp", .ok, .optional, "seccomp available")
                      : LiveCheck("seccomp", .warning, .optional, "the kernel has no seccomp: containers run without a system-call filter",
                                  fix: "rebuild the kernel with CONFIG_SECCOMP=y CONFIG_SECCOMP_FILTER=y"))
        checks.append(namespaces.contains("cgroup")
                      ? LiveCheck("cgroup-namespace", .ok, .required, "cgroup namespaces available")
                      : LiveCheck("cgroup-namespace", .failed, .required, "the kernel has no cgroup namespaces (/proc/self/ns/cgroup)",
                                  fix: "use Linux 4.6 or later with CONFIG_CGROUPS=y"))
        switch sysctls.maxUserNamespaces {
        case nil:
            checks.append(LiveCheck("user-namespaces", .warning, .optional, "the kernel has no user namespaces",
                                    fix: "rebuild the kernel with CONFIG_USER_NS=y"))
        case 0?:
            checks.append(LiveCheck("user-namespaces", .warning, .optional, "user.max_user_namespaces = 0: user namespaces are switched off",
                                    fix: "sysctl -w user.max_user_namespaces=15000 (persist it in /etc/sysctl.d/)"))
        case let value?:
            checks.append(LiveCheck("user-namespaces", .ok, .optional, "user.max_user_namespaces = \(value)"))
        }
        switch sysctls.rootMaxKeys {
        case nil:
            checks.append(LiveCheck("keys", .failed, .required, "the kernel has no keyrings (/proc/sys/kernel/keys)",
                                    fix: "rebuild the kernel with CONFIG_KEYS=y"))
        case let value? where value < SysctlFacts.minimumRootMaxKeys:
            checks.append(LiveCheck("keys", .warning, .optional, "kernel.keys.root_maxkeys = \(value): too few keys for many containers",
                                    fix: "sysctl -w kernel.keys.root_maxkeys=1000000 (persist it in /etc/sysctl.d/)"))
        case let value?:
            checks.append(LiveCheck("keys", .ok, .optional, "kernel.keys.root_maxkeys = \(value)"))
        }
        checks.append(modules.loadable
                      ? LiveCheck("modules", .ok, .notNeeded, "the kernel loads modules: features built as modules can be used")
                      : LiveCheck("modules", .info, .notNeeded, "\(modules.reason ?? "modules cannot be loaded"): features built as modules (\"module\") are not loadable"))
        return checks
    }

    var binfmtCheck: LiveCheck {
        if !binfmt.supported {
            return LiveCheck("binfmt_misc", .warning, .optional, "the kernel has no binfmt_misc: images of other architectures cannot run",
                             fix: "rebuild the kernel with CONFIG_BINFMT_MISC=y")
        }
        guard let mountPoint = binfmt.mountPoint else {
            return LiveCheck("binfmt_misc", .warning, .optional, "binfmt_misc is in the kernel but not mounted: no emulation handlers can be registered",
                             fix: "mount -t binfmt_misc binfmt_misc \(BinfmtFacts.defaultMountPoint)")
        }
        let qemu = binfmt.qemuHandlers.map { $0.enabled ? $0.name : "\($0.name) (disabled)" }
        if !binfmt.enabled {
            return LiveCheck("binfmt_misc", .warning, .optional, "binfmt_misc at \(mountPoint) is switched off (status: disabled)",
                             fix: "echo 1 > \(mountPoint)/status")
        }
        if qemu.isEmpty {
            return LiveCheck("binfmt_misc", .warning, .optional, "binfmt_misc mounted at \(mountPoint); no QEMU handlers registered",
                             fix: "install QEMU user-mode emulators with binfmt handlers (Debian: apt-get install qemu-user-static binfmt-support)")
        }
        return LiveCheck("binfmt_misc", .ok, .optional, "binfmt_misc mounted at \(mountPoint); QEMU handlers: \(qemu.joined(separator: ", "))")
    }

    var firewallCheck: LiveCheck {
        var parts: [String] = []
        if firewall.nftablesKernel {
            parts.append("kernel nf_tables answers")
        } else if !firewall.nftablesTested {
            parts.append(firewall.nftablesDetail ?? "nf_tables not tested")
        } else {
            parts.append("no nf_tables (\(firewall.nftablesDetail ?? "no answer"))")
        }
        if let tables = firewall.legacyTables {
            parts.append(tables.isEmpty ? "iptables-legacy in the kernel, no tables in use" : "iptables-legacy tables in use: \(tables.joined(separator: ", "))")
        }
        if let command = firewall.iptablesCommand { parts.append("iptables is \(FileSystem.basename(of: command))") }
        if let nft = firewall.nftCommand { parts.append("nft at \(nft)") }
        let detail = parts.joined(separator: "; ")
        if firewall.backend == nil, !firewall.nftablesTested {
            return LiveCheck("firewall", .info, .notNeeded, detail)
        }
        guard let backend = firewall.backend else {
            return LiveCheck("firewall", .failed, .required, "neither nftables nor iptables-legacy: \(detail)",
                             fix: "rebuild the kernel with CONFIG_NF_TABLES=y CONFIG_NFT_NAT=y CONFIG_NFT_MASQ=y CONFIG_NFT_CT=y")
        }
        if backend == "nftables", let tables = firewall.legacyTables, !tables.isEmpty {
            return LiveCheck("firewall", .warning, .optional, "nftables, but iptables-legacy rules exist too: \(detail)",
                             fix: "rules of both back ends apply to every packet; move them to nftables (iptables-legacy-save | iptables-nft-restore) and switch the iptables command to iptables-nft (update-alternatives --set iptables /usr/sbin/iptables-nft)")
        }
        return LiveCheck("firewall", .ok, .required, "\(backend): \(detail)")
    }
}
