#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Logins through the real libpam against the local backend (no server).

Every answer is computed by the crauth CLI acting as a soft token, from the
challenge the module showed.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pamharness as ph  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CRAUTH = os.environ.get("CRAUTH", "tools/crauth")
HELPER = os.environ.get("CRAUTH_HELPER", "helper/crauth-helper")
KEY20 = "3132333435363738393031323334353637383930"
KEY32 = KEY20 + "313233343536373839303132"
OCRA = "OCRA-1:HOTP-SHA1-6:QN08"

TOKENS = """# test tokens: keep this comment and the layout
alice   hotp/6                          %(k20)s   0
bob     totp/30/6/sha1                  %(k20)s
carol   %(ocra)s         %(k20)s
dave    OCRA-1:HOTP-SHA256-8:C-QN08     %(k32)s   5
erin    totp/30/8/sha256                %(k32)s
erin    OCRA-1:HOTP-SHA1-6:QA10         %(k20)s
""" % {"k20": KEY20, "k32": KEY32, "ocra": OCRA}


def cli(*args):
    return subprocess.run([CRAUTH, *args], check=True, capture_output=True,
                          text=True).stdout.strip()


class LocalBackend(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crauth-local-")
        self.tokens = os.path.join(self.dir, "tokens")
        with open(self.tokens, "w") as f:
            f.write(TOKENS)
        os.chmod(self.tokens, 0o600)
        self.conf = os.path.join(self.dir, "crauth.conf")
        self.write_conf()
        self.service("crauth-test")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_conf(self, auth_extra="", method="client-challenge", local_extra="",
                   cache_extra=""):
        with open(self.conf, "w") as f:
            f.write("[auth]\nbackend = local\nmethod = %s\nfail_delay = 1500\n" % method
                    + auth_extra + "\n[local]\ntokens = %s\n" % self.tokens + local_extra
                    + "\n[cache]\ndir = %s/cache\n" % self.dir + cache_extra)

    def service(self, name, extra=(), conf=None, helper=None, password_first=False):
        args = ["conf=" + (conf or self.conf), "helper=" + (helper or HELPER), *extra]
        ph.write_service(self.dir, name, args, password_first=password_first)

    def login(self, user, conversation, service="crauth-test", **kw):
        return ph.authenticate(service, user, self.dir, conversation, **kw)

    # ------------------------------------------------------------ answers
    @staticmethod
    def ocra_answer(suite, key, counter=None):
        def conv(msgs):
            answers = []
            for style, text in msgs:
                if style in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON):
                    q = ph.challenge_in(text)
                    args = ["ocra", "--suite", suite, "--key", key, "--question", q]
                    if counter is not None:
                        args += ["--counter", str(counter)]
                    answers.append(cli(*args))
                else:
                    answers.append(None)
            return answers
        return conv

    @staticmethod
    def fixed(code):
        return lambda msgs: [code if s in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON)
                             else None for s, _ in msgs]

    # ------------------------------------------------------------ successes
    def test_ocra_challenge_login(self):
        r = self.login("carol", self.ocra_answer(OCRA, KEY20))
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        self.assertEqual(r.reason(), 0)
        # the challenge is shown as info and in the prompt, in ONE conversation call
        self.assertEqual(len(r.calls), 1)
        (s1, info), (s2, prompt) = r.calls[0]
        self.assertEqual((s1, s2), (ph.PAM_TEXT_INFO, ph.PAM_PROMPT_ECHO_OFF))
        q = ph.challenge_in(prompt)
        self.assertRegex(q, r"^\d{8}$")
        self.assertIn(q, info)
        self.assertFalse(r.fail_delay)  # libpam asks for no delay after a success

    def test_ocra_with_time_logs_in_again_within_its_step(self):
        """An OCRA suite with T answers a fresh question each login: the
        question prevents replay, so a second login in the same time step
        (one hour with T1H) is no replay."""
        suite = "OCRA-1:HOTP-SHA1-6:QN08-T1H"
        with open(self.tokens, "a") as f:
            f.write("tim     %s   %s\n" % (suite, KEY20))
        for _ in range(3):
            r = self.login("tim", self.ocra_answer(suite, KEY20))
            self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)
        r = self.login("tim", self.fixed(cli("ocra", "--suite", suite, "--key", KEY20,
                                             "--question", "00000000")))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 10), r.log)

    def test_fresh_challenge_every_time(self):
        seen = set()
        for _ in range(3):
            r = self.login("carol", self.ocra_answer(OCRA, KEY20))
            self.assertEqual(r.name, "PAM_SUCCESS")
            seen.add(ph.challenge_in(r.calls[0][-1][1]))
        self.assertEqual(len(seen), 3)

    def test_totp_login(self):
        code = cli("totp", "--key", KEY20)
        r = self.login("bob", self.fixed(code))
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        # no OCRA token: a plain one-time password prompt, no challenge
        self.assertEqual(r.texts(), ["One-time password: "])

    def test_application_without_stdin_and_stdout(self):
        # A daemon that closed fds 0 and 1: the module's pipes get those
        # numbers, and must still reach the helper as its stdin and stdout.
        code = cli("totp", "--key", KEY20)
        script = "\n".join([
            "import os, sys",
            "sys.path.insert(0, %r)" % os.path.dirname(os.path.abspath(ph.__file__)),
            "import pamharness as ph",
            "os.close(0); os.close(1)",
            "r = ph.authenticate('crauth-test', 'bob', %r, lambda b: [%r if s in "
            "(ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON) else None for s, _ in b], "
            "capture_log=False)"
            % (self.dir, code),
            "os.write(%d, r.name.encode())",
        ])
        rfd, wfd = os.pipe()
        try:
            subprocess.run(["/usr/bin/python3", "-c", script % wfd], pass_fds=(wfd,),
                           timeout=60, check=True)
            os.close(wfd)
            wfd = -1
            self.assertEqual(os.read(rfd, 200).decode(), "PAM_SUCCESS")
        finally:
            os.close(rfd)
            if wfd >= 0:
                os.close(wfd)

    def test_hotp_login_advances_state_and_keeps_file(self):
        code = cli("hotp", "--key", KEY20, "--counter", "3")  # within the window
        r = self.login("alice", self.fixed(code))
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        with open(self.tokens) as f:
            text = f.read()
        self.assertEqual(text, TOKENS.replace("%s   0\n" % KEY20, "%s   4\n" % KEY20, 1))
        self.assertEqual(os.stat(self.tokens).st_mode & 0o777, 0o600)
        # codes before the new state are now refused as replays
        r = self.login("alice", self.fixed(cli("hotp", "--key", KEY20, "--counter", "1")))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 11))

    def test_ocra_counter_suite(self):
        r = self.login("dave", self.ocra_answer("OCRA-1:HOTP-SHA256-8:C-QN08", KEY32, 6))
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        with open(self.tokens) as f:
            self.assertIn("%s   7\n" % KEY32, f.read())

    def test_user_with_ocra_and_totp_may_answer_either(self):
        r = self.login("erin", self.ocra_answer("OCRA-1:HOTP-SHA1-6:QA10", KEY20))
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        self.assertRegex(ph.challenge_in(r.calls[0][-1][1]), r"^[0-9A-Za-z]{10}$")
        code = cli("totp", "--key", KEY32, "--digits", "8", "--hash", "sha256")
        r = self.login("erin", self.fixed(code))
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)

    def test_single_prompt_over_two_attempts(self):
        self.write_conf("single_prompt = yes")
        r = self.login("carol", self.fixed("whatever"))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 21))
        self.assertEqual(r.texts(ph.PAM_PROMPT_ECHO_OFF), [])   # nothing asked yet
        (shown,) = r.texts(ph.PAM_ERROR_MSG)
        self.assertRegex(shown, r"^Challenge: \d{8} -- enter the response at the next prompt\.$")
        q = shown.split()[1]
        r = self.login("carol", self.fixed(cli("ocra", "--suite", OCRA, "--key", KEY20,
                                                "--question", q)))
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        self.assertIn(q, r.texts(ph.PAM_PROMPT_ECHO_OFF)[0])

    def test_use_first_pass(self):
        self.write_conf(method="otp")
        self.service("crauth-ufp", ["use_first_pass"], password_first=True)
        code = cli("totp", "--key", KEY20)
        r = self.login("bob", self.fixed(code), service="crauth-ufp")
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        self.assertEqual(r.texts(), ["Password: "])  # crauth itself asked nothing
        self.service("crauth-ufp-alone", ["use_first_pass"])
        r = self.login("bob", self.fixed(code), service="crauth-ufp-alone")
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 20))
        self.assertEqual(r.calls, [])

    def test_try_first_pass_falls_back_to_prompt(self):
        self.write_conf(method="otp")
        self.service("crauth-tfp", ["try_first_pass"], password_first=True)
        code = cli("totp", "--key", KEY20)

        def conv(msgs):
            return ["wrong" if t == "Password: " else code for _, t in msgs]
        r = self.login("bob", conv, service="crauth-tfp")
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        self.assertEqual(r.texts(), ["Password: ", "One-time password: "])

    def test_setcred_succeeds_and_account_is_ignored(self):
        with open(os.path.join(self.dir, "crauth-entry"), "w") as f:
            f.write("auth required %s\naccount required %s\naccount required pam_permit.so\n"
                    % (os.environ["PAM_CRAUTH"], os.environ["PAM_CRAUTH"]))
        setcred, acct = ph.other_entry_points("crauth-entry", "carol", self.dir)
        self.assertEqual(ph.PAM_CODES[setcred], "PAM_SUCCESS")
        # PAM_IGNORE from crauth: pam_permit alone decides
        self.assertEqual(ph.PAM_CODES[acct], "PAM_SUCCESS")
        with open(os.path.join(self.dir, "crauth-acct-only"), "w") as f:
            f.write("account required %s\n" % os.environ["PAM_CRAUTH"])
        _, acct = ph.other_entry_points("crauth-acct-only", "carol", self.dir)
        self.assertNotEqual(ph.PAM_CODES.get(acct), "PAM_SUCCESS")

    # ------------------------------------------------------------ failures
    def test_wrong_response(self):
        r = self.login("carol", self.fixed("000000"))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 10))
        # libpam randomises the requested delay within +-50 %
        self.assertTrue(1500 * 500 <= r.fail_delay <= 1500 * 1500, r.fail_delay)
        self.assertIn("wrong-response", r.log)

    def test_replayed_totp(self):
        code = cli("totp", "--key", KEY20)
        self.assertEqual(self.login("bob", self.fixed(code)).name, "PAM_SUCCESS")
        r = self.login("bob", self.fixed(code))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 11))

    def test_replayed_hotp(self):
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        self.assertEqual(self.login("alice", self.fixed(code)).name, "PAM_SUCCESS")
        r = self.login("alice", self.fixed(code))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 11))

    def test_one_key_on_two_lines_takes_a_code_once(self):
        """An enrolment run twice leaves one key on two lines, each with its
        own STATE: a code one line took is refused on the other."""
        with open(self.tokens, "a") as f:
            f.write("alice   hotp/6   %s   0\n" % KEY20)
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        self.assertEqual(self.login("alice", self.fixed(code)).name, "PAM_SUCCESS")
        r = self.login("alice", self.fixed(code))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 11), r.log)
        code = cli("hotp", "--key", KEY20, "--counter", "1")
        self.assertEqual(self.login("alice", self.fixed(code)).name, "PAM_SUCCESS")
        r = self.login("alice", self.fixed(code))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 11), r.log)
        # crauth check names the two lines
        out = subprocess.run([CRAUTH, "check", "--conf", self.conf, "--helper", HELPER],
                             capture_output=True, text=True)
        self.assertIn("%s:8: the same token as line 2" % self.tokens, out.stdout + out.stderr)
        # the same key with other parameters computes other codes
        with open(self.tokens, "a") as f:
            f.write("bob     totp/30/6/sha1   %s\nbob     totp/60/6/sha1   %s\n"
                    % (KEY20, KEY20))
        out = subprocess.run([CRAUTH, "check", "--conf", self.conf, "--helper", HELPER],
                             capture_output=True, text=True)
        self.assertIn("%s:9: the same token as line 3" % self.tokens, out.stdout)
        self.assertNotIn(":10: the same token", out.stdout)
        # one line far ahead of the other (beyond hotp_window): an old code
        # is not taken by the line left behind
        with open(self.tokens, "a") as f:
            f.write("zed     hotp/6   %s   50\nzed     hotp/6   %s   0\n" % (KEY20, KEY20))
        r = self.login("zed", self.fixed(cli("hotp", "--key", KEY20, "--counter", "3")))
        self.assertEqual(r.name, "PAM_AUTH_ERR", r.log)
        r = self.login("zed", self.fixed(cli("hotp", "--key", KEY20, "--counter", "50")))
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)

    def test_names_and_items_that_are_not_utf8(self):
        """A user name a remote client chose that is not UTF-8 is refused by
        name (user-name-refused), not a protocol error between module and
        helper; an item the helper would not take (a 300-byte RUSER, an
        RHOST that is not UTF-8) is left out and the login goes on."""
        r = self.login(b"al\xffice", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 24), r.log)
        self.assertIn("not UTF-8", r.log)
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        r = self.login("alice", self.fixed(code), ruser="r" * 300, rhost=b"h\xffst",
                       tty="t" * 1025)
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)

    def login_folding_case(self, user, answer):
        """A login in a PAM application whose getpwnam_r folds case, as
        sssd's does with case_sensitive = false (tests/pam/nss_fold.c)."""
        shim = os.environ.get("NSS_FOLD")
        if not shim:
            self.skipTest("NSS_FOLD (the getpwnam_r shim) is set by make check")
        env = dict(os.environ)
        env["LD_PRELOAD"] = (env.get("LD_PRELOAD", "") + " " + shim).strip()
        out = subprocess.run([sys.executable, os.path.join(HERE, "login_child.py"), self.dir,
                              "crauth-test", user, answer],
                             capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def test_the_callers_scheduling_is_not_the_helpers(self):
        """su and sudo run with the caller's scheduling: SCHED_IDLE, nice 19,
        the idle I/O class and one busy CPU would slow a server login past connect_timeout,
        and "no server could be asked" opens the fallback path.  A root
        module gives its helper the defaults."""
        if os.geteuid() != 0 or not all(shutil.which(t) for t in ("chrt", "taskset", "ionice")):
            self.skipTest("needs root, chrt, taskset and ionice")
        out = subprocess.run(["chrt", "--idle", "0", "nice", "-n", "19", "ionice", "-c", "3",
                              "taskset", "-c", "0",
                              sys.executable, os.path.join(HERE, "login_child.py"), self.dir,
                              "crauth-test", "carol", "00000000", "inspect"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        r = json.loads(out.stdout)
        self.assertEqual((r["self"]["policy"], r["self"]["nice"], r["self"]["cpus"],
                          r["self"]["io"]), (5, 19, "0", "idle"))   # as started
        with open("/proc/self/status") as f:
            mine = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("Cpus_allowed_list")]
        self.assertEqual((r["helper"]["policy"], r["helper"]["nice"], r["helper"]["cpus"]),
                         (0, 0, mine[0]), r["log"])
        self.assertNotEqual(r["helper"]["io"], "idle")

    def test_another_spelling_of_an_account(self):
        """Where the name service takes "ALICE" for the account alice, the
        tokens file's alice answers for it: another spelling is no
        unenrolled user (which a rollout stack lets pass), and the failure
        limit counts per account, not per spelling."""
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        r = self.login("ALICE", self.fixed("000000"))  # no folding: unknown
        self.assertEqual((r.name, r.reason()), ("PAM_USER_UNKNOWN", 14), r.log)
        r = self.login_folding_case("ALICE", code)
        self.assertEqual((r["name"], r["reason"]), ("PAM_SUCCESS", 0), r["log"])
        self.assertIn("account=alice", r["log"])
        self.write_conf(cache_extra="max_failures = 3\n")
        for name in ("Alice", "aLice", "alIce"):
            r = self.login_folding_case(name, "000000")
            self.assertEqual((r["name"], r["reason"]), ("PAM_AUTH_ERR", 10), r["log"])
        r = self.login_folding_case("aliCE", "000000")
        self.assertNotEqual(r["reason"], 10, r["log"])
        self.assertIn("recent_failures=3", r["log"])

    def test_unknown_user(self):
        r = self.login("mallory", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_USER_UNKNOWN", 14))
        self.assertEqual(r.calls, [])

    def test_unenrolled_user_under_a_rollout_stack(self):
        """[user_unknown=ignore]: an unenrolled user passes on to the next
        module; the line says "not enrolled", at info, not a failure."""
        with open(os.path.join(self.dir, "crauth-rollout"), "w") as f:
            f.write("auth [success=ok user_unknown=ignore default=die] %s conf=%s helper=%s\n"
                    "auth required pam_permit.so\n" % (os.environ["PAM_CRAUTH"], self.conf,
                                                       HELPER))
        info_only = ph.log_mask_only(ph.LOG_INFO)
        r = self.login("mallory", self.fixed("123456"), service="crauth-rollout",
                       log_mask=info_only)
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        self.assertRegex(r.log, r"not enrolled: user=mallory .*reason=14 \(user-unknown\)")
        self.assertNotIn("authentication failed", r.log)
        r = self.login("mallory", self.fixed("123456"), service="crauth-rollout",
                       log_mask=0xff & ~info_only)
        self.assertNotIn("user=mallory", r.log)     # not at notice or any other level
        # a wrong code is a failure, at notice: not in an info-only log
        r = self.login("carol", self.fixed("000000"), service="crauth-rollout",
                       log_mask=info_only)
        self.assertEqual(r.name, "PAM_AUTH_ERR")
        self.assertNotIn("user=carol", r.log)
        r = self.login("carol", self.fixed("000000"), service="crauth-rollout",
                       log_mask=ph.log_mask_only(ph.LOG_NOTICE))
        self.assertIn("authentication failed: user=carol", r.log)
        # a name crauth cannot carry (a directory account with a space, one
        # that is not UTF-8) is not "unenrolled": it must not pass on its
        # password alone
        for name in ("john smith", b"jo\xe9", "x" * 300):
            r = self.login(name, self.fixed("123456"), service="crauth-rollout")
            self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 24), r.log)

    def test_hostile_user_name(self):
        r = self.login("bob\nreason=0 (ok)", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 24))
        # nor fields for a log parser to mistake: no newline, no space
        self.assertIn("user=bob?reason=0?(ok) rhost=", r.log)
        self.assertNotIn("\nreason=0", r.log)

    def test_user_name_with_a_c1_control(self):
        # U+009B is the one-byte CSI: refused at the door like a C0 control,
        # so no cache record (the failure count) can hold what it cannot read
        r = self.login("bob\u009b2J", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 24))
        self.assertIn("user name is not acceptable", r.log)
        self.assertEqual(r.calls, [])

    def test_no_token_for_method(self):
        self.write_conf(method="otp")
        r = self.login("carol", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 55))

    def test_cancelled_conversation(self):
        def cancel(_msgs):
            raise ph.ConversationError()
        r = self.login("carol", cancel)
        self.assertEqual((r.name, r.reason()), ("PAM_CONV_ERR", 17))

    def test_empty_answer(self):
        r = self.login("carol", self.fixed(""))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 20))

    def test_silent_keeps_the_challenge_with_its_prompt(self):
        # sudo always passes PAM_SILENT; the challenge line is part of the question
        r = self.login("carol", self.ocra_answer(OCRA, KEY20), flags=ph.PAM_SILENT)
        self.assertEqual(r.name, "PAM_SUCCESS")
        self.assertEqual([s for s, _ in r.messages], [ph.PAM_TEXT_INFO, ph.PAM_PROMPT_ECHO_OFF])

    def test_helper_missing(self):
        self.service("crauth-nohelper", helper=os.path.join(self.dir, "no-such-helper"))
        r = self.login("carol", self.fixed("1"), service="crauth-nohelper")
        self.assertEqual((r.name, r.reason()), ("PAM_SYSTEM_ERR", 70))
        self.assertTrue(2000 * 500 <= r.fail_delay <= 2000 * 1500, r.fail_delay)

    def test_helper_killed_between_prompt_and_answer(self):
        def kill_then_answer(msgs):
            for pid in ph.children_of(os.getpid()):
                os.kill(pid, signal.SIGKILL)
            return self.ocra_answer(OCRA, KEY20)(msgs)
        r = self.login("carol", kill_then_answer)
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 71))

    def test_helper_waits_inside_its_seccomp_filter(self):
        seen = {}

        def look_then_answer(msgs):
            (pid,) = ph.children_of(os.getpid())
            with open("/proc/%d/status" % pid) as f:
                seen.update(line.split(":", 1) for line in f if ":" in line)
            return self.ocra_answer(OCRA, KEY20)(msgs)
        self.service("crauth-debug", ["debug"])
        r = self.login("carol", look_then_answer, service="crauth-debug")
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        if "built without libseccomp" in r.log:
            self.skipTest("configured --without-seccomp")
        skipped = "no seccomp filter" in r.log
        if os.environ.get("CRAUTH_UNDER_VALGRIND") or "asan" in os.environ.get("LD_PRELOAD", ""):
            self.assertTrue(skipped, r.log)     # valgrind, LeakSanitizer: no filter, said so
            self.assertEqual(seen["Seccomp"].strip(), "0")
        else:
            self.assertFalse(skipped, r.log)
            self.assertEqual(seen["Seccomp"].strip(), "2")   # SECCOMP_MODE_FILTER

    def test_a_local_login_maps_no_server_code(self):
        """Issue 14's lean helper: on the local path the helper maps neither
        its plugins nor libcurl, OpenSSL, an XML parser, ICU or libstdc++,
        read from its own /proc/PID/maps while it waits for the answer."""
        maps = []

        def look_then_answer(msgs):
            (pid,) = ph.children_of(os.getpid())
            with open("/proc/%d/maps" % pid) as f:
                maps.extend(line.split()[-1] for line in f if "/" in line)
            return self.ocra_answer(OCRA, KEY20)(msgs)
        r = self.login("carol", look_then_answer)
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        names = {os.path.basename(m) for m in maps}
        self.assertTrue(any(n.startswith("libc.so") for n in names), names)  # it looked
        forbidden = ["crauth-remote.so", "crauth-x509.so", "libcurl", "libssl", "libcrypto.so",
                     "libxml2", "libexpat", "libicu"]
        # UBSan's runtime links libstdc++ itself: only a plain build must be without it
        if not any(n.startswith(("libasan", "libubsan")) for n in names):
            forbidden.append("libstdc++")
        for lib in forbidden:
            self.assertFalse([n for n in names if n.startswith(lib)], (lib, sorted(names)))

    def test_corrupt_tokens_file(self):
        # one bad line harms only the user it names
        with open(self.tokens, "a") as f:
            f.write("zoe hotp/6 nothex\n")
        r = self.login("zoe", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 51))
        self.assertIn("line 8", r.log)
        r = self.login("carol", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 10), r.log)

    def test_tokens_file_readable_by_others(self):
        os.chmod(self.tokens, 0o644)
        r = self.login("carol", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 51))
        self.assertIn("chmod 0600", r.log)

    def test_refusal_naming_an_id_no_file_knows(self):
        """A refusal names the file's owner and group: an id /etc/group does
        not know must not send glibc to an NSS module the seccomp filter
        kills (systemd's), which ended the login as a crash."""
        os.chown(self.tokens, 0, 12345)
        os.chmod(self.tokens, 0o620)
        r = self.login("alice", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 51), r.log)
        self.assertIn("gid 12345", r.log)

    def test_tokens_directory_others_can_change(self):
        """Whoever can change the tokens file's directory can remove the
        lock under a login that holds it (two logins then take one code)
        or put another file in its place: refused, sticky or not."""
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        for mode, owner in ((0o777, 0), (0o1777, 0), (0o770, 0), (0o700, 65534)):
            with self.subTest(mode=oct(mode), owner=owner):
                os.chown(self.dir, owner, 4242 if mode == 0o770 else 0)
                os.chmod(self.dir, mode)
                r = self.login("alice", self.fixed(code))
                self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 51), r.log)
                self.assertIn("writable by no one else", r.log)
                out = subprocess.run([CRAUTH, "check", "--conf", self.conf, "--helper", HELPER],
                                     capture_output=True, text=True)
                self.assertIn("the directory of tokens file %s" % self.tokens, out.stdout)
        os.chown(self.dir, 0, 0)
        os.chmod(self.dir, 0o700)
        self.assertEqual(self.login("alice", self.fixed(code)).name, "PAM_SUCCESS")

    def test_cache_dir_that_is_a_symbolic_link(self):
        real = os.path.join(self.dir, "real-cache")
        os.mkdir(real, 0o700)
        os.symlink(real, os.path.join(self.dir, "cache"))
        r = self.login("alice", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 53), r.log)
        self.assertIn("is a symbolic link, which is not followed", r.log)

    def test_unreadable_config(self):
        os.unlink(self.conf)
        os.mkdir(self.conf)  # unreadable as a file, even for root
        r = self.login("carol", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 50))
        self.assertIn("not a regular file", r.log)

    def test_missing_explicit_config(self):
        self.service("crauth-noconf", conf=os.path.join(self.dir, "absent.conf"))
        r = self.login("carol", self.fixed("123456"), service="crauth-noconf")
        self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 50))

    def test_invalid_config_names_file_and_line(self):
        self.write_conf("methd = otp")
        r = self.login("carol", self.fixed("123456"))
        self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 50))
        self.assertIn("crauth.conf:5: unknown key 'methd' in [auth]", r.log)

    def test_unknown_module_argument(self):
        self.service("crauth-typo", ["use_frist_pass"])
        r = self.login("carol", self.fixed("1"), service="crauth-typo")
        self.assertEqual(r.name, "PAM_SERVICE_ERR")
        self.assertIn("use_frist_pass", r.log)

    def test_debug_logs_state_transitions(self):
        self.service("crauth-debug", ["debug"])
        r = self.login("carol", self.ocra_answer(OCRA, KEY20), service="crauth-debug")
        self.assertEqual(r.name, "PAM_SUCCESS")
        self.assertIn("WF_CHALLENGE -> WF_RESPONSE", r.log)
        self.assertIn("WF_RESPONSE -> DONE", r.log)

    def test_no_secret_in_logs(self):
        self.service("crauth-debug", ["debug"])
        answers = []

        def conv(msgs):
            a = self.ocra_answer(OCRA, KEY20)(msgs)
            answers.extend(x for x in a if x)
            return a
        r = self.login("carol", conv, service="crauth-debug")
        self.assertEqual(r.name, "PAM_SUCCESS")
        self.assertNotIn(KEY20, r.log)
        for a in answers:
            self.assertNotIn(a, r.log)

    def test_concurrent_hotp_same_code_only_one_wins(self):
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        env = dict(os.environ)
        script = ("import sys; sys.path.insert(0, %r); import pamharness as ph; "
                  "r = ph.authenticate('crauth-test', 'alice', %r, lambda m: [%r for _ in m]); "
                  "print(r.name)") % (os.path.dirname(os.path.abspath(__file__)), self.dir, code)
        procs = [subprocess.Popen(["/usr/bin/python3", "-c", script], stdout=subprocess.PIPE,
                                  text=True, env=env) for _ in range(4)]
        results = sorted(p.communicate()[0].strip() for p in procs)
        self.assertEqual(results.count("PAM_SUCCESS"), 1, results)
        with open(self.tokens) as f:
            self.assertIn("%s   1\n" % KEY20, f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
