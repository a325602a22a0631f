#define _GNU_SOURCE
#include "clighter.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <net/if.h>
#include <string.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sys/mman.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/stat.h>
#include <linux/mount.h>
#include <sys/vfs.h>

int lighter_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

// renameat2(RENAME_EXCHANGE): swap two names atomically (glibc's wrapper is not visible to Swift).
int lighter_rename_exchange(const char *from, const char *to) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 2 /* RENAME_EXCHANGE */);
}

int lighter_errno(void) { return errno; }
void lighter_set_errno(int value) { errno = value; }

int lighter_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
int lighter_openat(int dirfd, const char *path, int flags, mode_t mode) { return openat(dirfd, path, flags, mode); }
int lighter_ioctl_int(int fd, unsigned long request, int *arg) { return ioctl(fd, request, arg); }
unsigned int lighter_major(uint64_t dev) { return major(dev); }
unsigned int lighter_minor(uint64_t dev) { return minor(dev); }
uint64_t lighter_makedev(unsigned int ma, unsigned int mi) { return makedev(ma, mi); }

struct lighter_spawn {
    unsigned long flags;
    const char *path;
    char *const *argv;
    char *const *envp;
    const int *stdio;
    int keep_fd;
    int parent_death_signal;
    int extra_fds;
};

// The child's whole life: async-signal-safe calls only, then execve.
static int lighter_spawn_child(void *arg) {
    const struct lighter_spawn *spawn = arg;
    int moved[3] = { -1, -1, -1 };
    for (int i = 0; i < 3; i++) {
        if (spawn->stdio[i] >= 0 && spawn->stdio[i] != i) moved[i] = fcntl(spawn->stdio[i], F_DUPFD, 10);
    }
    for (int i = 0; i < 3; i++) {
        if (moved[i] >= 0) { dup2(moved[i], i); close(moved[i]); }
        else if (spawn->stdio[i] == i) fcntl(i, F_SETFD, 0);
    }
    // Only stdio, the descriptors the caller passes on purpose (3 .. 3+extra_fds-1: runc's
    // --preserve-fds and LISTEN_FDS) and the channel reach the init or exec helper: a descriptor of the
    // caller's left open would be reachable from the container as /proc/self/fd/N (CVE-2024-21626).
    for (int fd = 3; fd < 3 + spawn->extra_fds; fd++) fcntl(fd, F_SETFD, 0);
    syscall(SYS_close_range, 3U + (unsigned)spawn->extra_fds, ~0U, CLOSE_RANGE_CLOEXEC);
    if (spawn->keep_fd >= 0) fcntl(spawn->keep_fd, F_SETFD, 0);
    if (spawn->flags & CLONE_NEWUSER) {
        char go;
        if (read(spawn->keep_fd, &go, 1) != 1) _exit(125);
        // Raw syscalls: glibc's set*id would try to signal the parent's other threads.
        syscall(SYS_setgroups, 0, 0);
        if (syscall(SYS_setresgid, 0, 0, 0) != 0 || syscall(SYS_setresuid, 0, 0, 0) != 0) _exit(125);
    }
    // After any uid change (which clears it); kept across execve of lighter (not set-uid): the child
    // dies with the thread that cloned it.
    if (spawn->parent_death_signal > 0) prctl(PR_SET_PDEATHSIG, (unsigned long)spawn->parent_death_signal, 0, 0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, 0);
    execve(spawn->path, spawn->argv, spawn->envp);
    _exit(127);
}

static int lighter_spawn_vfork_child(void *arg) {
    // Handlers would run on the parent's memory: back to the defaults (ignored signals stay ignored,
    // as execve keeps them).
    for (int sig = 1; sig < _NSIG; sig++) {
        struct sigaction action;
        if (sigaction(sig, 0, &action) == 0 && action.sa_handler != SIG_IGN && action.sa_handler != SIG_DFL) {
            action.sa_handler = SIG_DFL;
            action.sa_flags = 0;
            sigaction(sig, &action, 0);
        }
    }
    return lighter_spawn_child(arg);
}

