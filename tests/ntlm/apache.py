#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""apache.py - a private Apache on 127.0.0.1 that demands NTLM in front of a
backend: HTTPS (throwaway certificate), mod_auth_gssapi with gss-ntlmssp
(GssapiAllowedMech ntlmssp, GssapiConnectionBound On so the raw "NTLM"
scheme is offered and the three legs share one connection), mod_proxy_http
to BACKEND_URL.  Nothing under /etc is read or written: the whole
configuration lives in a temporary directory, the users in NTLM_USER_FILE.

Note: mod_auth_gssapi passes no channel bindings to gss-ntlmssp, so this
server accepts any MsvAvChannelBindings; test_gssntlmssp.py covers EPA.

Use:
  /usr/bin/python3 apache.py selftest          # the test: raw client + ntlm_client_tool
  /usr/bin/python3 apache.py start BACKEND DIR # for other tests: prints URL and cert path
  /usr/bin/python3 apache.py stop DIR
  from apache import PrivateApache             # with PrivateApache(backend) as a: a.url ...
Needs apache2, libapache2-mod-auth-gssapi, gss-ntlmssp, openssl (exit 77 without).
"""
import base64
import http.client
import http.server
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ntlmtest  # noqa: E402

APACHE = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
USERS = [("TESTDOM", "testuser", "testpassword")]

CONF = """\
ServerRoot "{dir}"
ServerName localhost
Listen 127.0.0.1:{port}
PidFile "{dir}/httpd.pid"
DefaultRuntimeDir "{dir}"
Mutex file:{dir} default
ErrorLog "{dir}/error.log"
LogLevel warn
{user_group}
LoadModule mpm_event_module {mod}/mod_mpm_event.so
LoadModule authn_core_module {mod}/mod_authn_core.so
LoadModule authz_core_module {mod}/mod_authz_core.so
LoadModule authz_user_module {mod}/mod_authz_user.so
LoadModule auth_gssapi_module {mod}/mod_auth_gssapi.so
LoadModule socache_shmcb_module {mod}/mod_socache_shmcb.so
LoadModule ssl_module {mod}/mod_ssl.so
LoadModule proxy_module {mod}/mod_proxy.so
LoadModule proxy_http_module {mod}/mod_proxy_http.so
LoadModule headers_module {mod}/mod_headers.so
# one line per request: client port (= which TCP connection), the number of
# earlier requests on that connection, the status, method, request body length
LogFormat "%{{remote}}p %k %>s %m %{{Content-Length}}i" conn
CustomLog "{dir}/access.log" conn
KeepAlive On
MaxKeepAliveRequests 100
{extra}
SSLEngine on
SSLCertificateFile "{dir}/server.pem"
SSLCertificateKeyFile "{dir}/server.key"
SSLSessionCache none
ProxyPass "/" "{backend}"
ProxyPassReverse "/" "{backend}"
<Location "/">
    AuthType GSSAPI
    AuthName "crauth-ntlm-test"
    GssapiAllowedMech ntlmssp
    GssapiConnectionBound On
    Require valid-user
</Location>
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_packages():
    for path, pkg in ((APACHE, "apache2"), (MODULES + "/mod_auth_gssapi.so",
                                            "libapache2-mod-auth-gssapi"),
                      ("/etc/gss/mech.d/mech.ntlmssp.conf", "gss-ntlmssp")):
        if not os.path.exists(path):
            ntlmtest.skip(pkg + " not installed")
    ntlmtest.require_programs("openssl")


