#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""`crauth check` on this machine's side: the tokens file line by line, x509
certificates, the PAM stacks, and -- as the helper's user _crauth, in a
mount namespace whose /etc/passwd and /etc/group have one (root only) --
the set-id helper, the cache and the lock file.  Each case that makes every
login fail must FAIL (exit 1) with its reason, and its fix must name
_crauth and the exact chown/chmod/setcap."""
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import unittest

CRAUTH = os.environ.get("CRAUTH", "tools/crauth")
BUILD = os.environ.get("TOP_BUILDDIR", ".")
# the helper itself, not a wrapper (valgrind): check looks at the file
HELPER = os.path.join(BUILD, "helper", "crauth-helper")
KEY20 = "3132333435363738393031323334353637383930"


def steps_of(stdout):
    """[(result, name, text)] of check's step lines, in order."""
    out = []
    for line in stdout.splitlines():
        m = re.match(r"  (ok|warn|FAIL)\s+(\S+)\s+(\S+)\s+(.*)$", line)
        if m:
            out.append((m.group(1), m.group(3), m.group(4)))
    return out


def openssl(*args, cwd=None):
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd)


class Certificates:
    """EC P-256 certificates for x509 tokens (key usage keyAgreement): one
    good, one expired (openssl ca: the one bookworm tool that sets past
    dates), one from another CA."""

    CONFIG = """[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
[ user_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyAgreement
[ ca ]
default_ca = test_ca
[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
[ any ]
commonName = supplied
"""

    def __init__(self, d):
        self.d = d
        os.mkdir(d, 0o755)
        with open(os.path.join(d, "openssl.cnf"), "w") as f:
            f.write(self.CONFIG)
        open(os.path.join(d, "index.txt"), "w").close()
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("1000\n")
        for ca in ("ca", "other_ca"):
            openssl("req", "-config", "openssl.cnf", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca + ".key", "-out",
                    ca + ".crt", "-days", "3650", "-subj", "/CN=" + ca, "-extensions",
                    "ca_ext", cwd=d)
        self.issue("good", "ca")
        self.issue("expired", "ca", "-startdate", "20200101000000Z", "-enddate",
                   "20200102000000Z")
        self.issue("foreign", "other_ca")
        for name in os.listdir(d):
            os.chmod(os.path.join(d, name), 0o644)

    def issue(self, name, ca, *dates):
        openssl("req", "-config", "openssl.cnf", "-new", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key", "-out",
                name + ".csr", "-subj", "/CN=" + name, cwd=self.d)
        openssl("ca", "-config", "openssl.cnf", "-batch", "-notext", "-in", name + ".csr",
                "-cert", ca + ".crt", "-keyfile", ca + ".key", *(dates or ("-days", "30")),
                "-extfile", "openssl.cnf", "-extensions", "user_ext", "-out", name + ".crt",
                cwd=self.d)

    def path(self, name):
        return os.path.join(self.d, name)


class CheckCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crauth-check-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        os.chmod(self.dir, 0o755)   # _crauth must reach it in the namespace tests
        self.cache = os.path.join(self.dir, "cache")
        os.mkdir(self.cache, 0o700)
        self.tokens = os.path.join(self.dir, "tokens")
        self.pamdir = os.path.join(self.dir, "pam.d")
        os.mkdir(self.pamdir, 0o755)
        self.conf = os.path.join(self.dir, "crauth.conf")
        self.write_tokens("alice hotp/6 %s 0\n" % KEY20)
        self.write_conf()

    def write_conf(self, extra=""):
        with open(self.conf, "w") as f:
            f.write("[auth]\nbackend = local\n[local]\ntokens = %s\n%s[cache]\ndir = %s\n"
                    % (self.tokens, extra, self.cache))
        os.chmod(self.conf, 0o644)

    def write_tokens(self, text):
        with open(self.tokens, "w") as f:
            f.write(text)
        os.chmod(self.tokens, 0o600)

    def write_pam(self, name, text):
        with open(os.path.join(self.pamdir, name), "w") as f:
            f.write(text)

    def check(self, *args, helper=HELPER, prefix=()):
        out = subprocess.run([*prefix, CRAUTH, "check", "--conf", self.conf, "--helper", helper,
                              "--pamdir", self.pamdir, *args],
                             capture_output=True, text=True, timeout=60)
        return out, steps_of(out.stdout)

    def failed(self, steps):
        return [(name, text) for result, name, text in steps if result == "FAIL"]


