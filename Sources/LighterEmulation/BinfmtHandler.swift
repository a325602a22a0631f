import LighterOCI

/// A QEMU user-mode emulator registration for one foreign architecture: the ELF header bytes
/// (magic and mask) that select it, as in QEMU's qemu-binfmt-conf.sh and Debian's binfmt.d files.
public struct BinfmtHandler: Sendable, Equatable {
    /// Docker's architecture name (`arm64`, `arm`, ...).
    public let architecture: String
    /// QEMU's name (`aarch64`, `arm`, ...): the handler is `qemu-<name>`, the emulator `qemu-<name>-static`.
    public let qemuName: String
    public let magic: String
    public let mask: String

    public var handlerName: String { "qemu-\(qemuName)" }
    public var interpreter: String { "/usr/bin/qemu-\(qemuName)-static" }

    /// The registration line for /proc/sys/fs/binfmt_misc/register, with the F (fix binary) flag:
    /// the emulator is opened now, so no qemu binary is needed inside images.
    public var registration: String { ":\(handlerName):M::\(magic):\(mask):\(interpreter):F" }

    static let elfMask = #"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"#

    public static let all: [BinfmtHandler] = [
        BinfmtHandler(architecture: "arm64", qemuName: "aarch64",
                      magic: #"\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00"#, mask: elfMask),
        BinfmtHandler(architecture: "arm", qemuName: "arm",
                      magic: #"\x7f\x45\x4c\x46\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x28\x00"#, mask: elfMask),
        BinfmtHandler(architecture: "riscv64", qemuName: "riscv64",
                      magic: #"\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00"#, mask: elfMask),
        BinfmtHandler(architecture: "ppc64le", qemuName: "ppc64le",
                      magic: #"\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x15\x00"#,
                      mask: #"\xff\xff\xff\xff\xff\xff\xff\xfc\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\x00"#),
        BinfmtHandler(architecture: "s390x", qemuName: "s390x",
                      magic: #"\x7f\x45\x4c\x46\x02\x02\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x16"#,
                      mask: #"\xff\xff\xff\xff\xff\xff\xff\xfc\xff\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff"#),
        BinfmtHandler(architecture: "386", qemuName: "i386",
                      magic: #"\x7f\x45\x4c\x46\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00"#,
                      mask: #"\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"#),
        BinfmtHandler(architecture: "amd64", qemuName: "x86_64",
                      magic: #"\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"#,
                      mask: #"\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"#),
    ]

    /// The handler for a platform's architecture (normalized names accepted: aarch64, armhf, x86_64 ...).
    public static func forArchitecture(_ name: String) -> BinfmtHandler? {
        let normalized = Platform.normalize(architecture: name, variant: nil).0
        return all.first { $0.architecture == normalized || $0.qemuName == name }
    }

    /// Handlers for architectures other than this machine's (the ones emulation can add).
    public static var foreign: [BinfmtHandler] { all.filter { $0.architecture != Platform.host.architecture } }
}
