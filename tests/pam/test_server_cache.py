#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What the cache makes possible, through the real libpam against the
reference server: single-prompt logins over two PAM transactions, sudo's
retries on the same challenge, dead-server memory, the per-user limit, and
a cache that stays sound under concurrent logins."""
import concurrent.futures
import glob
import os
import re
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverfixture import (CRAUTH, HELPER, KEY20, DeadListener, ServerCase,  # noqa: E402
                           challenge_of, cli, ocra, ph)


class CacheCase(ServerCase):
    def setUp(self):
        super().setUp()
        self.cache = os.path.join(self.dir, "cache")

    def configure(self, method="server-challenge", auth="", cache="", **kw):
        super().configure(method, auth=auth, cache=cache, **kw)

    def cached(self, *args):
        return subprocess.run([CRAUTH, "cache", *args, "--conf", self.conf], check=True,
                              capture_output=True, text=True).stdout

    def challenge_files(self):
        return glob.glob(os.path.join(self.cache, "c-*"))


class SinglePrompt(CacheCase):
    def issue(self, user="twostep"):
        """Attempt 1: the challenge is shown as an error message, the attempt fails."""
        r = self.login(user, self.same_answer("my password"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 21)
        shown = " ".join(r.texts(ph.PAM_ERROR_MSG))
        challenge = re.search(r"challenge (\d{8})", shown).group(1)
        self.assertIn(challenge, shown)
        return challenge

    def test_two_transactions(self):
        self.configure(auth="single_prompt = yes")
        challenge = self.issue()
        self.assertEqual(len(self.challenge_files()), 1)
        self.assertIn("challenge=%s" % challenge, self.cached("list"))
        (key,) = self.srv.issued_keys
        self.assertNotIn(key, self.cached("list"))  # keys are never shown
        # attempt 2: the one answer is the response (sudo -S style)
        r = self.login("twostep", self.same_answer(ocra(challenge)))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual(self.challenge_files(), [])  # consumed
        key = self.srv.requests[1].attributes["CREDFLD_CHALLENGE_KEY"]
        self.assertTrue(key)
        # the prompt of attempt 2 carried the challenge for clients that show it
        self.assertIn(challenge, r.texts(ph.PAM_PROMPT_ECHO_OFF)[0])

    def test_unanswered_challenge_stays_for_the_next_attempt(self):
        # sudo -S at end of input, or ^D: nothing was sent, nothing is lost
        self.configure(auth="single_prompt = yes")
        challenge = self.issue()

        def cancel(_batch):
            raise ph.ConversationError()
        self.assertOutcome(self.login("twostep", cancel), "PAM_CONV_ERR", 17)
        r = self.login("twostep", self.same_answer(ocra(challenge)))
        self.assertOutcome(r, "PAM_SUCCESS", 0)

    def test_keyword_typed_at_the_single_prompt(self):
        self.configure(auth="single_prompt = yes", keyword="")
        r = self.login("twostep", self.same_answer("getchallenge"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 21)
        self.assertEqual(self.srv.requests[0].attributes["CREDFLD_PASSWORD"], "getchallenge")

    def test_reused_key_is_refused(self):
        self.configure(auth="single_prompt = yes")
        challenge = self.issue()
        answer = ocra(challenge)
        self.assertOutcome(self.login("twostep", self.same_answer(answer)), "PAM_SUCCESS", 0)
        # the same answer again: no challenge is pending, so it is a new request
        r = self.login("twostep", self.same_answer(answer))
        self.assertOutcome(r, "PAM_AUTH_ERR", 21)
        self.assertEqual([q.kind for q in self.srv.requests],
                         ["request", "response", "request"])

    def test_expired_locally(self):
        self.configure(auth="single_prompt = yes")
        challenge = self.issue()
        (path,) = self.challenge_files()
        with open(path) as f:
            text = re.sub(r"expires \d+", "expires 1000", f.read())
        with open(path, "w") as f:
            f.write(text)
        r = self.login("twostep", self.same_answer(ocra(challenge)))
        self.assertOutcome(r, "PAM_AUTH_ERR", 12)
        self.assertEqual(len(self.srv.requests), 1)  # never sent

    def test_expired_at_the_server(self):
        self.configure(auth="single_prompt = yes")
        challenge = self.issue()
        self.clock.advance(61)
        r = self.login("twostep", self.same_answer(ocra(challenge)))
        self.assertOutcome(r, "PAM_AUTH_ERR", 12)

    def test_bound_to_service_and_rhost(self):
        self.configure(auth="single_prompt = yes")
        self.service("other-service")
        challenge = self.issue()
        r = self.login("twostep", self.same_answer(ocra(challenge)), service="other-service")
        self.assertOutcome(r, "PAM_AUTH_ERR", 21)  # a new challenge for that service
        r = self.login("twostep", self.same_answer(ocra(challenge)), rhost="192.0.2.9")
        self.assertOutcome(r, "PAM_AUTH_ERR", 21)

    def test_key_from_server_a_never_goes_to_b(self):
        """A's challenge is A's alone; with A cut off between the two steps
        while B is up, the answer goes nowhere and the attempt fails closed
        (challenge-unknown): "no server could be asked" would open the
        fallback path to whoever cuts off one server.  The next attempt
        gets a challenge from B."""
        other = self.server("B")
        self.configure(auth="single_prompt = yes", urls=[self.srv.url, other.url])
        challenge = self.issue()
        self.srv.stop()
        r = self.login("twostep", self.same_answer(ocra(challenge)))
        self.assertOutcome(r, "PAM_AUTH_ERR", 13)
        self.assertIn("issuer=unreachable", r.log)
        self.assertEqual(other.requests, [])
        r = self.login("twostep", self.same_answer("getchallenge"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 21)  # a new challenge, from B
        self.assertEqual(len(other.requests), 1)

    def test_corrupt_entry_is_discarded(self):
        self.configure(auth="single_prompt = yes")
        self.issue()
        (path,) = self.challenge_files()
        with open(path, "w") as f:
            f.write("crauth-cache 1\ntype challenge\nuser zz\n")
        r = self.login("twostep", self.same_answer("123456"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 21)  # treated as nothing pending
        self.assertIn("corrupt", r.log)

    def test_without_a_usable_cache(self):
        self.configure(auth="single_prompt = yes")
        os.makedirs(self.cache)
        os.chmod(self.cache, 0o777)  # writable by others: refused
        r = self.login("twostep", self.same_answer("123456"))
        self.assertOutcome(r, "PAM_SERVICE_ERR", 53)
        self.assertEqual(self.srv.requests, [])
        # the failure limit lives there too: without it no code is judged
        self.configure("otp")
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        r = self.login("hotp-user", self.same_answer(code))
        self.assertOutcome(r, "PAM_SERVICE_ERR", 53)
        self.assertEqual(self.srv.requests, [])
        # unless the admin switched the limit off: then it is not needed
        self.configure("otp", cache="max_failures = 0")
        r = self.login("hotp-user", self.same_answer(code))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertIn("cache=off", r.log)


class Retries(CacheCase):
    def test_sudo_retry_reuses_the_challenge(self):
        self.configure()
        r1 = self.login("twostep", self.kbdint(answer=lambda c: "000000"))
        self.assertOutcome(r1, "PAM_AUTH_ERR", 10)
        first = challenge_of(r1.calls[-1])
        r2 = self.login("twostep", self.kbdint())
        self.assertOutcome(r2, "PAM_SUCCESS", 0)
        self.assertEqual(challenge_of(r2.calls[-1]), first)
        self.assertEqual([q.kind for q in self.srv.requests], ["request", "response", "response"])

    def test_reuse_can_be_turned_off(self):
        self.configure(cache="reuse_challenge = no")
        self.login("twostep", self.kbdint(answer=lambda c: "000000"))
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
        self.assertEqual([q.kind for q in self.srv.requests],
                         ["request", "response", "request", "response"])

    def test_rate_limit(self):
        self.configure("otp", cache="max_failures = 3\nfailure_window = 600")
        for _ in range(3):
            self.assertOutcome(self.login("hotp-user", self.same_answer("000000")),
                               "PAM_AUTH_ERR", 10)
        sent = len(self.srv.requests)
        r = self.login("hotp-user", self.same_answer("000000"))
        self.assertOutcome(r, "PAM_MAXTRIES", 16)
        self.assertEqual(len(self.srv.requests), sent)  # the server was not asked
        self.assertIn("count=3", self.cached("list", "--user", "hotp-user"))
        self.cached("flush", "--user", "hotp-user")
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        self.assertOutcome(self.login("hotp-user", self.same_answer(code)), "PAM_SUCCESS", 0)


class Flood(CacheCase):
    """A caller trying many user names (sshd runs PAM for any name given):
    the cache dir, in /run by default, must not grow with them."""

    def test_many_names_make_no_lock_file_each(self):
        self.configure("otp")
        for i in range(30):
            self.assertOutcome(self.login("nobody%02d" % i, self.same_answer("000000")),
                               "PAM_USER_UNKNOWN", 14)
        # an unknown name counts like a wrong code (no oracle), for its window
        self.assertEqual(len(glob.glob(os.path.join(self.cache, "u-*"))), 30)
        self.assertEqual(glob.glob(os.path.join(self.cache, "u-*.lock")), [])
        locks = glob.glob(os.path.join(self.cache, "l-*.lock"))
        self.assertTrue(0 < len(locks) <= 30, locks)  # one of 256 stripes, none per name

    def test_failure_counts_whose_window_is_over_go(self):
        for i in range(6):
            self.srv.add_user("user%02d" % i, {"token": {"type": "hotp", "key": KEY20},
                                               "policy": "otp"})
        self.configure("otp", cache="failure_window = 60")
        for i in range(5):
            self.assertOutcome(self.login("user%02d" % i, self.same_answer("000000")),
                               "PAM_AUTH_ERR", 10)
        records = glob.glob(os.path.join(self.cache, "u-*"))
        self.assertEqual(len(records), 5)
        # their windows began two minutes ago, and so did the last pass
        for path in records:
            with open(path) as f:
                text = f.read()
            start = int(re.search(r"^window_start (\d+)$", text, re.M).group(1))
            with open(path, "w") as f:
                f.write(text.replace("window_start %d\n" % start,
                                     "window_start %d\n" % (start - 120)))
        stamp = os.path.join(self.cache, "prune.stamp")
        self.assertTrue(os.path.exists(stamp))
        os.utime(stamp, (os.stat(stamp).st_atime - 120, os.stat(stamp).st_mtime - 120))
        r = self.login("user05", self.same_answer("000000"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        left = glob.glob(os.path.join(self.cache, "u-*"))
        self.assertEqual(len(left), 1, left)  # user05's own
        self.assertNotIn(left[0], records)


class DeadServers(CacheCase):
    def test_dead_server_is_skipped_by_the_next_login(self):
        with DeadListener("hang") as dead:
            self.configure("otp", urls=[dead.url, self.srv.url], connect_timeout=1)
            for counter in ("0", "1", "2"):
                code = cli("hotp", "--key", KEY20, "--counter", counter)
                self.assertOutcome(self.login("hotp-user", self.same_answer(code)),
                                   "PAM_SUCCESS", 0)
            self.assertEqual(dead.attempts, 1)
            self.assertIn("down      server=%s" % dead.url, self.cached("list"))

    def test_all_marked_down_are_each_tried_once(self):
        with DeadListener("close") as a, DeadListener("close") as b:
            self.configure("otp", urls=[a.url, b.url])
            for _ in range(2):
                r = self.login("hotp-user", self.same_answer("123456"))
                self.assertEqual(r.name, "PAM_AUTHINFO_UNAVAIL")
            self.assertEqual((a.attempts, b.attempts), (2, 2))


@unittest.skipIf(os.environ.get("CRAUTH_UNDER_VALGRIND"),
                 "20 helpers at once under valgrind outrun the helper's start-up bound; "
                 "the plain and sanitizer runs cover this")
class Concurrency(CacheCase):
    # correctness under concurrency, not speed: roomy timeouts
    def configure(self, **kw):
        super().configure(connect_timeout=10, timeout=20, **kw)

    def parallel(self, jobs):
        self.logs = []
        script = ("import sys; sys.path.insert(0, %r); import pamharness as ph, re, subprocess;"
                  "u, kind = sys.argv[1], sys.argv[2]\n"
                  "def conv(batch):\n"
                  "    out = []\n"
                  "    for s, t in batch:\n"
                  "        m = re.search(r'challenge (\\d+):', t)\n"
                  "        if s not in (1, 2): out.append(None)\n"
                  "        elif kind == 'wrong': out.append('000000')\n"
                  "        else: out.append(subprocess.run([%r, 'ocra', '--suite', "
                  "'OCRA-1:HOTP-SHA1-6:QN08', '--key', %r, '--question', m.group(1)], "
                  "capture_output=True, text=True).stdout.strip())\n"
                  "    return out\n"
                  "r = ph.authenticate('crauth', u, %r, conv)\n"
                  "print(r.name, r.reason(), r.log.replace(chr(10), ' '))\n"
                  % (os.path.dirname(os.path.abspath(__file__)), CRAUTH, KEY20, self.dir))
        env = dict(os.environ, CRAUTH_HELPER=HELPER)

        def run(job):
            out = subprocess.run(["/usr/bin/python3", "-c", script, *job], env=env,
                                 capture_output=True, text=True, timeout=120).stdout.strip()
            self.logs.append(out)
            return out.split(" ")[0]
        with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
            return list(pool.map(run, jobs))

    def test_twenty_users_at_once(self):
        for i in range(20):
            self.srv.add_user("user%02d" % i, {"token": {"type": "ocra", "key": KEY20,
                                                         "suite": "OCRA-1:HOTP-SHA1-6:QN08"},
                                               "policy": "2step"})
        self.configure()
        results = self.parallel([("user%02d" % i, "right") for i in range(20)])
        self.assertEqual(results, ["PAM_SUCCESS"] * 20, "\n".join(self.logs))

    def test_five_logins_for_one_user_keep_the_cache_sound(self):
        self.configure(cache="max_failures = 100")
        results = self.parallel([("twostep", "wrong")] * 5)
        self.assertEqual(results, ["PAM_AUTH_ERR"] * 5)
        listing = self.cached("list")
        self.assertIn("count=5", listing, "\n".join(self.logs))  # every failure counted
        records = [p for p in glob.glob(os.path.join(self.cache, "[cus]-*"))
                   if not p.endswith(".lock")]
        self.assertTrue(records)
        for path in records:
            self.assertTrue(stat.S_ISREG(os.lstat(path).st_mode))
            with open(path) as f:
                self.assertTrue(f.read().startswith("crauth-cache 1\n"))
        self.assertEqual(glob.glob(os.path.join(self.cache, ".tmp-*")), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
