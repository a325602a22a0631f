#ifndef CLIGHTER_H
#define CLIGHTER_H
#include <stdint.h>
#include <sys/types.h>
#include <sys/xattr.h>

// Resolve flags for lighter_openat2 (mirrors linux/openat2.h).
#define LIGHTER_RESOLVE_NO_XDEV       0x01
#define LIGHTER_RESOLVE_NO_MAGICLINKS 0x02
#define LIGHTER_RESOLVE_NO_SYMLINKS   0x04
#define LIGHTER_RESOLVE_BENEATH       0x08
#define LIGHTER_RESOLVE_IN_ROOT       0x10

/// openat2(2): open `path` relative to `dirfd` with RESOLVE_* restrictions. Returns fd or -1/errno.
int lighter_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

/// The calling thread's errno, readable from Swift without the errno macro dance.
int lighter_errno(void);
void lighter_set_errno(int value);

/// Wrappers around variadic/macro-only libc calls.
int lighter_open(const char *path, int flags, mode_t mode);
int lighter_openat(int dirfd, const char *path, int flags, mode_t mode);
int lighter_ioctl_int(int fd, unsigned long request, int *arg);
unsigned int lighter_major(uint64_t dev);
unsigned int lighter_minor(uint64_t dev);
uint64_t lighter_makedev(unsigned int major, unsigned int minor);

// ---- Runtime: process creation and credentials (used by LighterRuntime) ----

/// clone(2) with `flags` (CLONE_NEW* ...) | SIGCHLD, then in the child run only async-signal-safe code:
/// unblock signals, dup `stdio[0..2]` onto 0..2 (-1 keeps the inherited fd), clear close-on-exec on
/// `keep_fd`, and execve(`path`, `argv`, `envp`). With CLONE_NEWUSER the child first waits for one byte
/// on `keep_fd` (the parent has written the uid/gid maps) and becomes uid/gid 0 of the new namespace,
/// so that the exec'd init keeps its capabilities there. With `parent_death_signal` > 0 the child gets
/// PR_SET_PDEATHSIG with it before anything else (it dies with the calling thread). The child _exits
/// 125/127 on failure. Returns the child's pid in the parent, or -1/errno. Safe to call from a
/// multi-threaded process.
pid_t lighter_clone_exec(unsigned long flags, const char *path, char *const argv[], char *const envp[],
                         const int stdio[3], int keep_fd, int parent_death_signal);
/// clone3(2) with CLONE_INTO_CGROUP: as lighter_clone_exec, but the child is born in the cgroup v2
/// directory open as `cgroup_fd` (nothing of it ever runs elsewhere; no move through cgroup.procs).
/// The child gets a copy of the parent's memory (no CLONE_VM: clone3 has no helper for a borrowed
/// stack), with every handler back to the default. Returns -1 with errno ENOSYS, E2BIG or EINVAL where
/// the kernel (before 5.7) or a seccomp filter knows no clone3 or CLONE_INTO_CGROUP: fall back then.
pid_t lighter_clone3_exec_into_cgroup(unsigned long flags, int cgroup_fd, const char *path, char *const argv[],
                                      char *const envp[], const int stdio[3], int keep_fd, int parent_death_signal);
/// As lighter_clone_exec / lighter_clone3_exec_into_cgroup, and descriptors 3 .. 3+`extra_fds`-1 of the
/// caller stay open in the child as well (runc's --preserve-fds and LISTEN_FDS).
pid_t lighter_clone_exec_passing(unsigned long flags, const char *path, char *const argv[], char *const envp[],
                                 const int stdio[3], int keep_fd, int parent_death_signal, int extra_fds);
pid_t lighter_clone3_exec_into_cgroup_passing(unsigned long flags, int cgroup_fd, const char *path, char *const argv[],
                                              char *const envp[], const int stdio[3], int keep_fd, int parent_death_signal,
                                              int extra_fds);
/// pivot_root(2).
int lighter_pivot_root(const char *new_root, const char *put_old);
/// prctl(2) with all five arguments spelled out (prctl is variadic).
int lighter_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);
/// capset(2), version 3: set the effective, permitted and inheritable sets (bit n = capability n).
int lighter_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);
/// Just before execve in a container init: reset every signal to its default action, unblock all
/// signals, and mark every descriptor from `lowest_fd` up close-on-exec.
int lighter_prepare_exec(int lowest_fd);
/// setns(2) and unshare(2), declared only under _GNU_SOURCE.
int lighter_setns(int fd, int nstype);
int lighter_unshare(int flags);
/// clone(2) with CLONE_PARENT | SIGCHLD and no new stack, like fork(2) without glibc's atfork handlers:
/// the child's parent is the caller's parent. Only for single-threaded callers (`lighter __exec`).
/// Returns 0 in the child, the child's pid in the caller, or -1/errno.
pid_t lighter_clone_parent(void);
/// clone(2) with only SIGCHLD and no new stack: fork(2) without glibc's atfork handlers (the child is the
/// caller's). Only for single-threaded callers (`lighter __exec` keeping a detached process as its child).
pid_t lighter_clone_child(void);
/// Block (`block` != 0) or unblock `signals` for the calling thread.
int lighter_signal_mask(const int *signals, int count, int block);
/// A close-on-exec signalfd(2) for `signals` (block them first). Each read yields 128 bytes whose first
/// 4 are the signal number.
int lighter_signalfd(const int *signals, int count);
struct winsize;
/// TIOCGWINSZ (`set` == 0) or TIOCSWINSZ (`set` != 0) on `fd`.
int lighter_ioctl_winsize(int fd, int set, struct winsize *size);
/// ioctl(2) whose argument is a plain value (TIOCSCTTY, ...).
int lighter_ioctl_value(int fd, unsigned long request, unsigned long value);
/// Bring the loopback interface of the caller's network namespace up (SIOCGIFFLAGS + SIOCSIFFLAGS
/// with IFF_UP on "lo"); 0, or -1 with errno.
int lighter_loopback_up(void);
/// sendmsg(2) of `len` bytes with `fd` attached (SCM_RIGHTS), MSG_NOSIGNAL.
ssize_t lighter_send_with_fd(int sock, const void *buf, size_t len, int fd);
/// recvmsg(2) of up to `len` bytes; an attached descriptor (close-on-exec) goes to *fd, else -1.
ssize_t lighter_recv_with_fd(int sock, void *buf, size_t len, int *fd);
/// pidfd_open(2).
int lighter_pidfd_open(pid_t pid);
/// keyctl(KEYCTL_JOIN_SESSION_KEYRING, name): join a new session keyring of that name; its serial or -1.
int lighter_join_session_keyring(const char *name);

