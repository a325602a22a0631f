/// Devices-cgroup rule strings ("c 1:3 rwm") and the devices every container may use.
enum DeviceRules {
    static func entry(_ rule: RuntimeSpec.DeviceRule) -> String {
        let type = rule.type ?? "a"
        if type == "a" { return "a" }
        let major = rule.major.map(String.init) ?? "*"
        let minor = rule.minor.map(String.init) ?? "*"
        return "\(type) \(major):\(minor) \(rule.access ?? "rwm")"
    }

    /// runc's defaults: mknod of anything, the standard nodes, ptys and tun.
    static let defaultAllowed = [
        "c *:* m", "b *:* m",
        "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm",
        "c 136:* rwm", "c 10:200 rwm",
    ]
}
