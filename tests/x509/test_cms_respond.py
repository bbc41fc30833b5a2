#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_cms_respond.py - both sides of the key-possession challenge.

The helper's side is tests/x509/x509_challenge (lib/core/x509_token: load
the certificate, print the CMS envelope, check one answer line).  The
user's side is `crauth cms-respond` and the plain pipeline the README
shows,

    openssl cms -decrypt -binary -inform PEM -inkey key.pem -recip cert.pem | xxd -p

which must print the same line.  Keys and certificates are made with the
openssl command.  The PKCS#11 cases put the keys into a SoftHSM2 token in a
private SOFTHSM2_CONF directory (pkcs11-tool imports them, with the derive
usage ECDH needs) and answer through libp11's engine; they are skipped
without softhsm2, opensc and libengine-pkcs11-openssl.

  TOP_BUILDDIR=build/dev CRAUTH=build/dev/tools/crauth \\
      /usr/bin/python3 tests/x509/test_cms_respond.py
"""
import base64
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SKIP = 77
HARD_ERROR = 99
TIMEOUT = 60
BUILD = os.environ.get("TOP_BUILDDIR", "")
CHALLENGE = os.path.join(BUILD, "tests/x509/x509_challenge")
SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so",
                   "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
PIN = "271828"
HEX_LINE = re.compile(r"^[0-9a-f]{40}\n$")


def system_env(**extra):
    """Environment for system programs: without the sanitizer runtime a
    sanitizer build of the suite preloads into Python."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
    env.update(extra)
    return env


def run(args, data=b"", env=None, **kw):
    return subprocess.run(args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=TIMEOUT, env=env, **kw)


def openssl(*args, data=b""):
    r = run(["openssl"] + list(args), data, env=system_env())
    if r.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(args), r.stderr.decode()))
    return r.stdout


def responder():
    """The verb, through crauth."""
    return [os.environ["CRAUTH"], "cms-respond"]


def openssl_pipeline(envelope, key, cert):
    """The README's pipeline, run by the shell as a user would."""
    cmd = ("openssl cms -decrypt -binary -inform PEM -inkey '%s' -recip '%s' | xxd -p"
           % (key, cert))
    r = subprocess.run(["/bin/bash", "-c", "set -o pipefail; " + cmd], input=envelope,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT,
                       env=system_env())
    return r.returncode, r.stdout.decode()


class Challenge:
    """One x509_challenge process: the helper's side of one attempt."""

    def __init__(self, cert, ca=None):
        args = [CHALLENGE, cert] + ([ca] if ca else [])
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.refusal = None
        self.envelope = self._read_envelope()

    def _read_envelope(self):
        out = b""
        deadline = time.monotonic() + TIMEOUT
        fd = self.proc.stdout.fileno()
        while not out.endswith(b"-----END CMS-----\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.proc.kill()
                raise AssertionError("x509_challenge printed no envelope in time: %r" % out)
            chunk = os.read(fd, 4096)
            if not chunk:  # refused: the reason is on stderr
                _, err = self.proc.communicate(timeout=TIMEOUT)
                self.refusal = (self.proc.returncode, err.decode().strip())
                return None
            out += chunk
        return out

    def answer(self, text):
        """(exit status, the verdict line), or the refusal (2, "REASON: ...")."""
        if self.refusal is not None:
            return self.refusal
        out, err = self.proc.communicate(text.encode(), timeout=TIMEOUT)
        return self.proc.returncode, (out or err).decode().strip()


class Keys:
    """Keys and certificates made with the openssl command, in @d."""

    def __init__(self, d):
        self.d = d
        self.serial = 1

    def path(self, name):
        return os.path.join(self.d, name)

    def self_signed(self, name, newkey, days="30"):
        key, cert = self.path(name + ".key"), self.path(name + ".crt")
        openssl("req", "-x509", "-newkey", *newkey, "-nodes", "-keyout", key, "-out", cert,
                "-subj", "/CN=%s" % name, "-days", days)
        os.chmod(key, 0o600)
        os.chmod(cert, 0o644)
        return key, cert

    def issued(self, name, ca_key, ca_cert, days="30"):
        key, csr, cert = (self.path(name + e) for e in (".key", ".csr", ".crt"))
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key, "-out", csr, "-subj", "/CN=%s" % name)
        openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key,
                "-set_serial", str(self.serial), "-days", days, "-out", cert)
        self.serial += 1
        os.chmod(key, 0o600)
        os.chmod(cert, 0o644)
        return key, cert


