#!/usr/bin/python3
"""The test PKI (certs.py) as a TLS client sees it, and mutual TLS.

Each certificate is served by a real AuthServer and checked with a stdlib
ssl client, so the failures are the ones a client library will report."""

import base64
import hashlib
import os
import socket
import ssl
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import certs                                                   # noqa: E402
from authserver import AuthServer                              # noqa: E402
from authsrv.testing import USERS, SoapClient, attrs, client_context, shared_certs   # noqa: E402


def handshake(server, host='localhost', **context_options):
    """TLS-connect to ``server`` and return the peer certificate (DER)."""
    context = client_context(**context_options)
    with socket.create_connection(('127.0.0.1', server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return tls.getpeercert(binary_form=True)


class CertificateTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = shared_certs()

    def serve(self, name, **options):
        srv = AuthServer(users=USERS, certfile=self.certs[f'{name}_cert'],
                         keyfile=self.certs[f'{name}_key'], **options).start()
        self.addCleanup(srv.stop)
        return srv

    def assertVerifyFails(self, srv, message, **options):
        with self.assertRaises(ssl.SSLCertVerificationError) as caught:
            handshake(srv, **options)
        self.assertIn(message, str(caught.exception))

    def test_good_cert_for_localhost_and_ip(self):
        srv = self.serve('server')
        self.assertTrue(handshake(srv, 'localhost'))
        self.assertTrue(handshake(srv, '127.0.0.1'))
        self.assertTrue(srv.wait_for(lambda s: s.stats['tls_handshakes'] == 2))

    def test_wrong_host(self):
        srv = self.serve('wrong_host')
        self.assertVerifyFails(srv, "Hostname mismatch")
        handshake(srv, 'wrong.example.com')        # the chain itself is good

    def test_expired(self):
        self.assertVerifyFails(self.serve('expired'), 'certificate has expired')

    def test_self_signed(self):
        self.assertVerifyFails(self.serve('self_signed'), 'self-signed certificate')

    def test_other_ca(self):
        srv = self.serve('server')
        self.assertVerifyFails(srv, 'unable to get local issuer certificate',
                               cafile=self.certs['other_ca_cert'])
        self.assertVerifyFails(self.serve('other_server'), 'unable to get local issuer certificate')

    def test_server_sees_the_client_reject_its_cert(self):
        srv = self.serve('self_signed')
        with self.assertRaises(ssl.SSLError):
            handshake(srv)
        self.assertTrue(srv.wait_for(lambda s: s.stats['tls_failures'] == 1))
        self.assertIn('alert', srv.stats['tls_errors'][0])

    def test_pin_file_matches_the_served_key(self):
        der = handshake(self.serve('server'))
        pem_path = os.path.join(os.path.dirname(self.certs['pin_file']), 'served.pem')
        with open(pem_path, 'w') as f:
            f.write(ssl.DER_cert_to_PEM_cert(der))
        self.addCleanup(os.remove, pem_path)
        with open(self.certs['pin_file']) as f:
            pin = f.read().strip()
        self.assertEqual(pin, certs.spki_pin(pem_path))
        self.assertRegex(pin, r'^sha256//[A-Za-z0-9+/]{43}=$')
        self.assertNotEqual(pin, certs.spki_pin(self.certs['self_signed_cert']))

    def test_pin_is_sha256_of_the_spki(self):
        # Independent cross-check: the SPKI is the DER SEQUENCE inside the
        # certificate that starts with the EC public key algorithm OID.
        with open(self.certs['server_cert']) as f:
            der = ssl.PEM_cert_to_DER_cert(f.read())
        start = der.index(bytes.fromhex('301306072a8648ce3d0201')) - 2   # SEQUENCE header
        spki = der[start:start + 2 + der[start + 1]]
        expected = 'sha256//' + base64.b64encode(hashlib.sha256(spki).digest()).decode()
        self.assertEqual(self.certs['pin'], expected)


class MutualTlsTests(unittest.TestCase):
    def setUp(self):
        c = self.certs = shared_certs()
        self.srv = AuthServer(users=USERS, certfile=c['server_cert'], keyfile=c['server_key'],
                              client_ca=c['client_ca_cert']).start()
        self.addCleanup(self.srv.stop)

    def login(self, **context_options):
        with SoapClient(self.srv, context=client_context(**context_options)) as client:
            return client.auth(attrs('hotp-user', self.srv.answer_for('hotp-user')))

    def test_client_certificate_accepted(self):
        reply = self.login(certfile=self.certs['client_cert'], keyfile=self.certs['client_key'])
        self.assertEqual(reply.status_code, 0)
        self.assertEqual(self.srv.requests[-1].client_cert_subject, 'commonName=crauth-client')

    def test_missing_or_untrusted_client_certificate(self):
        for options in ({}, {'certfile': self.certs['bad_client_cert'],
                             'keyfile': self.certs['bad_client_key']}):
            with self.subTest(options=sorted(options)), self.assertRaises((ssl.SSLError, OSError)):
                self.login(**options)
        self.assertTrue(self.srv.wait_for(lambda s: s.stats['tls_failures'] == 2))
        self.assertEqual(self.srv.stats['requests'], 0)


if __name__ == '__main__':
    unittest.main()
