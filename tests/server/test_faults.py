#!/usr/bin/python3
"""Every fault knob observed from a raw stdlib client; dead listeners; the CLI.

Synchronisation is by replies, socket timeouts of the client and the
server's wait_for(); nothing sleeps.  The only waits are short client
timeouts against a server that is told never to answer."""

import http.client
import os
import socket
import ssl
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from authserver import AuthServer, DeadListener, FakeClock, closed_port    # noqa: E402
from authsrv import soap                                                    # noqa: E402
from authsrv.faults import MIB                                              # noqa: E402
from authsrv.testing import (USERS, CliServer, SoapClient, attrs, client_context,  # noqa: E402
                             shared_certs)

SHORT = 0.3         # client timeout against a server told never to answer


class FaultTestCase(unittest.TestCase):
    def setUp(self):
        certs = shared_certs()
        self.srv = AuthServer(users=USERS, certfile=certs['server_cert'], keyfile=certs['server_key'],
                              clock=FakeClock()).start()
        self.addCleanup(self.srv.stop)
        self.client = self.new_client()

    def new_client(self, timeout=10):
        client = SoapClient(self.srv, timeout=timeout)
        self.addCleanup(client.close)
        return client

    def login_body(self, user='hotp-user', password=None):
        return soap.render_request(attrs(user, password or self.srv.answer_for(user)))

    def post(self, client=None, body=None):
        return (client or self.client).post(body or self.login_body())

    def assertNormal(self, client=None):
        status, _, data = self.post(client)
        self.assertEqual((status, soap.read_response(data).status_code), (200, 0))


