#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Log in through the INSTALLED libpam-crauth (run by tests/deb/test_deb.sh).

Everything under test is what the package installed: pam_crauth.so found by
libpam by name, the set-id /usr/libexec/crauth/crauth-helper, /usr/bin/crauth
as the soft token, /etc/security/crauth.conf (written here, removed at the
end), /run/crauth and /var/lib/crauth.  Only the PAM service file is private
(pam_start_confdir with a temp dir).

  1. server backend, server-challenge, against the reference server:
     the right response logs in, a wrong one is wrong-response (10), and
     `runuser -u _crauth -- crauth cache list` shows the challenge kept;
  2. no configuration file (the embedded default: local backend): an HOTP
     code from /var/lib/crauth/tokens logs in, the helper (as _crauth)
     stores the new counter, and the same code again is replayed-code (11).

Prints one line per check and "N passed, N failed"; exit 0 when all pass.

`deb_login.py --hold`: one login whose helper waits at its prompt until
a line arrives on standard input (test_deb.sh purges the package
meanwhile): prints "at-prompt" when the prompt is shown, then the outcome.
"""
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pam"))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import pamharness as ph  # noqa: E402
from authserver import AuthServer  # noqa: E402
from authsrv.testing import KEY20, shared_certs  # noqa: E402

CONF = "/etc/security/crauth.conf"
TOKENS = "/var/lib/crauth/tokens"
CRAUTH = "/usr/bin/crauth"
SUITE = "OCRA-1:HOTP-SHA1-6:QN08"
USER = "crauthdeb"
SERVICE = "crauth-deb"

results = {"passed": 0, "failed": 0}


def check(ok, what, detail=""):
    results["passed" if ok else "failed"] += 1
    print("%s - %s" % ("ok" if ok else "FAIL", what))
    if not ok and detail:
        print("    " + detail.strip().replace("\n", "\n    "))


def cli(*args):
    return subprocess.run([CRAUTH, *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def challenge_of(batch):
    for _, text in batch:
        m = re.search(r"challenge (\S+?):? ", text + " ")
        if m:
            return m.group(1)
    return None


def responder(wrong=False):
    """A terminal user: reads the challenge, answers with the soft token."""
    def conv(batch):
        out = []
        for style, _ in batch:
            if style not in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON):
                out.append(None)
                continue
            code = cli("ocra", "--suite", SUITE, "--key", KEY20, "--question",
                       challenge_of(batch) or "00000000")
            if wrong:
                code = code[:-1] + str((int(code[-1]) + 1) % 10)
            out.append(code)
        return out
    return conv


def otp_answer(code):
    return lambda batch: [code if s in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON)
                          else None for s, _ in batch]


def write_file(path, text, mode, owner=None):
    tmp = path + ".crauth-deb-test"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, mode)
    if owner is not None:
        os.chown(tmp, owner.pw_uid, owner.pw_gid)
    os.rename(tmp, path)


def server_backend(confdir, crauth_user):
    certs = shared_certs()
    os.chmod(os.path.dirname(certs["ca_cert"]), 0o755)   # the helper runs as _crauth
    users = {USER: {"token": {"type": "ocra", "key": KEY20, "suite": SUITE},
                    "policy": "2step"}}
    srv = AuthServer(users=users, certfile=certs["server_cert"], keyfile=certs["server_key"],
                     instance="D").start()
    try:
        write_file(CONF, "[server]\nurl = %s\nca_file = %s\nconnect_timeout = 3\ntimeout = 5\n"
                   "[auth]\nbackend = server\nmethod = server-challenge\n"
                   "keyword = getchallenge\nfail_delay = 0\n" % (srv.url, certs["ca_cert"]),
                   0o644)
        r = ph.authenticate(SERVICE, USER, confdir, responder())
        check((r.name, r.reason()) == ("PAM_SUCCESS", 0),
              "server-challenge, right response: PAM_SUCCESS, reason 0", repr(r) + "\n" + r.log)
        check("backend=server" in r.log and "method=server-challenge" in r.log,
              "the log line names backend=server method=server-challenge", r.log)
        r = ph.authenticate(SERVICE, USER, confdir, responder(wrong=True))
        check((r.name, r.reason()) == ("PAM_AUTH_ERR", 10),
              "server-challenge, wrong response: PAM_AUTH_ERR, reason 10", repr(r) + "\n" + r.log)
        out = subprocess.run(["runuser", "-u", crauth_user.pw_name, "--", CRAUTH, "cache",
                              "list"], capture_output=True, text=True, timeout=30)
        check(out.returncode == 0 and "challenge user=%s " % USER in out.stdout,
              "runuser -u _crauth -- crauth cache list shows the kept challenge",
              out.stdout + out.stderr)
        out = subprocess.run(["runuser", "-u", crauth_user.pw_name, "--", CRAUTH, "cache",
                              "flush", "--user", USER], capture_output=True, text=True,
                             timeout=30)
        check(out.returncode == 0, "runuser -u _crauth -- crauth cache flush --user U",
              out.stdout + out.stderr)
        requests = [q.attributes.get("CREDFLD_USERID") for q in srv.requests]
        check(requests.count(USER) >= 3, "the reference server saw the requests (%d)"
              % len(requests))
    finally:
        srv.stop()
        if os.path.exists(CONF):
            os.unlink(CONF)


def local_backend(confdir, crauth_user):
    check(not os.path.exists(CONF), "no %s: the embedded default applies" % CONF)
    st = os.stat(TOKENS)
    check((st.st_uid, stat.S_IMODE(st.st_mode)) == (crauth_user.pw_uid, 0o600),
          "the package's %s is _crauth, 0600" % TOKENS,
          "uid %d mode %o" % (st.st_uid, stat.S_IMODE(st.st_mode)))
    with open(TOKENS) as f:
        original = f.read()
    try:
        write_file(TOKENS, original + "%s hotp/6 %s 0\n" % (USER, KEY20), 0o600, crauth_user)
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        r = ph.authenticate(SERVICE, USER, confdir, otp_answer(code))
        check((r.name, r.reason()) == ("PAM_SUCCESS", 0),
              "embedded default, HOTP code: PAM_SUCCESS, reason 0", repr(r) + "\n" + r.log)
        check("config=embedded-default" in r.log and "backend=local" in r.log,
              "the log line says config=embedded-default backend=local", r.log)
        with open(TOKENS) as f:
            line = [ln for ln in f.read().splitlines() if ln.startswith(USER + " ")]
        st = os.stat(TOKENS)
        check(line == ["%s hotp/6 %s 1" % (USER, KEY20)],
              "the helper stored the next counter (STATE 1)", repr(line))
        check((st.st_uid, stat.S_IMODE(st.st_mode)) == (crauth_user.pw_uid, 0o600),
              "the rewritten tokens file is still _crauth, 0600")
        r = ph.authenticate(SERVICE, USER, confdir, otp_answer(code))
        check((r.name, r.reason()) == ("PAM_AUTH_ERR", 11),
              "the same code again: PAM_AUTH_ERR, reason 11 (replayed-code)",
              repr(r) + "\n" + r.log)
    finally:
        write_file(TOKENS, original, 0o600, crauth_user)


def hold():
    """A login that waits at the helper's prompt for a line on stdin."""
    crauth_user = pwd.getpwnam("_crauth")
    with open(TOKENS) as f:
        original = f.read()
    write_file(TOKENS, original + "%s hotp/6 %s 0\n" % (USER, KEY20), 0o600, crauth_user)
    confdir = tempfile.mkdtemp(prefix="crauth-deb-pam-")
    try:
        with open(os.path.join(confdir, SERVICE), "w") as f:
            f.write("auth required pam_crauth.so\n")
        with open(os.path.join(confdir, "other"), "w") as f:
            f.write("auth required pam_deny.so\n")

        def conv(batch):
            if not any(s in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON) for s, _ in batch):
                return [None] * len(batch)
            print("at-prompt", flush=True)
            sys.stdin.readline()
            return ["000000" if s in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON) else None
                    for s, _ in batch]
        r = ph.authenticate(SERVICE, USER, confdir, conv)
        print("outcome %s %s" % (r.name, r.reason()), flush=True)
    finally:
        shutil.rmtree(confdir, True)
    return 0


def main():
    if os.geteuid() != 0:
        print("SKIP: deb_login.py needs root")
        return 77
    if os.path.exists(CONF):
        print("%s exists; test_deb.sh moves it aside first" % CONF)
        return 99
    crauth_user = pwd.getpwnam("_crauth")
    confdir = tempfile.mkdtemp(prefix="crauth-deb-pam-")
    try:
        with open(os.path.join(confdir, SERVICE), "w") as f:
            f.write("auth required pam_crauth.so\n")
        with open(os.path.join(confdir, "other"), "w") as f:
            f.write("auth required pam_deny.so\n")
        server_backend(confdir, crauth_user)
        local_backend(confdir, crauth_user)
    finally:
        shutil.rmtree(confdir, True)
    print("deb_login: %d passed, %d failed" % (results["passed"], results["failed"]))
    return 0 if results["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(hold() if sys.argv[1:] == ["--hold"] else main())
