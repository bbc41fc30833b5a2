#!/usr/bin/python3
"""What replies say and how they look: status codes and the generic policy,
server-side errors, messages for the user, host codes, and reply shapes.

OneSpan "Status codes" and "authUser (Command)" output table; the real
replies quoted in ifad/identikey (commit ea49a5d) and the vendor-modelled
mock in com.alrayan.wso2.vasco."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from authsrv import shapes, soapclient                                       # noqa: E402
from authsrv.testing import KEY20, ServerTestCase, attrs                      # noqa: E402
from authsrv.tokens import host_code                                         # noqa: E402


class StatusCodeTests(ServerTestCase):
    users = {'gone': {'token': {'type': 'hotp', 'key': KEY20}, 'disabled': True}}

    def test_specific_codes_and_names(self):
        code = self.srv.answer_for('hotp-static')
        cases = ((('hotp-user', '000000'), 1012, 'STAT_OTP_INCORRECT'),
                 (('hotp-static', 'nope' + code), 1011, 'STAT_LOCAL_PASSWORD_MISMATCH'),
                 (('gone', self.srv.answer_for('gone')), 1009, 'STAT_DISABLED'),
                 (('nobody', '123456'), 1010, 'STAT_NOT_FOUND'))
        for args, status, name in cases:
            with self.subTest(status=status):
                reply = self.auth(*args)
                self.assertStatus(reply, status)
                self.assertEqual((reply.codes[0].return_enum, reply.codes[0].status_enum),
                                 ('RET_FAILURE', name))

    def test_disable_and_enable(self):
        self.srv.update_user('hotp-user', disabled=True)
        self.assertStatus(self.auth('hotp-user', self.srv.answer_for('hotp-user')), 1009)
        self.assertEqual(self.srv.user_state('hotp-user')['counter'], 0, 'nothing was checked')
        self.assertEqual(self.srv.user_state('hotp-user')['failures'], 0, 'disabled does not count')
        self.srv.update_user('hotp-user', disabled=False)
        self.assertStatus(self.auth('hotp-user', self.srv.answer_for('hotp-user')), 0)

    def test_wrong_password_and_wrong_otp_both_count_towards_the_lockout(self):
        code = self.srv.answer_for('hotp-static')
        for _ in range(2):
            self.assertStatus(self.auth('hotp-static', 'x' + code), 1011)
        for _ in range(3):
            self.assertStatus(self.auth('hotp-static', 'S3cret!000000'), 1012)
        self.assertStatus(self.auth('hotp-static', 'S3cret!' + code), 1007)


class GenericStatusCodeTests(ServerTestCase):
    server_options = {'generic_status': True}
    users = {'gone': {'token': {'type': 'hotp', 'key': KEY20}, 'disabled': True},
             'frozen': {'token': {'type': 'hotp', 'key': KEY20}, 'locked': True}}

    def test_every_specific_code_becomes_1000(self):
        code = self.srv.answer_for('hotp-static')
        for args in (('hotp-user', '000000'), ('hotp-static', 'nope' + code),
                     ('gone', self.srv.answer_for('gone')), ('nobody', '123456'),
                     ('frozen', self.srv.answer_for('frozen'))):
            with self.subTest(user=args[0]):
                reply = self.auth(*args)
                self.assertStatus(reply, 1000)
                self.assertEqual(reply.codes[0].status_enum, 'STAT_INVCREDENTIALS')
                self.assertEqual(reply.attributes['CREDFLD_STATUS_MESSAGE'], 'Invalid credentials')

    def test_codes_outside_the_mapping_stay(self):
        challenge, key = self.challenge('twostep')
        self.clock.advance(60)
        self.assertStatus(self.auth('twostep', '123456', challenge_key=key), 1004)
        self.assertStatus(self.auth('hotp-user', '1', component='Other'), 1005)

    def test_switched_at_run_time(self):
        self.srv.set_options(generic_status=False)
        self.assertStatus(self.auth('hotp-user', '000000'), 1012)


class StorageErrorTests(ServerTestCase):
    def assertStorageError(self, reply):
        self.assertEqual((reply.return_code, reply.status_code), (-1, -13))
        self.assertEqual((reply.codes[0].return_enum, reply.codes[0].status_enum),
                         ('RET_FAILURE', 'STAT_NOT_FOUND'))
        self.assertEqual(reply.errors, [(-13, 'The requested item could not be found '
                                              '(Fail to retrieve storage key)')])
        self.assertEqual(reply.attributes, {})

    def test_next_n_requests(self):
        self.srv.set_fault('storage_error', count=2)
        for _ in range(2):
            self.assertStorageError(self.auth('hotp-user', self.srv.answer_for('hotp-user')))
        self.assertEqual(self.srv.user_state('hotp-user')['counter'], 0)
        self.assertStatus(self.auth('hotp-user', self.srv.answer_for('hotp-user')), 0)
        self.assertEqual(self.srv.requests[0].faults, ['storage_error'])

    def test_one_user_only(self):
        self.srv.set_fault('storage_error', user='twostep')
        self.assertStorageError(self.auth('twostep', 'getchallenge'))
        self.assertStatus(self.auth('hotp-user', self.srv.answer_for('hotp-user')), 0)
        self.assertStorageError(self.auth('twostep', 'getchallenge'))
        self.assertEqual(self.srv.faults[0]['user'], 'twostep')

    def test_real_reply_layout(self):
        self.srv.set_fault('storage_error', count=1)
        self.srv.set_shape('typed_leaves', 'self_closed')
        body = soapclient.render_request(attrs('hotp-user', '123456'))
        data = self.client.post(body)[2]
        for piece in (b'<AUTH-TYPES:authUserResponse>',
                      b'<returnCodeEnum xsi:type="BASIC-TYPES:ReturnCodeEnum">RET_FAILURE</returnCodeEnum>',
                      b'<statusCodeEnum xsi:type="BASIC-TYPES:StatusCodeEnum">STAT_NOT_FOUND</statusCodeEnum>',
                      b'<returnCode xsi:type="xsd:int">-1</returnCode>',
                      b'<statusCode xsi:type="xsd:int">-13</statusCode>',
                      b'<resultAttribute xsi:type="CREDENTIAL-TYPES:CredentialAttributeSet"/>',
                      b'<errorCode xsi:type="xsd:int">-13</errorCode>',
                      b'<errorDesc xsi:type="xsd:string">The requested item could not be found '
                      b'(Fail to retrieve storage key)</errorDesc>'):
            self.assertIn(piece, data)

    def test_get_challenge_gets_it_too(self):
        self.srv.set_options(one_step_cr='server')
        self.srv.set_fault('storage_error', count=1)
        reply = self.get_challenge('onestep')
        self.assertEqual(reply.operation, 'getChallenge')
        self.assertStorageError(reply)


class UserMessageTests(ServerTestCase):
    users = {'told': {'token': {'type': 'hotp', 'key': KEY20}, 'auxiliary_message': 'Welcome back',
                      'password_expire_date': '2030-01-31'}}

    def test_messages_on_success_only(self):
        reply = self.auth('told', '000000')
        self.assertNotIn('CREDFLD_AUXILIARY_MESSAGE', reply.attributes)
        reply = self.auth('told', self.srv.answer_for('told'))
        self.assertStatus(reply, 0)
        self.assertEqual(reply.attributes['CREDFLD_AUXILIARY_MESSAGE'], 'Welcome back')
        self.assertEqual(reply.attributes['CREDFLD_NOTIFY_PASSWORD_EXPIRE_DATE'], '2030-01-31')
        self.srv.update_user('told', auxiliary_message=None)
        reply = self.auth('told', self.srv.answer_for('told'))
        self.assertNotIn('CREDFLD_AUXILIARY_MESSAGE', reply.attributes)

    def test_host_code_on_request(self):
        code = self.srv.answer_for('hotp-user')
        reply = self.auth('hotp-user', code, request_host_code='Optional')
        self.assertStatus(reply, 0)
        expected = host_code(bytes.fromhex(KEY20), code)
        self.assertEqual(reply.attributes['CREDFLD_HOST_CODE'], expected)
        self.assertEqual(self.srv.host_code_for('hotp-user', code), expected)
        self.assertRegex(expected, r'^[0-9]{6}$')
        reply = self.auth('hotp-user', self.srv.answer_for('hotp-user'))
        self.assertNotIn('CREDFLD_HOST_CODE', reply.attributes)
        reply = self.auth('hotp-user', self.srv.answer_for('hotp-user'), request_host_code='0')
        self.assertNotIn('CREDFLD_HOST_CODE', reply.attributes)
        reply = self.auth('hotp-user', '000000', request_host_code='1')
        self.assertNotIn('CREDFLD_HOST_CODE', reply.attributes)

    def test_host_code_of_a_challenge_login(self):
        challenge, key = self.challenge('twostep')
        answer = self.srv.answer_for('twostep', challenge)
        reply = self.auth('twostep', answer, challenge_key=key, request_host_code='Required')
        self.assertEqual(reply.attributes['CREDFLD_HOST_CODE'], self.srv.host_code_for('twostep', answer))
        self.assertNotEqual(self.srv.host_code_for('twostep', answer),
                            self.srv.host_code_for('twostep', '000000'))


class ShapeTests(ServerTestCase):
    def post(self, attributes, operation='authUser'):
        status, headers, data = self.client.post(soapclient.render_request(attributes, operation=operation))
        return headers['Content-Type'], data, soapclient.read_response(data, headers['Content-Type'])

    def test_default_is_the_vendor_layout(self):
        _, data, reply = self.post(attrs('hotp-user', '000000'))
        self.assertTrue(data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'))
        self.assertIn(b'<aut:authUserResponse>\n      <authUserResults xsi:type="AUTH-TYPES:AuthUserResults">',
                      data)
        self.assertIn(b'<returnCode>-1</returnCode>', data)
        self.assertTrue(reply.wrapped)

    def test_no_wrapper(self):
        self.srv.set_shape('no_wrapper')
        _, data, reply = self.post(attrs('hotp-user', self.srv.answer_for('hotp-user')))
        self.assertNotIn(b'authUserResults', data)
        self.assertIn(b'<aut:authUserResponse>\n        <results', data)
        self.assertEqual((reply.wrapped, reply.status_code), (False, 0))

    def test_padded_values(self):
        self.srv.set_shape('padded_values')
        _, data, reply = self.post(attrs('twostep', 'getchallenge'))
        self.assertIn(b'<statusCode>\n', data)
        challenge = reply.attributes['CREDFLD_CHALLENGE']
        key = reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.assertNotEqual(challenge, challenge.strip())
        self.assertIn('\n', key)
        self.assertEqual(reply.status_code, 0)
        answer = self.srv.answer_for('twostep', challenge.strip())
        self.assertStatus(self.auth('twostep', answer, challenge_key=key.strip()), 0)

    def test_valueless_attribute(self):
        self.srv.set_shape('valueless_attribute')
        _, data, reply = self.post(attrs('hotp-user', self.srv.answer_for('hotp-user')))
        self.assertEqual(reply.attribute_list[0], (shapes.UNKNOWN_ATTRIBUTE, None))
        start = data.index(shapes.UNKNOWN_ATTRIBUTE.encode())
        self.assertNotIn(b'<value', data[data.rindex(b'<attributes', 0, start):start])
        self.assertEqual(reply.status_code, 0)

    def test_repeated_status_message(self):
        self.srv.set_shape('repeated_status_message')
        _, _, reply = self.post(attrs('hotp-user', '000000'))
        messages = [v for k, v in reply.attribute_list if k == 'CREDFLD_STATUS_MESSAGE']
        self.assertEqual(len(messages), 2)
        _, _, reply = self.post(attrs('hotp-user', self.srv.answer_for('hotp-user')))
        self.assertNotIn('CREDFLD_STATUS_MESSAGE', reply.attributes)

    def test_latin1(self):
        self.srv.set_shape('latin1')
        content_type, data, reply = self.post(attrs('hotp-user', '000000'))
        self.assertEqual(content_type, 'text/xml; charset=ISO-8859-1')
        self.assertTrue(data.startswith(b'<soapenv:Envelope'))
        self.assertIn('ungültige'.encode('iso-8859-1'), data)
        with self.assertRaises(UnicodeDecodeError):
            data.decode('utf-8')
        self.assertIn('ungültige', reply.attributes['CREDFLD_STATUS_MESSAGE'])
        self.assertEqual(reply.status_code, 1012)

    def test_typed_leaves(self):
        self.srv.set_shape('typed_leaves')
        _, data, reply = self.post(attrs('hotp-static', 'S3cret!' + self.srv.answer_for('hotp-static')))
        self.assertIn(b'<AUTH-TYPES:authUserResponse>', data)
        self.assertIn(b'<returnCode xsi:type="xsd:int">0</returnCode>', data)
        self.assertIn(b'<attributeID xsi:type="CREDENTIAL-TYPES:CredentialAttributeIDEnum">', data)
        self.assertIn(b'<masked xsi:type="xsd:boolean">true</masked>', data)
        self.assertEqual((reply.status_code, reply.masked), (0, ['CREDFLD_STATIC_PASSWORD']))

    def test_self_closed(self):
        self.srv.set_shape('self_closed')
        _, data, reply = self.post(attrs('hotp-user', '000000'))
        self.assertIn(b'<resultAttribute xsi:type="CREDENTIAL-TYPES:CredentialAttributeSet"/>', data)
        self.assertEqual((reply.status_code, reply.attributes), (1012, {}))
        _, _, reply = self.post(attrs('hotp-user', self.srv.answer_for('hotp-user')))
        self.assertEqual(reply.attributes['CREDFLD_USERID'], 'hotp-user')

    def test_shapes_combine_and_are_checked(self):
        self.srv.set_options(shape=list(shapes.SHAPES))
        self.assertEqual(self.srv.options['shape'], sorted(shapes.SHAPES))
        _, _, reply = self.post(attrs('hotp-user', self.srv.answer_for('hotp-user')))
        self.assertEqual(reply.status_code, 0)
        with self.assertRaises(ValueError):
            self.srv.set_shape('pretty')


if __name__ == '__main__':
    unittest.main()
