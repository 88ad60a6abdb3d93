/*
 * pidfd.h - stands in for glibc 2.36's <sys/pidfd.h> on older C libraries
 * (Ubuntu 22.04 has glibc 2.35), for the runtime's process pool only:
 * tools/export/setup.sh adds this folder to the include path when the
 * system has no such header.  The kernel call itself (Linux 5.3+) is the
 * same; only glibc's wrapper is missing.
 */
#ifndef GILWB_COMPAT_SYS_PIDFD_H
#define GILWB_COMPAT_SYS_PIDFD_H

#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static inline int pidfd_open(pid_t pid, unsigned int flags)
{
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

static inline int pidfd_send_signal(int pidfd, int sig, siginfo_t *info,
                                    unsigned int flags)
{
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

#endif