class PrivateApache:
    # Accept only "Negotiate": an "Authorization: NTLM" is renamed before
    # mod_auth_gssapi sees it.  (The 401 still offers both: mod_headers does
    # not reach the WWW-Authenticate values mod_auth_gssapi adds.)
    NEGOTIATE_ONLY = 'RequestHeader edit Authorization "^NTLM " "Unsupported " early'


    def __init__(self, backend_url, directory=None, users=USERS, negotiate_only=False,
                 extra=""):
        self.backend = backend_url if backend_url.endswith("/") else backend_url + "/"
        self.own_dir = directory is None
        self.dir = directory or tempfile.mkdtemp(prefix="crauth-apache-")
        self.users = users
        self.extra = (self.NEGOTIATE_ONLY + "\n" if negotiate_only else "") + extra
        self.port = None

    @property
    def url(self):
        return "https://localhost:%d/" % self.port

    @property
    def cert(self):
        return os.path.join(self.dir, "server.pem")

    def _run(self, verb):
        env = ntlmtest.system_env(NTLM_USER_FILE=os.path.join(self.dir, "users"),
                                  GSSNTLMSSP_DEBUG=os.path.join(self.dir, "gssntlmssp.log"))
        subprocess.run([APACHE, "-f", os.path.join(self.dir, "httpd.conf"), "-k", verb],
                       env=env, check=True, capture_output=True)

    def start(self):
        # children run as www-data when started by root: they must read users/logs
        os.chmod(self.dir, 0o755)
        ntlmtest.make_cert(self.dir, "server")
        with open(os.path.join(self.dir, "users"), "w", encoding="utf-8") as f:
            f.writelines("%s:%s:%s\n" % u for u in self.users)
        os.chmod(os.path.join(self.dir, "users"), 0o644)
        log = os.path.join(self.dir, "gssntlmssp.log")
        open(log, "a").close()
        os.chmod(log, 0o666)
        self.port = free_port()
        user_group = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
        with open(os.path.join(self.dir, "httpd.conf"), "w") as f:
            f.write(CONF.format(dir=self.dir, port=self.port, mod=MODULES, backend=self.backend,
                                user_group=user_group, extra=self.extra))
        self._run("start")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("apache did not start; see %s/error.log" % self.dir)

    def access_log(self):
        """[(client port, earlier requests on that connection, status, method,
        request Content-Length or '-')]: complete only after stop()."""
        path = os.path.join(self.dir, "access.log")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [tuple(int(v) if v.isdigit() else v for v in line.split())
                    for line in f if line.strip()]

    def halt(self):
        """Stop the server but keep its directory (logs)."""
        pidfile = os.path.join(self.dir, "httpd.pid")
        if os.path.exists(pidfile):
            self._run("stop")
            deadline = time.monotonic() + 15
            while os.path.exists(pidfile) and time.monotonic() < deadline:
                time.sleep(0.1)

    def stop(self):
        self.halt()
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Backend(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = ("backend saw " + self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class TestApacheNtlm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
        threading.Thread(target=cls.backend.serve_forever, daemon=True).start()
        cls.apache = PrivateApache("http://127.0.0.1:%d/" % cls.backend.server_port).start()

    @classmethod
    def tearDownClass(cls):
        cls.apache.stop()
        cls.backend.shutdown()

    def exchange(self, scheme, password):
        """Three legs on one kept-alive TLS connection; returns the final response."""
        tls = ssl.create_default_context(cafile=self.apache.cert)
        conn = http.client.HTTPSConnection("localhost", self.apache.port, context=tls, timeout=10)
        try:
            conn.request("GET", "/x")
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 401)
            offered = [v.split()[0] for v in resp.headers.get_all("WWW-Authenticate", [])]
            self.assertIn(scheme, offered)
            sock = conn.sock
            der = sock.getpeercert(binary_form=True)
            cert = os.path.join(self.apache.dir, "peer-%d.der" % id(self))
            with open(cert, "wb") as f:
                f.write(der)
            with ntlmtest.Tool("testuser", "TESTDOM", password, spn="HTTP/localhost",
                               cert=cert) as tool:
                token = base64.b64encode(tool.negotiate()).decode()
                conn.request("GET", "/x", headers={"Authorization": scheme + " " + token})
                resp = conn.getresponse()
                resp.read()
                self.assertEqual(resp.status, 401)
                challenge = [v.split()[1] for v in resp.headers.get_all("WWW-Authenticate", [])
                             if v.split()[0] == scheme and len(v.split()) == 2]
                self.assertEqual(len(challenge), 1)
                auth = tool.authenticate(base64.b64decode(challenge[0]))
            self.assertTrue(ntlmtest.has_mic(auth))
            conn.request("GET", "/x", headers={
                "Authorization": scheme + " " + base64.b64encode(auth).decode()})
            resp = conn.getresponse()
            body = resp.read()
            self.assertIs(conn.sock, sock, "the NTLM legs must share one connection")
            return resp.status, body
        finally:
            conn.close()

    def test_ntlm_right_password(self):
        self.assertEqual(self.exchange("NTLM", "testpassword"), (200, b"backend saw /x"))

    def test_negotiate_raw_ntlmssp(self):
        self.assertEqual(self.exchange("Negotiate", "testpassword"), (200, b"backend saw /x"))

    def test_ntlm_wrong_password(self):
        self.assertEqual(self.exchange("NTLM", "wrong")[0], 401)

    def test_negotiate_wrong_password(self):
        self.assertEqual(self.exchange("Negotiate", "wrong")[0], 401)


def main(argv):
    require_packages()
    if len(argv) == 4 and argv[1] == "start":
        a = PrivateApache(argv[2], directory=argv[3]).start()
        print(a.url)
        print(a.cert)
        return 0
    if len(argv) == 3 and argv[1] == "stop":
        PrivateApache("http://unused/", directory=argv[2]).stop()
        return 0
    if len(argv) <= 2 and argv[1:] in ([], ["selftest"]):
        ntlmtest.tool_path()
        result = unittest.main(argv=argv[:1], exit=False, verbosity=2).result
        return 0 if result.wasSuccessful() else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
