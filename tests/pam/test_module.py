#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The module against broken and hostile helpers, through the real libpam.

A fake helper (a small script at the helper= path) plays back a scenario:
frames to send, answers to read, how to exit.  Whatever it does, only a
well-formed HELLO ... RESULT(ok) followed by exit status 0 may give
PAM_SUCCESS.
"""
import json
import os
import random
import signal
import shutil
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pamharness as ph  # noqa: E402

FAKE_HELPER = r'''#!/usr/bin/python3
import json, os, resource, signal, sys, time
steps = json.load(open(%(scenario)r))
def read_frame():
    hdr = b""
    while len(hdr) < 3:
        chunk = os.read(0, 3 - len(hdr))
        if not chunk:
            sys.exit(99)
        hdr += chunk
    n = (hdr[1] << 8) | hdr[2]
    body = b""
    while len(body) < n:
        body += os.read(0, n - len(body))
    return hdr[0], body
while read_frame()[0] != 0x08:   # the request, up to START
    pass
for op, arg in steps:
    if op == "send":
        os.write(1, bytes.fromhex(arg))
    elif op == "read":
        read_frame()
    elif op == "hang":
        time.sleep(3600)
    elif op == "kill":
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.kill(os.getpid(), arg or signal.SIGKILL)
    elif op == "close_stdin":
        os.close(0)
    elif op == "exit":
        sys.exit(arg)
sys.exit(0)
'''


def frame(ftype, payload=b""):
    return struct.pack(">BH", ftype, len(payload)) + payload


def hello(budget_ms=1000, delay_ms=0, version=1):
    return frame(0x41, struct.pack(">HII", version, budget_ms, delay_ms))


def result(reason, detail=b""):
    return frame(0x46, struct.pack(">H", reason) + detail)


PROMPT = frame(0x42, b"Code: ")
INFO = frame(0x44, b"Challenge: 1234")


class FakeHelper(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crauth-module-")
        self.scenario = os.path.join(self.dir, "scenario.json")
        self.helper = os.path.join(self.dir, "fake-helper")
        with open(self.helper, "w") as f:
            f.write(FAKE_HELPER % {"scenario": self.scenario})
        os.chmod(self.helper, 0o755)
        ph.write_service(self.dir, "fake", ["helper=" + self.helper])

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_scenario(self, steps, answer="123456", flags=0):
        with open(self.scenario, "w") as f:
            json.dump([[op, arg.hex() if isinstance(arg, bytes) else arg]
                       for op, arg in steps], f)

        def conv(msgs):
            return [answer if s in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON) else None
                    for s, _ in msgs]
        return ph.authenticate("fake", "alice", self.dir, conv, flags=flags)

    def test_well_formed_success_is_accepted(self):
        # the control case: proves the fake helper can succeed at all
        r = self.run_scenario([("send", hello() + INFO + PROMPT), ("read", None),
                               ("send", result(0)), ("exit", 0)])
        self.assertEqual(r.name, "PAM_SUCCESS", r.log)
        self.assertEqual(r.calls, [[(ph.PAM_TEXT_INFO, "Challenge: 1234"),
                                    (ph.PAM_PROMPT_ECHO_OFF, "Code: ")]])

    def test_success_frame_but_failing_exit_status(self):
        r = self.run_scenario([("send", hello() + result(0)), ("exit", 1)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 73))

    def test_failure_frame_but_exit_status_zero(self):
        r = self.run_scenario([("send", hello() + result(10)), ("exit", 0)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 73))

    def test_success_without_hello(self):
        r = self.run_scenario([("send", result(0)), ("exit", 0)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 73))

    def test_exit_zero_without_result(self):
        r = self.run_scenario([("send", hello()), ("exit", 0)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 71))

    def test_killed_after_success_frame(self):
        r = self.run_scenario([("send", hello() + result(0)), ("kill", None)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 71))

    def test_killed_by_seccomp_says_so(self):
        r = self.run_scenario([("send", hello() + PROMPT), ("read", None),
                               ("kill", int(signal.SIGSYS))])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 71))
        self.assertIn("signal 31 (SIGSYS: a system call outside the helper's seccomp "
                      "allow-list; the kernel's audit log names it)", r.log)

    def test_oversized_frame(self):
        r = self.run_scenario([("send", hello() + b"\x42\xff\xff" + b"A" * 100), ("exit", 0)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 73))

    def test_truncated_frame(self):
        r = self.run_scenario([("send", hello() + result(0)[:-1][:3]), ("exit", 0)])
        self.assertEqual(r.name, "PAM_AUTH_ERR")

    def test_prompt_before_hello(self):
        r = self.run_scenario([("send", PROMPT), ("read", None), ("send", hello() + result(0)),
                               ("exit", 0)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 73))

    def test_request_frame_type_from_helper(self):
        r = self.run_scenario([("send", hello() + frame(0x09, b"x") + result(0)),
                               ("exit", 0)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 73))

    def test_invalid_utf8_prompt(self):
        r = self.run_scenario([("send", hello() + frame(0x42, b"\xff\xfe")), ("read", None),
                               ("send", result(0)), ("exit", 0)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 73))

    def test_other_protocol_version(self):
        r = self.run_scenario([("send", hello(version=2) + result(0)), ("exit", 0)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 73))

    def test_repeated_hello(self):
        r = self.run_scenario([("send", hello() + hello() + result(0)), ("exit", 0)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 73))

    def test_hang_is_killed_after_budget(self):
        r = self.run_scenario([("send", hello(budget_ms=1000)), ("hang", None)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 72))

    def test_hang_after_success_frame_is_not_success(self):
        r = self.run_scenario([("send", hello() + result(0)), ("hang", None)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 72))

    def test_control_characters_are_neutralised(self):
        r = self.run_scenario([("send", hello() + frame(0x44, b"\x1b[2Jhi\x07")
                                + frame(0x42, b"\xc2\x9bcode: ")), ("read", None),
                               ("send", result(10)), ("exit", 10)])
        self.assertEqual(r.name, "PAM_AUTH_ERR")
        self.assertEqual(r.texts(), ["?[2Jhi?", "?code: "])

    def test_silent_drops_information_without_a_prompt(self):
        r = self.run_scenario([("send", hello() + INFO + frame(0x45, b"bad") + result(10)),
                               ("exit", 10)], flags=ph.PAM_SILENT)
        self.assertEqual(r.calls, [[(ph.PAM_ERROR_MSG, "bad")]])

    def test_silent_with_many_information_messages(self):
        # more dropped messages than the module holds (RELAY_MAX_PENDING):
        # each batch is flushed and emptied, never written past (sudo always
        # authenticates with PAM_SILENT); then the prompt and its challenge
        infos = b"".join(frame(0x44, b"note %d" % i) for i in range(40))
        r = self.run_scenario([("send", hello() + infos + INFO + PROMPT), ("read", None),
                               ("send", result(10)), ("exit", 10)], flags=ph.PAM_SILENT)
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 10), r.log)
        self.assertEqual(r.calls[-1][-1], (ph.PAM_PROMPT_ECHO_OFF, "Code: "))
        self.assertIn((ph.PAM_TEXT_INFO, "Challenge: 1234"), r.calls[-1])
        self.assertNotIn((ph.PAM_TEXT_INFO, "note 0"), r.calls[-1])

    def test_verdict_after_the_helper_stopped_reading(self):
        # a helper that gave up on the answer (prompt_timeout) has closed its
        # end and sent its reason: that reason is the verdict, not a crash
        r = self.run_scenario([("close_stdin", None), ("send", hello() + PROMPT + result(18)),
                               ("exit", 18)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 18), r.log)
        # gone without a verdict: a crash, and the log says the answer was lost
        r = self.run_scenario([("close_stdin", None), ("send", hello() + PROMPT), ("exit", 0)])
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 71), r.log)
        self.assertIn("stopped reading and exited without a verdict", r.log)

    def test_unknown_reason_code_never_succeeds(self):
        r = self.run_scenario([("send", hello() + result(200)), ("exit", 200)])
        self.assertEqual(r.name, "PAM_AUTH_ERR")

    def test_random_frames_never_succeed(self):
        rng = random.Random(20261123)
        types = [0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x01, 0x09, 0x00, 0xff]
        for i in range(120):
            steps = []
            if i % 3 == 0:   # raw noise
                steps.append(("send", bytes(rng.getrandbits(8)
                                            for _ in range(rng.randint(0, 64)))))
            else:            # plausible frames with random content and order
                for _ in range(rng.randint(1, 6)):
                    t = rng.choice(types)
                    payload = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 12)))
                    steps.append(("send", frame(t, payload)))
                    if t in (0x42, 0x43) and rng.random() < 0.5:
                        steps.append(("read", None))
            steps.append(("exit", 0))
            r = self.run_scenario(steps)
            self.assertNotEqual(r.name, "PAM_SUCCESS", (i, steps, r.log))


if __name__ == "__main__":
    unittest.main(verbosity=2)
