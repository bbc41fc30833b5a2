#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The privilege boundary, with a really set-id helper (root only).

scripts/test.sh runs this against a build whose default configuration path
lies inside the build tree (CRAUTH_PRIV_TESTS=1 and CRAUTH_CONF_DEFAULT),
so the system's /etc is never touched.  It creates the _crauth user (if
missing) and a throwaway test user, and removes what it created.
"""
import ctypes
import glob
import json
import os
import pwd
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pam"))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
from authserver import AuthServer, DeadListener  # noqa: E402
from authsrv.testing import KEY20, shared_certs  # noqa: E402

if os.geteuid() != 0 or os.environ.get("CRAUTH_PRIV_TESTS") != "1":
    print("SKIP: needs root and CRAUTH_PRIV_TESTS=1 (scripts/test.sh sets both)")
    sys.exit(77)

CRAUTH = os.environ["CRAUTH"]
HELPER = os.environ["CRAUTH_HELPER"]
MODULE = os.environ["PAM_CRAUTH"]
DEFAULT_CONF = os.environ["CRAUTH_CONF_DEFAULT"]


def run(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def can_raise_hard_limits():
    """CAP_SYS_RESOURCE (bit 24), which some containers withhold from root."""
    with open("/proc/self/status") as f:
        eff = next(l for l in f if l.startswith("CapEff:")).split()[1]
    return bool(int(eff, 16) & (1 << 24))


def hotp(counter):
    return subprocess.run([CRAUTH, "hotp", "--key", KEY20, "--counter", str(counter)],
                          check=True, capture_output=True, text=True).stdout.strip()


class Privileges(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.created_crauth = False
        try:
            pwd.getpwnam("_crauth")
        except KeyError:
            run("useradd", "--system", "--user-group", "--home-dir", "/nonexistent",
                "--no-create-home", "--shell", "/usr/sbin/nologin", "_crauth")
            cls.created_crauth = True
        cls.crauth = pwd.getpwnam("_crauth")
        cls.user = "crauthpriv%d" % os.getpid()
        run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", cls.user)
        cls.pw = pwd.getpwnam(cls.user)
        cls.work = tempfile.mkdtemp(prefix="crauth-priv-")
        os.chmod(cls.work, 0o755)
        # the "installed" helper: set-uid and set-gid _crauth
        os.mkdir(os.path.join(cls.work, "libexec"), 0o755)
        cls.helper = os.path.join(cls.work, "libexec", "crauth-helper")
        shutil.copy(HELPER, cls.helper)
        os.chown(cls.helper, cls.crauth.pw_uid, cls.crauth.pw_gid)
        os.chmod(cls.helper, 0o6755)
        run("setcap", "cap_setgid=ep", cls.helper)   # after chown, which clears it
        # the plugins, next to it and root's (helper/plugin.h)
        for plugin in ("crauth-remote.so", "crauth-x509.so"):
            shutil.copy(os.path.join(os.path.dirname(HELPER), plugin),
                        os.path.join(cls.work, "libexec"))
        # the cache: the helper's own
        cls.cache = os.path.join(cls.work, "cache")
        os.mkdir(cls.cache, 0o700)
        os.chown(cls.cache, cls.crauth.pw_uid, cls.crauth.pw_gid)
        # secrets: root:_crauth 0640, the user cannot read them
        cls.secret = os.path.join(cls.work, "crauth.secret")
        with open(cls.secret, "w") as f:
            f.write("[server]\nhttp_password = hunter2\n")
        os.chown(cls.secret, 0, cls.crauth.pw_gid)
        os.chmod(cls.secret, 0o640)
        certs = shared_certs()
        os.chmod(os.path.dirname(certs["ca_cert"]), 0o755)
        users = {u: {"token": {"type": "hotp", "key": KEY20}, "policy": "otp"}
                 for u in (cls.user, "victim")}
        cls.srv = AuthServer(users=users, certfile=certs["server_cert"],
                             keyfile=certs["server_key"], basic_auth=("svc", "hunter2"),
                             lockout_threshold=0).start()
        cls.counter = 0
        os.makedirs(os.path.dirname(DEFAULT_CONF), exist_ok=True)
        with open(DEFAULT_CONF, "w") as f:
            f.write("[server]\nurl = %s\nca_file = %s\nhttp_auth = basic\nhttp_user = svc\n"
                    "secrets = %s\n[auth]\nbackend = server\nmethod = otp\nfail_delay = 300\n"
                    "[cache]\ndir = %s\nmax_failures = 3\n"
                    % ("https://localhost:%d/" % cls.srv.port, certs["ca_cert"], cls.secret,
                       cls.cache))
        os.chmod(DEFAULT_CONF, 0o644)
        cls.pamdir = os.path.join(cls.work, "pam.d")
        os.mkdir(cls.pamdir, 0o755)
        for name, args in (("priv", ""), ("priv-conf", "conf=" + DEFAULT_CONF)):
            with open(os.path.join(cls.pamdir, name), "w") as f:
                f.write("auth required %s helper=%s %s\n" % (MODULE, cls.helper, args))
        with open(os.path.join(cls.pamdir, "other"), "w") as f:
            f.write("auth required pam_deny.so\n")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        os.unlink(DEFAULT_CONF)
        shutil.rmtree(cls.work, ignore_errors=True)
        subprocess.run(["userdel", cls.user], capture_output=True)
        if cls.created_crauth:
            subprocess.run(["userdel", "_crauth"], capture_output=True)

    def setUp(self):
        self.flush()

    def flush(self):
        subprocess.run([CRAUTH, "cache", "flush", "--conf", DEFAULT_CONF], check=True,
                       capture_output=True,
                       preexec_fn=lambda: (os.setgid(self.crauth.pw_gid),
                                           os.setuid(self.crauth.pw_uid)))

    def requests_for(self, user):
        return [q for q in self.srv.requests if q.attributes.get("CREDFLD_USERID") == user]

    def as_su(self, user, answer, limits):
        """One PAM transaction as su makes it: real uid the user's, effective
        uid 0, and the user's resource limits."""
        opts = {"su_uid": self.pw.pw_uid, "limits": limits, "probe": False}
        out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "privdriver.py"), "priv",
                              user, self.pamdir, answer, json.dumps(opts)],
                             capture_output=True, text=True, timeout=60,
                             env={"PATH": "/usr/bin:/bin"})
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def as_user(self, service, user, answer, env=None, opts=None):
        """One PAM transaction in a process of the test user."""
        cmd = ["setpriv", "--reuid=%d" % self.pw.pw_uid, "--regid=%d" % self.pw.pw_gid,
               "--clear-groups", "/usr/bin/python3", os.path.join(HERE, "privdriver.py"),
               service, user, self.pamdir, answer] + ([json.dumps(opts)] if opts else [])
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                             env=env or {"PATH": "/usr/bin:/bin"})
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def next_code(self):
        code = hotp(Privileges.counter)
        Privileges.counter += 1
        return code

    def test_user_authenticates_itself_through_the_setid_helper(self):
        r = self.as_user("priv", self.user, self.next_code())
        self.assertEqual((r["pam"], r["reason"]), ("PAM_SUCCESS", 0), r["log"])
        probe = r["probe"]
        uid, gid = str(self.crauth.pw_uid), str(self.crauth.pw_gid)
        self.assertEqual(probe["uid"], [uid] * 4)   # real, effective, saved, fs
        self.assertEqual(probe["gid"], [gid] * 4)
        self.assertEqual(probe["ptrace"], "Operation not permitted")
        self.assertEqual(probe["signal"], "Operation not permitted")
        self.assertNotEqual(probe["mem"], "readable")
        # no group of the caller's, no capability left (cap_setgid is gone)
        self.assertEqual(probe["groups"], [])
        self.assertEqual(probe["capeff"], ["0000000000000000"])
        self.assertEqual(probe["capprm"], ["0000000000000000"])
        # out of the caller's terminal: a session of its own, and ^Z, ^C,
        # hang-up and a full pipe ignored
        self.assertEqual(probe["sid"], probe["pid"])
        ignored = int(probe["sigign"][0], 16)
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTSTP,
                    signal.SIGTTIN, signal.SIGTTOU, signal.SIGPIPE, signal.SIGXFSZ):
            self.assertTrue(ignored & (1 << (sig - 1)), "%s not ignored" % sig.name)
        self.assertNotEqual(probe["state"], "T")

    def test_signals_the_caller_ignored_or_blocked_are_reset(self):
        # ignored and blocked signals survive a set-uid exec; the helper
        # starts from defaults (so its lifetime alarm works) and ignores
        # only the terminal's and the pipe's
        p = self.direct("-", "hold", stdin=subprocess.PIPE)
        try:
            lines = [p.stdout.readline().split() for _ in range(4)]
        finally:
            p.stdin.close()
            p.wait(timeout=60)
        self.assertEqual(lines[0], ["prompted"], lines)
        got = {l[0]: l[1:] for l in lines[1:]}
        ignored = int(got["sigign"][0], 16)
        for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGUSR1):
            self.assertFalse(ignored & (1 << (sig - 1)), "%s still ignored" % sig.name)
        self.assertTrue(ignored & (1 << (signal.SIGTSTP - 1)))
        self.assertEqual(int(got["sigblk"][0], 16), 0)
        self.assertEqual(got["sid"][0], got["sid"][2])   # a session of its own

    # --- resource limits (issue: a user's limits made the limiter useless) -----
    def test_su_caller_with_the_users_limits_still_counts_and_judges(self):
        limits = {"RLIMIT_FSIZE": [1, 1], "RLIMIT_NOFILE": [16, 16], "RLIMIT_NPROC": [1, 1]}
        if not can_raise_hard_limits():
            # a container without CAP_SYS_RESOURCE: root cannot give the
            # helper better limits, so it refuses, unjudged, for any code
            before = len(self.requests_for(self.user))
            for answer in (self.next_code(), "000000"):
                r = self.as_su(self.user, answer, limits)
                self.assertEqual((r["pam"], r["reason"]), ("PAM_SYSTEM_ERR", 56), r["log"])
            self.assertEqual(len(self.requests_for(self.user)), before)
            Privileges.counter -= 1
            return
        r = self.as_su(self.user, self.next_code(), limits)
        self.assertEqual((r["pam"], r["reason"]), ("PAM_SUCCESS", 0), r["log"])
        # the failure record is written: the limit (3) holds
        for _ in range(3):
            r = self.as_su(self.user, "000000", limits)
            self.assertEqual((r["pam"], r["reason"]), ("PAM_AUTH_ERR", 10), r["log"])
        r = self.as_su(self.user, self.next_code(), limits)
        self.assertEqual((r["pam"], r["reason"]), ("PAM_MAXTRIES", 16), r["log"])
        Privileges.counter -= 1

    def test_direct_caller_with_low_hard_limits_is_refused_unjudged(self):
        for limits, name in (({"RLIMIT_NOFILE": [32, 32]}, "RLIMIT_NOFILE"),
                             ({"RLIMIT_FSIZE": [1, 1]}, "RLIMIT_FSIZE"),
                             ({"RLIMIT_AS": [256 << 20, 256 << 20]}, "RLIMIT_AS")):
            before = len(self.requests_for(self.user))
            code = self.next_code()
            # a right code and a wrong one get the same answer: no oracle
            for answer in (code, "000000"):
                r = self.as_user("priv", self.user, answer, opts={"limits": limits})
                self.assertEqual((r["pam"], r["reason"]), ("PAM_SYSTEM_ERR", 56), r["log"])
                self.assertIn(name, r["log"])
            self.assertEqual(len(self.requests_for(self.user)), before)
            Privileges.counter -= 1   # the code was never used

    # --- parallel guesses (issue: checked at start, recorded at the end) -------
    def test_fifty_parallel_guesses_judge_at_most_max_failures(self):
        script = ("import sys; sys.path.insert(0, %r)\n"
                  "import pamharness as ph\n"
                  "r = ph.authenticate('priv', %r, %r, lambda b: ['000000' if s in (1, 2)"
                  " else None for s, _ in b])\n"
                  "print(r.reason())\n" % (os.path.join(HERE, "..", "pam"), self.user,
                                          self.pamdir))
        before = len(self.requests_for(self.user))
        procs = [subprocess.Popen(["/usr/bin/python3", "-c", script], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True) for _ in range(50)]
        reasons = [int(p.communicate(timeout=120)[0].strip() or -1) for p in procs]
        judged = len(self.requests_for(self.user)) - before
        self.assertLessEqual(judged, 3, reasons)   # max_failures = 3
        self.assertEqual(reasons.count(10), judged, reasons)
        self.assertEqual(reasons.count(10) + reasons.count(16), 50, reasons)

    # --- a hostile caller of the helper itself ---------------------------------
    def direct(self, answer, *extra, stdin=None):
        return subprocess.Popen(["setpriv", "--reuid=%d" % self.pw.pw_uid,
                                 "--regid=%d" % self.pw.pw_gid, "--clear-groups",
                                 "/usr/bin/python3", os.path.join(HERE, "direct.py"),
                                 self.helper, self.user, answer, *extra],
                                stdin=stdin or subprocess.DEVNULL, stdout=subprocess.PIPE,
                                text=True)

    def test_a_caller_may_have_four_logins_in_flight(self):
        holders = [self.direct("-", "hold", stdin=subprocess.PIPE) for _ in range(4)]
        try:
            for h in holders:
                self.assertEqual(h.stdout.readline().strip(), "prompted")
            fifth = self.direct("000000")
            self.assertEqual(fifth.communicate(timeout=60)[0].split(), ["result", "57"])
        finally:
            for h in holders:
                h.stdin.close()
                h.wait(timeout=60)
        # slots come back when the logins end
        r = self.as_user("priv", self.user, self.next_code())
        self.assertEqual(r["pam"], "PAM_SUCCESS", r["log"])

    def test_a_stalled_caller_holds_up_no_other_login(self):
        """A caller that answers and then stops reading, its pipe full: its
        helper judges the answer and then waits to write the verdict (at most
        WIRE_WRITE_TIMEOUT_MS a frame), holding no lock, so the same user's
        next login goes through meanwhile.  Nor can the caller stop its
        helper: the helper's ids are all _crauth's by then."""
        before = len(self.requests_for(self.user))
        staller = self.direct(self.next_code(), "stall", stdin=subprocess.PIPE)
        try:
            lines = [staller.stdout.readline().strip() for _ in range(6)]
            self.assertEqual(lines[0], "prompted", lines)
            self.assertEqual(lines[4:], ["stalled", "sigstop EPERM"], lines)
            # the server has the staller's answer: its helper is past judging
            self.assertTrue(self.srv.wait_for(
                lambda s: len(self.requests_for(self.user)) > before, timeout=30))
            r = self.as_user("priv", self.user, self.next_code())
            self.assertEqual(r["pam"], "PAM_SUCCESS", r["log"])
        finally:
            out = staller.communicate(timeout=120)[0]   # closes its stdin: it drains, reaps
        self.assertRegex(out, r"exit \d+")

    def test_a_closed_stderr_is_not_handed_to_a_file(self):
        """A caller that starts the helper with descriptor 2 closed: the
        helper's next open would get 2, and anything written to stderr
        (a library's complaint) would land in that file, the tokens file or
        a cache record.  The set-id exec gets 2 back from the C library
        (glibc's check of the standard descriptors under AT_SECURE), and
        no file of the helper's is on 0, 1 or 2."""
        p = self.direct("-", "hold", "nostderr", stdin=subprocess.PIPE)
        try:
            lines = [p.stdout.readline().split() for _ in range(4)]
            self.assertEqual(lines[0], ["prompted"], lines)
            pid = int(lines[3][3])
            std = [os.readlink("/proc/%d/fd/%d" % (pid, fd)) for fd in (0, 1, 2)]
        finally:
            p.communicate(timeout=60)   # closes its stdin: the helper ends
        self.assertTrue(std[0].startswith("pipe:") and std[1].startswith("pipe:"), std)
        self.assertIn(std[2], ("/dev/full", "/dev/null"), std)
        # and a login still works: nothing it keeps was written through 2
        r = self.as_user("priv", self.user, self.next_code())
        self.assertEqual((r["pam"], r["reason"]), ("PAM_SUCCESS", 0), r["log"])

    def test_direct_invocation_leaves_a_syslog_line(self):
        cmd = ["setpriv", "--reuid=%d" % self.pw.pw_uid, "--regid=%d" % self.pw.pw_gid,
               "--clear-groups", "/usr/bin/python3", os.path.join(HERE, "direct.py"),
               self.helper, self.user, "000000"]
        out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "syslogns.py"), "sh", "-c",
                              " ".join("'%s'" % c for c in cmd) * 1 + "; " +
                              " ".join("'%s'" % c for c in cmd)],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = json.loads(out.stdout)["lines"]
        attempts = [l for l in lines if "crauth-helper" in l and "authentication failed" in l]
        self.assertEqual(len(attempts), 2, lines)
        self.assertIn("user=%s" % self.user, attempts[0])
        self.assertIn("caller_uid=%d" % self.pw.pw_uid, attempts[0])
        self.assertIn("reason=10 (wrong-response)", attempts[0])
        # the priority is authpriv.notice: <85>
        self.assertTrue(attempts[0].startswith("<85>"), attempts[0])

    def test_helper_killed_mid_write_leaves_no_temp_file(self):
        """SIGKILL the helper the instant a file appears in the cache (its
        count being written): whatever it left, the next writer of that
        record removes, and no record is half written."""
        import pamharness as ph
        libc = ctypes.CDLL(None, use_errno=True)
        wrong = lambda batch: ["000000" if st == ph.PAM_PROMPT_ECHO_OFF else None
                               for st, _ in batch]
        ph.authenticate("priv", self.user, self.pamdir, wrong)   # the lock files exist now
        killed = 0
        for _ in range(5):
            fd = libc.inotify_init1(os.O_CLOEXEC)
            self.assertGreaterEqual(fd, 0)
            self.assertGreaterEqual(libc.inotify_add_watch(fd, self.cache.encode(), 0x100), 0)
            pids = []

            def kill_on_create():
                os.read(fd, 4096)          # IN_CREATE: a name appeared in the cache
                if pids:
                    os.kill(pids[0], signal.SIGKILL)

            def conv(batch):
                pids.extend(ph.children_of(os.getpid()))
                threading.Thread(target=kill_on_create, daemon=True).start()
                return wrong(batch)
            r = ph.authenticate("priv", self.user, self.pamdir, conv)
            os.close(fd)
            self.assertNotEqual(r.name, "PAM_SUCCESS", r.log)
            killed += r.reason() == 71
            self.flush_user()
        self.assertGreater(killed, 0)
        ph.authenticate("priv", self.user, self.pamdir, wrong)
        self.assertEqual(glob.glob(os.path.join(self.cache, ".*")), [])
        out = subprocess.run([CRAUTH, "cache", "list", "--conf", DEFAULT_CONF],
                             capture_output=True, text=True,
                             preexec_fn=lambda: (os.setgid(self.crauth.pw_gid),
                                                 os.setuid(self.crauth.pw_uid)))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertNotIn("corrupt", out.stderr)

    def flush_user(self):
        subprocess.run([CRAUTH, "cache", "flush", "--user", self.user, "--conf", DEFAULT_CONF],
                       check=True, capture_output=True,
                       preexec_fn=lambda: (os.setgid(self.crauth.pw_gid),
                                           os.setuid(self.crauth.pw_uid)))

    def test_root_caller_runs_it_as_crauth_without_groups(self):
        os.setgroups([0, 4])  # pretend root has supplementary groups (adm)
        import pamharness as ph
        seen = {}

        def conv(batch):
            (pid,) = ph.children_of(os.getpid())
            with open("/proc/%d/status" % pid) as f:
                seen.update(l.split(":", 1) for l in f if ":" in l)
            return [self.next_code() if s == ph.PAM_PROMPT_ECHO_OFF else None for s, _ in batch]
        r = ph.authenticate("priv", self.user, self.pamdir, conv)
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        self.assertEqual(seen["Uid"].split(), [str(self.crauth.pw_uid)] * 4)
        self.assertEqual(seen["Groups"].split(), [])
        self.assertEqual(seen["Seccomp"].strip(), "2")   # its allow-list is loaded
        self.assertEqual(seen["NoNewPrivs"].strip(), "1")

    def test_user_cannot_authenticate_someone_else(self):
        r = self.as_user("priv", "victim", hotp(0))
        self.assertEqual((r["pam"], r["reason"]), ("PAM_PERM_DENIED", 54), r["log"])
        self.assertIn("may authenticate only itself", r["log"])
        self.assertEqual([q for q in self.srv.requests if q.attributes.get(
            "CREDFLD_USERID") == "victim"], [])

    def test_user_cannot_choose_the_config(self):
        r = self.as_user("priv-conf", self.user, self.next_code())
        self.assertEqual((r["pam"], r["reason"]), ("PAM_PERM_DENIED", 54), r["log"])

    def test_user_cannot_read_the_secrets(self):
        out = subprocess.run(["setpriv", "--reuid=%d" % self.pw.pw_uid,
                              "--regid=%d" % self.pw.pw_gid, "--clear-groups", "cat",
                              self.secret], capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertNotIn("hunter2", out.stdout)
        # while the helper, as _crauth, used them (basic auth to the server worked)
        r = self.as_user("priv", self.user, self.next_code())
        self.assertEqual(r["pam"], "PAM_SUCCESS", r["log"])

    def test_proxy_variables_are_ignored(self):
        with DeadListener("close") as proxy:
            env = {"PATH": "/usr/bin:/bin"}
            for var in ("http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
                env[var] = proxy.url
            env["OPENSSL_CONF"] = "/nonexistent/openssl.cnf"
            r = self.as_user("priv", self.user, self.next_code(), env=env)
            self.assertEqual(r["pam"], "PAM_SUCCESS", r["log"])
            self.assertEqual(proxy.attempts, 0)

    def with_broker(self, owner):
        """The default configuration naming a crauth-broker run as @owner
        (a pwd entry) on a socket in a directory of its own, for one test."""
        bdir = os.path.join(self.work, "broker-%s" % owner.pw_name)
        os.mkdir(bdir, 0o700)
        os.chown(bdir, owner.pw_uid, owner.pw_gid)
        sock = os.path.join(bdir, "sock")
        proc = subprocess.Popen(["setpriv", "--reuid=%d" % owner.pw_uid,
                                 "--regid=%d" % owner.pw_gid, "--clear-groups",
                                 os.environ["CRAUTH_BROKER"], "--socket", sock],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (proc.terminate(), proc.wait(20)))
        while not os.path.exists(sock):  # its start, not what is tested
            if proc.poll() is not None:
                self.fail("crauth-broker did not start: %s" % proc.stderr.read())
            time.sleep(0.01)
        if owner.pw_uid != self.crauth.pw_uid:
            os.chmod(sock, 0o777)  # what a hostile user's own listener would allow
        with open(DEFAULT_CONF) as f:
            saved = f.read()
        self.addCleanup(lambda: open(DEFAULT_CONF, "w").write(saved))
        with open(DEFAULT_CONF, "w") as f:
            f.write(saved.replace("[auth]\n", "broker = %s\n[auth]\n" % sock, 1))
        os.chmod(bdir, 0o711)  # the helper (uid _crauth) reaches the socket itself
        return sock

    def test_a_user_logs_in_through_a_broker_run_as_crauth(self):
        """The set-uid helper (effective uid _crauth) hands its call to a
        broker run as _crauth, which reads the configuration and the secrets
        file (root:_crauth 0640) as the helper does; the second login goes
        over the broker's kept connection."""
        self.with_broker(self.crauth)
        r = self.as_user("priv", self.user, self.next_code())
        self.assertEqual((r["pam"], r["reason"]), ("PAM_SUCCESS", 0), r["log"])
        self.assertNotIn("not used", r["log"])
        handshakes = self.srv.stats["tls_handshakes"]
        r = self.as_user("priv", self.user, self.next_code())
        self.assertEqual((r["pam"], r["reason"]), ("PAM_SUCCESS", 0), r["log"])
        self.assertEqual(self.srv.stats["tls_handshakes"], handshakes)

    def test_a_broker_of_the_calling_user_is_not_asked(self):
        """A user who runs a broker of its own where the configuration points
        is refused by the helper (it listens as neither root nor _crauth),
        and the login goes to the servers the helper calls itself: a wrong
        code stays wrong whatever that broker would say."""
        self.with_broker(self.pw)
        r = self.as_user("priv", self.user, "000000")
        self.assertEqual((r["pam"], r["reason"]), ("PAM_AUTH_ERR", 10), r["log"])
        self.assertIn("neither root nor uid %d" % self.crauth.pw_uid, r["log"])

    def test_rate_limit_holds_for_an_unprivileged_caller(self):
        # the caller's PAM application ignores pam_fail_delay (our harness
        # does); the helper still counts and stops the guessing
        for _ in range(3):
            r = self.as_user("priv", self.user, "000000")
            self.assertEqual(r["reason"], 10, r["log"])
        r = self.as_user("priv", self.user, "000000")
        self.assertEqual((r["pam"], r["reason"]), ("PAM_MAXTRIES", 16), r["log"])
        self.flush_user()

    def test_an_unprivileged_caller_cannot_name_another_account(self):
        """An ACCOUNT frame from a caller that is not root is not taken: its
        failures stay its own, so no one spends another account's tries."""
        for _ in range(3):
            out = self.direct("000000", "account=victim").communicate(timeout=60)[0]
            self.assertIn("result 10", out)
        r = self.as_user("priv", self.user, "000000")
        self.assertEqual((r["pam"], r["reason"]), ("PAM_MAXTRIES", 16), r["log"])
        self.flush_user()

    def test_a_helper_not_set_id_keeps_no_file_capability(self):
        """An admin's statoverride that is not set-id, with the file
        capability still on the helper: a user who runs it must not hold
        CAP_SETGID while it reads the request."""
        plain = os.path.join(self.work, "plain-helper")
        shutil.copy(self.helper, plain)
        os.chown(plain, 0, 0)
        os.chmod(plain, 0o755)
        subprocess.run(["setcap", "cap_setgid=ep", plain], check=True)
        p = subprocess.Popen(["setpriv", "--reuid=%d" % self.pw.pw_uid,
                              "--regid=%d" % self.pw.pw_gid, "--clear-groups", plain],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            # the helper is waiting for the request: poll(2) on one
            # descriptor with its 10 s deadline (x86-64: syscall 7)
            for _ in range(20000):
                with open("/proc/%d/syscall" % p.pid) as f:
                    call = f.read().split()
                with open("/proc/%d/status" % p.pid) as f:
                    status = dict(ln.split(":", 1) for ln in f if ":" in ln)
                if status["Name"].strip() == "plain-helper" and call[:1] == ["7"]:
                    break
                os.sched_yield()
            self.assertEqual(call[:1], ["7"], call)
            self.assertEqual(int(status["CapEff"], 16), 0, status["CapEff"])
            self.assertEqual(int(status["CapPrm"], 16), 0, status["CapPrm"])
        finally:
            p.kill()
            p.wait()

    def test_plugin_must_be_roots(self):
        plugin = os.path.join(self.work, "libexec", "crauth-remote.so")
        try:
            os.chown(plugin, self.pw.pw_uid, self.pw.pw_gid)   # the user's own code
            r = self.as_user("priv", self.user, "000000")
            self.assertEqual((r["pam"], r["reason"]), ("PAM_SYSTEM_ERR", 61), r["log"])
            self.assertIn("owned by root", r["log"])
            os.chown(plugin, 0, 0)
            os.chmod(plugin, 0o775)
            r = self.as_user("priv", self.user, "000000")
            self.assertEqual((r["pam"], r["reason"]), ("PAM_SYSTEM_ERR", 61), r["log"])
        finally:
            os.chown(plugin, 0, 0)
            os.chmod(plugin, 0o755)

    def test_helper_refuses_a_terminal(self):
        out = subprocess.run(["script", "-qec", self.helper, "/dev/null"], capture_output=True,
                             text=True, timeout=30)
        self.assertEqual(out.returncode, 54)


if __name__ == "__main__":
    unittest.main(verbosity=2)
