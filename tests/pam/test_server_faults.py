#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every fault knob of the reference server and every bad certificate, one
test each: the login fails with the reason that names the fault, and never
gives PAM_SUCCESS.  Faults hit the response step of a 2-step login, the
step where a wrong "success" would let someone in."""
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverfixture import AuthServer, ServerCase  # noqa: E402


class FaultKnobs(ServerCase):
    def fault(self, kind, pam, reason, log=None, step="response", **params):
        self.configure("server-challenge", timeout=2)
        self.srv.set_fault(kind, step=step, **params)
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, pam, reason)
        if log:
            self.assertIn(log, r.log)
        return r

    def test_delay_beyond_timeout(self):
        # at the response step the issuer is the only server it can go to:
        # out of reach then, the attempt fails closed (challenge-unknown),
        # and the log still says why
        self.fault("delay", "PAM_AUTH_ERR", 13, "no complete reply in time", seconds=30)

    def test_timeout_is_for_the_request_alone(self):
        """crauth.conf(5): timeout counts from the connection, not with it.
        A reply 3.5 s late is past timeout (1 s) but within connect_timeout
        + timeout (6 s), which is all libcurl's CURLOPT_TIMEOUT would bound."""
        self.configure("server-challenge", connect_timeout=5, timeout=1)
        self.srv.set_fault("delay", step="response", seconds=3.5)
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTH_ERR", 13)
        self.assertIn("none within timeout (1 s) after the connection was made", r.log)
        # a reply inside timeout is taken
        self.srv.clear_faults()
        self.srv.set_fault("delay", step="response", seconds=0.2)
        self.configure("server-challenge", connect_timeout=5, timeout=3)
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)

    def test_hang(self):
        self.fault("hang", "PAM_AUTH_ERR", 13, "server-timeout")

    def test_reset(self):
        self.fault("reset", "PAM_AUTH_ERR", 13, "connection lost")

    def test_http_500(self):
        self.fault("http_status", "PAM_AUTH_ERR", 34, "HTTP 500", status=500)

    def test_http_503(self):
        # the server (or its gateway) says it cannot serve: like unreachable,
        # and at the response step that fails closed (the issuer's key)
        self.fault("http_status", "PAM_AUTH_ERR", 13, "HTTP 503", status=503)
        # at the request step it is the emergency path's
        self.srv.clear_faults()
        self.fault("http_status", "PAM_AUTHINFO_UNAVAIL", 42, "HTTP 503", step="request",
                   status=503)

    def test_http_404(self):
        self.fault("http_status", "PAM_AUTH_ERR", 34, "HTTP 404", status=404)

    def test_http_401(self):
        self.fault("http_status", "PAM_AUTH_ERR", 33, "HTTP 401", status=401)

    def test_soap_fault(self):
        self.fault("soap_fault", "PAM_AUTH_ERR", 36, "SOAP Fault",
                   faultstring="component not registered")

    def test_malformed_xml(self):
        self.fault("malformed_xml", "PAM_AUTH_ERR", 35)

    def test_truncated_xml(self):
        self.fault("truncated_xml", "PAM_AUTH_ERR", 35)

    def test_huge_body(self):
        self.fault("huge_body", "PAM_AUTH_ERR", 35, "larger than")

    def test_huge_body_without_length(self):
        self.fault("huge_body", "PAM_AUTH_ERR", 35, "larger than",
                   content_length=False)

    def test_wrong_content_type(self):
        self.fault("wrong_content_type", "PAM_AUTH_ERR", 34, "text/html")

    def test_success_with_challenge(self):
        self.fault("success_with_challenge", "PAM_AUTH_ERR", 37, "another challenge")

    def test_success_with_status_message(self):
        self.fault("success_with_message", "PAM_AUTH_ERR", 38, "status message",
                   message="push rejected")

    def test_redirect_to_plain_http(self):
        self.fault("redirect_http", "PAM_AUTH_ERR", 34, "redirect")

    def test_missing_result_codes(self):
        self.fault("missing_result_codes", "PAM_AUTH_ERR", 35)

    def test_wrong_namespace(self):
        self.fault("wrong_namespace", "PAM_AUTH_ERR", 35)

    def test_duplicate_codes_success_first(self):
        self.fault("duplicate_codes", "PAM_AUTH_ERR", 35, first="success")

    def test_duplicate_codes_failure_first(self):
        self.fault("duplicate_codes", "PAM_AUTH_ERR", 35, first="failure")

    def test_close_after_each_response_still_works(self):
        self.configure("server-challenge")
        self.srv.set_fault("close_after_response")
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)

    def test_reused_connection_dropped(self):
        # a server that drops kept-alive connections: the response is sent
        # again on a fresh connection to the same server, and works
        self.configure("server-challenge")
        self.srv.set_fault("reject_keepalive")
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
        self.assertEqual(self.srv.stats["connections"], 2)

    def test_fault_on_request_step(self):
        self.fault("malformed_xml", "PAM_AUTH_ERR", 35, step="request")
        self.assertEqual(self.login("twostep", self.kbdint()).calls, [])


