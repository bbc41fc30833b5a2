#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Key-possession logins through the real libpam: a user whose token is x509
gets a CMS envelope (its text verbatim in a PAM message), and answers with
the 20 bytes inside, in hex, decrypted by whatever holds the private key:

  - the plain `openssl cms -decrypt ... | xxd -p` pipeline of the README
    (RSA key transport and EC key agreement),
  - `crauth cms-respond --key-file`,
  - a key inside SoftHSM2, through PKCS#11 (`crauth cms-respond --pkcs11`).

Then what must fail: a wrong answer, an answer to an earlier envelope, an
expired certificate, one that does not chain to x509_ca, a tampered
envelope, a certificate file someone else may write, and a crauth-x509.so
plugin that is missing or writable by others (the helper maps OpenSSL only
through it).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "pam"))
import pamharness as ph  # noqa: E402
from test_cms_respond import (P256, P384, PIN, RSA, SOFTHSM_MISSING, SOFTHSM_MODULES,  # noqa: E402
                              Keys, openssl, openssl_pipeline, run, system_env)

HELPER = os.environ.get("CRAUTH_HELPER", "helper/crauth-helper")
CRAUTH = os.environ.get("CRAUTH", "tools/crauth")
PEM = re.compile(r"-----BEGIN CMS-----\n.*?\n-----END CMS-----\n?", re.S)
PROMPTS = (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON)


def envelope_in(batch):
    """The envelope shown in one conversation call, verbatim PEM."""
    for _, text in batch:
        m = PEM.search(text)
        if m:
            return m.group(0).encode()
    return None