/// syncfs(2): flush the file system holding `fd` (glibc declares it only under _GNU_SOURCE).
int lighter_syncfs(int fd);
/// fstatfs(2)'s f_type (PROC_SUPER_MAGIC, SYSFS_MAGIC …) of the file system holding `fd`, or -1/errno.
long lighter_fs_type(int fd);

// ---- Engine: user namespaces and idmapped mounts ----

/// clone(2) with CLONE_NEWUSER | SIGCHLD: a child in a new, empty user namespace that only waits for one
/// byte (or end of file) on `wait_fd` and _exits, so its /proc/<pid>/uid_map can be written and
/// /proc/<pid>/ns/user opened. Safe to call from a multi-threaded process (the child only calls read
/// and _exit). Returns the child's pid, or -1/errno.
pid_t lighter_clone_userns_waiter(int wait_fd);
/// open_tree(OPEN_TREE_CLONE) of `path`, then mount_setattr(MOUNT_ATTR_IDMAP) with `userns_fd`: a detached,
/// close-on-exec idmapped copy of the mount at `path` (files owned by N on disk appear owned by what N maps to
/// in the namespace). Returns its descriptor, or -1/errno.
int lighter_open_tree_idmapped(const char *path, int userns_fd);
/// open_tree(OPEN_TREE_CLONE, AT_RECURSIVE if `recursive`) of `source`, then (when anything is asked)
/// mount_setattr with MOUNT_ATTR_* bits `attr_set`/`attr_clr` and `propagation` (MS_PRIVATE, MS_SLAVE … or 0):
/// a detached, close-on-exec bind mount with its flags already set. Returns its descriptor, or -1/errno.
int lighter_bind_clone(const char *source, int recursive, uint64_t attr_set, uint64_t attr_clr, uint64_t propagation);
/// move_mount(2) of the detached mount `fd` onto the file or directory `target_fd` refers to (an O_PATH
/// descriptor; MOVE_MOUNT_T_EMPTY_PATH). Returns 0, or -1/errno.
int lighter_move_mount_onto(int fd, int target_fd);
/// move_mount(2) of the detached mount `fd` onto `target`. Returns 0, or -1/errno.
int lighter_move_mount(int fd, const char *target);

// ---- Engine: the container monitor ----

/// Read one pending signal number from a signalfd without blocking; -1 when none is pending.
int lighter_signalfd_next(int fd);
#define LIGHTER_SECCOMP_FILTER_FLAG_LOG 2
#define LIGHTER_SECCOMP_FILTER_FLAG_SPEC_ALLOW 4
/// seccomp(SECCOMP_SET_MODE_FILTER, flags, {len, filter}): load a compiled BPF program of `len` instructions.
int lighter_seccomp_load(const void *filter, unsigned short len, unsigned int flags);
/// memfd_create(2) with MFD_CLOEXEC.
int lighter_memfd(const char *name);
/// Copy a terminal's window size (TIOCGWINSZ) to another (TIOCSWINSZ).
int lighter_copy_window_size(int from, int to);
/// pipe2(2) with O_CLOEXEC.
int lighter_pipe(int fds[2]);
/// accept4(fd, NULL, NULL, SOCK_CLOEXEC): the daemon's connections never leak into spawned monitors.
int lighter_accept(int fd);
/// The daemon's allocator: at most two malloc arenas (glibc makes one per thread by default, each kept
/// once grown) and freed memory returned to the kernel when it goes idle (malloc_trim).
void lighter_malloc_limit_arenas(void);
void lighter_malloc_trim(void);
/// Is `path` the root of a mount (statx STATX_ATTR_MOUNT_ROOT, Linux 5.8)? 1 or 0; -1 with errno
/// (EOPNOTSUPP: the kernel does not tell).
int lighter_is_mount_root(const char *path);

// renameat2(from, to, RENAME_EXCHANGE); -1 and errno on failure.
int lighter_rename_exchange(const char *from, const char *to);

/// SQLite: do not checkpoint (and fsync, and delete the WAL) when this connection closes. Returns SQLITE_OK (0) on success.
int lighter_sqlite_keep_wal_on_close(void *db);

#endif
