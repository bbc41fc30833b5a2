/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_pam.c - `crauth check`: the pam_crauth.so lines of the PAM stacks.
 *
 * The module refuses an argument it does not know (a mistyped
 * use_first_pass must not silently change what is asked), so one typo in
 * /etc/pam.d fails every login through that line with reason 50.  check
 * reads every file of the directory the way libpam reads a service file
 * (pam.conf(5): '#' starts a comment, a backslash before the newline
 * continues the line, a control in [...] and an argument in [...] may hold
 * blanks, "\]" inside is a ']'), and judges each pam_crauth.so line's
 * arguments with the module's own parser (lib/common/pam_args.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/common/pam_args.h"
#include "lib/common/reason.h"
#include "tools/check.h"

#define MODULE "pam_crauth.so"
#define MAX_ARGS 32

struct pam_line {
    char *type, *control, *module;
    char *argv[MAX_ARGS];
    int argc;
    bool too_many;
};

/* The next token of @s at *@pos: a "[...]" group (brackets removed, "\]"
 * unescaped, when @group) or a run of non-blanks; NULL at the end.
 * Tokens are cut out of @s in place. */
static char *
next_token(char *s, size_t *pos, bool group)
{
    char *start, *out;
    size_t i = *pos;

    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        i++;
    if (s[i] == '\0') {
        *pos = i;
        return NULL;
    }
    if (group && s[i] == '[') {
        start = out = &s[++i];
        while (s[i] != '\0' && s[i] != ']') {
            if (s[i] == '\\' && s[i + 1] == ']')
                i++;
            *out++ = s[i++];
        }
        if (s[i] == ']')
            i++;
        *out = '\0';
        *pos = i;
        return start;
    }
    start = &s[i];
    while (s[i] != '\0' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
        i++;
    if (s[i] != '\0')
        s[i++] = '\0';
    *pos = i;
    return start;
}

/* Split a logical line (comments already cut) into its fields.  false for
 * a blank line or an @include. */
static bool
split_line(char *s, struct pam_line *l)
{
    size_t pos = 0;
    char *a;

    memset(l, 0, sizeof(*l));
    /* the control's brackets may hold blanks; a bare type or module may not */
    if ((l->type = next_token(s, &pos, false)) == NULL || l->type[0] == '@')
        return false;
    l->control = next_token(s, &pos, true);
    l->module = l->control ? next_token(s, &pos, false) : NULL;
    while (l->module != NULL && (a = next_token(s, &pos, true)) != NULL) {
        if (l->argc == MAX_ARGS) {
            l->too_many = true;
            break;
        }
        l->argv[l->argc++] = a;
    }
    return true;
}

static bool
names_module(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;

    return path != NULL && strcmp(slash ? slash + 1 : path, MODULE) == 0;
}

static void
judge_line(struct check_report *rep, const char *file, int lineno, struct pam_line *l,
           unsigned *found)
{
    const char *type = l->type[0] == '-' ? l->type + 1 : l->type;
    struct pam_args args;
    int bad;

    if (!names_module(l->module))
        return;
    (*found)++;
    if (strcasecmp(type, "auth") != 0 && strcasecmp(type, "account") != 0) {
        check_step(rep, "-", "pam", REASON_CONFIG,
                   "%s:%d: %s has no '%s' functions (only "
                   "auth, and account, which it leaves to the other modules): libpam fails "
                   "this stack there; remove the line",
                   file, lineno, MODULE, type);
        return;
    }
    if (l->too_many) {
        check_step(rep, "-", "pam", REASON_CONFIG, "%s:%d: more than %d arguments", file, lineno,
                   MAX_ARGS);
        return;
    }
    /* account ignores its arguments, auth refuses what it does not know */
    bad = pam_args_parse(l->argc, (const char *const *)l->argv, &args);
    if (bad >= 0 && strcasecmp(type, "auth") == 0) {
        check_step(rep, "-", "pam", REASON_CONFIG,
                   "%s:%d: unknown or malformed argument '%s' "
                   "(known: " PAM_ARGS_KNOWN "): the module refuses it, and every login "
                   "through this line fails with reason 50",
                   file, lineno, l->argv[bad]);
        return;
    }
    check_step(rep, "-", "pam", REASON_OK, "%s:%d: %s %s, %d argument(s)%s", file, lineno, l->type,
               l->module, l->argc, args.conf ? ", its own conf=" : "");
}

/* Read @path line by line as libpam does. */
static void
check_file(struct check_report *rep, const char *path, unsigned *found)
{
    FILE *f = fopen(path, "re");
    char *phys = NULL, *logical = NULL;
    size_t cap = 0, len = 0, lcap = 256;
    ssize_t n;
    int lineno = 0, first = 0;

    if (f == NULL || (logical = malloc(lcap)) == NULL) {
        check_step(rep, "-", "pam", CHECK_WARN, "%s: %s", path, strerror(errno));
        if (f != NULL)
            fclose(f);
        return;
    }
    while ((n = getline(&phys, &cap, f)) >= 0) {
        char *hash = memchr(phys, '#', (size_t)n);
        bool more = false;
        char *grown;

        lineno++;
        if (len == 0)
            first = lineno;
        if (hash != NULL) {
            n = hash - phys;
        } else {
            /* libpam (_pam_assemble_line) looks for the backslash past
             * trailing blanks too */
            while (n > 0 && (phys[n - 1] == '\n' || phys[n - 1] == '\r' || phys[n - 1] == ' ' ||
                             phys[n - 1] == '\t'))
                n--;
            if (n > 0 && phys[n - 1] == '\\') {
                phys[n - 1] = ' ';
                more = true;
            }
        }
        if (len + (size_t)n + 2 > lcap) {
            lcap = len + (size_t)n + 256;
            if ((grown = realloc(logical, lcap)) == NULL)
                break;
            logical = grown;
        }
        memcpy(logical + len, phys, (size_t)n);
        len += (size_t)n;
        logical[len] = '\0';
        if (more)
            continue;
        {
            struct pam_line l;

            if (memchr(logical, '\0', len) == NULL && split_line(logical, &l))
                judge_line(rep, path, first, &l, found);
        }
        len = 0;
    }
    free(phys);
    free(logical);
    fclose(f);
}

static int
skip_entry(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

void
check_pam(struct check_report *rep)
{
    struct dirent **names = NULL;
    unsigned found = 0;
    int n = scandir(rep->pamdir, &names, skip_entry, alphasort);

    if (n < 0) {
        check_step(rep, "-", "pam", CHECK_WARN, "%s: %s", rep->pamdir, strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;

        if (snprintf(path, sizeof(path), "%s/%s", rep->pamdir, names[i]->d_name) <
                (int)sizeof(path) &&
            stat(path, &st) == 0 && S_ISREG(st.st_mode))
            check_file(rep, path, &found);
        free(names[i]);
    }
    free(names);
    if (found == 0)
        check_step(rep, "-", "pam", REASON_OK, "no %s line in %s yet", MODULE, rep->pamdir);
}