class TokensAndPam(CheckCase):
    def test_clean_setup_passes(self):
        self.write_pam("sudo", "#%PAM-1.0\nauth required pam_crauth.so\n@include common-account\n")
        out, steps = self.check("--user", "alice")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("all checks passed", out.stdout)
        self.assertIn(("ok", "user", "user alice has 1 token(s)"), steps)
        self.assertIn(("ok", "pam", "%s/sudo:2: auth pam_crauth.so, 0 argument(s)"
                       % self.pamdir), steps)

    def test_user_whose_tokens_cannot_answer_the_method(self):
        # the user's lines are fine, but not for what the configuration asks
        def conf(auth):
            with open(self.conf, "w") as f:
                f.write("[auth]\nbackend = local\n%s[local]\ntokens = %s\n[cache]\ndir = %s\n"
                        % (auth, self.tokens, self.cache))
        certs = Certificates(os.path.join(self.dir, "certs"))
        for auth, tokens, fails in (
                ("method = otp\n", "alice OCRA-1:HOTP-SHA1-6:QN08 %s\n" % KEY20,
                 "method = otp asks for a one-time code"),
                ("single_prompt = yes\n", "alice x509 %s\n" % certs.path("good.crt"),
                 "single_prompt = yes answers in the next"),
                ("method = otp\n", "alice hotp/6 %s 0\n" % KEY20, None),
                ("single_prompt = yes\n", "alice OCRA-1:HOTP-SHA1-6:QN08 %s\n" % KEY20, None)):
            with self.subTest(auth=auth, tokens=tokens.split()[1]):
                conf(auth)
                self.write_tokens(tokens)
                out, steps = self.check("--user", "alice")
                user = [(result, text) for result, name, text in steps if name == "user"]
                if fails is None:
                    self.assertEqual(user[0][0], "ok", out.stdout)
                else:
                    self.assertEqual(user[0][0], "FAIL", out.stdout)
                    self.assertIn(fails, user[0][1])

    def test_cache_dir_that_is_a_symbolic_link(self):
        # the helper opens it with O_NOFOLLOW: check must not pass it
        real = os.path.join(self.dir, "real-cache")
        os.mkdir(real, 0o700)
        os.rmdir(self.cache)
        os.symlink(real, self.cache)
        out, steps = self.check()
        texts = [text for name, text in self.failed(steps) if name == "cache"]
        self.assertEqual(len(texts), 1, out.stdout)
        self.assertIn("%s is a symbolic link" % self.cache, texts[0])

    def test_every_bad_tokens_line_is_reported(self):
        self.write_tokens("# users\nalice hotp/6 %s 0\nbob hotp/6 nothex\n\ncarol totp/30/6\n"
                          "dave  hotp/6 %s 0 extra fields here\n" % (KEY20, KEY20))
        out, steps = self.check()
        self.assertEqual(out.returncode, 1, out.stdout)
        bad = [text for name, text in self.failed(steps) if name == "tokens"]
        self.assertEqual([t.split(":")[1] for t in bad], ["3", "5", "6"], out.stdout)
        for t in bad:
            self.assertTrue(t.startswith(self.tokens + ":"), t)
            self.assertTrue(t.endswith("[reason 51 tokens-file-error]"), t)
        self.assertNotIn(KEY20, out.stdout)
        self.assertIn("first failure: reason 51", out.stdout)

    def test_user_with_a_bad_line(self):
        self.write_tokens("alice hotp/6 %s 0\nbob hotp/6 nothex\n" % KEY20)
        out, steps = self.check("--user", "bob")
        self.assertIn(("user", "user bob has 1 bad line(s) in %s (above): every login of bob "
                       "fails [reason 51 tokens-file-error]" % self.tokens), self.failed(steps))

    def test_tokens_file_others_can_read(self):
        os.chmod(self.tokens, 0o644)
        out, steps = self.check()
        (name, text), = self.failed(steps)
        self.assertEqual(name, "tokens")
        self.assertIn("chmod 0600 %s" % self.tokens, text)

    def test_x509_certificates(self):
        certs = Certificates(os.path.join(self.dir, "certs"))
        garbage = os.path.join(self.dir, "garbage.pem")
        with open(garbage, "w") as f:
            f.write("not a certificate\n")
        self.write_tokens("alice x509 %s\nbob x509 %s\ncarol x509 %s\ndave x509 %s\n"
                          % (certs.path("good.crt"), certs.path("expired.crt"),
                             certs.path("foreign.crt"), garbage))
        self.write_conf("x509_ca = %s\n" % certs.path("ca.crt"))
        out, steps = self.check()
        self.assertEqual(out.returncode, 1, out.stdout)
        x509 = [(result, text) for result, name, text in steps if name == "x509"]
        self.assertEqual([(r, t.split(":")[1]) for r, t in x509],
                         [("ok", "1"), ("FAIL", "2"), ("FAIL", "3"), ("FAIL", "4")], out.stdout)
        self.assertIn("chain verified", x509[0][1])
        self.assertTrue(x509[1][1].endswith("[reason 58 certificate-expired]"), x509[1])
        self.assertTrue(x509[2][1].endswith("[reason 59 certificate-untrusted]"), x509[2])
        self.assertTrue(x509[3][1].endswith("[reason 60 certificate-invalid]"), x509[3])
        # x509 tokens need crauth-x509.so next to the helper: once, not per token
        plugin = [(result, text) for result, name, text in steps if name == "plugin"]
        self.assertEqual([r for r, _ in plugin], ["ok"], out.stdout)
        self.assertIn("crauth-x509.so", plugin[0][1])

    def test_x509_plugin_missing(self):
        certs = Certificates(os.path.join(self.dir, "certs"))
        self.write_tokens("alice x509 %s\n" % certs.path("good.crt"))
        libexec = os.path.join(self.dir, "libexec")
        os.mkdir(libexec, 0o755)
        helper = os.path.join(libexec, "crauth-helper")
        shutil.copy(os.path.join(os.path.dirname(HELPER), "crauth-helper"), helper)
        out, steps = self.check(helper=helper)
        self.assertEqual(out.returncode, 1, out.stdout)
        plugin = [(result, text) for result, name, text in steps if name == "plugin"]
        self.assertEqual(len(plugin), 1, out.stdout)
        self.assertEqual(plugin[0][0], "FAIL", out.stdout)
        self.assertIn("an x509 token needs %s/crauth-x509.so" % libexec, plugin[0][1])
        self.assertIn("[reason 61 helper-privileges]", plugin[0][1])

    def test_helper_directory_others_can_write(self):
        # whoever can write a directory on the helper's path can put another
        # program in its place, which sshd and sudo then run as root
        outer = os.path.join(self.dir, "outer")
        libexec = os.path.join(outer, "libexec")
        os.makedirs(libexec, 0o755)
        helper = os.path.join(libexec, "crauth-helper")
        shutil.copy(HELPER, helper)
        for where, mode, fails in ((libexec, 0o777, True), (outer, 0o775, True),
                                   (outer, 0o1777, False)):
            with self.subTest(where=where, mode=oct(mode)):
                os.chmod(where, mode)
                out, steps = self.check(helper=helper)
                found = [(r, t) for r, name, t in steps if name == "helper"]
                self.assertEqual(found[0][0] == "FAIL" and "on the helper's path" in found[0][1],
                                 fails, out.stdout)
                if fails:
                    self.assertEqual(out.returncode, 1, out.stdout)
                    self.assertIn("chown root:root %s && chmod go-w %s" % (where, where),
                                  found[0][1])
                os.chmod(where, 0o755)

    def test_mistyped_pam_argument(self):
        self.write_pam("sudo", "# pam_crauth.so use_frist_pass in a comment is no line\n"
                       "auth  [success=1 default=ignore]  pam_crauth.so  debug\n"
                       "auth required /lib/x86_64-linux-gnu/security/pam_crauth.so \\ \t\n"
                       "    debug use_frist_pass\n"
                       "auth required pam_unix.so use_frist_pass\n")
        self.write_pam("login", "-auth required pam_crauth.so [conf=/etc/security/x.conf]\n"
                       "session optional pam_crauth.so\n"
                       "account required pam_crauth.so anything goes here\n")
        out, steps = self.check()
        self.assertEqual(out.returncode, 1, out.stdout)
        pam = [(result, text) for result, name, text in steps if name == "pam"]
        self.assertEqual([(r, t.split(":")[0].rsplit("/", 1)[1], t.split(":")[1])
                          for r, t in pam],
                         [("ok", "login", "1"), ("FAIL", "login", "2"), ("ok", "login", "3"),
                          ("ok", "sudo", "2"), ("FAIL", "sudo", "3")], out.stdout)
        self.assertIn("unknown or malformed argument 'use_frist_pass' (known: conf=/PATH, "
                      "helper=/PATH, debug, use_first_pass, try_first_pass)", pam[4][1])
        self.assertIn("fails with reason 50", pam[4][1])
        self.assertIn("no 'session' functions", pam[1][1])
        self.assertIn("its own conf=", pam[0][1])

    def test_no_pam_line_yet(self):
        out, steps = self.check()
        self.assertIn(("ok", "pam", "no pam_crauth.so line in %s yet" % self.pamdir), steps)


