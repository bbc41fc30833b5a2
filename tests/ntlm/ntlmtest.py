# SPDX-License-Identifier: BSD-3-Clause
"""ntlmtest.py - shared helpers for the NTLM interop tests in tests/ntlm/.

Runs ntlm_client_tool (path in $NTLM_CLIENT_TOOL) with the password on an
inherited pipe, parses the AUTHENTICATE it prints just enough to make
assertions, and maps missing packages to the automake SKIP status (77).
Run the tests with /usr/bin/python3: Debian's python3-gssapi is only on its
module path.
"""
import base64
import os
import shutil
import struct
import subprocess
import sys

SKIP = 77
HARD_ERROR = 99


def skip(why):
    print("SKIP: " + why)
    sys.exit(SKIP)


def tool_path():
    path = os.environ.get("NTLM_CLIENT_TOOL", "")
    if not path or not os.access(path, os.X_OK):
        print("NTLM_CLIENT_TOOL must name the built ntlm_client_tool (got %r)" % path)
        sys.exit(HARD_ERROR)
    return path


def system_env(**extra):
    """Environment for system programs (ntlm_auth, apache2): without the
    sanitizer runtime a sanitizer build of the test suite preloads."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS",
                                                             "UBSAN_OPTIONS")}
    env.update(extra)
    return env


def require_programs(*names):
    for name in names:
        if shutil.which(name) is None and not os.access(name, os.X_OK):
            skip("%s not installed" % name)


class Tool:
    """One ntlm_client_tool process = one NTLM client context."""

    def __init__(self, user, domain, password, workstation="WS", spn="HTTP/localhost",
                 cert=None):
        rfd, wfd = os.pipe()
        args = [tool_path(), "-P", str(rfd)]
        if cert:
            args += ["-c", cert]
        args += [user, domain, workstation, spn]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, pass_fds=(rfd,))
        os.close(rfd)
        os.write(wfd, password.encode("utf-8"))  # < 1 KiB: fits the pipe buffer
        os.close(wfd)

    def negotiate(self):
        return self._read()

    def authenticate(self, challenge):
        self.proc.stdin.write(base64.b64encode(challenge) + b"\n")
        self.proc.stdin.flush()
        return self._read()

    def _read(self):
        line = self.proc.stdout.readline().strip()
        if not line:
            self.close()  # raises with the tool's message
            raise RuntimeError("ntlm_client_tool printed nothing")
        return base64.b64decode(line, validate=True)

    def close(self):
        self.proc.stdin.close()
        self.proc.stdout.close()
        err = self.proc.stderr.read().decode(errors="replace")
        self.proc.stderr.close()
        # non-zero also when a sanitizer build of the tool found a leak or error
        if self.proc.wait(timeout=10) != 0:
            raise RuntimeError("ntlm_client_tool exited %d: %s" % (self.proc.returncode, err))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def field(msg, at):
    length, _, off = struct.unpack_from("<HHI", msg, at)
    return msg[off:off + length]


def client_av_pairs(auth):
    """{AvId: value} of the AV list inside the NTLMv2 response blob."""
    blob = field(auth, 20)[16 + 28:]
    pairs, pos = {}, 0
    while pos + 4 <= len(blob):
        av_id, av_len = struct.unpack_from("<HH", blob, pos)
        if av_id == 0:
            break
        pairs[av_id] = blob[pos + 4:pos + 4 + av_len]
        pos += 4 + av_len
    return pairs


def has_mic(auth):
    flags = client_av_pairs(auth).get(6)
    return flags is not None and struct.unpack("<I", flags)[0] & 2 != 0


def corrupt_mic(auth):
    assert has_mic(auth), "no MIC to corrupt"
    return auth[:72] + bytes([auth[72] ^ 0x01]) + auth[73:]


def make_cert(directory, name, digest="sha256"):
    """Throwaway self-signed certificate; returns (pem path, DER bytes)."""
    require_programs("openssl")
    pem = os.path.join(directory, name + ".pem")
    key = os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-days", "1", "-" + digest, "-keyout", key, "-out", pem],
                   check=True, capture_output=True)
    der = subprocess.run(["openssl", "x509", "-in", pem, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    return pem, der
