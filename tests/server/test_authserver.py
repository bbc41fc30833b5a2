#!/usr/bin/python3
"""Tests of the reference authUser server: policies, SOAP strictness, HTTP.

Running this file runs the whole server suite: it also loads the sibling
modules test_oath.py (vectors), test_certs.py (PKI, TLS), test_faults.py
(fault knobs, dead listeners, CLI), test_formats.py (password formats,
request methods), test_challenges.py (getChallenge, 1-step policy, VMA,
echo), test_replies.py (status codes, server errors, messages, shapes)
and test_control.py (the control API of the CLI).  The client side is the
stdlib only (http.client + ssl).  Expiry is driven by a FakeClock, never by
sleeping.
"""

import os
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from authserver import AuthServer                              # noqa: E402
from authsrv import soap                                        # noqa: E402
from authsrv.testing import USERS, ServerTestCase, SoapClient, attrs, shared_certs   # noqa: E402

SIBLING_MODULES = ('test_oath', 'test_certs', 'test_faults', 'test_formats', 'test_challenges',
                   'test_replies', 'test_control')


def load_tests(loader, standard_tests, pattern):
    # unittest.main() on this file (pattern None): add the sibling modules.
    # Discovery (pattern set) finds them by itself.
    if pattern is None:
        for name in SIBLING_MODULES:
            standard_tests.addTests(loader.loadTestsFromModule(__import__(name)))
    return standard_tests


class OtpPolicyTests(ServerTestCase):
    def test_hotp_success_then_replay_refused(self):
        code = self.srv.answer_for('hotp-user')
        reply = self.auth('hotp-user', code)
        self.assertStatus(reply, 0)
        self.assertEqual(reply.codes[0].return_enum, 'RET_SUCCESS')
        self.assertEqual(reply.attributes['CREDFLD_USERID'], 'hotp-user')
        self.assertEqual(self.srv.user_state('hotp-user')['counter'], 1)
        reply = self.auth('hotp-user', code)
        self.assertStatus(reply, 1012)
        self.assertEqual(reply.codes[0].status_enum, 'STAT_OTP_INCORRECT')

    def test_hotp_look_ahead_window(self):
        self.assertStatus(self.auth('hotp-user', self.srv.answer_for('hotp-user', offset=11)), 1012)
        self.assertStatus(self.auth('hotp-user', self.srv.answer_for('hotp-user', offset=10)), 0)
        self.assertEqual(self.srv.user_state('hotp-user')['counter'], 11)

    def test_static_password_combined_and_separate(self):
        code = self.srv.answer_for('hotp-static')
        self.assertStatus(self.auth('hotp-static', code), 1011)            # static password missing
        reply = self.auth('hotp-static', 'wrong' + code)
        self.assertStatus(reply, 1011)
        self.assertEqual(reply.codes[0].status_enum, 'STAT_LOCAL_PASSWORD_MISMATCH')
        reply = self.auth('hotp-static', 'S3cret!' + code)
        self.assertStatus(reply, 0)
        self.assertIn('CREDFLD_STATIC_PASSWORD', reply.masked)
        code = self.srv.answer_for('hotp-static')
        self.assertStatus(self.auth('hotp-static', code, password_format=1, static_password='nope'), 1011)
        self.assertStatus(self.auth('hotp-static', '000000', password_format=1, static_password='S3cret!'),
                          1012)
        self.assertStatus(self.auth('hotp-static', code, password_format=1, static_password='S3cret!'), 0)

    def test_totp_steps_and_replay(self):
        code = self.srv.answer_for('totp-user')
        self.assertEqual(len(code), 8)
        self.assertStatus(self.auth('totp-user', code), 0)
        self.assertStatus(self.auth('totp-user', code), 1012)             # same step twice
        self.clock.advance(30)
        self.assertStatus(self.auth('totp-user', self.srv.answer_for('totp-user', offset=2)), 1012)
        self.assertStatus(self.auth('totp-user', self.srv.answer_for('totp-user', offset=1)), 0)

    def test_unknown_user_and_domains(self):
        self.assertStatus(self.auth('nobody', '123456'), 1010)
        self.assertEqual(self.auth('nobody', '1').codes[0].status_enum, 'STAT_NOT_FOUND')
        self.assertStatus(self.auth('corp-user', self.srv.answer_for('corp-user')), 1010)
        self.assertStatus(self.auth('corp-user', self.srv.answer_for('corp-user'), domain='corp'), 0)

    def test_component_must_be_registered(self):
        reply = self.auth('hotp-user', self.srv.answer_for('hotp-user'), component='Other')
        self.assertStatus(reply, 1005)
        self.assertEqual(reply.codes[0].status_enum, 'STAT_PERMISSION')


