#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// A spec mount's `options` split into mount(2) flags, propagation flags and the data string.
struct MountOptions: Equatable {
    var flags: UInt = 0
    var propagation: [UInt] = []
    var data: [String] = []

    var isBind: Bool { flags & UInt(MS_BIND) != 0 }
    var isReadOnly: Bool { flags & UInt(MS_RDONLY) != 0 }
    var dataString: String { data.joined(separator: ",") }

    /// name → (flags to set, true if the option clears them instead)
    private static let flagOptions: [String: (UInt, Bool)] = [
        "ro": (UInt(MS_RDONLY), false), "rw": (UInt(MS_RDONLY), true),
        "nosuid": (UInt(MS_NOSUID), false), "suid": (UInt(MS_NOSUID), true),
        "nodev": (UInt(MS_NODEV), false), "dev": (UInt(MS_NODEV), true),
        "noexec": (UInt(MS_NOEXEC), false), "exec": (UInt(MS_NOEXEC), true),
        "sync": (UInt(MS_SYNCHRONOUS), false), "async": (UInt(MS_SYNCHRONOUS), true),
        "dirsync": (UInt(MS_DIRSYNC), false), "remount": (UInt(MS_REMOUNT), false),
        "mand": (UInt(MS_MANDLOCK), false), "nomand": (UInt(MS_MANDLOCK), true),
        "atime": (UInt(MS_NOATIME), true), "noatime": (UInt(MS_NOATIME), false),
        "diratime": (UInt(MS_NODIRATIME), true), "nodiratime": (UInt(MS_NODIRATIME), false),
        "bind": (UInt(MS_BIND), false), "rbind": (UInt(MS_BIND) | UInt(MS_REC), false),
        "relatime": (UInt(MS_RELATIME), false), "norelatime": (UInt(MS_RELATIME), true),
        "strictatime": (UInt(MS_STRICTATIME), false), "nostrictatime": (UInt(MS_STRICTATIME), true),
    ]

    /// Every option name this parser knows (`runtime features` lists them).
    static var knownNames: [String] { (Array(flagOptions.keys) + Array(propagationOptions.keys)).sorted() }

    private static let propagationOptions: [String: UInt] = [
        "private": UInt(MS_PRIVATE), "rprivate": UInt(MS_PRIVATE) | UInt(MS_REC),
        "shared": UInt(MS_SHARED), "rshared": UInt(MS_SHARED) | UInt(MS_REC),
        "slave": UInt(MS_SLAVE), "rslave": UInt(MS_SLAVE) | UInt(MS_REC),
        "unbindable": UInt(MS_UNBINDABLE), "runbindable": UInt(MS_UNBINDABLE) | UInt(MS_REC),
    ]

    init(_ options: [String]) {
        for option in options {
            if let (bits, clear) = Self.flagOptions[option] {
                if clear { flags &= ~bits } else { flags |= bits }
            } else if let bits = Self.propagationOptions[option] {
                propagation.append(bits)
            } else {
                data.append(option)
            }
        }
    }

    /// A bind mount's flags as mount_setattr(2) attributes (MOUNT_ATTR_*) to set and clear, and its propagation
    /// (the last one named, without MS_REC: recursion follows the bind's own). Flags of the superblock (sync,
    /// dirsync, mand) cannot apply to a bind and are an error.
    func bindAttributes(_ destination: String) throws(LighterError) -> (set: UInt64, clear: UInt64, propagation: UInt64) {
        let unsupported = flags & (UInt(MS_SYNCHRONOUS) | UInt(MS_DIRSYNC) | UInt(MS_MANDLOCK))
        if unsupported != 0 {
            throw .invalidArgument("bind mount \(destination): sync, dirsync and mand are file system options, not bind mount ones")
        }
        var set: UInt64 = 0
        var clear: UInt64 = 0
        let simple: [(UInt, UInt64)] = [(UInt(MS_RDONLY), 0x1), (UInt(MS_NOSUID), 0x2), (UInt(MS_NODEV), 0x4), (UInt(MS_NOEXEC), 0x8),
                                        (UInt(MS_NODIRATIME), 0x80)]
        for (flag, attribute) in simple where flags & flag != 0 { set |= attribute }
        // The atime mode is one field (MOUNT_ATTR__ATIME): cleared, then set to noatime, strictatime or relatime (0).
        if flags & (UInt(MS_NOATIME) | UInt(MS_STRICTATIME) | UInt(MS_RELATIME)) != 0 {
            clear |= 0x70
            if flags & UInt(MS_NOATIME) != 0 { set |= 0x10 } else if flags & UInt(MS_STRICTATIME) != 0 { set |= 0x20 }
        }
        let propagation = UInt64(propagation.last.map { $0 & ~UInt(MS_REC) } ?? 0)
        return (set, clear, propagation)
    }

    /// rootfsPropagation → flags for the / remount; nil when the name is unknown.
    static func propagationFlags(_ name: String) -> UInt? { propagationOptions[name] }
}
