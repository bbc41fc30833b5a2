/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hygiene.c - resetting what the caller controls (see hygiene.h).
 */
#include "helper/hygiene.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common/rlimits.h"

static void
setup_signals(void)
{
    static const int ignored[] = {SIGINT,  SIGQUIT, SIGHUP,  SIGTSTP,
                                  SIGTTIN, SIGTTOU, SIGPIPE, SIGXFSZ};
    struct sigaction dfl = {.sa_handler = SIG_DFL}, ign = {.sa_handler = SIG_IGN};
    sigset_t none;

    sigemptyset(&dfl.sa_mask);
    sigemptyset(&ign.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)sigaction(sig, &dfl, NULL); /* fails only for numbers glibc reserves */
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        (void)sigaction(ignored[i], &ign, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

int
hygiene_setup(char *err, size_t errlen)
{
    int fl;

    /* nothing from the caller's environment may steer us (proxies,
     * OPENSSL_CONF, locale); the module already passes an empty one */
    clearenv();
    umask(077);
    setup_signals();
    /* out of the caller's terminal session: ^Z, ^C and a hang-up go to the
     * caller's process group, never to a helper holding a lock */
    (void)setsid();
    hygiene_lifetime(HYGIENE_START_LIFETIME_S);
    if (close_range(3, ~0U, 0) != 0) {
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
    }
    if ((fl = fcntl(STDOUT_FILENO, F_GETFL)) >= 0)
        (void)fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK);
    return rlimits_raise(err, errlen);
}

void
hygiene_lifetime(unsigned seconds)
{
    /* SIGALRM is at its default (terminate); only this process can change
     * the timer, and after privs_drop the caller cannot signal it */
    alarm(seconds);
}