class ReplyFaultTests(FaultTestCase):
    def test_delay_then_normal_reply(self):
        self.srv.set_fault('delay', seconds=0.01, count=1)
        self.assertNormal()
        self.assertEqual(self.srv.requests[-1].faults, ['delay'])
        self.assertEqual(self.srv.faults, [])

    def test_delay_longer_than_the_client_waits(self):
        self.srv.set_fault('delay', seconds=60)
        with self.assertRaises(TimeoutError):
            self.post(self.new_client(timeout=SHORT))

    def test_hang(self):
        self.srv.set_fault('hang')
        with self.assertRaises(TimeoutError):
            self.post(self.new_client(timeout=SHORT))
        record = self.srv.requests[-1]
        self.assertEqual((record.faults, record.http_status), (['hang'], None))
        self.assertGreaterEqual(self.srv.stats['open_connections'], 1)
        self.srv.stop()
        self.assertEqual(self.srv.stats['open_connections'], 0)

    def test_reset(self):
        self.srv.set_fault('reset', count=1)
        with self.assertRaises(ConnectionResetError):
            self.post()
        self.assertNormal(self.new_client())

    def test_reset_after_processing(self):
        self.srv.set_fault('reset', count=1, process=True)
        with self.assertRaises(ConnectionResetError):
            self.post()
        self.assertEqual(self.srv.user_state('hotp-user')['counter'], 1)
        self.assertIn('authentication: OTP accepted', self.srv.requests[-1].reason)

    def test_http_status(self):
        for status in (500, 503, 401, 404):
            self.srv.set_fault('http_status', status=status, count=1)
            got, headers, body = self.post()
            self.assertEqual(got, status)
            self.assertEqual(headers['Content-Length'], str(len(body)))
            if status == 401:
                self.assertEqual(headers['WWW-Authenticate'], 'Basic realm="authUser"')
        self.assertNormal()

    def test_soap_fault(self):
        self.srv.set_fault('soap_fault', faultstring='database down')
        status, _, body = self.post()
        self.assertEqual(status, 500)
        self.assertEqual(soap.read_response(body).fault, ('soapenv:Server', 'database down'))

    def test_malformed_xml(self):
        self.srv.set_fault('malformed_xml')
        status, headers, body = self.post()
        self.assertEqual((status, headers['Content-Type']), (200, 'text/xml; charset=utf-8'))
        self.assertIn(b'RET_SUCCESS', body)
        with self.assertRaisesRegex(soap.SoapFaultError, 'not well-formed'):
            soap.parse_xml(body)

    def test_truncated_xml(self):
        self.srv.set_fault('truncated_xml')
        status, headers, body = self.post()
        self.assertEqual(int(headers['Content-Length']), len(body))
        self.assertTrue(body.endswith(b'<statusCode>0'), body[-40:])
        with self.assertRaisesRegex(soap.SoapFaultError, 'not well-formed'):
            soap.parse_xml(body)

    def test_huge_body_is_streamed(self):
        self.srv.set_fault('huge_body', count=1)
        self.client.conn.request('POST', '/', self.login_body(), {'Content-Type': 'text/xml'})
        response = self.client.conn.getresponse()
        self.assertEqual(int(response.headers['Content-Length']), 64 * MIB)
        self.assertTrue(response.read(65536).startswith(b'<?xml'))
        self.client.close()                      # give up, as a bounded client must
        self.assertNormal(self.new_client())

    def test_huge_body_is_valid_xml_of_exact_size(self):
        self.srv.set_fault('huge_body', size=300_000)
        status, headers, body = self.post()
        self.assertEqual((len(body), int(headers['Content-Length'])), (300_000, 300_000))
        reply = soap.read_response(body)
        self.assertEqual(reply.status_code, 0)
        self.assertIn('CREDFLD_PADDING', reply.attributes)

    def test_huge_body_without_content_length(self):
        self.srv.set_fault('huge_body', size=100_000, content_length=False)
        status, headers, body = self.post()
        self.assertIsNone(headers['Content-Length'])
        self.assertEqual((headers['Connection'], len(body)), ('close', 100_000))

    def test_wrong_content_type(self):
        self.srv.set_fault('wrong_content_type')
        status, headers, body = self.post()
        self.assertEqual((status, headers['Content-Type']), (200, 'text/html; charset=utf-8'))
        self.assertIn(b'<html>', body)

    def test_success_with_challenge(self):
        self.srv.set_fault('success_with_challenge')
        reply = soap.read_response(self.post(body=self.login_body('twostep', '123456'))[2])
        self.assertEqual((reply.return_code, reply.status_code), (0, 0))
        key = reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.assertIn('CREDFLD_CHALLENGE', reply.attributes)
        self.assertIn(key, self.srv.issued_keys)          # a real key for an OCRA user
        reply = soap.read_response(self.post()[2])         # hotp-user: a fake one
        self.assertNotIn(reply.attributes['CREDFLD_CHALLENGE_KEY'], self.srv.issued_keys)

    def test_failure_with_challenge(self):
        self.srv.set_fault('failure_with_challenge')
        reply = soap.read_response(self.post(body=self.login_body('twostep', '123456'))[2])
        self.assertEqual((reply.return_code, reply.status_code), (-1, 1012))
        self.assertEqual(reply.codes[0].status_enum, 'STAT_OTP_INCORRECT')
        self.assertIn('CREDFLD_STATUS_MESSAGE', reply.attributes)
        key = reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.assertIn(key, self.srv.issued_keys)          # the new challenge is real
        self.srv.clear_faults()
        answer = self.srv.answer_for('twostep', reply.attributes['CREDFLD_CHALLENGE'])
        body = soap.render_request(attrs('twostep', answer, challenge_key=key))
        reply = soap.read_response(self.post(body=body)[2])
        self.assertEqual(reply.status_code, 0)

    def test_success_with_status_message(self):
        self.srv.set_fault('success_with_message')
        reply = soap.read_response(self.post()[2])
        self.assertEqual(reply.status_code, 0)
        self.assertEqual(reply.attributes['CREDFLD_STATUS_MESSAGE'], 'The password is incorrect')

    def test_redirect_http(self):
        self.srv.set_fault('redirect_http')
        status, headers, _ = self.post()
        self.assertEqual((status, headers['Location']), (302, f'http://127.0.0.1:{self.srv.port}/'))

    def test_missing_result_codes(self):
        self.srv.set_fault('missing_result_codes')
        reply = soap.read_response(self.post()[2])
        self.assertEqual((reply.codes, reply.attributes['CREDFLD_USERID']), ([], 'hotp-user'))

    def test_wrong_namespace(self):
        self.srv.set_fault('wrong_namespace')
        body = self.post()[2]
        self.assertIn(b'xmlns:aut="http://www.vasco.com/IdentikeyServer/IdentikeyTypes/Administration"', body)
        with self.assertRaisesRegex(soap.SoapFaultError, 'authUserResponse'):
            soap.read_response(body)

    def test_duplicate_codes(self):
        for first, expected in (('success', [0, -1]), ('failure', [-1, 0])):
            self.srv.set_fault('duplicate_codes', first=first)
            reply = soap.read_response(self.post()[2])
            self.assertEqual([c.return_code for c in reply.codes], expected)
            self.assertIsNone(reply.return_code)


class ConnectionFaultTests(FaultTestCase):
    def test_close_after_response(self):
        self.srv.set_fault('close_after_response', count=1)
        status, headers, _ = self.post()
        self.assertEqual(headers['Connection'], 'close')
        self.assertNormal()              # http.client reconnects after Connection: close
        self.assertEqual(len({r.conn_id for r in self.srv.requests}), 2)

    def test_reject_keepalive_drops_the_second_request(self):
        self.srv.set_fault('reject_keepalive')
        status, headers, _ = self.post()
        self.assertEqual((status, headers['Connection']), (200, None))
        with self.assertRaises(http.client.RemoteDisconnected):
            self.post()
        record = self.srv.requests[-1]
        self.assertEqual((record.faults, record.http_status), (['reject_keepalive'], None))

    def test_reject_keepalive_silent_close(self):
        self.srv.set_fault('reject_keepalive', mode='silent_close')
        status, headers, _ = self.post()
        self.assertEqual((status, headers['Connection']), (200, None))
        self.assertTrue(self.srv.wait_for(lambda s: s.stats['open_connections'] == 0))
        with self.assertRaises((ConnectionError, ssl.SSLError)):
            self.post()


