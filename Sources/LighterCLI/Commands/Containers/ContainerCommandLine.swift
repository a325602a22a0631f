/// `run` and `create` read without ArgumentParser. Its reflection over their ~45 options costs more
/// than the rest of a `run --rm`'s argument handling put together (2–3 ms of every start), so the
/// usual forms are read here from one table: `--name VALUE`, `--name=VALUE`, `-x VALUE`, `--flag`,
/// `-x` and bundles of short flags (`-dit`). Anything else — `--help`, an unknown option, `--name=`, a value
/// that starts with `-`, a repeated single-value option, a value that is not a number where one is
/// expected — returns nil, and ArgumentParser parses the arguments as before (and reports the error).
/// A test compares both parsers on every option.
struct ContainerCommandLine: Equatable {
    var root: String?
    var flags = ContainerFlags()
    var detach = false
    var rm = false
    var image = ""
    var command: [String] = []

    enum Setter {
        case flag(WritableKeyPath<ContainerCommandLine, Bool>)
        case text(WritableKeyPath<ContainerCommandLine, String?>)
        case required(WritableKeyPath<ContainerCommandLine, String>)
        case list(WritableKeyPath<ContainerCommandLine, [String]>)
        case integer(WritableKeyPath<ContainerCommandLine, Int?>)
        case integer64(WritableKeyPath<ContainerCommandLine, Int64?>)
        case unsigned64(WritableKeyPath<ContainerCommandLine, UInt64?>)
    }

    struct Entry {
        let long: String
        let short: Character?
        let setter: Setter
    }

    /// Every option of StoreOptions, ContainerCreateOptions and RunCommand, with ArgumentParser's names.
    static var table: [Entry] { [
        Entry(long: "root", short: nil, setter: .text(\.root)),
        Entry(long: "detach", short: "d", setter: .flag(\.detach)),
        Entry(long: "rm", short: nil, setter: .flag(\.rm)),
        Entry(long: "name", short: nil, setter: .text(\.flags.name)),
        Entry(long: "env", short: "e", setter: .list(\.flags.env)),
        Entry(long: "env-file", short: nil, setter: .list(\.flags.envFile)),
        Entry(long: "workdir", short: "w", setter: .text(\.flags.workdir)),
        Entry(long: "user", short: "u", setter: .text(\.flags.user)),
        Entry(long: "entrypoint", short: nil, setter: .text(\.flags.entrypoint)),
        Entry(long: "hostname", short: "h", setter: .text(\.flags.hostname)),
        Entry(long: "tty", short: "t", setter: .flag(\.flags.tty)),
        Entry(long: "interactive", short: "i", setter: .flag(\.flags.interactive)),
        Entry(long: "volume", short: "v", setter: .list(\.flags.volume)),
        Entry(long: "tmpfs", short: nil, setter: .list(\.flags.tmpfs)),
        Entry(long: "memory", short: "m", setter: .text(\.flags.memory)),
        Entry(long: "memory-swap", short: nil, setter: .text(\.flags.memorySwap)),
        Entry(long: "cpus", short: nil, setter: .text(\.flags.cpus)),
        Entry(long: "cpu-shares", short: "c", setter: .unsigned64(\.flags.cpuShares)),
        Entry(long: "cpuset-cpus", short: nil, setter: .text(\.flags.cpusetCpus)),
        Entry(long: "pids-limit", short: nil, setter: .integer64(\.flags.pidsLimit)),
        Entry(long: "cap-add", short: nil, setter: .list(\.flags.capAdd)),
        Entry(long: "cap-drop", short: nil, setter: .list(\.flags.capDrop)),
        Entry(long: "privileged", short: nil, setter: .flag(\.flags.privileged)),
        Entry(long: "read-only", short: nil, setter: .flag(\.flags.readOnly)),
        Entry(long: "security-opt", short: nil, setter: .list(\.flags.securityOpt)),
        Entry(long: "network", short: nil, setter: .text(\.flags.network)),
        Entry(long: "publish", short: "p", setter: .list(\.flags.publish)),
        Entry(long: "publish-all", short: "P", setter: .flag(\.flags.publishAll)),
        Entry(long: "dns", short: nil, setter: .list(\.flags.dns)),
        Entry(long: "add-host", short: nil, setter: .list(\.flags.addHost)),
        Entry(long: "ip", short: nil, setter: .text(\.flags.ip)),
        Entry(long: "mac-address", short: nil, setter: .text(\.flags.macAddress)),
        Entry(long: "network-alias", short: nil, setter: .list(\.flags.networkAlias)),
        Entry(long: "restart", short: nil, setter: .required(\.flags.restart)),
        Entry(long: "log-opt", short: nil, setter: .list(\.flags.logOpt)),
        Entry(long: "ulimit", short: nil, setter: .list(\.flags.ulimit)),
        Entry(long: "stop-signal", short: nil, setter: .text(\.flags.stopSignal)),
        Entry(long: "stop-timeout", short: nil, setter: .integer(\.flags.stopTimeout)),
        Entry(long: "cgroup-parent", short: nil, setter: .text(\.flags.cgroupParent)),
        Entry(long: "init", short: nil, setter: .flag(\.flags.`init`)),
        Entry(long: "platform", short: nil, setter: .text(\.flags.platform)),
        Entry(long: "userns", short: nil, setter: .text(\.flags.userns)),
        Entry(long: "userns-remap", short: nil, setter: .text(\.flags.usernsRemap)),
        Entry(long: "device", short: nil, setter: .list(\.flags.kernel.device)),
        Entry(long: "device-cgroup-rule", short: nil, setter: .list(\.flags.kernel.deviceCgroupRule)),
        Entry(long: "group-add", short: nil, setter: .list(\.flags.kernel.groupAdd)),
        Entry(long: "cpu-period", short: nil, setter: .text(\.flags.kernel.cpuPeriod)),
        Entry(long: "cpu-quota", short: nil, setter: .text(\.flags.kernel.cpuQuota)),
        Entry(long: "cpu-rt-period", short: nil, setter: .text(\.flags.kernel.cpuRtPeriod)),
        Entry(long: "cpu-rt-runtime", short: nil, setter: .text(\.flags.kernel.cpuRtRuntime)),
        Entry(long: "cpuset-mems", short: nil, setter: .text(\.flags.kernel.cpusetMems)),
        Entry(long: "memory-reservation", short: nil, setter: .text(\.flags.kernel.memoryReservation)),
        Entry(long: "memory-swappiness", short: nil, setter: .text(\.flags.kernel.memorySwappiness)),
        Entry(long: "kernel-memory", short: nil, setter: .text(\.flags.kernel.kernelMemory)),
        Entry(long: "oom-kill-disable", short: nil, setter: .flag(\.flags.kernel.oomKillDisable)),
        Entry(long: "oom-score-adj", short: nil, setter: .text(\.flags.kernel.oomScoreAdj)),
        Entry(long: "blkio-weight", short: nil, setter: .text(\.flags.kernel.blkioWeight)),
        Entry(long: "blkio-weight-device", short: nil, setter: .list(\.flags.kernel.blkioWeightDevice)),
        Entry(long: "device-read-bps", short: nil, setter: .list(\.flags.kernel.deviceReadBps)),
        Entry(long: "device-write-bps", short: nil, setter: .list(\.flags.kernel.deviceWriteBps)),
        Entry(long: "device-read-iops", short: nil, setter: .list(\.flags.kernel.deviceReadIops)),
        Entry(long: "device-write-iops", short: nil, setter: .list(\.flags.kernel.deviceWriteIops)),
        Entry(long: "shm-size", short: nil, setter: .text(\.flags.kernel.shmSize)),
        Entry(long: "sysctl", short: nil, setter: .list(\.flags.kernel.sysctl)),
        Entry(long: "pid", short: nil, setter: .text(\.flags.kernel.pid)),
        Entry(long: "ipc", short: nil, setter: .text(\.flags.kernel.ipc)),
        Entry(long: "uts", short: nil, setter: .text(\.flags.kernel.uts)),
        Entry(long: "cgroupns", short: nil, setter: .text(\.flags.kernel.cgroupns)),
    ] }

