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

/// syncfs(2): flush the file system holding `fd` (glibc declares it only under _GNU_SOURCE).
int lighter_syncfs(int fd);

#endif