class FaultSelectionTests(FaultTestCase):
    def test_step_request_and_count(self):
        self.srv.set_fault('http_status', status=503, step='request', count=1)
        self.assertNormal()                                                  # an OTP: a response
        self.assertEqual(self.srv.faults[0]['remaining'], 1)
        keyword = soap.render_request(attrs('twostep', 'getchallenge'))
        self.assertEqual(self.post(body=keyword)[0], 503)
        self.assertEqual(self.post(body=keyword)[0], 200)
        self.assertEqual(self.srv.faults, [])

    def test_step_response(self):
        self.srv.set_fault('http_status', status=503, step='response')
        reply = soap.read_response(self.post(body=soap.render_request(attrs('twostep', 'getchallenge')))[2])
        key = reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.assertEqual(self.post(body=soap.render_request(attrs('twostep', '1', challenge_key=key)))[0], 503)

    def test_invalid_requests_only_match_any(self):
        self.srv.set_fault('http_status', status=503, step='response')
        self.assertEqual(self.post(body=b'<junk/>')[0], 500)
        self.srv.set_fault('http_status', status=503)
        self.assertEqual(self.post(body=b'<junk/>')[0], 503)

    def test_modifiers_combine_with_a_reply_fault(self):
        self.srv.set_fault('delay', seconds=0.01, count=1)
        self.srv.set_fault('soap_fault', count=1)
        self.srv.set_fault('close_after_response', count=1)
        status, headers, _ = self.post()
        self.assertEqual((status, headers['Connection']), (500, 'close'))
        self.assertEqual(sorted(self.srv.requests[-1].faults), ['close_after_response', 'delay', 'soap_fault'])

    def test_bad_fault_settings(self):
        for kwargs in ({'kind': 'nope'}, {'kind': 'delay'}, {'kind': 'hang', 'step': 'x'},
                       {'kind': 'hang', 'count': 0}, {'kind': 'hang', 'seconds': 1}):
            with self.subTest(**kwargs), self.assertRaises(ValueError):
                self.srv.set_fault(**kwargs)

    def test_clear(self):
        self.srv.set_fault('hang')
        self.srv.clear_faults()
        self.assertNormal()


class DeadServerTests(unittest.TestCase):
    def connect(self, port, timeout=SHORT):
        with socket.create_connection(('127.0.0.1', port), timeout=timeout) as raw:
            with client_context().wrap_socket(raw, server_hostname='localhost'):
                pass

    def test_hang(self):
        with DeadListener('hang') as dead:
            with self.assertRaises(TimeoutError):
                self.connect(dead.port)
            self.assertTrue(dead.wait_for_attempts(1))

    def test_close_and_reset(self):
        for mode in ('close', 'reset'):
            with self.subTest(mode=mode), DeadListener(mode) as dead:
                for _ in range(3):
                    with self.assertRaises((ConnectionError, ssl.SSLError)):
                        self.connect(dead.port, timeout=10)
                self.assertTrue(dead.wait_for_attempts(3))
                self.assertEqual(dead.attempts, 3)
                self.assertEqual(dead.url, f'https://127.0.0.1:{dead.port}/')

    def test_closed_port_refuses(self):
        with self.assertRaises(ConnectionRefusedError):
            self.connect(closed_port())


class CommandLineTests(unittest.TestCase):
    def test_cli_with_control_api(self):
        certs = shared_certs()
        cli = CliServer({'certfile': certs['server_cert'], 'keyfile': certs['server_key'],
                         'instance': 'cli', 'users': USERS,
                         'faults': [{'kind': 'http_status', 'status': 503, 'count': 1}]})
        self.addCleanup(cli.stop)
        self.assertIn('listening on https://127.0.0.1:', cli.first_line)
        api = cli.api
        with cli.client() as client:
            body = soap.render_request(attrs('twostep', 'getchallenge'))
            self.assertEqual(client.post(body)[0], 503)               # the configured fault
            reply = soap.read_response(client.post(body)[2])
            challenge = reply.attributes['CREDFLD_CHALLENGE']
            key = reply.attributes['CREDFLD_CHALLENGE_KEY']
            self.assertIn(key, api('/keys'))
            api('/clock', {'advance': 61})
            answer = api(f'/answer?user=twostep&challenge={challenge}')['answer']
            self.assertEqual(client.auth(attrs('twostep', answer, challenge_key=key)).status_code, 1004)
            self.assertEqual(api('/fault', {'kind': 'http_status', 'status': 502})['faults'][0]['status'], 502)
            self.assertEqual(client.post(body)[0], 502)
            api('/clear', {})
            for _ in range(5):
                client.auth(attrs('hotp-user', '000000'))
            self.assertTrue(api('/users/hotp-user')['locked'])
            self.assertFalse(api('/unlock', {'user': 'hotp-user'})['locked'])
        stats = api('/stats')
        self.assertEqual((stats['requests'], stats['connections']), (9, 1))
        self.assertEqual(len(api('/requests')), 9)
        self.assertEqual(cli.stop(), 0)


if __name__ == '__main__':
    unittest.main()
