#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The privilege boundary, with a really set-id helper (root only).

scripts/test.sh runs this against a build whose default configuration path
lies inside the build tree (CRAUTH_PRIV_TESTS=1 and CRAUTH_CONF_DEFAULT),
so the system's /etc is never touched.  It creates the _crauth user (if
missing) and a throwaway test user, and removes what it created.
"""
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
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
                             keyfile=certs["server_key"], basic_auth=("svc", "hunter2")).start()
        cls.counter = 0
        os.makedirs(os.path.dirname(DEFAULT_CONF), exist_ok=True)
        with open(DEFAULT_CONF, "w") as f:
            f.write("[server]\nurl = %s\nca_file = %s\nhttp_auth = basic\nhttp_user = svc\n"
                    "secrets = %s\n[auth]\nbackend = server\nmethod = otp\nfail_delay = 300\n"
                    "[cache]\ndir = %s\nmax_failures = 3\n"
                    % (cls.srv.url, certs["ca_cert"], cls.secret, cls.cache))
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

    def as_user(self, service, user, answer, env=None):
        """One PAM transaction in a process of the test user."""
        cmd = ["setpriv", "--reuid=%d" % self.pw.pw_uid, "--regid=%d" % self.pw.pw_gid,
               "--clear-groups", "/usr/bin/python3", os.path.join(HERE, "privdriver.py"),
               service, user, self.pamdir, answer]
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

    def test_rate_limit_holds_for_an_unprivileged_caller(self):
        # the caller's PAM application ignores pam_fail_delay (our harness
        # does); the helper still counts and stops the guessing
        for _ in range(3):
            r = self.as_user("priv", self.user, "000000")
            self.assertEqual(r["reason"], 10, r["log"])
        r = self.as_user("priv", self.user, "000000")
        self.assertEqual((r["pam"], r["reason"]), ("PAM_MAXTRIES", 16), r["log"])
        subprocess.run([CRAUTH, "cache", "flush", "--user", self.user, "--conf", DEFAULT_CONF],
                       check=True, capture_output=True,
                       preexec_fn=lambda: (os.setgid(self.crauth.pw_gid),
                                           os.setuid(self.crauth.pw_uid)))

    def test_helper_refuses_a_terminal(self):
        out = subprocess.run(["script", "-qec", self.helper, "/dev/null"], capture_output=True,
                             text=True, timeout=30)
        self.assertEqual(out.returncode, 54)


if __name__ == "__main__":
    unittest.main(verbosity=2)