class LockoutTests(ServerTestCase):
    def test_locked_after_five_failures_until_unlocked(self):
        for _ in range(5):
            self.assertStatus(self.auth('hotp-user', '000000'), 1012)
        reply = self.auth('hotp-user', self.srv.answer_for('hotp-user'))
        self.assertStatus(reply, 1007)
        self.assertEqual(reply.codes[0].status_enum, 'STAT_LOCKED')
        self.srv.unlock('hotp-user')
        self.assertStatus(self.auth('hotp-user', self.srv.answer_for('hotp-user')), 0)

    def test_success_resets_the_count(self):
        for _ in range(4):
            self.auth('hotp-user', '000000')
        self.assertStatus(self.auth('hotp-user', self.srv.answer_for('hotp-user')), 0)
        for _ in range(4):
            self.auth('hotp-user', '000000')
        self.assertFalse(self.srv.user_state('hotp-user')['locked'])

    def test_statically_locked_user(self):
        self.srv.add_user('frozen', dict(USERS['hotp-user'], locked=True))
        self.assertStatus(self.auth('frozen', self.srv.answer_for('frozen')), 1007)


class GenericStatusTests(ServerTestCase):
    server_options = {'generic_status': True, 'lockout_threshold': 0}

    def test_unknown_user_is_generic(self):
        self.assertStatus(self.auth('nobody', '123456'), 1000)

    def test_threshold_zero_never_locks(self):
        for _ in range(8):
            self.auth('hotp-user', '000000')
        self.assertStatus(self.auth('hotp-user', self.srv.answer_for('hotp-user')), 0)


class OneStepTests(ServerTestCase):
    server_options = {'one_step_cr': 'any', 'challenge_check_mode': 0}

    def test_any_challenge(self):
        reply = self.auth('onestep', self.srv.answer_for('onestep', '12345678'), challenge='12345678')
        self.assertStatus(reply, 0)

    def test_failures(self):
        answer = self.srv.answer_for('onestep', '12345678')
        self.assertStatus(self.auth('onestep', answer), 1000)                         # no challenge
        self.assertStatus(self.auth('onestep', '000000', challenge='12345678'), 1012)  # wrong response
        self.assertStatus(self.auth('onestep', '123456', challenge='ABCD1234'), 1000)   # not QN08
        self.assertStatus(self.auth('onestep', self.srv.answer_for('onestep', '123456789'),
                                    challenge='123456789'), 1000)                       # too long
        self.assertStatus(self.auth('onestep', answer, challenge='12345678'), 0)
        self.assertStatus(self.auth('onestep', answer, challenge='12345678'), 1012)    # reused