pid_t lighter_clone_exec(unsigned long flags, const char *path, char *const argv[], char *const envp[],
                         const int stdio[3], int keep_fd, int parent_death_signal) {
    return lighter_clone_exec_passing(flags, path, argv, envp, stdio, keep_fd, parent_death_signal, 0);
}

pid_t lighter_clone_exec_passing(unsigned long flags, const char *path, char *const argv[], char *const envp[],
                                 const int stdio[3], int keep_fd, int parent_death_signal, int extra_fds) {
    struct lighter_spawn spawn = { flags, path, argv, envp, stdio, keep_fd, parent_death_signal, extra_fds };
    if (flags & CLONE_NEWUSER) {
        // The child waits for its id maps before execve: it needs its own copy of memory.
        pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
        if (pid != 0) return pid;
        // Child: a copy of one thread of a possibly multi-threaded process.
        lighter_spawn_child(&spawn);
        _exit(127);
    }
    // As posix_spawn does: the child borrows the parent's memory (no page tables copied, which
    // costs a millisecond or more for a large Swift process) on a stack of its own, and the parent
    // waits until it has exec'd. Signals stay blocked in the parent meanwhile, and the child puts
    // every handler back to the default before unblocking, so no handler ever runs on borrowed memory.
    const size_t size = 64 * 1024;
    void *stack = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -1;
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = clone(lighter_spawn_vfork_child, (char *)stack + size, (int)(flags | CLONE_VM | CLONE_VFORK | SIGCHLD), &spawn);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, 0);
    munmap(stack, size);
    errno = saved;
    return pid;
}

// struct clone_args as of Linux 5.7 (CLONE_ARGS_SIZE_VER2), spelled out: <linux/sched.h> clashes with <sched.h>.
struct lighter_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define LIGHTER_CLONE_INTO_CGROUP 0x200000000ULL

pid_t lighter_clone3_exec_into_cgroup(unsigned long flags, int cgroup_fd, const char *path, char *const argv[],
                                      char *const envp[], const int stdio[3], int keep_fd, int parent_death_signal) {
    return lighter_clone3_exec_into_cgroup_passing(flags, cgroup_fd, path, argv, envp, stdio, keep_fd, parent_death_signal, 0);
}

pid_t lighter_clone3_exec_into_cgroup_passing(unsigned long flags, int cgroup_fd, const char *path, char *const argv[],
                                              char *const envp[], const int stdio[3], int keep_fd, int parent_death_signal,
                                              int extra_fds) {
#ifdef SYS_clone3
    struct lighter_spawn spawn = { flags, path, argv, envp, stdio, keep_fd, parent_death_signal, extra_fds };
    struct lighter_clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = (uint64_t)flags | LIGHTER_CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)cgroup_fd;
    // Signals stay blocked until the child has put every handler back to the default.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        lighter_spawn_vfork_child(&spawn);
        _exit(127);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, 0);
    errno = saved;
    return pid;
#else
    (void)flags; (void)cgroup_fd; (void)path; (void)argv; (void)envp; (void)stdio; (void)keep_fd; (void)parent_death_signal;
    (void)extra_fds;
    errno = ENOSYS;
    return -1;
#endif
}

int lighter_pivot_root(const char *new_root, const char *put_old) {
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int lighter_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5) {
    return prctl(option, arg2, arg3, arg4, arg5);
}

int lighter_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2] = {
        { .effective = (uint32_t)effective, .permitted = (uint32_t)permitted, .inheritable = (uint32_t)inheritable },
        { .effective = (uint32_t)(effective >> 32), .permitted = (uint32_t)(permitted >> 32),
          .inheritable = (uint32_t)(inheritable >> 32) },
    };
    return (int)syscall(SYS_capset, &header, data);
}

int lighter_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
int lighter_join_session_keyring(const char *name) { return (int)syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name); }

int lighter_prepare_exec(int lowest_fd) {
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        sigaction(sig, &dfl, 0);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, 0);
    return (int)syscall(SYS_close_range, (unsigned)lowest_fd, ~0U, CLOSE_RANGE_CLOEXEC);
}

pid_t lighter_clone_parent(void) { return (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0); }
pid_t lighter_clone_child(void) { return (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0); }

int lighter_setns(int fd, int nstype) { return setns(fd, nstype); }
int lighter_unshare(int flags) { return unshare(flags); }

