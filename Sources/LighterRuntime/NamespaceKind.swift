/// The namespace types of the spec and their clone(2) flags (linux/sched.h; not imported by Swift's Glibc).
enum NamespaceKind {
    static let flags: [String: Int32] = [
        "mount": 0x0002_0000, "cgroup": 0x0200_0000, "uts": 0x0400_0000, "ipc": 0x0800_0000,
        "user": 0x1000_0000, "pid": 0x2000_0000, "network": 0x4000_0000,
    ]
    static let cgroup: Int32 = 0x0200_0000
}

/// open(2) flags missing from Swift's Glibc import.
enum OpenFlags {
    static let path: Int32 = 0o1000_0000
}