def free_uid():
    taken = {p.pw_uid for p in pwd.getpwall()}
    return next(u for u in range(64990, 60000, -1) if u not in taken)


@unittest.skipIf(os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"),
                 "needs root, unshare and setpriv (a _crauth user in a private /etc/passwd)")
class AsTheHelpersUser(CheckCase):
    """check run as _crauth, as crauth(1) says to run it, with the files of a
    system install; _crauth exists only in this test's mount namespace."""

    def setUp(self):
        super().setUp()
        try:
            pwd.getpwnam("_crauth")
            self.skipTest("a real _crauth user exists; this test brings its own")
        except KeyError:
            pass
        self.uid = free_uid()
        for name, line in (("passwd", "_crauth:x:%d:%d::/nonexistent:/usr/sbin/nologin\n"),
                           ("group", "_crauth:x:%d:\n")):
            with open("/etc/" + name) as f:
                text = f.read()
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(text + (line % ((self.uid, self.uid) if name == "passwd"
                                        else (self.uid,))))
        for path in (self.cache, self.tokens, self.conf):
            os.chown(path, self.uid, self.uid)
        os.chmod(self.conf, 0o600)
        os.chown(self.dir, self.uid, self.uid)
        # the installed helper's directory, with the helper copied into it:
        # root's all the way up (self.dir is _crauth's, which check refuses
        # on a set-id helper's path)
        libexec = tempfile.mkdtemp(prefix="crauth-libexec-")
        self.addCleanup(shutil.rmtree, libexec, True)
        os.chmod(libexec, 0o755)
        self.helper = os.path.join(libexec, "crauth-helper")
        shutil.copy(HELPER, self.helper)

    def check_as_crauth(self, *args):
        prefix = ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                  'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 '
                  '&& exec "$@"', "sh", os.path.join(self.dir, "passwd"),
                  os.path.join(self.dir, "group"), "setpriv", "--reuid=%d" % self.uid,
                  "--regid=%d" % self.uid, "--clear-groups"]
        return self.check(*args, helper=self.helper, prefix=prefix)

    def install_setuid(self, cap=True):
        os.chown(self.helper, self.uid, self.uid)
        os.chmod(self.helper, 0o6755)
        if cap:
            r = subprocess.run(["setcap", "cap_setgid=ep", self.helper], capture_output=True)
            if r.returncode != 0:
                self.skipTest("setcap failed here: %s" % r.stderr.decode().strip())

    def fix_of(self, helper):
        return ("chown _crauth:_crauth {0} && chmod 6755 {0} && setcap cap_setgid=ep {0}"
                .format(helper))

    def test_installed_helper_passes(self):
        self.install_setuid()
        out, steps = self.check_as_crauth()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn(("ok", "helper", "%s set-uid/set-gid _crauth, cap_setgid=ep"
                       % self.helper), steps)
        self.assertIn(("ok", "cache", "%s (_crauth:_crauth mode 0700)" % self.cache), steps)

    def test_set_id_helper_in_a_directory_crauth_owns_fails(self):
        # check runs as _crauth: a directory of its own on the set-id
        # helper's path is one _crauth could put another program in, which
        # sshd and sudo would run as root
        self.install_setuid()
        libexec = os.path.dirname(self.helper)
        os.chown(libexec, self.uid, self.uid)
        out, steps = self.check_as_crauth()
        self.assertEqual(out.returncode, 1, out.stdout)
        (name, text), = self.failed(steps)
        self.assertEqual(name, "helper")
        self.assertIn("directory %s on the helper's path is _crauth:_crauth" % libexec, text)

    def test_helper_not_set_id_fails(self):
        out, steps = self.check_as_crauth()
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        (name, text), = self.failed(steps)
        self.assertEqual(name, "helper")
        self.assertIn("is root:root mode 0755, no cap_setgid=ep, but the files belong to "
                      "_crauth", text)
        self.assertIn(self.fix_of(self.helper), text)
        self.assertTrue(text.endswith("[reason 61 helper-privileges]"), text)

    def test_helper_without_the_capability_fails(self):
        self.install_setuid(cap=False)
        out, steps = self.check_as_crauth()
        (name, text), = self.failed(steps)
        self.assertEqual(name, "helper")
        self.assertIn("no cap_setgid=ep", text)
        self.assertIn("non-root programs", text)
        self.assertIn(self.fix_of(self.helper), text)

    def test_lock_file_owned_by_root_fails(self):
        self.install_setuid()
        lock = self.tokens + ".lock"
        with open(lock, "w"):
            pass
        os.chmod(lock, 0o600)
        out, steps = self.check_as_crauth()
        self.assertEqual(out.returncode, 1, out.stdout)
        (name, text), = self.failed(steps)
        self.assertEqual(name, "lock")
        self.assertIn("%s is root:root mode 0600: _crauth cannot take the lock, so every "
                      "local login fails: chown _crauth:_crauth %s && chmod 0600 %s"
                      % (lock, lock, lock), text)
        os.chown(lock, self.uid, self.uid)
        out, steps = self.check_as_crauth()
        self.assertEqual(out.returncode, 0, out.stdout)
        # not a file at all: the fix is its own command, not glued to chown
        os.unlink(lock)
        os.mkfifo(lock, 0o600)
        out, steps = self.check_as_crauth()
        (name, text), = self.failed(steps)
        self.assertTrue(text.endswith("so every local login fails: rm %s (the next login makes "
                                      "it again) [reason 51 tokens-file-error]" % lock), text)

    def in_namespace_as_root(self, argv):
        return subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
             'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 '
             '&& exec "$@"', "sh", os.path.join(self.dir, "passwd"),
             os.path.join(self.dir, "group"), *argv], capture_output=True, text=True, timeout=60)

    def test_root_login_with_a_helper_not_set_id_names_the_fix(self):
        """The helper not set-id runs as root and meets _crauth's files: the
        log must name the helper's chown/chmod/setcap, not "chown root"."""
        service = os.path.join(self.pamdir, "crauth-test")
        self.write_pam("crauth-test", "auth required %s conf=%s helper=%s\n"
                       % (os.environ["PAM_CRAUTH"], self.conf, self.helper))
        self.write_pam("other", "auth required pam_deny.so\n")
        code = ("import sys; sys.path.insert(0, %r); import pamharness as ph\n"
                "r = ph.authenticate('crauth-test', 'alice', %r, lambda b: ['1' for _ in b])\n"
                "print(r.name, r.reason()); print(r.log)\n"
                % (os.path.dirname(os.path.abspath(__file__)), self.pamdir))
        out = self.in_namespace_as_root(["/usr/bin/python3", "-c", code])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(os.path.exists(service))
        self.assertEqual(out.stdout.splitlines()[0], "PAM_SERVICE_ERR 50", out.stdout)
        self.assertIn("it belongs to _crauth, but this runs as root: crauth-helper is not "
                      "set-uid _crauth; fix: chown _crauth:_crauth ", out.stdout)
        self.assertNotIn("chown root:", out.stdout)

    def test_check_as_root_names_the_fix(self):
        out = self.in_namespace_as_root([CRAUTH, "check", "--conf", self.conf, "--helper",
                                         self.helper, "--pamdir", self.pamdir])
        self.assertEqual(out.returncode, 1, out.stdout)
        (name, text), = self.failed(steps_of(out.stdout))
        self.assertEqual(name, "config")
        self.assertIn("runuser -u _crauth -- crauth", text)

    def test_cache_owned_by_root_names_crauth(self):
        self.install_setuid()
        os.chown(self.cache, 0, 0)
        out, steps = self.check_as_crauth()
        (name, text), = self.failed(steps)
        self.assertEqual(name, "cache")
        self.assertIn("must be a directory owned by _crauth", text)
        self.assertIn("chown _crauth:_crauth %s && chmod 0700 %s" % (self.cache, self.cache),
                      text)
        self.assertNotIn("uid %d" % self.uid, text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
