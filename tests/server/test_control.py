#!/usr/bin/python3
"""The control API sets every knob of a CLI-run server: server options,
reply shapes, user flags, per-user faults; and reads what the VMA "sent"
and the host code of a login."""

import os
import sys
import unittest
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from authsrv import soapclient                                                # noqa: E402
from authsrv.testing import KEY20, USERS, CliServer, attrs, challenge_attrs   # noqa: E402

CONFIG = {
    'instance': 'ctl',
    'users': dict(USERS, vma={'token': {'type': 'vma'}, 'policy': 'vma'}),
    'one_step_cr': 'server',
    'separate_formats': [4],
    'shape': ['no_wrapper'],
}


class ControlApiTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cli = CliServer(CONFIG)
        cls.api = cls.cli.api

    @classmethod
    def tearDownClass(cls):
        cls.cli.stop()

    def setUp(self):
        self.client = self.cli.client()
        self.addCleanup(self.client.close)

    def test_config_options_and_runtime_options(self):
        options = self.api('/options')
        self.assertEqual((options['one_step_cr'], options['separate_formats'], options['shape']),
                         ('server', [4], ['no_wrapper']))
        reply = self.client.auth(attrs('hotp-user', self.api('/answer?user=hotp-user')['answer']))
        self.assertEqual((reply.status_code, reply.wrapped), (0, False))
        self.addCleanup(self.api, '/options', dict(options))
        options = self.api('/options', {'generic_status': True, 'echo_challenge': 'key',
                                        'otp_attribute': 'CREDFLD_DP_RESPONSE',
                                        'challenge_check_mode': 0, 'vma_message': 'Check your phone'})
        self.assertEqual((options['generic_status'], options['echo_challenge']), (True, 'key'))
        self.assertEqual(self.client.auth(attrs('nobody', '1')).status_code, 1000)
        self.api('/options', {'generic_status': False})
        self.assertEqual(self.client.auth(attrs('nobody', '1')).status_code, 1010)
        with self.assertRaises(urllib.error.HTTPError) as caught:
            self.api('/options', {'one_step_cr': 'maybe'})
        self.assertEqual(caught.exception.code, 400)

    def test_shape(self):
        self.api('/shape', {'shape': ['latin1', 'typed_leaves']})
        self.addCleanup(self.api, '/shape', {'shape': ['no_wrapper']})
        status, headers, data = self.client.post(soapclient.render_request(attrs('hotp-user', '000000')))
        self.assertEqual(headers['Content-Type'], 'text/xml; charset=ISO-8859-1')
        self.assertIn(b'<AUTH-TYPES:authUserResponse>', data)

    def test_user_flags_and_lock(self):
        state = self.api('/update_user', {'name': 'totp-user', 'disabled': True,
                                          'auxiliary_message': 'Hello'})
        self.assertTrue(state['disabled'])
        self.assertEqual(self.client.auth(attrs('totp-user', '1')).status_code, 1009)
        self.api('/update_user', {'name': 'totp-user', 'disabled': False})
        code = self.api('/answer?user=totp-user')['answer']
        reply = self.client.auth(attrs('totp-user', code, request_host_code='Yes'))
        self.assertEqual(reply.attributes['CREDFLD_AUXILIARY_MESSAGE'], 'Hello')
        host = self.api(f'/host_code?user=totp-user&code={code}')['host_code']
        self.assertEqual(reply.attributes['CREDFLD_HOST_CODE'], host)
        self.assertTrue(self.api('/lock', {'user': 'totp-user'})['locked'])
        self.assertEqual(self.client.auth(attrs('totp-user', '1')).status_code, 1007)
        self.api('/unlock', {'user': 'totp-user'})

    def test_vma_otp_and_get_challenge(self):
        reply = self.client.auth(attrs('vma', 'getchallenge'))
        otp = self.api('/sent_otps?user=vma')['otp']
        self.assertEqual(self.api('/sent_otps')['vma'], otp)
        key = reply.attributes['CREDFLD_CHALLENGE_KEY']
        self.assertEqual(self.client.auth(attrs('vma', otp, challenge_key=key)).status_code, 0)
        reply = self.client.get_challenge(challenge_attrs('onestep'))
        challenge = reply.attributes['CREDFLD_CHALLENGE']
        answer = self.api(f'/answer?user=onestep&challenge={challenge}')['answer']
        reply = self.client.auth(attrs('onestep', answer,
                                       challenge_key=reply.attributes['CREDFLD_CHALLENGE_KEY']))
        self.assertEqual(reply.status_code, 0)

    def test_per_user_storage_error(self):
        faults = self.api('/fault', {'kind': 'storage_error', 'user': 'corp-user', 'count': 1})['faults']
        self.assertEqual((faults[0]['kind'], faults[0]['user']), ('storage_error', 'corp-user'))
        self.assertEqual(self.client.auth(attrs('hotp-static', 'x')).status_code, 1011)
        reply = self.client.auth(attrs('corp-user', '1', domain='corp'))
        self.assertEqual(reply.status_code, -13)
        self.assertEqual(self.api('/stats')['faults'], [])

    def test_add_user_with_new_keys(self):
        self.api('/user', {'name': 'eve', 'spec': {'token': {'type': 'hotp', 'key': KEY20},
                                                   'password_expire_date': '2031-02-03'}})
        code = self.api('/answer?user=eve')['answer']
        reply = self.client.auth(attrs('eve', code))
        self.assertEqual(reply.attributes['CREDFLD_NOTIFY_PASSWORD_EXPIRE_DATE'], '2031-02-03')


if __name__ == '__main__':
    unittest.main()
