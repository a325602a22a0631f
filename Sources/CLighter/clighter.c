#define _GNU_SOURCE
#include "clighter.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/openat2.h>

int lighter_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

int lighter_errno(void) { return errno; }
void lighter_set_errno(int value) { errno = value; }

int lighter_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
int lighter_openat(int dirfd, const char *path, int flags, mode_t mode) { return openat(dirfd, path, flags, mode); }
int lighter_ioctl_int(int fd, unsigned long request, int *arg) { return ioctl(fd, request, arg); }
unsigned int lighter_major(uint64_t dev) { return major(dev); }
unsigned int lighter_minor(uint64_t dev) { return minor(dev); }
uint64_t lighter_makedev(unsigned int ma, unsigned int mi) { return makedev(ma, mi); }
int lighter_syncfs(int fd) { return syncfs(fd); }
