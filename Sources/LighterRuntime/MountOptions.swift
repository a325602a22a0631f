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

    /// rootfsPropagation → flags for the / remount; nil when the name is unknown.
    static func propagationFlags(_ name: String) -> UInt? { propagationOptions[name] }
}
