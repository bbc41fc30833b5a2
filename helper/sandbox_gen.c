/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sandbox_gen.c - builds the helper's seccomp filter with libseccomp at
 * build time and prints it as a C array (helper/sandbox_filter.h), so the
 * helper loads a finished BPF program: no libseccomp at run time, and no
 * half a millisecond per login spent compiling the same rules again.
 *
 * The list was taken from strace of the helper over the whole test suite
 * (local, server and radius backends, TLS, NTLM, the proxy tunnel, the
 * cache; RADIUS over UDP needs nothing that HTTPS did not already), then
 * widened by the calls glibc makes for the same functions on other kernels
 * (open vs openat, clone vs clone3, fstat vs newfstatat vs statx) and by the
 * threads of libcurl's resolver.  Calls that take flags which could turn
 * them into something else are allowed only with the flags a login uses.
 */
#include <errno.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

/* Allowed with any arguments. */
static const char *const allowed[] = {
    /* files: tokens file, cache, configuration, CA file, openssl.cnf, NSS */
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "close",
    "lseek",
    "open",
    "openat",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "fstatfs",
    "statfs",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getdents64",
    "fcntl",
    "flock",
    "fsync",
    "fdatasync",
    "ftruncate",
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "link",
    "linkat",
    "unlinkat",
    "mkdir",
    "mkdirat",
    "fchmod",
    "fchown",
    "umask",
    "dup",
    "dup2",
    "dup3",
    "pipe",
    "pipe2",
    "eventfd2",
    "fadvise64",
    /* memory (dlopen of NSS modules and OpenSSL's legacy provider maps code) */
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "brk",
    "mlock",
    "mlock2",
    "munlock",
    /* sockets: the servers, the proxy, DNS, syslog */
    "connect",
    "bind",
    "getsockname",
    "getpeername",
    "getsockopt",
    "setsockopt",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "sendmmsg",
    "recvmmsg",
    "shutdown",
    "socketpair",
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    /* threads (libcurl's resolver), signals, the end */
    "futex",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "set_tid_address",
    "gettid",
    "sched_yield",
    "sched_getaffinity",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigaltstack",
    "tgkill",
    "restart_syscall",
    /* the stall watch's timer on the waiting thread (lib/remote/stall.c) */
    "timer_create",
    "timer_settime",
    "exit",
    "exit_group",
    /* identity, time, randomness, system facts */
    "getpid",
    "getppid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "nanosleep",
    "clock_nanosleep",
    "getrandom",
    "uname",
    "sysinfo",
    "getrlimit",
    "getcwd",
};

static const int socket_domains[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};

/* isatty, non-blocking mode, bytes waiting, close-on-exec */
static const unsigned long ioctl_requests[] = {TCGETS, FIONBIO, FIONREAD, FIOCLEX, FIONCLEX};

/* A name the kernel of this architecture does not have is skipped; any
 * other failure to add a rule fails the whole filter. */
static int
allow(scmp_filter_ctx ctx, const char *name, unsigned n, const struct scmp_arg_cmp *cmp)
{
    int nr = seccomp_syscall_resolve_name(name);

    if (nr == __NR_SCMP_ERROR || nr < 0)
        return 0;
    return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

static int
build(scmp_filter_ctx ctx, const char **failed)
{
    int rc = 0;

    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && rc == 0; i++)
        if ((rc = allow(ctx, allowed[i], 0, NULL)) != 0)
            *failed = allowed[i];
    if (rc != 0)
        return rc;
    *failed = "socket";
    for (size_t i = 0; i < sizeof(socket_domains) / sizeof(socket_domains[0]) && rc == 0; i++) {
        struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)socket_domains[i]);

        rc = allow(ctx, "socket", 1, &c);
    }
    *failed = "ioctl";
    for (size_t i = 0; i < sizeof(ioctl_requests) / sizeof(ioctl_requests[0]) && rc == 0; i++) {
        /* the request is an int: the upper half of the register may be junk */
        struct scmp_arg_cmp c = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, ioctl_requests[i]);

        rc = allow(ctx, "ioctl", 1, &c);
    }
    if (rc != 0)
        return rc;
    /* threads only: a new process could exec nothing (no execve) but would
     * outlive the module's kill of the helper */
    *failed = "clone";
    {
#if defined(__s390__) || defined(__s390x__)
        /* the one Linux ABI that passes clone's flags second */
        struct scmp_arg_cmp c = SCMP_A1(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
#else
        struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
#endif

        if ((rc = allow(ctx, "clone", 1, &c)) != 0)
            return rc;
    }
    /* clone3 passes its flags in memory, out of the filter's sight: make
     * glibc fall back to clone, as it does on kernels before 5.3 */
    *failed = "clone3";
    if ((rc = seccomp_syscall_resolve_name("clone3")) >= 0 &&
        (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), rc, 0)) != 0)
        return rc;
    /* reading limits (glibc asks for the stack size), never setting them */
    *failed = "prlimit64";
    {
        struct scmp_arg_cmp c = SCMP_A2(SCMP_CMP_EQ, 0);

        rc = allow(ctx, "prlimit64", 1, &c);
    }
    return rc;
}

/* Print the filter as the body of a C array of struct sock_filter. */
static int
print_filter(scmp_filter_ctx ctx)
{
    FILE *f = tmpfile();
    struct sock_filter ins;
    size_t n = 0;
    int rc;

    if (f == NULL)
        return -errno;
    if ((rc = seccomp_export_bpf(ctx, fileno(f))) != 0) {
        fclose(f);
        return rc;
    }
    rewind(f);
    printf("/* Generated by helper/sandbox-gen (libseccomp %u.%u.%u) for this build's\n"
           " * architecture; see sandbox_gen.c for the rules.  Do not edit. */\n",
           seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro);
    printf("static const struct sock_filter sandbox_filter[] = {\n");
    while (fread(&ins, sizeof(ins), 1, f) == 1) {
        printf("    {0x%04x, %u, %u, 0x%08x},\n", ins.code, ins.jt, ins.jf, ins.k);
        n++;
    }
    printf("};\n");
    fclose(f);
    return n > 0 ? 0 : -EINVAL;
}

int
main(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    const char *failed = "seccomp_init";
    int rc = -ENOMEM;

    if (ctx != NULL && (rc = build(ctx, &failed)) == 0) {
        failed = "seccomp_export_bpf";
        rc = print_filter(ctx);
    }
    seccomp_release(ctx);
    if (rc != 0) {
        fprintf(stderr, "sandbox-gen: building the seccomp filter failed at %s: %s\n", failed,
                strerror(-rc));
        return 1;
    }
    return 0;
}
