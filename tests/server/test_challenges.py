#!/usr/bin/python3
"""getChallenge and the 1-step policy, the Virtual Mobile Authenticator,
and echoing the challenge on success.

OneSpan "getChallenge (Command)", "User Authentication: getChallenge
Operation", "User Authentication: Challenge/Response" (1-step), the
Challenge-Response policy settings "1-Step Challenge/Response Permitted"
and "Challenge Check Mode", and the VMA logon permutations."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from authserver import AuthServer                                            # noqa: E402
from authsrv import soapclient                                               # noqa: E402
from authsrv.testing import (KEY20, USERS, ServerTestCase, SoapClient, attrs,  # noqa: E402
                             challenge_attrs, shared_certs)

OCRA = {'type': 'ocra', 'key': KEY20, 'suite': 'OCRA-1:HOTP-SHA1-6:QN08'}


class GetChallengeTests(ServerTestCase):
    server_options = {'one_step_cr': 'server'}

    def test_user_specific_server_challenge(self):
        reply = self.get_challenge('onestep')
        self.assertStatus(reply, 0)
        self.assertEqual(reply.operation, 'getChallenge')
        self.assertFalse(reply.wrapped, 'getChallengeResponse holds results directly')
        challenge = reply.attributes['CREDFLD_CHALLENGE']
        key = reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.assertRegex(challenge, r'^[0-9]{8}$')
        self.assertIn(challenge, reply.attributes['CREDFLD_CHALLENGE_MESSAGE'])
        self.assertEqual(reply.attributes['CREDFLD_USERID'], 'onestep')
        record = self.srv.requests[-1]
        self.assertEqual((record.operation, record.kind), ('getChallenge', 'request'))
        self.assertEqual(self.srv.issued_keys[key].origin, 'server')
        answer = self.srv.answer_for('onestep', challenge)
        self.assertStatus(self.auth('onestep', '000000', challenge_key=key), 1012)
        reply = self.auth('onestep', answer, challenge_key=key)
        self.assertStatus(reply, 0)
        self.assertEqual((reply.operation, reply.wrapped), ('authUser', True))
        self.assertStatus(self.auth('onestep', answer, challenge_key=key), 1000)     # used up

    def test_raw_reply_has_no_wrapper(self):
        body = soapclient.render_request(challenge_attrs('onestep'), operation='getChallenge')
        status, headers, data = self.client.post(body)
        self.assertEqual((status, headers['Content-Type']), (200, 'text/xml; charset=utf-8'))
        self.assertIn(b'<aut:getChallengeResponse>\n        <results xsi:type=', data)
        self.assertNotIn(b'Results', data.replace(b'CredentialResults', b''))

    def test_a_two_step_user_may_use_it_too(self):
        reply = self.get_challenge('twostep')
        challenge, key = reply.attributes['CREDFLD_CHALLENGE'], reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.assertStatus(self.auth('twostep', self.srv.answer_for('twostep', challenge),
                                    challenge_key=key), 0)

    def test_static_password_goes_before_the_response(self):
        self.srv.add_user('cr-pw', {'token': OCRA, 'policy': '1step', 'static_password': 'pw'})
        reply = self.get_challenge('cr-pw')
        challenge, key = reply.attributes['CREDFLD_CHALLENGE'], reply.attributes['CREDFLD_CHALLENGE_KEY']
        answer = self.srv.answer_for('cr-pw', challenge)
        self.assertStatus(self.auth('cr-pw', answer, challenge_key=key), 1011)
        self.assertStatus(self.auth('cr-pw', answer, password_format=1, static_password='pw',
                                    challenge_key=key), 0)

    def test_check_mode_1_wants_the_last_challenge(self):
        first = self.get_challenge('onestep').attributes
        second = self.get_challenge('onestep').attributes
        answer = self.srv.answer_for('onestep', first['CREDFLD_CHALLENGE'])
        reply = self.auth('onestep', answer, challenge_key=first['CREDFLD_CHALLENGE_KEY'])
        self.assertStatus(reply, 1000)
        self.assertIn('not the last challenge', reply.errors[0][1])
        self.srv.set_options(challenge_check_mode=0)
        self.assertStatus(self.auth('onestep', answer, challenge_key=first['CREDFLD_CHALLENGE_KEY']), 0)
        answer = self.srv.answer_for('onestep', second['CREDFLD_CHALLENGE'])
        self.assertStatus(self.auth('onestep', answer, challenge_key=second['CREDFLD_CHALLENGE_KEY']), 0)

    def test_general_challenge_needs_check_mode_0(self):
        reply = self.get_challenge()
        self.assertStatus(reply, 0)
        self.assertNotIn('CREDFLD_USERID', reply.attributes)
        challenge, key = reply.attributes['CREDFLD_CHALLENGE'], reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.assertIsNone(self.srv.issued_keys[key].user)
        answer = self.srv.answer_for('onestep', challenge)
        self.assertStatus(self.auth('onestep', answer, challenge_key=key), 1000)
        self.srv.set_options(challenge_check_mode=0)
        self.assertStatus(self.auth('onestep', answer, challenge_key=key), 0)
        self.assertStatus(self.auth('twostep', self.srv.answer_for('twostep', challenge),
                                    challenge_key=key), 1000)                  # single use

    def test_only_the_issuing_instance_knows_the_key(self):
        # "Yes - Server Challenge": the instance that verifies also generated it.
        reply = self.get_challenge('onestep')
        challenge, key = reply.attributes['CREDFLD_CHALLENGE'], reply.attributes['CREDFLD_CHALLENGE_KEY']
        answer = self.srv.answer_for('onestep', challenge)
        certs = shared_certs()
        with AuthServer(users=USERS, certfile=certs['server_cert'], keyfile=certs['server_key'],
                        instance='B', clock=self.clock, one_step_cr='server') as other, \
                SoapClient(other) as client:
            self.assertStatus(client.auth(attrs('onestep', answer, challenge_key=key)), 1000)
        self.clock.advance(60)
        self.assertStatus(self.auth('onestep', answer, challenge_key=key), 1004)

    def test_refusals(self):
        self.assertStatus(self.get_challenge('nobody'), 1010)
        self.assertStatus(self.get_challenge('onestep', component='Other'), 1005)
        self.assertStatus(self.get_challenge('hotp-user'), 1005)            # no C/R authenticator
        self.srv.lock('onestep')
        self.assertStatus(self.get_challenge('onestep'), 1007)
        self.srv.set_options(one_step_cr='no')
        self.assertStatus(self.get_challenge('twostep'), 1005)
        self.assertStatus(self.get_challenge(), 1005)

    def test_component_type_is_mandatory(self):
        body = soapclient.render_request({'CREDFLD_USERID': 'onestep'}, operation='getChallenge')
        status, _, data = self.client.post(body)
        self.assertEqual(status, 500)
        self.assertIn('CREDFLD_COMPONENT_TYPE', soapclient.read_response(data).fault[1])

    def test_policy_no_refuses_the_answer_too(self):
        reply = self.get_challenge('onestep')
        challenge, key = reply.attributes['CREDFLD_CHALLENGE'], reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.srv.update_user('onestep', one_step_cr='no')
        self.assertStatus(self.auth('onestep', self.srv.answer_for('onestep', challenge),
                                    challenge_key=key), 1005)


class OneStepPolicyTests(ServerTestCase):
    """Client-made challenges need "Yes - Any Challenge" and check mode 0."""

    def login(self, challenge='12345678'):
        return self.auth('onestep', self.srv.answer_for('onestep', challenge), challenge=challenge)

    def test_defaults_refuse_a_client_challenge(self):
        self.assertEqual((self.srv.options['one_step_cr'], self.srv.options['challenge_check_mode']),
                         ('no', 1))
        self.assertStatus(self.login(), 1005)

    def test_any_challenge_with_check_mode_1_is_refused(self):
        self.srv.set_options(one_step_cr='any')
        reply = self.login()
        self.assertStatus(reply, 1000)
        self.assertIn('Check Mode 0', reply.errors[0][1])

    def test_server_challenge_policy_refuses_a_client_challenge(self):
        self.srv.set_options(one_step_cr='server', challenge_check_mode=0)
        self.assertStatus(self.login(), 1005)

    def test_any_challenge_and_check_mode_0(self):
        self.srv.set_options(one_step_cr='any', challenge_check_mode=0)
        self.assertStatus(self.login('11112222'), 0)

    def test_per_user_override(self):
        self.srv.update_user('onestep', one_step_cr='any', challenge_check_mode=0)
        self.assertStatus(self.login('11113333'), 0)
        self.assertStatus(self.auth('twostep', self.srv.answer_for('twostep', '11113333'),
                                    challenge='11113333'), 1005)


class VirtualMobileAuthenticatorTests(ServerTestCase):
    users = {
        'vma': {'token': {'type': 'vma'}, 'policy': 'vma', 'keyword': 'sms'},
        'vma-nokey': {'token': {'type': 'vma', 'digits': 8}, 'policy': 'vma', 'vma_key': False,
                      'request_method': 'Password', 'static_password': 'pw'},
    }

    def test_message_and_key_but_no_challenge(self):
        reply = self.auth('vma', 'sms')
        self.assertStatus(reply, 0)
        self.assertNotIn('CREDFLD_CHALLENGE', reply.attributes)
        self.assertEqual(reply.attributes['CREDFLD_CHALLENGE_MESSAGE'], 'An OTP has been sent to your phone')
        key = reply.attributes['CREDFLD_CHALLENGE_KEY']
        otp = self.srv.sent_otps['vma']
        self.assertRegex(otp, r'^[0-9]{6}$')
        self.assertEqual(self.srv.answer_for('vma'), otp)
        self.assertEqual(self.srv.requests[-1].kind, 'request')
        wrong = '%06d' % ((int(otp) + 1) % 1000000)
        self.assertStatus(self.auth('vma', wrong, challenge_key=key), 1012)
        self.assertStatus(self.auth('vma', otp, challenge_key=key), 0)
        self.assertStatus(self.auth('vma', otp, challenge_key=key), 1000)          # used up

    def test_without_a_key(self):
        reply = self.auth('vma-nokey', None, password_format=4, static_password='pw')
        self.assertStatus(reply, 0)
        self.assertNotIn('CREDFLD_CHALLENGE_KEY', reply.attributes)
        self.assertNotIn('CREDFLD_CHALLENGE', reply.attributes)
        otp = self.srv.sent_otps['vma-nokey']
        self.assertEqual(len(otp), 8)
        self.assertStatus(self.auth('vma-nokey', '00000000', password_format=4), 1012)
        self.assertEqual(self.srv.requests[-1].kind, 'response')
        self.assertStatus(self.auth('vma-nokey', otp, password_format=4), 0)
        self.assertStatus(self.auth('vma-nokey', otp, password_format=4), 1011)     # nothing pending

    def test_a_new_request_replaces_a_keyless_otp(self):
        self.auth('vma-nokey', 'pw')
        first = self.srv.sent_otps['vma-nokey']
        self.auth('vma-nokey', 'pw')
        second = self.srv.sent_otps['vma-nokey']
        if first != second:
            self.assertStatus(self.auth('vma-nokey', first), 1012)
        self.assertStatus(self.auth('vma-nokey', second), 0)

    def test_expiry(self):
        reply = self.auth('vma', 'sms')
        self.clock.advance(60)
        self.assertStatus(self.auth('vma', self.srv.sent_otps['vma'],
                                    challenge_key=reply.attributes['CREDFLD_CHALLENGE_KEY']), 1004)
        self.auth('vma-nokey', 'pw')
        self.clock.advance(60)
        self.assertStatus(self.auth('vma-nokey', self.srv.sent_otps['vma-nokey']), 1004)

    def test_wrong_request(self):
        self.assertStatus(self.auth('vma', 'smx'), 1012)
        self.assertNotIn('vma', self.srv.sent_otps)

    def test_spec_checks(self):
        with self.assertRaises(ValueError):
            self.srv.add_user('x', {'token': {'type': 'vma'}, 'policy': '2step'})
        with self.assertRaises(ValueError):
            self.srv.add_user('x', {'token': {'type': 'vma', 'digits': 3}})


class EchoTests(ServerTestCase):
    server_options = {'echo_challenge': 'both', 'one_step_cr': 'any', 'challenge_check_mode': 0}

    def test_key_echoed_on_success(self):
        challenge, key = self.challenge('twostep')
        reply = self.auth('twostep', self.srv.answer_for('twostep', challenge), challenge_key=key)
        self.assertStatus(reply, 0)
        self.assertEqual(reply.attributes['CREDFLD_CHALLENGE_KEY'], key)
        self.assertNotIn('CREDFLD_CHALLENGE', reply.attributes)

    def test_challenge_echoed_on_success_only(self):
        reply = self.auth('onestep', '000000', challenge='55556666')
        self.assertStatus(reply, 1012)
        self.assertNotIn('CREDFLD_CHALLENGE', reply.attributes)
        reply = self.auth('onestep', self.srv.answer_for('onestep', '55556666'), challenge='55556666')
        self.assertEqual(reply.attributes['CREDFLD_CHALLENGE'], '55556666')

    def test_choices(self):
        self.srv.set_options(echo_challenge='challenge')
        challenge, key = self.challenge('twostep')
        reply = self.auth('twostep', self.srv.answer_for('twostep', challenge), challenge_key=key)
        self.assertNotIn('CREDFLD_CHALLENGE_KEY', reply.attributes)
        self.srv.set_options(echo_challenge=None)
        reply = self.auth('onestep', self.srv.answer_for('onestep', '55557777'), challenge='55557777')
        self.assertStatus(reply, 0)
        self.assertNotIn('CREDFLD_CHALLENGE', reply.attributes)
        with self.assertRaises(ValueError):
            self.srv.set_options(echo_challenge='all')


if __name__ == '__main__':
    unittest.main()
