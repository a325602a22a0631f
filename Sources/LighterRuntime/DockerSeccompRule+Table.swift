/// One rule of Docker's default seccomp profile, with the conditions under which dockerd keeps it
/// (moby/profiles `seccomp.Syscall`: `includes` must all hold, any `excludes` drops it).
struct DockerSeccompRule: Sendable {
    var names: [String]
    var action = "SCMP_ACT_ALLOW"
    var errnoRet: UInt32? = nil
    var args: [RuntimeSpec.SyscallArg] = []
    var includes = Filter()
    var excludes = Filter()

    struct Filter: Sendable {
        /// Capability names (of the bounding set).
        var caps: [String] = []
        /// moby's architecture names: amd64, x86, x32, arm, arm64, s390, s390x, ppc64le, riscv64.
        var arches: [String] = []
        /// (major, minor) of the running kernel.
        var minKernel: KernelVersion? = nil
    }

    struct KernelVersion: Sendable, Comparable {
        var major: Int
        var minor: Int

        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }
    }
}

extension DockerSeccompRule {
    /// CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP.
    static let cloneNamespaceFlags: UInt64 = 0x7E02_0000

    private static func arg(_ index: UInt32, _ op: String, _ value: UInt64) -> RuntimeSpec.SyscallArg {
        RuntimeSpec.SyscallArg(index: index, value: value, valueTwo: op == "SCMP_CMP_MASKED_EQ" ? 0 : nil, op: op)
    }

