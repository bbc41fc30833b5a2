#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""`crauth token add|list|remove|resync` end to end, against oathtool.

Enrols a TOTP token with --generate and checks the otpauth:// URI, its QR
code (read back with zbarimg when installed) and that oathtool, given the
printed secret, computes what `crauth totp` computes from the stored key;
enrols backup codes and checks that list shows them unused and never a
hash; removes lines; resyncs HOTP and TOTP tokens from consecutive codes
computed by oathtool; and runs every --help and every usage error.
Needs: CRAUTH (set by make check), oathtool.
"""
import base64
import hashlib
import hmac
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

CRAUTH = os.environ.get("CRAUTH", "tools/crauth")
K20 = "3132333435363738393031323334353637383930"
T0 = 1577836800  # 2020-01-01 00:00:00 UTC


def run(*args, stdin=None):
    return subprocess.run([CRAUTH, *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


# Outside programs run without the sanitizer runtimes a sanitizer build
# preloads into this script.
PLAIN_ENV = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}


def hotp(key, counter, digits=6):
    """RFC 4226 HOTP-SHA1, for searching codes faster than oathtool runs."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    at = mac[-1] & 15
    return "%0*d" % (digits, (int.from_bytes(mac[at:at + 4], "big") & 0x7fffffff) % 10 ** digits)


def oathtool(*args):
    return subprocess.run(["oathtool", *args], capture_output=True, text=True, check=True,
                          timeout=30, env=PLAIN_ENV).stdout.strip()


def qr_text_to_pbm(lines, scale=4):
    """Half-block text back to a bitmap: light cells are drawn, dark blank."""
    top = {" ": 0, "\u2584": 0, "\u2580": 1, "\u2588": 1}
    bottom = {" ": 0, "\u2584": 1, "\u2580": 0, "\u2588": 1}
    rows = []
    for line in lines:
        rows.append([top[c] for c in line])
        rows.append([bottom[c] for c in line])
    width = max(len(r) for r in rows)
    out = ["P1", f"{width * scale} {len(rows) * scale}"]
    for r in rows:
        r = r + [1] * (width - len(r))
        # PBM: 1 is black, so a light module is 0
        px = " ".join(("0" if v else "1") for v in r for _ in range(scale))
        out.extend([px] * scale)
    return "\n".join(out) + "\n"


