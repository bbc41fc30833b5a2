#!/usr/bin/python3
"""Password formats (CREDFLD_PASSWORD_FORMAT) and 2-step request methods.

OneSpan "User Authentication: Challenge/Response" (2-step example with
format 4 and the keyword in CREDFLD_STATIC_PASSWORD; the OTP "via the
CREDFLD_PASSWORD or the CREDFLD_DP_RESPONSE credential attribute") and the
logon permutation tables (Keyword, Password, Keyword-Password,
Password-Keyword, back-end authentication)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from authsrv import soap, soapclient                                        # noqa: E402
from authsrv.testing import KEY20, ServerTestCase, attrs                     # noqa: E402

OCRA = {'type': 'ocra', 'key': KEY20, 'suite': 'OCRA-1:HOTP-SHA1-6:QN08'}


class PasswordFormatTests(ServerTestCase):
    def fault_for(self, password_format, types=None):
        body = soapclient.render_request(attrs('hotp-user', '1', password_format=password_format), types)
        status, _, data = self.client.post(body)
        self.assertEqual(status, 500)
        return soapclient.read_response(data).fault[1]

    def test_format_4_is_separate_by_default(self):
        code = self.srv.answer_for('hotp-static')
        reply = self.auth('hotp-static', code, password_format=4, static_password='S3cret!')
        self.assertStatus(reply, 0)
        self.assertEqual(self.srv.requests[-1].types['CREDFLD_PASSWORD_FORMAT'], 'xsd:unsignedInt')
        # in format 4 the static password is never taken from CREDFLD_PASSWORD
        code = self.srv.answer_for('hotp-static')
        self.assertStatus(self.auth('hotp-static', 'S3cret!' + code, password_format=4), 1011)

    def test_keyword_in_static_password_field_with_format_4(self):
        challenge, key = self.challenge('twostep', None, password_format=4, static_password='getchallenge')
        answer = self.srv.answer_for('twostep', challenge)
        self.assertStatus(self.auth('twostep', answer, password_format=4, challenge_key=key), 0)

    def test_unsigned_int_range_is_accepted_before_deciding(self):
        for value in ('4294967295', '2', '00000', '+4', '-0', ' 4 '):
            with self.subTest(value=value):
                status, _, data = self.client.post(soapclient.render_request(
                    attrs('hotp-user', self.srv.answer_for('hotp-user'), password_format=value)))
                reply = soapclient.read_response(data)
                if value.strip() in ('4294967295', '2'):
                    self.assertEqual(status, 500)
                    self.assertIn(f'unsupported CREDFLD_PASSWORD_FORMAT {int(value)}', reply.fault[1])
                else:
                    self.assertEqual((status, reply.status_code), (200, 0), reply.errors)

    def test_values_that_are_not_unsigned_int(self):
        for value in ('4294967296', '-1', '1.0', '0x4', '', '\u0664', '4 4'):
            with self.subTest(value=value):
                self.assertIn('is not an xsd:unsignedInt', self.fault_for(value))
        self.assertIn('xsd:unsignedInt', self.fault_for(4, {'CREDFLD_PASSWORD_FORMAT': 'xsd:int'}))

    def test_parser_accepts_what_the_server_accepts(self):
        self.assertEqual(soap.unsigned_int('+0004294967295'), 0xFFFFFFFF)
        self.assertIsNone(soap.unsigned_int('4294967296'))


class SeparateFormatKnobTests(ServerTestCase):
    server_options = {'separate_formats': [1, 2, 7], 'otp_attribute': 'CREDFLD_DP_RESPONSE'}

    def test_configured_formats_only(self):
        code = self.srv.answer_for('hotp-static')
        for password_format in (2, 7):
            with self.subTest(password_format=password_format):
                reply = self.auth('hotp-static', None, password_format=password_format,
                                  static_password='S3cret!', dp_response=self.srv.answer_for('hotp-static'))
                self.assertStatus(reply, 0)
        status, _, data = self.client.post(soapclient.render_request(
            attrs('hotp-static', code, password_format=4, static_password='S3cret!')))
        self.assertEqual(status, 500)
        self.assertIn('cleartext separate: 1, 2, 7', soapclient.read_response(data).fault[1])

    def test_otp_in_dp_response_not_in_password(self):
        code = self.srv.answer_for('hotp-static')
        self.assertStatus(self.auth('hotp-static', code, password_format=1, static_password='S3cret!'), 1012)
        self.assertStatus(self.auth('hotp-static', None, password_format=1, static_password='S3cret!',
                                    dp_response=code), 0)
        # format 0 is unchanged: everything in CREDFLD_PASSWORD
        self.assertStatus(self.auth('hotp-static', 'S3cret!' + self.srv.answer_for('hotp-static')), 0)

    def test_two_step_response_in_dp_response(self):
        challenge, key = self.challenge('twostep', None, password_format=2, static_password='getchallenge')
        answer = self.srv.answer_for('twostep', challenge)
        self.assertStatus(self.auth('twostep', answer, password_format=2, challenge_key=key), 1012)
        self.assertStatus(self.auth('twostep', None, password_format=2, challenge_key=key,
                                    dp_response=answer), 0)

    def test_set_at_run_time(self):
        self.srv.set_options(separate_formats=[4], otp_attribute='CREDFLD_PASSWORD')
        code = self.srv.answer_for('hotp-static')
        self.assertStatus(self.auth('hotp-static', code, password_format=4, static_password='S3cret!'), 0)
        self.assertEqual(self.srv.options['separate_formats'], [4])
        with self.assertRaises(ValueError):
            self.srv.set_options(separate_formats=[0])
        with self.assertRaises(ValueError):
            self.srv.set_options(otp_attribute='CREDFLD_OTP')


class RequestMethodTests(ServerTestCase):
    users = {
        'kw': {'token': OCRA, 'policy': '2step', 'request_method': 'Keyword', 'keyword': 'cr',
               'static_password': 'pw'},
        'pw': {'token': OCRA, 'policy': '2step', 'request_method': 'Password', 'static_password': 'pw'},
        'kwpw': {'token': OCRA, 'policy': '2step', 'request_method': 'KeywordPassword',
                 'keyword': 'cr', 'static_password': 'pw'},
        'pwkw': {'token': OCRA, 'policy': '2step', 'request_method': 'PasswordKeyword',
                 'keyword': 'cr', 'static_password': 'pw'},
        'backend': {'token': OCRA, 'policy': '2step', 'request_method': 'Keyword', 'keyword': 'cr',
                    'static_password': 'pw', 'backend_auth': True},
    }

    def test_each_method_and_its_wrong_inputs(self):
        cases = (('kw', 'cr', ('pw', 'crpw'), 1012), ('pw', 'pw', ('cr', 'pwcr'), 1011),
                 ('kwpw', 'crpw', ('pwcr', 'cr pw'), 1011), ('pwkw', 'pwcr', ('crpw', 'pw'), 1011))
        for user, request, wrong, status in cases:
            with self.subTest(user=user):
                for other in wrong:
                    self.assertStatus(self.auth(user, other), status)
                for password_format in (0, 1, 4):
                    if password_format:
                        challenge, key = self.challenge(user, None, password_format=password_format,
                                                        static_password=request)
                    else:
                        challenge, key = self.challenge(user, request)
                    answer = self.srv.answer_for(user, challenge)
                    self.assertStatus(self.auth(user, answer, password_format=password_format,
                                                challenge_key=key), 0)

    def test_back_end_authentication_combined(self):
        challenge, key = self.challenge('backend', 'cr')
        answer = self.srv.answer_for('backend', challenge)
        self.assertStatus(self.auth('backend', answer, challenge_key=key), 1011)       # OTP only
        self.assertStatus(self.auth('backend', 'px' + answer, challenge_key=key), 1011)
        self.assertStatus(self.auth('backend', 'pw000000', challenge_key=key), 1012)
        self.assertStatus(self.auth('backend', 'pw' + answer, challenge_key=key), 0)

    def test_back_end_authentication_separate(self):
        for password_format in (1, 4):
            with self.subTest(password_format=password_format):
                challenge, key = self.challenge('backend', None, password_format=password_format,
                                                static_password='cr')
                answer = self.srv.answer_for('backend', challenge)
                self.assertStatus(self.auth('backend', answer, password_format=password_format,
                                            challenge_key=key), 1011)
                self.assertStatus(self.auth('backend', answer, password_format=password_format,
                                            challenge_key=key, static_password='pw'), 0)

    def test_old_names_still_work(self):
        self.srv.add_user('old', {'token': OCRA, 'policy': '2step', 'request_method': 'password_keyword',
                                  'static_password': 'pw'})
        self.assertEqual(self.srv.authenticator._users['old'].request_method, 'PasswordKeyword')
        self.challenge('old', 'pwgetchallenge')

    def test_bad_specs(self):
        for spec in ({'token': OCRA, 'request_method': 'KeywordPIN'},
                     {'token': OCRA, 'request_method': 'PasswordKeyword'},        # no password
                     {'token': OCRA, 'backend_auth': True},                       # no password
                     {'token': OCRA, 'backend_auth': True, 'static_password': 'p',
                      'request_method': 'Password'}):
            with self.subTest(spec=spec), self.assertRaises(ValueError):
                self.srv.add_user('bad', spec)

    def test_update_user_keeps_the_token(self):
        challenge, key = self.challenge('kw', 'cr')
        self.srv.update_user('kw', request_method='Password')
        self.assertStatus(self.auth('kw', 'cr'), 1011)
        self.assertStatus(self.auth('kw', self.srv.answer_for('kw', challenge), challenge_key=key), 0)
        with self.assertRaises(ValueError):
            self.srv.update_user('kw', token=OCRA)


if __name__ == '__main__':
    unittest.main()
