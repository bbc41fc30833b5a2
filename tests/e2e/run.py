#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run every end-to-end test (tests/e2e/test_*.py) and print a summary.

    sudo /usr/bin/python3 tests/e2e/run.py [-v] [PATTERN...]

PATTERNs select tests by substring of their id (e.g. `Sudo`, `test_sshd`).
Exit status for automake: 0 all ran and passed (some may be skipped),
1 a failure or error, 77 not root or every test skipped, 99 no build.
Each test file also runs alone: /usr/bin/python3 tests/e2e/test_sudo.py
Build paths come from PAM_CRAUTH, CRAUTH_HELPER, CRAUTH (set by `make
check`), else TOP_BUILDDIR, else build/e2e in the source tree.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2elib  # noqa: E402


def selected(suite, patterns):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from selected(item, patterns)
        elif not patterns or any(p in item.id() for p in patterns):
            yield item


def main(argv):
    verbose = "-v" in argv
    patterns = [a for a in argv if a != "-v"]
    e2elib.require_root()
    loader = unittest.TestLoader()
    tests = list(selected(loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE),
                          patterns))
    suite = unittest.TestSuite(tests)   # running it empties it: keep `tests`
    result = unittest.TextTestRunner(verbosity=2 if verbose else 1, stream=sys.stdout).run(suite)

    print("\n==== crauth end-to-end summary ====")
    bad = {t.id(): "FAIL" for t, _ in result.failures}
    bad.update({t.id(): "ERROR" for t, _ in result.errors})
    skipped = {t.id(): why for t, why in result.skipped}
    for test in sorted(tests, key=lambda t: t.id()):
        tid = test.id()
        if tid in bad:
            print("%-5s %s" % (bad[tid], tid))
        elif tid in skipped:
            print("SKIP  %s\n        %s" % (tid, skipped[tid].splitlines()[0][:300]))
        else:
            print("PASS  %s" % tid)
    print("ran %d: %d passed, %d skipped, %d failed, %d errors"
          % (result.testsRun, result.testsRun - len(bad) - len(skipped), len(skipped),
             len(result.failures), len(result.errors)))
    if bad:
        return 1
    if result.testsRun == 0 or len(skipped) == result.testsRun:
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