class TokenCli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crauth-token-cli-")
        self.tokens = os.path.join(self.dir, "tokens")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def crauth(self, *args, stdin=None, status=0):
        r = run(*args, "--tokens", self.tokens, stdin=stdin)
        self.assertEqual(r.returncode, status, f"{args}: {r.stdout!r} {r.stderr!r}")
        return r

    def keyfile(self, text, name="key"):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        return path

    def lines(self):
        with open(self.tokens) as f:
            return f.read().splitlines()

    def test_totp_generate_uri_and_code(self):
        r = self.crauth("token", "add", "alice", "totp/30/6/sha1", "--generate",
                        "--issuer", "ACME Corp", "--label", "alice@example.org", "--qr")
        m = re.match(r"secret: ([A-Z2-7]+)\nuri: (otpauth://\S+)\n", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        secret, uri = m.group(1), m.group(2)
        self.assertIn("added totp/30/6/sha1 token for alice at line 1", r.stderr)
        u = urllib.parse.urlsplit(uri)
        self.assertEqual((u.scheme, u.netloc), ("otpauth", "totp"))
        self.assertEqual(u.path, "/ACME%20Corp:alice%40example.org")
        q = dict(urllib.parse.parse_qsl(u.query, strict_parsing=True))
        self.assertEqual(q, {"secret": secret, "issuer": "ACME Corp", "algorithm": "SHA1",
                             "digits": "6", "period": "30"})
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        self.assertEqual(len(key), 20)
        user, typ, stored = self.lines()[0].split("\t")
        self.assertEqual((user, typ, stored), ("alice", "totp/30/6/sha1", key.hex()))
        self.assertEqual(os.stat(self.tokens).st_mode & 0o7777, 0o600)
        # oathtool from the printed secret, crauth from the stored key
        keyfile = self.keyfile(stored + "\n")
        for t in (T0, T0 + 29, T0 + 30, 2000000000):
            want = oathtool("--totp", "-b", "--now", f"@{t}", secret)
            got = run("totp", "--key-file", keyfile, "--time", str(t))
            self.assertEqual(got.stdout.strip(), want)
        # the QR code holds the URI
        qr = [ln for ln in r.stdout.splitlines()[2:]]
        self.assertGreater(len(qr), 10)
        self.assertEqual(len(set(len(ln) for ln in qr)), 1)
        if shutil.which("zbarimg") is None:
            print("note: zbarimg not installed; the QR code is not read back")
            return
        pbm = os.path.join(self.dir, "qr.pbm")
        with open(pbm, "w") as f:
            f.write(qr_text_to_pbm(qr))
        z = subprocess.run(["zbarimg", "--quiet", "--raw", pbm], capture_output=True,
                           text=True, timeout=60, env=PLAIN_ENV)
        self.assertEqual(z.stdout.strip(), uri, z.stderr)

    def test_hotp_generate_defaults(self):
        r = self.crauth("token", "add", "bob", "hotp/8", "--generate")
        host = os.uname().nodename
        uri = r.stdout.splitlines()[1]
        self.assertTrue(uri.startswith(f"uri: otpauth://hotp/{host}:bob%40{host}?"), uri)
        self.assertTrue(uri.endswith("&algorithm=SHA1&digits=8&counter=0"), uri)
        # not a terminal and no --qr: no QR code
        self.assertEqual(len(r.stdout.splitlines()), 2)
        r = self.crauth("token", "add", "bob", "totp/60/8/sha512", "--generate")
        self.assertIn("&algorithm=SHA512&digits=8&period=60", r.stdout)
        self.assertEqual(len(self.lines()[1].split("\t")[2]), 128)  # 64 bytes
        r = self.crauth("token", "add", "bob", "OCRA-1:HOTP-SHA256-6:QN08", "--generate")
        self.assertRegex(r.stdout, r"^key: [0-9a-f]{64}\n$")

    def test_key_file_hex_base32_stdin_and_short_keys(self):
        r = self.crauth("token", "add", "carol", "hotp/6", "--key-file", self.keyfile(K20))
        self.assertIn("key read as hex, 20 bytes", r.stderr)
        self.assertEqual(r.stdout, "")
        b32 = base64.b32encode(bytes.fromhex(K20)).decode().lower()
        r = self.crauth("token", "add", "carol", "totp/30/6/sha1", "--key-file", "-",
                        stdin=" ".join(b32[i:i + 4] for i in range(0, len(b32), 4)) + "\n")
        self.assertIn("key read as base32, 20 bytes", r.stderr)
        self.assertEqual([ln.split("\t")[2] for ln in self.lines()], [K20, K20])
        short = self.keyfile("31323334", "short")
        r = self.crauth("token", "add", "carol", "hotp/6", "--key-file", short, status=1)
        self.assertIn("needs", r.stderr.replace("asks for at least 16", "needs"))
        self.assertIn("--force", r.stderr)
        self.crauth("token", "add", "carol", "hotp/6", "--key-file", short, "--force")
        r = self.crauth("token", "add", "carol", "hotp/6", "--key-file",
                        self.keyfile("not a key!", "junk"), status=1)
        self.assertIn("neither hex", r.stderr)
        self.assertNotIn("not a key", r.stderr)
        r = self.crauth("token", "add", "carol", "hotp/6", "--key-file",
                        os.path.join(self.dir, "missing"), status=1)
        self.assertEqual(len(self.lines()), 3)

    def test_the_same_token_twice_is_refused(self):
        # an add run again (its output lost to a signal, say) would put the
        # key on a second line, each with its own STATE
        key = self.keyfile(K20)
        self.crauth("token", "add", "dora", "hotp/6", "--key-file", key)
        r = self.crauth("token", "add", "dora", "hotp/6", "--key-file", key, status=1)
        self.assertIn("dora already has this key, at line 1 of %s" % self.tokens, r.stderr)
        self.assertIn("crauth token remove dora --line 1", r.stderr)
        self.assertEqual(len(self.lines()), 1)
        # other parameters, another user: other codes, so not the same token
        self.crauth("token", "add", "dora", "hotp/8", "--key-file", key)
        self.crauth("token", "add", "eve", "hotp/6", "--key-file", key)
        self.assertEqual(len(self.lines()), 3)

    def test_backup_codes(self):
        r = self.crauth("token", "add", "dave", "backup")
        codes = r.stdout.splitlines()
        self.assertEqual(len(codes), 10)
        for c in codes:
            self.assertRegex(c, r"^[a-z2-7]{5}-[a-z2-7]{5}$")
        self.assertEqual(len(set(codes)), 10)
        self.assertIn("added 10 backup codes for dave at lines 1-10", r.stderr)
        with open(self.tokens) as f:
            text = f.read()
        for c in codes:
            self.assertNotIn(c, text)
            self.assertNotIn(c.replace("-", ""), text)
        self.assertEqual(len(re.findall(r"^dave\tbackup\t\$y\$\S+$", text, re.M)), 10)
        r = self.crauth("token", "list", "dave")
        self.assertEqual(len(re.findall(r"^dave +backup +line \d+ +unused$", r.stdout, re.M)), 10)
        self.assertNotIn("$y$", r.stdout)
        # the helper marks a code used by storing STATE 1
        lines = self.lines()
        lines[3] += "\t1"
        with open(self.tokens, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = self.crauth("token", "list")
        self.assertRegex(r.stdout, r"(?m)^dave +backup +line 4 +used$")
        # a new set replaces the old one
        self.crauth("token", "add", "eve", "hotp/6", "--key-file", self.keyfile(K20))
        r = self.crauth("token", "add", "dave", "backup", "--count", "3")
        self.assertEqual(len(r.stdout.splitlines()), 3)
        self.assertIn("old set is removed", r.stderr)
        self.assertEqual([ln.split("\t")[:2] for ln in self.lines()],
                         [["eve", "hotp/6"]] + [["dave", "backup"]] * 3)

    def test_list_and_remove(self):
        with open(self.tokens, "w") as f:
            f.write("# a comment\n"
                    f"alice  hotp/6  {K20}  7\n"
                    f"zoe    hotp/6  nothex\n"
                    f"{'u' * 300} hotp/6 {K20}\n"
                    f"alice  totp/30/6/sha1  {K20}  5  drift=-2\n"
                    f"root   x509 /etc/crauth/root.pem\n")
        os.chmod(self.tokens, 0o600)
        r = self.crauth("token", "list")
        self.assertNotIn(K20, r.stdout)
        out = r.stdout.splitlines()
        self.assertEqual(len(out), 5, r.stdout)
        self.assertRegex(out[0], r"^alice +hotp/6 +line 2 +state 7$")
        self.assertRegex(out[1], r"^\? +- +line 3 +BAD: KEY is not valid hex")
        self.assertRegex(out[2], r"^\? +- +line 4 +BAD: USER is longer than 256")
        self.assertRegex(out[3], r"^alice +totp/30/6/sha1 +line 5 +state 5 drift -2$")
        self.assertRegex(out[4], r"^root +x509 +line 6 +certificate$")
        self.assertIn("2 bad lines", r.stderr)
        r = self.crauth("token", "list", "zoe")
        self.assertRegex(r.stdout, r"^zoe +- +line 3 +BAD: KEY is not")
        r = self.crauth("token", "list", "nobody")
        self.assertEqual(r.stdout, "")
        self.assertIn("no token for nobody", r.stderr)

        r = self.crauth("token", "remove", "alice", "--line", "3", status=1)
        self.assertIn("line 3 is not a line of user alice", r.stderr)
        r = self.crauth("token", "remove", "alice", "--line", "5")
        self.assertIn("removed 1 line of alice", r.stdout)
        self.crauth("token", "remove", "zoe")
        self.assertEqual(self.lines(), ["# a comment", f"alice  hotp/6  {K20}  7",
                                        f"{'u' * 300} hotp/6 {K20}",
                                        "root   x509 /etc/crauth/root.pem"])
        self.crauth("token", "remove", "alice")
        r = self.crauth("token", "remove", "alice", status=1)
        self.assertIn("no line for user alice", r.stderr)

    def test_conf_names_the_tokens_file(self):
        conf = os.path.join(self.dir, "crauth.conf")
        with open(conf, "w") as f:
            f.write(f"[auth]\nbackend = local\n[local]\ntokens = {self.tokens}\n")
        r = run("token", "add", "frank", "hotp/6", "--key-file", self.keyfile(K20),
                "--conf", conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("token", "list", "--conf", conf)
        self.assertRegex(r.stdout, r"^frank +hotp/6 +line 1")
        r = run("token", "list", "--conf", os.path.join(self.dir, "missing.conf"))
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("crauth token: "), r.stderr)

    def test_resync_hotp(self):
        self.crauth("token", "add", "gina", "hotp/6", "--key-file", self.keyfile(K20))
        c50 = oathtool("--hotp", "-c", "50", K20)
        c51 = oathtool("--hotp", "-c", "51", K20)
        r = self.crauth("token", "resync", "gina", c50, c51)
        self.assertIn("hotp counter found at 50", r.stdout)
        self.assertRegex(self.crauth("token", "list", "gina").stdout, r"state 52$")
        # the same codes again: used
        r = self.crauth("token", "resync", "gina", c50, c51, status=1)
        self.assertIn("before STATE 52", r.stderr)
        # beyond the window, unless widened
        c300 = oathtool("--hotp", "-c", "300", K20)
        c301 = oathtool("--hotp", "-c", "301", K20)
        r = self.crauth("token", "resync", "gina", c300, c301, status=1)
        self.assertIn("within 100 steps", r.stderr)
        self.crauth("token", "resync", "gina", c300, c301, "--window", "300")
        self.assertRegex(self.crauth("token", "list", "gina").stdout, r"state 302$")
        # swapped codes do not fit
        c303 = oathtool("--hotp", "-c", "303", K20)
        c302 = oathtool("--hotp", "-c", "302", K20)
        self.crauth("token", "resync", "gina", c303, c302, status=1)

    def test_resync_totp_drift(self):
        self.crauth("token", "add", "hank", "totp/30/6/sha1", "--key-file", self.keyfile(K20))
        now = T0 + 7
        # the token runs 5 steps ahead: its last two codes
        c1 = oathtool("--totp", "--now", f"@{now + 4 * 30}", K20)
        c2 = oathtool("--totp", "--now", f"@{now + 5 * 30}", K20)
        r = self.crauth("token", "resync", "hank", c1, c2, "--time", str(now))
        self.assertIn("totp drift +5 steps (+150 s): the token's clock is ahead", r.stdout)
        self.assertIn("add --store", r.stderr)
        self.assertEqual(self.lines(), [f"hank\ttotp/30/6/sha1\t{K20}"])
        r = self.crauth("token", "resync", "hank", c1, c2, "--time", str(now), "--store")
        step = now // 30 + 5
        self.assertEqual(self.lines(), [f"hank\ttotp/30/6/sha1\t{K20}\t{step}\tdrift=5"])
        self.assertRegex(self.crauth("token", "list").stdout, rf"state {step} drift 5$")
        # used codes are not stored again; a later drift replaces the old one
        self.crauth("token", "resync", "hank", c1, c2, "--time", str(now), "--store",
                    status=1)
        later = now + 3600
        c1 = oathtool("--totp", "--now", f"@{later - 3 * 30}", K20)
        c2 = oathtool("--totp", "--now", f"@{later - 2 * 30}", K20)
        r = self.crauth("token", "resync", "hank", c1, c2, "--time", str(later), "--store")
        self.assertIn("drift -2 steps (-60 s)", r.stdout)
        self.assertEqual(self.lines(), [f"hank\ttotp/30/6/sha1\t{K20}\t{later // 30 - 2}"
                                        "\tdrift=-2"])

    def test_resync_burns_codes_a_login_would_take(self):
        # without --store: the codes were on the command line, which every
        # local user can read; when a login would take them now they are
        # used up all the same (STATE at the second code's step)
        self.crauth("token", "add", "iris", "totp/30/6/sha1", "--key-file", self.keyfile(K20))
        now = int(time.time())  # what a login takes is judged at the real time
        c1 = oathtool("--totp", "--now", f"@{now - 30}", K20)
        c2 = oathtool("--totp", "--now", f"@{now}", K20)
        r = self.crauth("token", "resync", "iris", c1, c2, "--time", str(now))
        self.assertIn("drift +0 steps", r.stdout)
        self.assertIn("neither works again", r.stdout)
        self.assertRegex(self.crauth("token", "list", "iris").stdout, rf"state {now // 30}$")
        # run again: nothing more to burn, and no error
        r = self.crauth("token", "resync", "iris", c1, c2, "--time", str(now))
        self.assertNotIn("neither works again", r.stdout)
        # codes of another moment (--time) are judged by what a login takes now
        self.crauth("token", "add", "otto", "totp/30/6/sha1", "--key-file", self.keyfile(K20))
        old = [oathtool("--totp", "--now", f"@{T0 + d * 30}", K20) for d in (0, 1)]
        r = self.crauth("token", "resync", "otto", *old, "--time", str(T0 + 30))
        self.assertNotIn("neither works again", r.stdout)
        self.assertRegex(self.crauth("token", "list", "otto").stdout, r"line \d+ +state -$")

    def test_failed_resync_burns_codes_a_login_would_take(self):
        # codes in the wrong order (or one mistyped) do not fit in a row;
        # one a login would take alone is used up all the same
        self.crauth("token", "add", "kate", "hotp/6", "--key-file", self.keyfile(K20))
        c0, c1 = (oathtool("--hotp", "-c", str(c), K20) for c in (0, 1))
        r = self.crauth("token", "resync", "kate", c1, c0, status=1)
        self.assertIn("a login would take one of them now; STATE is now 2", r.stderr)
        self.assertIn("no token of kate gives these two codes in a row", r.stderr)
        self.assertRegex(self.crauth("token", "list", "kate").stdout, r"state 2$")
        # one mistyped: the other still goes
        c2 = oathtool("--hotp", "-c", "2", K20)
        self.crauth("token", "resync", "kate", c2, "000000" if c2 != "000000" else "111111",
                    status=1)
        self.assertRegex(self.crauth("token", "list", "kate").stdout, r"state 3$")
        # totp: the current code and the one before, swapped
        self.crauth("token", "add", "liam", "totp/30/6/sha1", "--key-file", self.keyfile(K20))
        now = int(time.time())
        before, current = (oathtool("--totp", "--now", f"@{t}", K20) for t in (now - 30, now))
        r = self.crauth("token", "resync", "liam", current, before, "--time", str(now), status=1)
        self.assertIn(f"STATE is now {now // 30}", r.stderr)
        self.assertRegex(self.crauth("token", "list", "liam").stdout, rf"state {now // 30}$")
        # codes no login would take burn nothing
        far = [oathtool("--totp", "--now", f"@{now + d * 30}", K20) for d in (40, 39)]
        r = self.crauth("token", "resync", "liam", *far, "--time", str(now), status=1)
        self.assertNotIn("STATE is now", r.stderr)

    def test_resync_used_code_beside_a_live_one(self):
        # CODE1 was used (before STATE), CODE2 is STATE's own and a login
        # would take it: it is used up too, and the resync says "used"
        self.crauth("token", "add", "mona", "hotp/6", "--key-file", self.keyfile(K20))
        self.crauth("token", "resync", "mona", *(oathtool("--hotp", "-c", str(c), K20)
                                                 for c in (3, 4)))
        self.assertRegex(self.crauth("token", "list", "mona").stdout, r"state 5$")
        r = self.crauth("token", "resync", "mona", *(oathtool("--hotp", "-c", str(c), K20)
                                                     for c in (4, 5)), status=1)
        self.assertIn("before STATE 5: they were used", r.stderr)
        self.assertRegex(self.crauth("token", "list", "mona").stdout, r"state 6$")

    def test_resync_finds_the_token_past_a_chance_match(self):
        # the first token shows one of the codes by chance (within its
        # window); the second shows both in a row: the second is the one
        # resynchronised, and nothing is burnt on the first
        other = bytes(range(1, 21))
        c10, c11 = (oathtool("--hotp", "-c", str(c), K20) for c in (10, 11))
        n = next(n for n in range(4 * 10 ** 6) if hotp(other, n) == c10)
        with open(self.tokens, "w") as f:
            f.write("nina hotp/6 %s %d\nnina hotp/6 %s 5\n" % (other.hex(), n, K20))
        os.chmod(self.tokens, 0o600)
        r = self.crauth("token", "resync", "nina", c10, c11)
        self.assertIn("line 2: hotp counter found at 10", r.stdout)
        self.assertEqual([line.split()[-1] for line in self.lines()], [str(n), "12"])

    def test_resync_codes_on_standard_input(self):
        self.crauth("token", "add", "jack", "hotp/6", "--key-file", self.keyfile(K20))
        codes = [oathtool("--hotp", "-c", str(c), K20) for c in range(10, 16)]
        r = self.crauth("token", "resync", "jack", stdin="%s %s\n" % (codes[0], codes[1]))
        self.assertIn("hotp counter found at 10", r.stdout)
        r = self.crauth("token", "resync", "jack", stdin=" %s\n%s\n" % (codes[2], codes[3]))
        self.assertIn("hotp counter found at 12", r.stdout)
        self.assertRegex(self.crauth("token", "list", "jack").stdout, r"state 14$")
        for bad in ("", "%s\n" % codes[4], "%s %s %s\n" % tuple(codes[3:6]), "1" * 200):
            with self.subTest(stdin=bad[:20]):
                r = self.crauth("token", "resync", "jack", stdin=bad, status=2)
                self.assertIn("standard input holds no two codes", r.stderr)
        self.assertRegex(self.crauth("token", "list", "jack").stdout, r"state 14$")

    def test_help_and_usage_errors(self):
        for verb in ([], ["add"], ["list"], ["remove"], ["resync"]):
            for flag in ("--help", "-h"):
                r = run("token", *verb, flag)
                self.assertEqual(r.returncode, 0, (verb, r.stderr))
                self.assertTrue(r.stdout.startswith("usage: crauth token"), r.stdout)
                self.assertEqual(r.stderr, "")
        # --help wins over anything else on the line
        self.assertEqual(run("token", "add", "--bogus", "--help").returncode, 0)
        kf = self.keyfile(K20)
        r = run("token")
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith("usage: crauth token add"), r.stderr)
        usage = [
            (["token", "frob"], "unknown verb"),
            (["token", "add", "alice"], "give USER and TYPE"),
            (["token", "add", "alice", "hotp/6"], "--generate or --key-file"),
            (["token", "add", "alice", "hotp/6", "--generate", "--key-file", kf], "--generate or"),
            (["token", "add", "alice", "hotp/6", "--key-file", kf, "--qr"], "go with --generate"),
            (["token", "add", "alice", "hotp/3", "--generate"], "digits in 'hotp/3'"),
            (["token", "add", "alice", "frob", "--generate"], "TYPE 'frob'"),
            (["token", "add", "alice", "x509", "--generate"], "write them by hand"),
            (["token", "add", "al ice", "hotp/6", "--generate"], "cannot be a USER"),
            (["token", "add", "alice", "backup", "--generate"], "only --count"),
            (["token", "add", "alice", "backup", "--count", "0"], "--count wants 1..20"),
            (["token", "add", "alice", "backup", "--count", "21"], "--count wants 1..20"),
            (["token", "add", "alice", "hotp/6", "--generate", "--count", "3"], "backup codes"),
            (["token", "add", "alice", "totp/30/6/sha1", "--generate", "--issuer", "a:b"],
             "issuer contains ':'"),
            (["token", "add", "alice", "hotp/6", "--generate", "--frob"], "bad option"),
            (["token", "list", "a", "b"], "at most one USER"),
            (["token", "remove"], "give one USER"),
            (["token", "remove", "alice", "--line", "x"], "--line wants"),
            (["token", "remove", "alice", "--line", "0"], "--line wants"),
            (["token", "resync", "alice", "123456"], "give USER CODE1 CODE2"),
            (["token", "resync", "alice", "12ab56", "123456"], "two codes"),
            (["token", "resync", "alice", "123456", "1234567"], "two codes"),
            (["token", "resync", "alice", "123456", "654321", "--window", "0"], "--window"),
            (["token", "resync", "alice", "123456", "654321", "--time", "x"], "--time"),
        ]
        for args, message in usage:
            r = run(*args, "--tokens", self.tokens)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            err = r.stderr.splitlines()
            self.assertEqual(len(err), 1, (args, r.stderr))
            self.assertTrue(err[0].startswith("crauth token: "), err)
            self.assertIn(message, r.stderr, args)
        r = run("token", "add", "alice", "hotp/6", "--key-file")
        self.assertEqual((r.returncode, r.stderr),
                         (2, "crauth token: add: bad option '--key-file'; see `crauth token add "
                             "--help`\n"))
        self.assertFalse(os.path.exists(self.tokens))

    def test_root_becomes_crauth_in_its_directory(self):
        # root editing the helper's files becomes _crauth when _crauth owns
        # the file or its directory: a new file is _crauth's, and a
        # root:_crauth 0640 file is read as the helper reads it.  A stand-in
        # _crauth in a private mount namespace, as tests/pam/test_check_local
        if os.geteuid() != 0 or shutil.which("unshare") is None:
            self.skipTest("needs root and unshare(1)")
        uid = next(u for u in range(64990, 60000, -1)
                   if u not in {p.pw_uid for p in pwd.getpwall()})
        for name, line in (("passwd", "_crauth:x:%d:%d::/nonexistent:/usr/sbin/nologin\n"
                            % (uid, uid)), ("group", "_crauth:x:%d:\n" % uid)):
            with open("/etc/" + name) as f:
                text = f.read()
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(text + line)
        lib = os.path.join(self.dir, "lib")
        os.mkdir(lib, 0o700)
        os.chown(lib, uid, uid)
        os.chmod(self.dir, 0o755)
        keyfile = self.keyfile(K20)
        os.chmod(keyfile, 0o644)
        path = os.path.join(lib, "tokens")

        def as_root(*args):
            return subprocess.run(
                ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 '
                 '&& exec "$@"', "sh", os.path.join(self.dir, "passwd"),
                 os.path.join(self.dir, "group"), CRAUTH, *args, "--tokens", path],
                capture_output=True, text=True, timeout=60)
        r = as_root("token", "add", "ivy", "hotp/6", "--key-file", keyfile)
        self.assertEqual(r.returncode, 0, r.stderr)
        for p in (path, path + ".lock"):
            self.assertEqual(os.stat(p).st_uid, uid, p)
        os.chown(path, 0, uid)
        os.chmod(path, 0o640)
        r = as_root("token", "list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ivy", r.stdout)

    def test_owner_is_kept(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to own files as others")
        # a root-owned file: edited as root, stays root's
        self.crauth("token", "add", "ivy", "hotp/6", "--key-file", self.keyfile(K20))
        st = os.stat(self.tokens)
        self.assertEqual((st.st_uid, st.st_gid, st.st_mode & 0o7777), (0, 0, 0o600))
        try:
            pw = pwd.getpwnam("_crauth")
        except KeyError:
            self.skipTest("no _crauth user on this machine: the switch to it is not tested")
        sub = os.path.join(self.dir, "lib")
        os.mkdir(sub, 0o750)
        os.chown(sub, pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o755)
        keyfile = self.keyfile(K20)  # root's 0600: read before the switch
        path = os.path.join(sub, "tokens")
        r = run("token", "add", "ivy", "hotp/6", "--key-file", keyfile, "--tokens", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        for p in (path, path + ".lock"):
            st = os.stat(p)
            self.assertEqual((st.st_uid, st.st_gid, st.st_mode & 0o7777),
                             (pw.pw_uid, pw.pw_gid, 0o600), p)
        r = run("token", "remove", "ivy", "--tokens", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.stat(path).st_uid, pw.pw_uid)
        # root's file, _crauth's group, in _crauth's directory: read and
        # edited as the helper would, not refused as "readable by its group"
        os.chown(path, 0, pw.pw_gid)
        os.chmod(path, 0o640)
        r = run("token", "add", "ivy", "hotp/6", "--key-file", keyfile, "--tokens", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("token", "list", "--tokens", path)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    if shutil.which("oathtool") is None:
        print("SKIP: oathtool is not installed (apt-get install oathtool)")
        sys.exit(77)
    unittest.main(verbosity=2)