class TwoStepTests(ServerTestCase):
    def test_keyword_flow(self):
        reply = self.auth('twostep', 'getchallenge')
        self.assertStatus(reply, 0)
        challenge = reply.attributes['CREDFLD_CHALLENGE']
        key = reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.assertRegex(challenge, r'^[0-9]{8}$')
        self.assertIn(challenge, reply.attributes['CREDFLD_CHALLENGE_MESSAGE'])
        self.assertEqual(self.srv.issued_keys[key].challenge, challenge)
        self.assertEqual(self.srv.requests[-1].kind, 'request')
        reply = self.auth('twostep', self.srv.answer_for('twostep', challenge), challenge_key=key)
        self.assertStatus(reply, 0)
        self.assertEqual(self.srv.requests[-1].kind, 'response')
        self.assertNotIn(key, self.srv.issued_keys)

    def test_keys_are_random_and_single_use(self):
        challenge, key = self.challenge('twostep')
        _, other_key = self.challenge('twostep')
        self.assertNotEqual(key, other_key)
        self.assertGreaterEqual(len(key), 32)
        answer = self.srv.answer_for('twostep', challenge)
        self.assertStatus(self.auth('twostep', answer, challenge_key=key), 0)
        self.assertStatus(self.auth('twostep', answer, challenge_key=key), 1000)

    def test_wrong_response_keeps_the_key(self):
        challenge, key = self.challenge('twostep')
        self.assertStatus(self.auth('twostep', '000000', challenge_key=key), 1012)
        self.assertStatus(self.auth('twostep', self.srv.answer_for('twostep', challenge), challenge_key=key), 0)

    def test_expired_key(self):
        challenge, key = self.challenge('twostep')
        self.clock.advance(60)
        reply = self.auth('twostep', self.srv.answer_for('twostep', challenge), challenge_key=key)
        self.assertStatus(reply, 1004)
        self.assertEqual(reply.codes[0].status_enum, 'STAT_EXP_CHALLENGE')

    def test_key_of_another_user_or_instance(self):
        challenge, key = self.challenge('twostep')
        self.assertStatus(self.auth('twostep-pw', self.srv.answer_for('twostep', challenge),
                                    challenge_key=key), 1000)
        certs = shared_certs()
        with AuthServer(users=USERS, certfile=certs['server_cert'], keyfile=certs['server_key'],
                        instance='B', clock=self.clock) as other, SoapClient(other) as client:
            reply = client.auth(attrs('twostep', self.srv.answer_for('twostep', challenge), challenge_key=key))
            self.assertStatus(reply, 1000)
        self.assertStatus(self.auth('twostep', self.srv.answer_for('twostep', challenge), challenge_key=key), 0)

    def test_wrong_request(self):
        self.assertStatus(self.auth('twostep', 'getchallengex'), 1012)
        self.assertStatus(self.auth('twostep', self.srv.answer_for('hotp-user')), 1012)   # an OTP
        self.assertStatus(self.auth('twostep', 'getchallenge', password_format=1), 1012)  # wrong field
        self.challenge('twostep', None, password_format=1, static_password='getchallenge')

    def test_password_request_methods(self):
        self.assertStatus(self.auth('twostep-pw', 'getchallenge'), 1011)
        self.challenge('twostep-pw', 'pw1')
        self.challenge('twostep-pw', None, password_format=1, static_password='pw1')
        self.assertStatus(self.auth('twostep-kwpw', 'pw2'), 1011)
        challenge, key = self.challenge('twostep-kwpw', 'crpw2')
        self.assertStatus(self.auth('twostep-kwpw', self.srv.answer_for('twostep-kwpw', challenge),
                                    challenge_key=key), 0)

    def test_counter_suite_advances(self):
        for expected_counter in (1, 2):
            challenge, key = self.challenge('twostep-counter')
            answer = self.srv.answer_for('twostep-counter', challenge)
            self.assertEqual(len(answer), 8)
            self.assertStatus(self.auth('twostep-counter', answer, challenge_key=key), 0)
            self.assertEqual(self.srv.user_state('twostep-counter')['counter'], expected_counter)

    def test_time_suite_uses_the_clock(self):
        challenge, key = self.challenge('twostep-time')
        stale = self.srv.answer_for('twostep-time', challenge, offset=-2)
        self.assertStatus(self.auth('twostep-time', stale, challenge_key=key), 1012)
        self.assertStatus(self.auth('twostep-time', self.srv.answer_for('twostep-time', challenge),
                                    challenge_key=key), 0)

    def test_locked_user_gets_no_challenge(self):
        self.srv.lock('twostep')
        self.assertStatus(self.auth('twostep', 'getchallenge'), 1007)


class ChallengeOptionTests(ServerTestCase):
    server_options = {'challenge_codes': (-1, 1013, 'RET_FAILURE', 'STAT_CHALLENGE'),
                      'consume_key_on_failure': True, 'challenge_lifetime': 5}

    def test_configured_challenge_codes(self):
        reply = self.auth('twostep', 'getchallenge')
        self.assertEqual((reply.return_code, reply.status_code), (-1, 1013))
        self.assertEqual(reply.codes[0].status_enum, 'STAT_CHALLENGE')
        self.assertIn('CREDFLD_CHALLENGE_KEY', reply.attributes)

    def test_consume_key_on_failure_and_lifetime(self):
        reply = self.auth('twostep', 'getchallenge')
        challenge, key = reply.attributes['CREDFLD_CHALLENGE'], reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.assertEqual(self.srv.issued_keys[key].expires_at - self.clock(), 5)
        self.assertStatus(self.auth('twostep', '000000', challenge_key=key), 1012)
        self.assertStatus(self.auth('twostep', self.srv.answer_for('twostep', challenge), challenge_key=key), 1000)