RSA = ["rsa:2048"]
P256 = ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
P384 = ["ec", "-pkeyopt", "ec_paramgen_curve:P-384"]


class CmsRespondTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="crauth-x509-")
        os.chmod(cls.tmp.name, 0o755)
        k = cls.keys = Keys(cls.tmp.name)
        cls.rsa = k.self_signed("rsa", RSA)
        cls.p256 = k.self_signed("p256", P256)
        cls.p384 = k.self_signed("p384", P384)
        cls.other_rsa = k.self_signed("other", RSA)
        cls.responder = responder()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def respond(self, envelope, *args, **kw):
        r = run(self.responder + list(args), envelope, **kw)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def assertRefused(self, result, reason, text=None):
        rc, out, err = result
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertEqual(err.count("\n"), 1, err)
        self.assertTrue(err.startswith("crauth cms-respond: %s: " % reason), err)
        if text:
            self.assertIn(text, err)

    def test_pipeline_and_cms_respond_agree_and_are_accepted(self):
        for name, (key, cert) in (("rsa", self.rsa), ("p256", self.p256), ("p384", self.p384)):
            with self.subTest(key=name):
                ch = Challenge(cert)
                rc, piped = openssl_pipeline(ch.envelope, key, cert)
                self.assertEqual(rc, 0)
                self.assertRegex(piped, HEX_LINE)
                rc, ours, err = self.respond(ch.envelope, "--key-file", key, "--cert", cert)
                self.assertEqual((rc, err), (0, ""))
                self.assertEqual(ours, piped)
                self.assertEqual(ch.answer(ours), (0, "ok"))
                # the pipeline's own answer is accepted too, and the key alone suffices
                ch = Challenge(cert)
                self.assertEqual(ch.answer(openssl_pipeline(ch.envelope, key, cert)[1]), (0, "ok"))
                ch = Challenge(cert)
                rc, ours, _ = self.respond(ch.envelope, "--key-file", key)
                self.assertEqual(ch.answer(ours), (0, "ok"))

    def test_answer_in_capitals_with_blanks(self):
        key, cert = self.p256
        ch = Challenge(cert)
        _, ours, _ = self.respond(ch.envelope, "--key-file", key)
        self.assertEqual(ch.answer("  " + ours.strip().upper() + " \r"), (0, "ok"))

    def test_wrong_and_replayed_answers(self):
        key, cert = self.rsa
        ch = Challenge(cert)
        _, right, _ = self.respond(ch.envelope, "--key-file", key)
        wrong = ("1" if right[0] != "1" else "2") + right[1:]
        self.assertEqual(ch.answer(wrong), (1, "invalid-challenge-response"))
        # the right answer to an earlier challenge does not answer a new one
        ch = Challenge(cert)
        self.assertEqual(ch.answer(right), (1, "invalid-challenge-response"))
        for bad in ("", right.strip()[:39], right.strip() + "0", "x" * 40):
            ch = Challenge(cert)
            self.assertEqual(ch.answer(bad), (1, "invalid-challenge-response"))

    def test_tampered_and_cut_envelopes(self):
        key, cert = self.p256
        ch = Challenge(cert)
        lines = ch.envelope.decode().splitlines()
        der = bytearray(base64.b64decode("".join(lines[1:-1])))
        # CBC: the first ciphertext block's last byte flips the last padding
        # byte (0x0c -> 0x0d), so the padding check fails every time
        der[-17] ^= 1
        b64 = base64.b64encode(bytes(der)).decode()
        tampered = ("-----BEGIN CMS-----\n" +
                    "".join(b64[i:i + 64] + "\n" for i in range(0, len(b64), 64)) +
                    "-----END CMS-----\n").encode()
        self.assertRefused(self.respond(tampered, "--key-file", key),
                           "invalid-challenge-response", "does not open with this key")
        self.assertNotEqual(openssl_pipeline(tampered, key, cert)[0], 0)
        cut = "\n".join(lines[:-3] + lines[-1:]).encode() + b"\n"
        self.assertRefused(self.respond(cut, "--key-file", key), "invalid-challenge-response",
                           "copy the envelope whole")
        self.assertRefused(self.respond(b"hello\n", "--key-file", key),
                           "invalid-challenge-response")
        self.assertEqual(ch.answer("00" * 20), (1, "invalid-challenge-response"))

    def test_envelope_for_another_key(self):
        ch = Challenge(self.rsa[1])
        self.assertRefused(self.respond(ch.envelope, "--key-file", self.other_rsa[0]),
                           "invalid-challenge-response")
        ch.answer("")

    def test_key_that_does_not_match_the_certificate(self):
        ch = Challenge(self.rsa[1])
        self.assertRefused(self.respond(ch.envelope, "--key-file", self.other_rsa[0],
                                        "--cert", self.rsa[1]),
                           "certificate-invalid", "does not belong to the certificate")
        ch.answer("")

    def test_only_a_20_byte_envelope_is_opened(self):
        key, cert = self.rsa
        for size in (19, 21, 64):
            env = openssl("cms", "-encrypt", "-binary", "-aes-256-cbc", "-outform", "PEM",
                          "-recip", cert, data=os.urandom(size))
            self.assertRefused(self.respond(env, "--key-file", key), "invalid-challenge-response",
                               "holds %d bytes, not a 20-byte challenge" % size)
        signed = openssl("cms", "-sign", "-binary", "-outform", "PEM", "-signer", cert,
                         "-inkey", key, data=os.urandom(20))
        self.assertRefused(self.respond(signed, "--key-file", key), "invalid-challenge-response",
                           "not an envelope")

    def test_encrypted_key(self):
        key, cert = self.p256
        enc, good, bad = (self.keys.path(n) for n in ("enc.key", "pass", "badpass"))
        for path, text in ((good, "open sesame\n"), (bad, "wrong\n")):
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(path, 0o600)
        openssl("pkey", "-in", key, "-aes256", "-passout", "file:" + good, "-out", enc)
        os.chmod(enc, 0o600)
        ch = Challenge(cert)
        rc, out, err = self.respond(ch.envelope, "--key-file", enc, "--pass-file", good)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(ch.answer(out), (0, "ok"))
        self.assertRefused(self.respond(ch.envelope, "--key-file", enc, "--pass-file", bad),
                           "certificate-invalid", "wrong pass phrase")
        # no terminal (a new session has none): it says what to give
        self.assertRefused(self.respond(ch.envelope, "--key-file", enc, start_new_session=True),
                           "certificate-invalid", "give --pass-file")
        os.chmod(good, 0o644)
        self.assertRefused(self.respond(ch.envelope, "--key-file", enc, "--pass-file", good),
                           "certificate-invalid", "chmod o-rwx")

    def test_usage(self):
        r = run(self.responder + ["--help"])
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith(b"usage: crauth cms-respond"))
        r = run(self.responder + ["--bogus", "--help"])
        self.assertEqual(r.returncode, 0)
        for args in ([], ["--bogus"], ["--key-file"], ["--key-file", "a", "--key-file", "b"],
                     ["--key-file", "a", "--pkcs11", "pkcs11:x"], ["--key-file", "a", "extra"],
                     ["--key-file", "a", "--pin-file", "p"], ["--pkcs11", "pkcs11:", "--pass-file",
                                                             "p"]):
            with self.subTest(args=args):
                r = run(self.responder + args, b"")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(r.stderr.count(b"\n"), 1)
                self.assertEqual(r.stdout, b"")

    def test_helper_side_refusals(self):
        k = self.keys
        ca_key, ca_cert = k.self_signed("ca", P256)
        _, stranger = k.self_signed("stranger", P256)
        _, leaf = k.issued("leaf", ca_key, ca_cert)
        _, expired = k.issued("expired", ca_key, ca_cert, days="-1")
        ch = Challenge(leaf, ca_cert)
        self.assertIsNotNone(ch.envelope)
        ch.answer("")
        for cert, ca, reason in ((leaf, stranger, "certificate-untrusted"),
                                 (expired, None, "certificate-expired")):
            ch = Challenge(cert, ca)
            self.assertIsNone(ch.envelope)
            rc, text = ch.answer("")
            self.assertEqual(rc, 2)
            self.assertTrue(text.startswith(reason + ": "), text)

    def test_envelope_sizes(self):
        """RSA-4096 included: every envelope fits a helper->module frame."""
        sizes = {}
        _, rsa4096 = self.keys.self_signed("rsa4096", ["rsa:4096"])
        for name, cert in (("RSA-2048", self.rsa[1]), ("RSA-4096", rsa4096),
                           ("P-256", self.p256[1]), ("P-384", self.p384[1])):
            ch = Challenge(cert)
            sizes[name] = (len(ch.envelope), ch.envelope.count(b"\n"))
            ch.answer("")
            self.assertLessEqual(len(ch.envelope), 3584)
        print("envelope bytes/lines (issuer CN=<name>): %s" % sizes)


