#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""TLS sessions kept across helper processes ([server] tls_resume,
lib/remote/tls_resume.h), through the real libpam against the reference
server, which records whether each connection resumed a session.

What must hold: a later login resumes; nothing weakens the check of the
server: a changed CA file or pin, a server without the ticket keys (an
impostor, or one restarted), a record that is corrupt, planted for another
server or a symlink: each means a full handshake with every check; the
session's secrets are never shown; tls_resume = no keeps nothing."""
import concurrent.futures
import glob
import os
import shutil
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverfixture import CRAUTH, HELPER, ServerCase  # noqa: E402

# one login in a process of its own (libpam, the module and a helper each),
# for logins that run at the same time
ONE_LOGIN = """
import sys
sys.path.insert(0, sys.argv[1])
from serverfixture import ServerCase, ph
r = ph.authenticate("crauth", "twostep", sys.argv[2], ServerCase.kbdint())
print(r.name, r.reason(), r.log.replace(chr(10), " "))
"""


class Resume(ServerCase):
    def setUp(self):
        super().setUp()
        self.cache = os.path.join(self.dir, "cache")

    def records(self):
        return glob.glob(os.path.join(self.cache, "t-*"))

    def login_ok(self, srv=None, tls="TLSv1.3"):
        """One 2-step login; whether its connection resumed a session."""
        srv = srv or self.srv
        before = len(srv.requests)
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
        reqs = srv.requests[before:]
        self.assertEqual(len(reqs), 2)
        self.assertEqual(reqs[0].conn_id, reqs[1].conn_id)  # both steps, one connection
        self.assertEqual(reqs[0].tls_version, tls)
        return reqs[0].tls_resumed

    @staticmethod
    def field(record, name):
        with open(record) as f:
            return int([ln.split()[1] for ln in f if ln.startswith(name + " ")][0])

    def cached(self, *args):
        return subprocess.run([CRAUTH, "cache", *args, "--conf", self.conf], check=True,
                              capture_output=True, text=True).stdout

    def test_a_later_login_resumes_the_session(self):
        self.configure()
        self.assertFalse(self.login_ok())
        (record,) = self.records()
        st = os.lstat(record)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(st.st_uid, os.geteuid())
        created = self.field(record, "created")
        for _ in range(3):
            self.assertTrue(self.login_ok())
            # the newest ticket replaces the one used (RFC 8446 C.4: a ticket
            # once), but the time of the full handshake is carried over
            self.assertNotEqual(os.lstat(record).st_ino, st.st_ino)
            st = os.lstat(record)
            self.assertEqual(self.field(record, "created"), created)

    def test_an_hour_after_the_full_handshake_it_is_made_again(self):
        self.configure()
        self.login_ok()
        self.assertTrue(self.login_ok())
        (record,) = self.records()
        # a chain of resumptions begun 3601 s ago (the record's own field: the
        # session inside is new) ends: the server is verified in full again
        created = self.field(record, "created")
        with open(record) as f:
            text = f.read()
        with open(record, "w") as f:
            f.write(text.replace("created %d\n" % created, "created %d\n" % (created - 3601)))
        self.assertFalse(self.login_ok())
        self.assertGreaterEqual(self.field(record, "created"), created)
        self.assertTrue(self.login_ok())

    def test_the_session_is_never_shown(self):
        self.configure()
        self.login_ok()
        (record,) = self.records()
        with open(record) as f:
            session = [ln.split()[1] for ln in f if ln.startswith("session ")][0]
        listed = self.cached("list")
        self.assertIn("tls       server=%s " % self.srv.url, listed)
        self.assertNotIn(session[:64], listed)
        # a user's flush leaves it; a full flush removes it
        self.cached("flush", "--user", "twostep")
        self.assertEqual(len(self.records()), 1)
        self.cached("flush")
        self.assertEqual(self.records(), [])
        self.assertFalse(self.login_ok())

    def test_off_keeps_nothing(self):
        self.configure(server="tls_resume = no")
        for _ in range(2):
            self.assertFalse(self.login_ok())
        self.assertEqual(self.records(), [])

    def test_tls12_sessions_are_never_kept(self):
        # TLS 1.2 resumption would bring back the old master secret, without a
        # new key exchange: such sessions are not stored
        old = self.server("B", tls_max_version="TLSv1_2")
        self.configure(urls=[old.url])
        for _ in range(2):
            self.assertFalse(self.login_ok(old, tls="TLSv1.2"))
        self.assertEqual(self.records(), [])

    def test_logins_at_once_leave_one_sound_record(self):
        # eight: each login in flight holds one of the user's max_failures
        # (10) until it is judged; generous timeouts for the valgrind stage
        self.configure(connect_timeout=30, timeout=30)
        here = os.path.dirname(os.path.abspath(__file__))
        env = dict(os.environ, CRAUTH_HELPER=HELPER)

        def run(_):
            return subprocess.run(["/usr/bin/python3", "-c", ONE_LOGIN, here, self.dir],
                                  env=env, capture_output=True, text=True,
                                  timeout=120).stdout.strip()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            outs = list(pool.map(run, range(8)))
        self.assertEqual([o.split(" ")[0] for o in outs], ["PAM_SUCCESS"] * 8, "\n".join(outs))
        # every writer replaced the record whole: one, and it is usable
        self.assertEqual(len(self.records()), 1)
        self.assertEqual(glob.glob(os.path.join(self.cache, ".*")), [])  # no temp file left
        self.assertEqual(self.cached("list").count("tls "), 1)
        self.assertTrue(self.login_ok())

    def test_a_changed_ca_file_means_a_full_handshake(self):
        ca = os.path.join(self.dir, "ca.pem")
        shutil.copy(self.certs["ca_cert"], ca)
        self.configure()
        with open(self.conf) as f:
            text = f.read().replace(self.certs["ca_cert"], ca)
        with open(self.conf, "w") as f:
            f.write(text)
        self.login_ok()
        self.assertTrue(self.login_ok())
        # the same CA written again (an update by the package, an edit):
        # what verified the session is no longer known to be what verifies now
        os.unlink(ca)
        shutil.copy(self.certs["ca_cert"], ca)
        self.assertFalse(self.login_ok())
        self.assertTrue(self.login_ok())

    def test_a_new_pin_means_a_full_handshake(self):
        self.configure()
        self.login_ok()
        self.configure(server="pinned_pubkey = %s" % self.certs["pin"])
        self.assertFalse(self.login_ok())
        self.assertTrue(self.login_ok())

    def test_an_impostor_without_the_ticket_keys_is_checked_in_full(self):
        self.configure()
        self.login_ok()
        # the same address now answers with a certificate from another CA and
        # keys of its own: the stored session cannot help it past verification
        self.srv.new_tls_context(self.certs["other_server_cert"], self.certs["other_server_key"])
        before = len(self.srv.requests)
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 32)
        self.assertIn("TLS", r.log)
        self.assertEqual(self.srv.requests[before:], [])  # nothing was sent to it

    def test_a_restarted_server_gets_a_full_handshake_and_a_new_record(self):
        self.configure()
        self.login_ok()
        (record,) = self.records()
        ino = os.lstat(record).st_ino
        self.srv.new_tls_context(self.certs["server_cert"], self.certs["server_key"])
        self.assertFalse(self.login_ok())
        self.assertNotEqual(os.lstat(record).st_ino, ino)  # the new ticket replaced it
        self.assertTrue(self.login_ok())

    def test_a_corrupt_record_is_dropped_and_the_login_goes_on(self):
        self.configure()
        self.login_ok()
        (record,) = self.records()
        with open(record) as f:
            text = f.read()
        hexed = [ln.split()[1] for ln in text.splitlines() if ln.startswith("session ")][0]
        broken = [
            "garbage\n",
            text.replace(hexed, "00" * 40),  # parses, but is no TLS session
            text.replace(hexed, hexed[:-20]),  # a session cut short
        ]
        for content in broken:
            with open(record, "w") as f:
                f.write(content)
            self.assertFalse(self.login_ok())
            self.assertTrue(self.login_ok())

    def test_a_record_planted_for_another_server_is_not_offered(self):
        other = self.server("B")
        self.configure(urls=[other.url])
        self.login_ok(other)  # a record for B's url
        (record_b,) = self.records()
        self.configure()  # now server A only
        self.assertFalse(self.login_ok())
        (record_a,) = set(self.records()) - {record_b}
        # B's record put where A's belongs: its url is B's, so it is not A's
        os.replace(record_b, record_a)
        self.assertFalse(self.login_ok())

    def test_a_symlinked_record_is_not_followed(self):
        self.configure()
        self.login_ok()
        (record,) = self.records()
        target = os.path.join(self.dir, "elsewhere")
        os.replace(record, target)
        os.symlink(target, record)
        self.assertFalse(self.login_ok())
        self.assertFalse(os.path.islink(record))  # replaced by a file of its own

    def test_crauth_check_makes_a_full_handshake(self):
        self.configure()
        self.login_ok()
        self.assertTrue(self.login_ok())
        before = self.srv.stats
        subprocess.run([CRAUTH, "check", "--conf", self.conf], capture_output=True, text=True)
        after = self.srv.stats
        self.assertGreater(after["tls_handshakes"], before["tls_handshakes"])
        self.assertEqual(after["tls_resumptions"], before["tls_resumptions"])


if __name__ == "__main__":
    unittest.main()
