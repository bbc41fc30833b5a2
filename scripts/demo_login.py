#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The demo: a login through the real libpam, answered by the crauth soft token.

Prints every PAM message the module sends, the soft token's answer, and the
result; then a second login with a wrong answer, to show the failure path.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "pam"))
import pamharness as ph  # noqa: E402

STYLES = {ph.PAM_PROMPT_ECHO_OFF: "prompt", ph.PAM_PROMPT_ECHO_ON: "prompt",
          ph.PAM_ERROR_MSG: "error", ph.PAM_TEXT_INFO: "info"}


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--confdir", "--service", "--user", "--suite", "--key-file", "--crauth"):
        ap.add_argument(opt, required=True)
    args = ap.parse_args()

    def token(challenge):
        out = subprocess.run([args.crauth, "ocra", "--suite", args.suite, "--key-file",
                              args.key_file, "--question", challenge],
                             check=True, capture_output=True, text=True).stdout.strip()
        print("  token> crauth ocra --suite %s --question %s  ->  %s"
              % (args.suite, challenge, out))
        return out

    def conversation(wrong):
        def conv(msgs):
            answers = []
            for style, text in msgs:
                print("  pam  > %-6s %s" % (STYLES.get(style, style), text))
                if style in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON):
                    answer = token(ph.challenge_in(text))
                    if wrong:
                        answer = "%06d" % ((int(answer) + 1) % 1000000)
                        print("  user > (types a wrong response: %s)" % answer)
                    answers.append(answer)
                else:
                    answers.append(None)
            return answers
        return conv

    ok = True
    for title, wrong, expect in (("login with the right response", False, "PAM_SUCCESS"),
                                 ("login with a wrong response", True, "PAM_AUTH_ERR")):
        print("\n== %s (user %s, service %s)" % (title, args.user, args.service))
        r = ph.authenticate(args.service, args.user, args.confdir, conversation(wrong))
        for line in r.log.splitlines():
            print("  log  > " + line)
        print("  result: %s" % r.name)
        ok = ok and r.name == expect
    print("\ndemo %s" % ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