    /// The arguments after `run` (or `create`, which has no `--detach`), or nil for ArgumentParser.
    static func parse(_ arguments: [String], command: String) -> ContainerCommandLine? {
        let table = Self.table
        var line = ContainerCommandLine()
        var given: Set<String> = []
        var index = 0
        func entry(long: Substring) -> Entry? { table.first { $0.long == long && (command == "run" || $0.long != "detach") } }
        func entry(short: Character) -> Entry? { table.first { $0.short == short && (command == "run" || $0.long != "detach") } }
        /// Set one option's value; false when ArgumentParser should see the arguments instead.
        func set(_ entry: Entry, _ value: String?) -> Bool {
            if case .list = entry.setter {} else if !given.insert(entry.long).inserted { return false }
            switch entry.setter {
            case let .flag(path):
                guard value == nil else { return false }
                line[keyPath: path] = true
            case let .text(path):
                guard let value else { return false }
                line[keyPath: path] = value
            case let .required(path):
                guard let value else { return false }
                line[keyPath: path] = value
            case let .list(path):
                guard let value else { return false }
                line[keyPath: path].append(value)
            case let .integer(path):
                guard let value, let number = Int(value) else { return false }
                line[keyPath: path] = number
            case let .integer64(path):
                guard let value, let number = Int64(value) else { return false }
                line[keyPath: path] = number
            case let .unsigned64(path):
                guard let value, let number = UInt64(value) else { return false }
                line[keyPath: path] = number
            }
            return true
        }
        /// The value of an option given without `=`: the next argument, which must not look like an option.
        func nextValue() -> String? {
            guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("-") else { return nil }
            index += 1
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let equals = body.firstIndex(of: "=")
                guard let option = entry(long: equals.map { body[..<$0] } ?? body) else { return nil }
                let inline = equals.map { String(body[body.index(after: $0)...]) }
                // ArgumentParser reads `--name=` as no value and takes the next argument instead: leave it that.
                if inline == "" { return nil }
                if case .flag = option.setter {
                    guard set(option, inline) else { return nil }
                } else {
                    guard let value = inline ?? nextValue(), set(option, value) else { return nil }
                }
            } else if argument.hasPrefix("-") {
                let letters = Array(argument.dropFirst())
                guard let first = letters.first, let option = entry(short: first) else { return nil }
                if case .flag = option.setter {
                    // A bundle of flags (-dit): every letter must be a flag.
                    for letter in letters {
                        guard let flag = entry(short: letter), case .flag = flag.setter, set(flag, nil) else { return nil }
                    }
                } else {
                    guard letters.count == 1, let value = nextValue(), set(option, value) else { return nil }
                }
            } else {
                line.image = argument
                line.command = Array(arguments[(index + 1)...])
                return line
            }
            index += 1
        }
        return nil   // no image: ArgumentParser says what is missing
    }
}