class X509Logins(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="crauth-x509-")
        d = cls.tmp.name
        os.chmod(d, 0o755)
        cls.keys = Keys(d)
        cls.rsa = cls.keys.self_signed("rsa", RSA)
        cls.ec = cls.keys.self_signed("ec", P256)
        cls.ec384 = cls.keys.self_signed("ec384", P384)
        cls.ca = cls.keys.self_signed("ca", P256)
        cls.issued = cls.keys.issued("issued", *cls.ca)
        cls.expired = cls.keys.issued("expired", *cls.ca, days="-1")
        cls.stranger = cls.keys.self_signed("stranger", P256)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crauth-x509-login-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.tokens = os.path.join(self.dir, "tokens")
        self.write_tokens({"alice": self.rsa[1], "bob": self.ec[1], "carol": self.ec384[1],
                           "dave": self.issued[1], "erin": self.expired[1]})
        self.conf = os.path.join(self.dir, "crauth.conf")
        self.write_conf()
        ph.write_service(self.dir, "x509", ["conf=" + self.conf, "helper=" + HELPER])

    def write_tokens(self, users):
        with open(self.tokens, "w") as f:
            for user, cert in users.items():
                f.write("%s x509 %s\n" % (user, cert))
        os.chmod(self.tokens, 0o600)

    def write_conf(self, local=""):
        with open(self.conf, "w") as f:
            f.write("[auth]\nbackend = local\nfail_delay = 0\n[local]\ntokens = %s\n%s\n"
                    "[cache]\ndir = %s/cache\n" % (self.tokens, local, self.dir))

    def login(self, user, answer_with):
        """One attempt; @answer_with(envelope) gives the answer text."""
        seen = {}

        def conv(batch):
            env = envelope_in(batch)
            if env is not None:
                seen["envelope"] = env
            return [answer_with(seen.get("envelope")) if s in PROMPTS else None
                    for s, _ in batch]
        r = ph.authenticate("x509", user, self.dir, conv)
        return r, seen.get("envelope")

    def pipeline(self, key, cert):
        def answer(envelope):
            rc, out = openssl_pipeline(envelope, key, cert)
            self.assertEqual(rc, 0)
            return out.strip()
        return answer

    def cms_respond(self, key):
        def answer(envelope):
            r = run([CRAUTH, "cms-respond", "--key-file", key], envelope)
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stdout.decode().strip()
        return answer

    # --- the ways to answer ---------------------------------------------------
    def test_rsa_and_ec_answered_by_the_openssl_pipeline(self):
        for user, (key, cert) in (("alice", self.rsa), ("bob", self.ec), ("carol", self.ec384)):
            with self.subTest(user=user):
                r, env = self.login(user, self.pipeline(key, cert))
                self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)
                # the envelope is in a PAM message verbatim, prompt after it
                self.assertTrue(env.startswith(b"-----BEGIN CMS-----\n"), env)
                self.assertIn("Response to the envelope above (40 hex digits): ",
                              r.texts(ph.PAM_PROMPT_ECHO_OFF))
                self.assertIn("certificate=", r.log)

    def test_answered_by_crauth_cms_respond(self):
        r, _ = self.login("alice", self.cms_respond(self.rsa[0]))
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)
        r, _ = self.login("bob", self.cms_respond(self.ec[0]))
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)

    def test_chain_to_x509_ca(self):
        self.write_conf("x509_ca = %s" % self.ca[1])
        r, _ = self.login("dave", self.pipeline(*self.issued))
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)
        # a self-signed certificate does not chain to it
        r, env = self.login("alice", self.pipeline(*self.rsa))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 59), r.log)
        self.assertIsNone(env)

    def crl(self, revoke=()):
        """A CRL of the test CA (openssl ca -gencrl) revoking @revoke."""
        d = tempfile.mkdtemp(prefix="crl-", dir=self.dir)
        cnf = os.path.join(d, "ca.cnf")
        with open(cnf, "w") as f:
            f.write("[ca]\ndefault_ca = d\n[d]\ndatabase = %s/index.txt\n"
                    "default_md = sha256\ndefault_crl_days = 1\n" % d)
        open(os.path.join(d, "index.txt"), "w").close()
        args = ["-config", cnf, "-keyfile", self.ca[0], "-cert", self.ca[1]]
        for cert in revoke:
            openssl("ca", *args, "-revoke", cert)
        out = os.path.join(d, "crl.pem")
        openssl("ca", *args, "-gencrl", "-out", out)
        with open(out) as f:
            return f.read()

    def ca_file_with(self, crl):
        path = os.path.join(self.dir, "ca-and-crl.pem")
        with open(self.ca[1]) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text + crl)
        os.chmod(path, 0o644)
        return path

    def test_a_crl_in_x509_ca_refuses_a_revoked_certificate(self):
        self.write_conf("x509_ca = %s" % self.ca_file_with(self.crl()))
        r, _ = self.login("dave", self.pipeline(*self.issued))
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)
        self.write_conf("x509_ca = %s" % self.ca_file_with(self.crl([self.issued[1]])))
        r, env = self.login("dave", self.pipeline(*self.issued))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 59), r.log)
        self.assertIn("certificate revoked", r.log)
        self.assertIsNone(env)  # no envelope for a revoked certificate
        # crauth check names the revoked token and says when the CRL lapses
        out = subprocess.run([CRAUTH, "check", "--conf", self.conf], capture_output=True,
                             text=True).stdout
        self.assertRegex(out, r"x509_ca.*1 CA certificate\(s\), 1 CRL\(s\); the first to lapse")
        self.assertRegex(out, r"x509 .*%s.*certificate revoked" % re.escape(self.tokens))

    def test_check_builds_the_envelope_a_login_would(self):
        # a certificate whose envelope would not fit a prompt loads and
        # verifies, and fails every login: check must say so, not "ok"
        key, cert = os.path.join(self.dir, "long.key"), os.path.join(self.dir, "long.crt")
        subject = "/CN=long" + "".join("/OU=%s" % (chr(65 + i % 26) * 60) for i in range(36))
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                "-subj", subject, "-days", "30")
        os.chmod(cert, 0o644)
        self.write_tokens({"erin": cert})
        r, env = self.login("erin", lambda env: "00" * 20)
        self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 60), r.log)
        out = subprocess.run([CRAUTH, "check", "--conf", self.conf], capture_output=True,
                             text=True).stdout
        self.assertRegex(out, r"FAIL .*x509 .*long\.crt.*more than a prompt carries")

    # --- what must fail ---------------------------------------------------------
    def test_wrong_answer(self):
        r, _ = self.login("alice", lambda env: "00" * 20)
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 23), r.log)
        self.assertIn("invalid-challenge-response", r.log)

    def test_an_earlier_envelopes_answer_is_refused(self):
        old = {}

        def remember(envelope):
            rc, out = openssl_pipeline(envelope, *self.rsa)
            old["answer"] = out.strip()
            return "not-hex"
        self.login("alice", remember)
        r, _ = self.login("alice", lambda env: old["answer"])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 23), r.log)

    def test_answers_are_counted(self):
        self.write_conf()
        with open(self.conf, "a") as f:
            f.write("max_failures = 2\n")
        for _ in range(2):
            r, _ = self.login("alice", lambda env: "11" * 20)
            self.assertEqual(r.reason(), 23, r.log)
        r, env = self.login("alice", self.pipeline(*self.rsa))
        self.assertEqual((r.name, r.reason()), ("PAM_MAXTRIES", 16), r.log)
        self.assertIsNone(env)

    def test_expired_certificate(self):
        r, env = self.login("erin", lambda env: "00" * 20)
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 58), r.log)
        self.assertIsNone(env)

    def test_tampered_envelope_cannot_be_opened(self):
        def tamper(envelope):
            lines = envelope.split(b"\n")
            body = bytearray(b"".join(lines[1:-2]))
            body[len(body) // 2] ^= 0x01
            bad = b"\n".join([lines[0], bytes(body), lines[-2], b""])
            r = run(["openssl", "cms", "-decrypt", "-binary", "-inform", "PEM",
                     "-inkey", self.rsa[0]], bad, env=system_env())
            self.assertNotEqual(r.returncode, 0)
            return "ff" * 20
        r, _ = self.login("alice", tamper)
        self.assertEqual(r.reason(), 23, r.log)

    def test_certificate_file_others_may_write(self):
        os.chmod(self.rsa[1], 0o666)
        try:
            r, env = self.login("alice", lambda env: "00" * 20)
            self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 60), r.log)
            self.assertIn("chmod go-w", r.log)
            self.assertIsNone(env)
        finally:
            os.chmod(self.rsa[1], 0o644)

    def test_plugin_missing_or_untrusted_fails_closed(self):
        """The helper loads crauth-x509.so from its own directory for an
        x509 user only: without it, or with one others may write, that
        login is refused as an installation fault, and an OATH user of the
        same tokens file, who never needs it, still logs in."""
        key = "3132333435363738393031323334353637383930"
        built = os.path.join(os.environ.get("TOP_BUILDDIR", "."), "helper")
        libexec = os.path.join(self.dir, "libexec")
        os.mkdir(libexec, 0o755)
        helper = os.path.join(libexec, "crauth-helper")
        shutil.copy(os.path.join(built, "crauth-helper"), helper)
        with open(self.tokens, "a") as f:
            f.write("frank hotp/6 %s 0\n" % key)
        ph.write_service(self.dir, "x509", ["conf=" + self.conf, "helper=" + helper])

        def hotp(counter):
            r = run([CRAUTH, "hotp", "--key", key, "--counter", str(counter)], b"")
            return r.stdout.decode().strip()
        r, env = self.login("alice", self.pipeline(*self.rsa))
        self.assertEqual((r.name, r.reason()), ("PAM_SYSTEM_ERR", 61), r.log)
        self.assertIn("an x509 token needs %s/crauth-x509.so" % libexec, r.log)
        self.assertIsNone(env)
        r = ph.authenticate("x509", "frank", self.dir, lambda b: [
            hotp(1) if s in PROMPTS else None for s, _ in b])
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)

        plugin = os.path.join(libexec, "crauth-x509.so")
        shutil.copy(os.path.join(built, "crauth-x509.so"), plugin)
        os.chmod(plugin, 0o666)
        r, env = self.login("alice", self.pipeline(*self.rsa))
        self.assertEqual((r.name, r.reason()), ("PAM_SYSTEM_ERR", 61), r.log)
        self.assertIn("writable by no one else", r.log)
        self.assertIsNone(env)
        os.chmod(plugin, 0o644)
        r, _ = self.login("alice", self.pipeline(*self.rsa))
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)

    def test_an_unanswered_envelope_leaves_no_secret(self):
        # the user gives up at the prompt (^D, a conversation error): an
        # unanswered challenge is kept for the next try, but an envelope's
        # secret lives in its attempt only, never in the cache on disk
        def give_up(batch):
            if any(s in PROMPTS for s, _ in batch):
                raise ph.ConversationError()
            return [None for _ in batch]
        r = ph.authenticate("x509", "alice", self.dir, give_up)
        self.assertEqual(r.reason(), 17, r.log)
        self.assertNotIn("challenge_kept", r.log)
        cache = os.path.join(self.dir, "cache")
        kept = [n for n in (os.listdir(cache) if os.path.isdir(cache) else [])
                if n.startswith("c-")]
        self.assertEqual(kept, [])

    def test_single_prompt_does_not_keep_envelopes(self):
        with open(self.conf, "w") as f:
            f.write("[auth]\nbackend = local\nfail_delay = 0\nsingle_prompt = yes\n[local]\n"
                    "tokens = %s\n[cache]\ndir = %s/cache\n" % (self.tokens, self.dir))
        r, _ = self.login("alice", lambda env: "x")
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 37), r.log)


