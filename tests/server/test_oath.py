#!/usr/bin/python3
"""oath.py against every line of the known-answer vectors (tests/vectors), plus the
OCRA details the vectors do not cover (suite grammar, question encoding)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oath  # noqa: E402

VECTORS = os.environ.get('VECTORS_DIR') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', 'vectors')


# RFC 6287 Appendix C.2 (mutual) and C.3 (signature), in the shared format;
# the shared directory is preferred when it carries the file too.
MUTUAL = 'ocra_mutual.txt'
MUTUAL_DIR = VECTORS if os.path.isfile(os.path.join(VECTORS, MUTUAL)) else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), 'vectors')


def vector_lines(name, directory=None):
    """(line number, fields) of a vector file, comments and blanks skipped."""
    with open(os.path.join(directory or VECTORS, name), encoding='ascii') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if line and not line.startswith('#'):
                yield number, line.split('|')


def ocra_vector(fields):
    suite, key, counter, question, pin_hash, session, time_steps = fields
    return oath.ocra(suite, bytes.fromhex(key), question,
                     counter=int(counter) if counter else None,
                     pin_hash=bytes.fromhex(pin_hash) if pin_hash else None,
                     session=bytes.fromhex(session) if session else None,
                     time_steps=int(time_steps, 16) if time_steps else None)


class VectorTests(unittest.TestCase):
    def check_file(self, name, compute, minimum, directory=None):
        count = 0
        for number, fields in vector_lines(name, directory):
            with self.subTest(file=name, line=number):
                expected = fields[-1]
                self.assertEqual(compute(fields[:-1]), expected)
            count += 1
        self.assertGreaterEqual(count, minimum, f'{name} has fewer vectors than expected')

    def test_hotp_rfc4226(self):
        self.check_file('hotp.txt', lambda f: oath.hotp(bytes.fromhex(f[0]), int(f[1]), int(f[2])), 10)

    def test_totp_rfc6238(self):
        self.check_file('totp.txt', lambda f: oath.totp(
            bytes.fromhex(f[1]), int(f[2]), step=int(f[3]), digits=int(f[4]), hash_name=f[0]), 15)

    def test_ocra_rfc6287(self):
        self.check_file('ocra.txt', ocra_vector, 40)

    def test_ocra_rfc6287_mutual_and_signature(self):
        self.check_file(MUTUAL, ocra_vector, 30, MUTUAL_DIR)

    def test_mutual_questions_fit_twice_the_suite_length(self):
        for number, fields in vector_lines(MUTUAL, MUTUAL_DIR):
            suite, question = oath.OcraSuite.parse(fields[0]), fields[3]
            with self.subTest(line=number):
                self.assertTrue(suite.question_fits(question, parts=2))
                if len(question) > suite.question_length:
                    self.assertFalse(suite.question_fits(question))
                    half = len(question) // 2
                    self.assertEqual(oath.mutual_question(question[:half], question[half:], suite),
                                     question)


class OcraSuiteTests(unittest.TestCase):
    def test_parse_full_suite(self):
        suite = oath.OcraSuite.parse('OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1-S064-T1M')
        self.assertEqual((suite.hash_name, suite.digits, suite.counter), ('sha256', 8, True))
        self.assertEqual((suite.question_format, suite.question_length), ('N', 8))
        self.assertEqual((suite.pin_hash, suite.session_length, suite.time_step), ('sha1', 64, 60))

    def test_time_steps(self):
        for text, seconds in (('T30S', 30), ('T1M', 60), ('T2H', 7200)):
            self.assertEqual(oath.OcraSuite.parse(f'OCRA-1:HOTP-SHA1-6:QA10-{text}').time_step, seconds)

    def test_rejects_bad_suites(self):
        for text in ('OCRA-2:HOTP-SHA1-6:QN08', 'OCRA-1:HOTP-MD5-6:QN08', 'OCRA-1:HOTP-SHA1-3:QN08',
                     'OCRA-1:HOTP-SHA1-6:C', 'OCRA-1:HOTP-SHA1-6:QX08', 'OCRA-1:HOTP-SHA1-6:QN65',
                     'OCRA-1:HOTP-SHA1-6:QN08-T60M', 'OCRA-1:HOTP-SHA1-6:QN08-T1M-PSHA1',
                     'OCRA-1:HOTP-SHA1-6:QN08:extra', 'OCRA-1:HOTP-SHA1-6:QN08-X'):
            with self.subTest(suite=text), self.assertRaises(ValueError):
                oath.OcraSuite.parse(text)

    def test_numeric_question_encoding(self):
        # RFC 6287 5's QN encoding (doc/protocol.md 3): decimal -> hex, an odd
        # length gets a "0" nibble.
        self.assertEqual(oath.encode_question('N', '12345678')[:4], bytes.fromhex('BC614E00'))
        self.assertEqual(oath.encode_question('N', '22222222')[:4], bytes.fromhex('153158E0'))
        self.assertEqual(len(oath.encode_question('N', '0')), 128)

    def test_alpha_and_hex_question_encoding(self):
        self.assertEqual(oath.encode_question('A', 'SIG1')[:5], b'SIG1\0')
        self.assertEqual(oath.encode_question('H', 'ABC')[:3], bytes.fromhex('ABC0') + b'\0')
        with self.assertRaises(ValueError):
            oath.encode_question('N', '12a4')

    def test_message_length(self):
        suite = oath.OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08')
        self.assertEqual(len(oath.ocra_message(suite, '12345678')), 152)   # 23 + 1 + 128
        suite = oath.OcraSuite.parse('OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1')
        self.assertEqual(len(oath.ocra_message(suite, '12345678', counter=0, pin='1234')), 190)

    def test_pin_is_hashed_like_the_vectors(self):
        self.assertEqual(oath.hash_pin('1234', 'sha1').hex(), '7110eda4d09e062aa5e4a390b0a572ac0d2c0220')

    def test_question_generation_fits_format(self):
        for fmt in 'ANH':
            suite = oath.OcraSuite.parse(f'OCRA-1:HOTP-SHA1-6:Q{fmt}10')
            questions = {suite.new_question() for _ in range(50)}
            self.assertGreater(len(questions), 45, 'questions must be random')
            for question in questions:
                self.assertTrue(suite.question_fits(question, 10), question)

    def test_mutual_question_checks_each_challenge(self):
        suite = oath.OcraSuite.parse('OCRA-1:HOTP-SHA256-8:QA08')
        with self.assertRaises(ValueError):
            oath.mutual_question('CLI222201', 'SRV1111', suite)      # 9 + 7: first too long
        with self.assertRaises(ValueError):
            oath.mutual_question('CLI-2222', 'SRV11110', suite)      # not alphanumeric
        self.assertFalse(suite.question_fits('A' * 17, parts=2))
        self.assertFalse(oath.OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QA64').question_fits(
            'A' * 129, parts=3), 'Q holds 128 bytes at most')

    def test_question_fits(self):
        suite = oath.OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08')
        self.assertTrue(suite.question_fits('1234', 4))
        self.assertFalse(suite.question_fits('123', 4))
        self.assertFalse(suite.question_fits('123456789'))
        self.assertFalse(suite.question_fits('1234abcd'))

    def test_unix_time_is_converted_with_the_suite_step(self):
        key = bytes.fromhex('31323334353637383930' * 6 + '31323334')
        suite = 'OCRA-1:HOTP-SHA512-8:QN08-T1M'
        self.assertEqual(oath.ocra(suite, key, '00000000', unix_time=0x132d0b6 * 60 + 59),
                         oath.ocra(suite, key, '00000000', time_steps=0x132d0b6))


if __name__ == '__main__':
    unittest.main()