class Certificates(ServerCase):
    def tls_fails(self, name, message, ca=None):
        srv = AuthServer(users={}, certfile=self.certs[name + "_cert"],
                         keyfile=self.certs[name + "_key"], instance=name).start()
        self.addCleanup(srv.stop)
        self.configure("otp", urls=[srv.url])
        if ca:
            with open(self.conf) as f:
                text = f.read().replace(self.certs["ca_cert"], self.certs[ca])
            with open(self.conf, "w") as f:
                f.write(text)
        r = self.login("hotp-user", self.same_answer("123456"))
        self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 32)
        self.assertIn(message, r.log)
        self.assertEqual(r.calls[0][0][1], "One-time password: ")
        self.assertEqual(srv.requests, [])  # nothing was sent to it

    def test_wrong_host(self):
        self.tls_fails("wrong_host", "TLS")

    def test_expired(self):
        self.tls_fails("expired", "expired")

    def test_self_signed(self):
        self.tls_fails("self_signed", "TLS")

    def test_signed_by_another_ca(self):
        self.tls_fails("other_server", "TLS")

    def test_missing_ca_file(self):
        self.configure("otp")
        with open(self.conf) as f:
            text = f.read().replace(self.certs["ca_cert"], "/nonexistent/ca.pem")
        with open(self.conf, "w") as f:
            f.write(text)
        # a local file, not the server: a configuration error, never the
        # emergency path, and no request is sent
        r = self.login("hotp-user", self.same_answer("123456"))
        self.assertOutcome(r, "PAM_SERVICE_ERR", 50)
        self.assertIn("ca_file /nonexistent/ca.pem cannot be read", r.log)
        self.assertEqual(self.srv.requests, [])


class NameResolution(ServerCase):
    """Host names go through libcurl's resolver thread, which runs inside
    the helper's seccomp filter: a killed helper would be reason 71."""

    def test_unknown_name_is_unreachable(self):
        self.configure("otp", urls=["https://crauth-test.invalid:%d/" % self.srv.port])
        r = self.login("hotp-user", self.same_answer("123456"))
        self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 30)
        self.assertIn("resolve", r.log)

    def test_name_from_hosts_file_connects(self):
        name = socket.gethostname()
        try:
            addrs = {a[4][0] for a in socket.getaddrinfo(name, None, socket.AF_INET)}
        except OSError:
            addrs = set()
        if "127.0.0.1" not in addrs or name == "localhost":
            self.skipTest("the host name %r does not resolve to 127.0.0.1" % name)
        self.configure("otp", urls=["https://%s:%d/" % (name, self.srv.port)])
        r = self.login("hotp-user", self.same_answer("123456"))
        # resolved and connected: the certificate names localhost, not this name
        self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 32)
        self.assertEqual(self.srv.requests, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