int lighter_syncfs(int fd) { return syncfs(fd); }

long lighter_fs_type(int fd) {
    struct statfs st;
    if (fstatfs(fd, &st) != 0) return -1;
    return (long)st.f_type;
}

int lighter_signalfd_next(int fd) {
    struct pollfd entry = { .fd = fd, .events = POLLIN };
    if (poll(&entry, 1, 0) <= 0) return -1;
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof(info));
    return n == (ssize_t)sizeof(info) ? (int)info.ssi_signo : -1;
}

int lighter_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int lighter_accept(int fd) { return accept4(fd, 0, 0, SOCK_CLOEXEC); }

#if defined(__GLIBC__)
#include <malloc.h>
void lighter_malloc_limit_arenas(void) { mallopt(M_ARENA_MAX, 2); }
void lighter_malloc_trim(void) { malloc_trim(0); }
#else
void lighter_malloc_limit_arenas(void) {}
void lighter_malloc_trim(void) {}
#endif

int lighter_copy_window_size(int from, int to) {
    struct winsize size;
    if (ioctl(from, TIOCGWINSZ, &size) != 0) return -1;
    return ioctl(to, TIOCSWINSZ, &size);
}

static void lighter_sigset(sigset_t *set, const int *signals, int count) {
    sigemptyset(set);
    for (int i = 0; i < count; i++) sigaddset(set, signals[i]);
}

int lighter_signal_mask(const int *signals, int count, int block) {
    sigset_t set;
    lighter_sigset(&set, signals, count);
    return pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, 0) == 0 ? 0 : -1;
}

int lighter_signalfd(const int *signals, int count) {
    sigset_t set;
    lighter_sigset(&set, signals, count);
    return signalfd(-1, &set, SFD_CLOEXEC);
}

int lighter_ioctl_winsize(int fd, int set, struct winsize *size) { return ioctl(fd, set ? TIOCSWINSZ : TIOCGWINSZ, size); }

int lighter_ioctl_value(int fd, unsigned long request, unsigned long value) { return ioctl(fd, request, value); }

int lighter_loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    int result = ioctl(fd, SIOCGIFFLAGS, &request);
    if (result == 0 && !(request.ifr_flags & IFF_UP)) {
        request.ifr_flags |= IFF_UP;
        result = ioctl(fd, SIOCSIFFLAGS, &request);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

ssize_t lighter_send_with_fd(int sock, const void *buf, size_t len, int fd) {
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    union { char bytes[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
                          .msg_controllen = sizeof(control.bytes) };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

ssize_t lighter_recv_with_fd(int sock, void *buf, size_t len, int *fd) {
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    union { char bytes[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
                          .msg_controllen = sizeof(control.bytes) };
    *fd = -1;
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
    }
    return n;
}

int lighter_seccomp_load(const void *filter, unsigned short len, unsigned int flags) {
    struct sock_fprog program = { .len = len, .filter = (struct sock_filter *)filter };
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &program);
}

int lighter_memfd(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

int lighter_is_mount_root(const char *path) {
    struct statx stx;
    if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &stx) != 0) return -1;
    if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)) { errno = EOPNOTSUPP; return -1; }
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 1 : 0;
}

pid_t lighter_clone_userns_waiter(int wait_fd) {
    pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
        char byte;
        while (read(wait_fd, &byte, 1) < 0 && errno == EINTR) {}
        _exit(0);
    }
    return pid;
}

int lighter_open_tree_idmapped(const char *path, int userns_fd) {
    int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (fd < 0) return -1;
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int lighter_bind_clone(const char *source, int recursive, uint64_t attr_set, uint64_t attr_clr, uint64_t propagation) {
    int fd = (int)syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
    if (fd < 0) return -1;
    if (attr_set == 0 && attr_clr == 0 && propagation == 0) return fd;
    struct mount_attr attr = { .attr_set = attr_set, .attr_clr = attr_clr, .propagation = propagation };
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int lighter_move_mount_onto(int fd, int target_fd) {
    return (int)syscall(SYS_move_mount, fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

int lighter_move_mount(int fd, const char *target) {
    return (int)syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
}