    /// moby/profiles seccomp v0.2.3 `DefaultProfile()` (default_linux.go; default.json is generated from it),
    /// in the same order.
    static let dockerDefault: [DockerSeccompRule] = [
        DockerSeccompRule(names: [
            "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget", "capset",
            "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
            "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
            "close", "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
            "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
            "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat",
            "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
            "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr",
            "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
            "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait",
            "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
            "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
            "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
            "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid",
            "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32",
            "getxattr", "getxattrat", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
            "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
            "ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
            "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listmount",
            "listxattr", "listxattrat", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat",
            "lstat64", "madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore",
            "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
            "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
            "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv", "msgsnd", "msync",
            "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
            "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
            "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
            "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read",
            "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64",
            "recvmsg", "remap_file_pages", "removexattr", "removexattrat", "rename", "renameat", "renameat2",
            "restart_syscall", "riscv_hwprobe", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
            "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
            "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
            "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
            "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
            "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile",
            "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32",
            "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid",
            "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
            "setrlimit", "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
            "setuid32", "setxattr", "setxattrat", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
            "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat",
            "stat64", "statfs", "statfs64", "statmount", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
            "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
            "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
            "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill",
            "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "uretprobe", "utime",
            "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
            "writev",
        ]),
        // ptrace could bypass seccomp before 4.8.
        DockerSeccompRule(names: ["process_vm_readv", "process_vm_writev", "ptrace"],
                          includes: Filter(minKernel: KernelVersion(major: 4, minor: 8))),
        // socket(2) for every address family but AF_ALG (38) and AF_VSOCK (40). On 32-bit x86 socket()
        // also goes through socketcall(2), which the allowlist above allows unconditionally.
        DockerSeccompRule(names: ["socket"], args: [arg(0, "SCMP_CMP_LT", 38)]),
        DockerSeccompRule(names: ["socket"], args: [arg(0, "SCMP_CMP_EQ", 39)]),
        DockerSeccompRule(names: ["socket"], args: [arg(0, "SCMP_CMP_GT", 40)]),
        // personality(2): PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and the 0xffffffff query.
        DockerSeccompRule(names: ["personality"], args: [arg(0, "SCMP_CMP_EQ", 0x0)]),
        DockerSeccompRule(names: ["personality"], args: [arg(0, "SCMP_CMP_EQ", 0x0008)]),
        DockerSeccompRule(names: ["personality"], args: [arg(0, "SCMP_CMP_EQ", 0x20000)]),
        DockerSeccompRule(names: ["personality"], args: [arg(0, "SCMP_CMP_EQ", 0x20008)]),
        DockerSeccompRule(names: ["personality"], args: [arg(0, "SCMP_CMP_EQ", 0xffff_ffff)]),
        // Architecture-specific calls.
        DockerSeccompRule(names: ["sync_file_range2", "swapcontext"], includes: Filter(arches: ["ppc64le"])),
        DockerSeccompRule(names: ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
                                  "cacheflush", "set_tls"],
                          includes: Filter(arches: ["arm", "arm64"])),
        DockerSeccompRule(names: ["arch_prctl"], includes: Filter(arches: ["amd64", "x32"])),
        DockerSeccompRule(names: ["modify_ldt"], includes: Filter(arches: ["amd64", "x32", "x86"])),
        DockerSeccompRule(names: ["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"],
                          includes: Filter(arches: ["s390", "s390x"])),
        DockerSeccompRule(names: ["riscv_flush_icache"], includes: Filter(arches: ["riscv64"])),
    ] + capabilityGroups

    /// The rules that depend on the container's capabilities (and, for clone, on s390's argument order).
    static let capabilityGroups: [DockerSeccompRule] = [
        DockerSeccompRule(names: ["open_by_handle_at"], includes: Filter(caps: ["CAP_DAC_READ_SEARCH"])),
        DockerSeccompRule(names: [
            "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
            "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mount", "mount_setattr", "move_mount",
            "open_tree", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns",
            "syslog", "umount", "umount2", "unshare",
        ], includes: Filter(caps: ["CAP_SYS_ADMIN"])),
        // Without CAP_SYS_ADMIN, clone(2) may not create namespaces (flags are argument 0, argument 1 on s390)...
        DockerSeccompRule(names: ["clone"],
                          args: [arg(0, "SCMP_CMP_MASKED_EQ", cloneNamespaceFlags)],
                          excludes: Filter(caps: ["CAP_SYS_ADMIN"], arches: ["s390", "s390x"])),
        DockerSeccompRule(names: ["clone"],
                          args: [arg(1, "SCMP_CMP_MASKED_EQ", cloneNamespaceFlags)],
                          includes: Filter(arches: ["s390", "s390x"]), excludes: Filter(caps: ["CAP_SYS_ADMIN"])),
        // ...and clone3(2), whose flags are in memory seccomp cannot read, fails with ENOSYS (38) so libc
        // falls back to clone(2).
        DockerSeccompRule(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38,
                          excludes: Filter(caps: ["CAP_SYS_ADMIN"])),
        DockerSeccompRule(names: ["reboot"], includes: Filter(caps: ["CAP_SYS_BOOT"])),
        DockerSeccompRule(names: ["chroot"], includes: Filter(caps: ["CAP_SYS_CHROOT"])),
        DockerSeccompRule(names: ["delete_module", "init_module", "finit_module"],
                          includes: Filter(caps: ["CAP_SYS_MODULE"])),
        DockerSeccompRule(names: ["acct"], includes: Filter(caps: ["CAP_SYS_PACCT"])),
        DockerSeccompRule(names: ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev",
                                  "ptrace"],
                          includes: Filter(caps: ["CAP_SYS_PTRACE"])),
        DockerSeccompRule(names: ["iopl", "ioperm"], includes: Filter(caps: ["CAP_SYS_RAWIO"])),
        DockerSeccompRule(names: ["settimeofday", "stime", "clock_settime", "clock_settime64"],
                          includes: Filter(caps: ["CAP_SYS_TIME"])),
        DockerSeccompRule(names: ["vhangup"], includes: Filter(caps: ["CAP_SYS_TTY_CONFIG"])),
        DockerSeccompRule(names: ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"],
                          includes: Filter(caps: ["CAP_SYS_NICE"])),
        DockerSeccompRule(names: ["syslog"], includes: Filter(caps: ["CAP_SYSLOG"])),
        DockerSeccompRule(names: ["bpf"], includes: Filter(caps: ["CAP_BPF"])),
        DockerSeccompRule(names: ["perf_event_open"], includes: Filter(caps: ["CAP_PERFMON"])),
    ]
}