class SoapStrictnessTests(ServerTestCase):
    def assertFault(self, body, text, code='soapenv:Client'):
        status, headers, data = self.client.post(body)
        self.assertEqual(status, 500)
        self.assertTrue(headers['Content-Type'].startswith('text/xml'))
        fault = soap.read_response(data).fault
        self.assertEqual(fault[0], code)
        self.assertIn(text, fault[1])
        self.assertEqual(self.srv.requests[-1].outcome, 'soap_fault')

    def test_missing_mandatory_attributes(self):
        for name in ('CREDFLD_USERID', 'CREDFLD_COMPONENT_TYPE', 'CREDFLD_PASSWORD_FORMAT'):
            attributes = attrs('hotp-user', '123456')
            del attributes[name]
            with self.subTest(missing=name):
                self.assertFault(soap.render_request(attributes), name)

    def test_password_format_must_be_unsigned_int(self):
        body = soap.render_request(attrs('hotp-user', '1'), {'CREDFLD_PASSWORD_FORMAT': 'xsd:int'})
        self.assertFault(body, 'xsd:unsignedInt')
        body = soap.render_request(attrs('hotp-user', '1'), {'CREDFLD_PASSWORD_FORMAT': None})
        self.assertFault(body, 'no xsi:type')
        self.assertFault(soap.render_request(attrs('hotp-user', '1', password_format=2)), 'unsupported')

    def test_xsi_type_prefix_is_resolved_not_compared(self):
        body = soap.render_request(attrs('hotp-user', self.srv.answer_for('hotp-user')))
        body = body.replace(b'xmlns:xsd=', b'xmlns:s=').replace(b'"xsd:', b'"s:')
        self.assertEqual(self.client.post(body)[0], 200)
        self.assertFault(body.replace(b'xmlns:s=', b'xmlns:t='), 'unbound')

    def test_not_xml_wrong_root_dtd_duplicates(self):
        self.assertFault(b'<soapenv:Envelope', 'not well-formed')
        self.assertFault(b'<hello/>', 'root element')
        self.assertFault(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>', 'DOCTYPE')
        body = soap.render_request(attrs('hotp-user', '1')).replace(
            b'</credentialAttributeSet>', b'<attributes><value xsi:type="xsd:string">x</value>'
            b'<attributeID>CREDFLD_PASSWORD</attributeID></attributes></credentialAttributeSet>')
        self.assertFault(body, 'more than once')

    def test_soap12_envelope_is_a_version_mismatch(self):
        body = soap.render_request(attrs('hotp-user', '1')).replace(
            soap.SOAP_ENV_NS.encode(), b'http://www.w3.org/2003/05/soap-envelope')
        self.assertFault(body, 'SOAP 1.1', 'soapenv:VersionMismatch')

    def test_wrong_operation_namespace(self):
        body = soap.render_request(attrs('hotp-user', '1'), operation_ns='urn:other')
        self.assertFault(body, 'unsupported operation')

    def test_request_is_recorded_with_secrets_and_path(self):
        self.client.post(soap.render_request(attrs('hotp-user', '987654')), path='/ikey/authUser')
        record = self.srv.requests[-1]
        self.assertEqual(record.path, '/ikey/authUser')
        self.assertEqual(record.attributes['CREDFLD_PASSWORD'], '987654')
        self.assertEqual(record.types['CREDFLD_PASSWORD_FORMAT'], 'xsd:unsignedInt')
        self.assertEqual(record.headers['content-type'], 'text/xml; charset=utf-8')
        self.assertEqual(record.tls_version in ('TLSv1.2', 'TLSv1.3'), True)


class HttpTests(ServerTestCase):
    def test_keep_alive_two_requests_one_connection(self):
        for _ in range(2):
            self.assertStatus(self.auth('hotp-user', self.srv.answer_for('hotp-user')), 0)
        first, second = self.srv.requests[-2:]
        self.assertEqual(first.conn_id, second.conn_id)
        self.assertEqual(self.srv.stats['connections'], 1)
        self.assertEqual(self.srv.stats['tls_handshakes'], 1)

    def test_method_content_type_and_size(self):
        self.client.conn.request('GET', '/')
        response = self.client.conn.getresponse()
        self.assertEqual((response.status, response.headers['Allow']), (405, 'POST'))
        response.read()
        body = soap.render_request(attrs('hotp-user', '1'))
        self.assertEqual(self.client.post(body, headers={'Content-Type': 'application/json'})[0], 415)
        status, headers, _ = self.client.post(b'<' + b'x' * (1024 * 1024) + b'/>')   # 1 MiB + 3
        self.assertEqual((status, headers['Connection']), (413, 'close'))

    def test_chunked_request_body(self):
        body = soap.render_request(attrs('hotp-user', self.srv.answer_for('hotp-user')))
        self.client.conn.request('POST', '/', iter([body[:100], body[100:]]),
                                 {'Content-Type': 'text/xml'}, encode_chunked=True)
        response = self.client.conn.getresponse()
        self.assertEqual(soap.read_response(response.read()).status_code, 0)

    def test_concurrent_logins(self):
        for i in range(20):
            self.srv.add_user(f'user{i}', USERS['twostep'])
        failures = []

        def login(name):
            try:
                with SoapClient(self.srv) as client:
                    reply = client.auth(attrs(name, 'getchallenge'))
                    challenge = reply.attributes['CREDFLD_CHALLENGE']
                    key = reply.attributes['CREDFLD_CHALLENGE_KEY']
                    reply = client.auth(attrs(name, self.srv.answer_for(name, challenge), challenge_key=key))
                    if reply.status_code != 0:
                        failures.append((name, reply.errors))
            except Exception as exc:      # collected, reported by the main thread
                failures.append((name, repr(exc)))

        threads = [threading.Thread(target=login, args=(f'user{i}',)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(failures, [])
        self.assertEqual(self.srv.stats['connections'], 20)


class BasicAuthTests(ServerTestCase):
    server_options = {'basic_auth': ('svc', 'pa:ss')}

    def test_basic_auth(self):
        body = soap.render_request(attrs('hotp-user', self.srv.answer_for('hotp-user')))
        status, headers, _ = self.client.post(body)
        self.assertEqual((status, headers['WWW-Authenticate']), (401, 'Basic realm="authUser"'))
        wrong = {'Authorization': 'Basic c3ZjOndyb25n'}                 # svc:wrong
        self.assertEqual(self.client.post(body, headers=wrong)[0], 401)
        right = {'Authorization': 'Basic c3ZjOnBhOnNz'}                 # svc:pa:ss
        status, _, data = self.client.post(body, headers=right)
        self.assertEqual((status, soap.read_response(data).status_code), (200, 0))
        self.assertEqual(len({r.conn_id for r in self.srv.requests}), 1, '401 keeps the connection')


class PlainHttpTests(unittest.TestCase):
    def test_without_certfile_the_server_speaks_http(self):
        with AuthServer(users=USERS) as srv, SoapClient(srv) as client:
            self.assertTrue(srv.url.startswith('http://127.0.0.1:'))
            reply = client.auth(attrs('hotp-user', srv.answer_for('hotp-user')))
            self.assertEqual(reply.status_code, 0)

    def test_restart_keeps_port_and_state(self):
        with AuthServer(users=USERS) as srv:
            port = srv.port
            with SoapClient(srv) as client:
                client.auth(attrs('hotp-user', srv.answer_for('hotp-user')))
            srv.stop()
            srv.start()
            self.assertEqual(srv.port, port)
            self.assertEqual(srv.user_state('hotp-user')['counter'], 1)
            with SoapClient(srv) as client:
                self.assertEqual(client.auth(attrs('hotp-user', srv.answer_for('hotp-user'))).status_code, 0)

    def test_bad_user_specs_are_loud(self):
        for spec in ({'token': {'type': 'hotp', 'key': '00'}, 'policy': '2step'},
                     {'token': {'type': 'ocra', 'key': '00', 'suite': 'OCRA-1:HOTP-SHA1-6:QN08'},
                      'policy': '2step', 'request_method': 'password'},
                     {'token': {'type': 'hotp', 'key': '00', 'digit': 6}},
                     {'token': {'type': 'hotp', 'key': '00'}, 'polcy': 'otp'}):
            with self.subTest(spec=spec), self.assertRaises(ValueError):
                AuthServer(users={'x': spec})


if __name__ == '__main__':
    unittest.main()
