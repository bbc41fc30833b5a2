# SPDX-License-Identifier: BSD-3-Clause
"""Running tests/radius/radius_tool (one radius_access_request) from the tests.

    res = run_tool(server, "alice", "alicepw", secret, "--timeout", "500")
    res.reason, res.code, res.state, res.message, res.ma, res.truncated, res.error

The password and the secret go to its stdin, never its argv.
"""
import os
import subprocess
from dataclasses import dataclass

TOOL = os.path.join(os.environ.get("TOP_BUILDDIR", "."), "tests", "radius", "radius_tool")
TOOL_TIMEOUT = 60  # seconds: far above any exchange the tests set up


@dataclass
class Result:
    rc: int
    reason: str
    code: str = ""
    state: bytes = b""
    message: bytes = b""
    ma: bool = False
    truncated: bool = False
    error: str = ""
    line: str = ""


def run_tool(server, user, password, secret="", *options):
    proc = subprocess.run([TOOL, *options, server, user],
                          input=("%s\n%s\n" % (password, secret)).encode(),
                          capture_output=True, timeout=TOOL_TIMEOUT)
    line = proc.stdout.decode(errors="replace").strip()
    if not line.startswith("reason="):
        raise AssertionError("radius_tool printed %r (stderr %r, exit %d)"
                             % (line, proc.stderr, proc.returncode))
    head, _, error = line.partition(" error=")
    fields = dict(item.split("=", 1) for item in head.split(" "))
    return Result(rc=proc.returncode, reason=fields["reason"], code=fields.get("code", ""),
                  state=bytes.fromhex(fields.get("state", "")),
                  message=bytes.fromhex(fields.get("message", "")),
                  ma=fields.get("ma") == "yes", truncated=fields.get("truncated") == "yes",
                  error=error, line=line)


def tool_missing():
    if not os.access(TOOL, os.X_OK):
        return "%s is not built; run through `make check`" % TOOL
    return None
