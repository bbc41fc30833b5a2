#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_gssntlmssp.py - our client against gss-ntlmssp as acceptor, in-process
through python3-gssapi, with channel bindings (Extended Protection).

The acceptor is given tls-server-end-point bindings for a throwaway
certificate; the client hashes the certificate it is handed.  gss-ntlmssp
accepts a client that sends no bindings but then leaves CHANNEL_BOUND clear,
so success is "complete AND CHANNEL_BOUND".  Needs gss-ntlmssp,
python3-gssapi and openssl; exit 77 without them.

  NTLM_CLIENT_TOOL=/path/ntlm_client_tool /usr/bin/python3 tests/ntlm/test_gssntlmssp.py
"""
import hashlib
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ntlmtest  # noqa: E402

NTLMSSP_OID = "1.3.6.1.4.1.311.2.2.10"
CHANNEL_BOUND = 2048  # GSS_C_CHANNEL_BOUND_FLAG
USER, DOMAIN, PASSWORD = "testuser", "TESTDOM", "testpassword"
UNI_USER, UNI_PASSWORD = "j\u00fcrgen", "p\u00e4ss\U0001d11e"

gssapi = None


def app_data(der):
    # RFC 5929 4.1 with an RSA/SHA-256 (or SHA-1, mapped to SHA-256) certificate
    return b"tls-server-end-point:" + hashlib.sha256(der).digest()


class TestGssNtlmssp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        users = os.path.join(cls.tmp.name, "users")
        with open(users, "w", encoding="utf-8") as f:
            f.write("%s:%s:%s\n%s:%s:%s\n" % (DOMAIN, USER, PASSWORD,
                                              DOMAIN, UNI_USER, UNI_PASSWORD))
        os.environ["NTLM_USER_FILE"] = users  # read by gss-ntlmssp at acquire time
        cls.cert, cls.der = ntlmtest.make_cert(cls.tmp.name, "server")
        cls.other_cert, cls.other_der = ntlmtest.make_cert(cls.tmp.name, "other")
        cls.sha1_cert, cls.sha1_der = ntlmtest.make_cert(cls.tmp.name, "sha1", "sha1")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def accept(self, client_cert, expected_der, password=PASSWORD, user=USER):
        """Run the exchange; returns the acceptor context or raises GSSError."""
        mech = gssapi.OID.from_int_seq(NTLMSSP_OID)
        name = gssapi.Name("HTTP@localhost", gssapi.NameType.hostbased_service)
        creds = gssapi.Credentials(name=name, usage="accept", mechs=[mech])
        cb = gssapi.raw.ChannelBindings(application_data=app_data(expected_der))
        ctx = gssapi.SecurityContext(creds=creds, usage="accept", channel_bindings=cb)
        with ntlmtest.Tool(user, DOMAIN, password, cert=client_cert) as tool:
            challenge = ctx.step(tool.negotiate())
            auth = tool.authenticate(challenge)
        self.assertTrue(ntlmtest.has_mic(auth))
        if client_cert:
            self.assertEqual(len(ntlmtest.client_av_pairs(auth).get(10, b"")), 16)
        ctx.step(auth)
        return ctx

    def test_right_binding(self):
        ctx = self.accept(self.cert, self.der)
        self.assertTrue(ctx.complete)
        # gss-ntlmssp 1.2 counts the NUL in the display name
        self.assertEqual(str(ctx.initiator_name).rstrip("\0"), "%s\\%s" % (DOMAIN, USER))
        self.assertTrue(int(ctx.actual_flags) & CHANNEL_BOUND)

    def test_sha1_certificate_uses_sha256(self):
        ctx = self.accept(self.sha1_cert, self.sha1_der)
        self.assertTrue(int(ctx.actual_flags) & CHANNEL_BOUND)

    def test_wrong_binding(self):
        with self.assertRaises(gssapi.exceptions.GSSError):
            self.accept(self.other_cert, self.der)

    def test_wrong_password(self):
        with self.assertRaises(gssapi.exceptions.GSSError):
            self.accept(self.cert, self.der, password="wrong")

    def test_unicode_credentials(self):
        ctx = self.accept(self.cert, self.der, password=UNI_PASSWORD, user=UNI_USER)
        self.assertTrue(int(ctx.actual_flags) & CHANNEL_BOUND)

    def test_no_binding_is_not_bound(self):
        # documents the acceptor: no MsvAvChannelBindings is tolerated but unbound
        ctx = self.accept(None, self.der)
        self.assertTrue(ctx.complete)
        self.assertFalse(int(ctx.actual_flags) & CHANNEL_BOUND)


if __name__ == "__main__":
    try:
        import gssapi  # noqa: F811
        import gssapi.raw
    except ImportError:
        ntlmtest.skip("python3-gssapi not installed (run with /usr/bin/python3)")
    if not any(os.path.exists(p) for p in ("/usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so",
                                           "/etc/gss/mech.d/mech.ntlmssp.conf")):
        ntlmtest.skip("gss-ntlmssp not installed")
    ntlmtest.require_programs("openssl")
    ntlmtest.tool_path()
    sys.exit(0 if unittest.main(exit=False, verbosity=2).result.wasSuccessful() else 1)