def softhsm_missing():
    for prog in ("softhsm2-util", "pkcs11-tool"):
        if shutil.which(prog) is None:
            return "%s not installed" % prog
    if not any(os.path.exists(m) for m in SOFTHSM_MODULES):
        return "libsofthsm2.so not found"
    enginesdir = run(["openssl", "version", "-e"], env=system_env()).stdout.decode()
    enginesdir = enginesdir.split('"')[1] if '"' in enginesdir else ""
    if not os.path.exists(os.path.join(enginesdir, "pkcs11.so")):
        return "libengine-pkcs11-openssl not installed"
    return None


SOFTHSM_MISSING = softhsm_missing()


@unittest.skipIf(SOFTHSM_MISSING, SOFTHSM_MISSING)
class Pkcs11Test(unittest.TestCase):
    """Keys inside a SoftHSM2 token, answered through PKCS#11."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="crauth-hsm-")
        os.chmod(cls.tmp.name, 0o755)
        d = cls.tmp.name
        os.mkdir(os.path.join(d, "tokens"))
        conf = os.path.join(d, "softhsm2.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write("directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
                    "log.level = ERROR\n" % d)
        cls.env = dict(os.environ, SOFTHSM2_CONF=conf)
        cls.module = next(m for m in SOFTHSM_MODULES if os.path.exists(m))
        k = Keys(d)
        cls.rsa = k.self_signed("rsa", RSA)
        cls.ec = k.self_signed("ec", P256)
        sysenv = system_env(SOFTHSM2_CONF=conf)
        for args in (["softhsm2-util", "--init-token", "--free", "--label", "crauth",
                      "--pin", PIN, "--so-pin", "314159"],
                     ["pkcs11-tool", "--module", cls.module, "--login", "--pin", PIN,
                      "--write-object", cls.rsa[0], "--type", "privkey", "--usage-decrypt",
                      "--id", "01", "--label", "rsa"],
                     # ECDH needs CKA_DERIVE, which softhsm2-util --import does not set
                     ["pkcs11-tool", "--module", cls.module, "--login", "--pin", PIN,
                      "--write-object", cls.ec[0], "--type", "privkey", "--usage-derive",
                      "--id", "02", "--label", "ec"],
                     # a card keeps the certificate beside the key; libp11 takes the EC
                     # key's public point from it
                     ["pkcs11-tool", "--module", cls.module, "--login", "--pin", PIN,
                      "--write-object", cls.ec[1], "--type", "cert", "--id", "02",
                      "--label", "ec"],
                     # and the same key without one
                     ["pkcs11-tool", "--module", cls.module, "--login", "--pin", PIN,
                      "--write-object", cls.ec[0], "--type", "privkey", "--usage-derive",
                      "--id", "03", "--label", "bare"]):
            r = run(args, env=sysenv)
            if r.returncode != 0:
                raise AssertionError("%s: %s" % (args[:2], r.stderr.decode()))
        cls.pin_file = os.path.join(d, "pin")
        with open(cls.pin_file, "w", encoding="utf-8") as f:
            f.write(PIN + "\n")
        os.chmod(cls.pin_file, 0o600)
        cls.responder = responder()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def token(self, envelope, uri, *args, **kw):
        r = run(self.responder + ["--pkcs11", uri, "--pkcs11-module", self.module] + list(args),
                envelope, env=self.env, **kw)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def test_rsa_and_ec_keys_on_the_token(self):
        for label, (key, cert), pin in (("rsa", self.rsa, ["--pin-file", self.pin_file]),
                                        ("ec", self.ec, []), ("bare", self.ec, [])):
            with self.subTest(key=label):
                uri = "pkcs11:token=crauth;object=%s;type=private" % label
                if not pin:
                    uri += "?pin-value=" + PIN
                ch = Challenge(cert)
                rc, out, err = self.token(ch.envelope, uri, "--cert", cert, *pin)
                self.assertEqual((rc, err), (0, ""))
                self.assertRegex(out, HEX_LINE)
                self.assertEqual(out, openssl_pipeline(ch.envelope, key, cert)[1])
                self.assertEqual(ch.answer(out), (0, "ok"))

    def test_wrong_pin_no_pin_wrong_object(self):
        ch = Challenge(self.ec[1])
        rc, out, err = self.token(ch.envelope,
                                  "pkcs11:token=crauth;object=ec;type=private?pin-value=000000")
        self.assertEqual((rc, out), (1, ""))
        self.assertTrue(err.startswith("crauth cms-respond: certificate-invalid: "), err)
        self.assertEqual(err.count("\n"), 1, err)  # libp11's own lines are kept quiet
        self.assertNotIn("000000", err)             # the URI's PIN is not echoed
        rc, _, err = self.token(ch.envelope, "pkcs11:token=crauth;object=ec;type=private",
                                start_new_session=True)
        self.assertEqual(rc, 1)
        self.assertIn("give --pin-file or pin-value", err)
        rc, _, err = self.token(ch.envelope, "pkcs11:token=crauth;object=none;type=private",
                                "--pin-file", self.pin_file)
        self.assertEqual(rc, 1)
        self.assertIn("no usable private key at pkcs11:token=crauth;object=none", err)
        # the token's RSA key is not the EC certificate's, nor its EC key the RSA one's
        for obj, cert in (("rsa", self.ec[1]), ("ec", self.rsa[1])):
            rc, _, err = self.token(ch.envelope, "pkcs11:token=crauth;object=%s;type=private"
                                    % obj, "--pin-file", self.pin_file, "--cert", cert)
            self.assertEqual(rc, 1)
            self.assertIn("certificate-invalid: the key pkcs11:token=crauth;object=%s;"
                          "type=private does not belong" % obj, err)
        ch.answer("")


if __name__ == "__main__":
    for prog in (CHALLENGE, os.environ.get("CRAUTH", "")):
        if not os.access(prog, os.X_OK):
            print("%s is not built; run this through `make check` (TOP_BUILDDIR)" % prog)
            sys.exit(HARD_ERROR)
    if shutil.which("openssl") is None or shutil.which("xxd") is None:
        print("SKIP: openssl and xxd are needed")
        sys.exit(SKIP)
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