@unittest.skipIf(SOFTHSM_MISSING, SOFTHSM_MISSING)
class X509OnAToken(unittest.TestCase):
    """The private key inside SoftHSM2: the login answered through PKCS#11."""

    def test_login_answered_from_the_token(self):
        d = tempfile.mkdtemp(prefix="crauth-x509-hsm-")
        self.addCleanup(shutil.rmtree, d, True)
        os.chmod(d, 0o755)
        os.mkdir(os.path.join(d, "tokens.d"))
        softconf = os.path.join(d, "softhsm2.conf")
        with open(softconf, "w") as f:
            f.write("directories.tokendir = %s/tokens.d\nobjectstore.backend = file\n"
                    "log.level = ERROR\n" % d)
        env = system_env(SOFTHSM2_CONF=softconf)
        module = next(m for m in SOFTHSM_MODULES if os.path.exists(m))
        key, cert = Keys(d).self_signed("card", RSA)
        for args in (["softhsm2-util", "--init-token", "--free", "--label", "crauth",
                      "--pin", PIN, "--so-pin", "314159"],
                     ["pkcs11-tool", "--module", module, "--login", "--pin", PIN,
                      "--write-object", key, "--type", "privkey", "--usage-decrypt",
                      "--id", "01", "--label", "card"]):
            r = run(args, env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
        os.unlink(key)   # only the token has it now
        tokens = os.path.join(d, "tokens")
        with open(tokens, "w") as f:
            f.write("alice x509 %s\n" % cert)
        os.chmod(tokens, 0o600)
        conf = os.path.join(d, "crauth.conf")
        with open(conf, "w") as f:
            f.write("[auth]\nbackend = local\nfail_delay = 0\n[local]\ntokens = %s\n"
                    "[cache]\ndir = %s/cache\n" % (tokens, d))
        ph.write_service(d, "x509", ["conf=" + conf, "helper=" + HELPER])

        def conv(batch):
            out = []
            for style, _ in batch:
                if style not in PROMPTS:
                    out.append(None)
                    continue
                r = run([CRAUTH, "cms-respond", "--pkcs11",
                         "pkcs11:token=crauth;object=card;type=private?pin-value=" + PIN,
                         "--pkcs11-module", module], envelope_in(batch), env=env)
                self.assertEqual(r.returncode, 0, r.stderr)
                out.append(r.stdout.decode().strip())
            return out
        r = ph.authenticate("x509", "alice", d, conv)
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)


if __name__ == "__main__":
    if shutil.which("openssl") is None or shutil.which("xxd") is None:
        print("SKIP: openssl and xxd are needed")
        sys.exit(77)
    unittest.main(verbosity=2)
