# SPDX-License-Identifier: BSD-3-Clause
"""squid.py - a private squid on 127.0.0.1 for the proxy tests: CONNECT
only, with proxy authentication "ntlm" (Samba's ntlm_auth in
squid-2.5-ntlmssp mode with --username/--password/--domain: a local
single-password check, no winbindd; ntlm_auth(1)), "basic" (basic_ncsa_auth
with a throwaway htpasswd) or "none".  Configuration, logs, pid and the
Samba state all live in a temporary directory; nothing under /etc is read
for configuration or written.  squid runs in the foreground (-N) as our
child and is stopped by us.

  with PrivateSquid("ntlm", ("TESTDOM", "proxyuser", "proxypass")) as sq:
      sq.url          # http://127.0.0.1:PORT/
      sq.access_log() # [(client port, status, method, url)] after stop()
"""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import ntlmtest

SQUID = "/usr/sbin/squid"
NTLM_AUTH = "/usr/bin/ntlm_auth"
BASIC_AUTH = "/usr/lib/squid/basic_ncsa_auth"

CONF = """\
http_port 127.0.0.1:{port}
pid_filename {dir}/squid.pid
cache_log {dir}/cache.log
logformat conn %>p %>Hs %rm %ru
access_log stdio:{dir}/access.log conn
cache deny all
cache_mem 4 MB
coredump_dir {dir}
netdb_filename none
pinger_enable off
shutdown_lifetime 0 seconds
{user}
{auth}
http_access deny all
"""

AUTH = {
    "ntlm": """\
auth_param ntlm program {ntlm_auth} --helper-protocol=squid-2.5-ntlmssp \
    --configfile={dir}/smb.conf --username={user} --password={password} --domain={domain}
auth_param ntlm children 2 startup=1
acl authed proxy_auth REQUIRED
http_access allow CONNECT authed
""",
    "basic": """\
auth_param basic program {basic_auth} {dir}/htpasswd
auth_param basic children 2 startup=1
auth_param basic realm crauth-test
acl authed proxy_auth REQUIRED
http_access allow CONNECT authed
""",
    "none": "http_access allow CONNECT\n",
}


def require_packages(auth):
    if not os.path.exists(SQUID):
        ntlmtest.skip("squid not installed")
    if auth == "ntlm" and not os.path.exists(NTLM_AUTH):
        ntlmtest.skip("winbind (ntlm_auth) not installed")
    if auth == "basic" and not os.path.exists(BASIC_AUTH):
        ntlmtest.skip("squid's basic_ncsa_auth not installed")
    ntlmtest.require_programs("openssl")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateSquid:
    def __init__(self, auth, credentials=("TESTDOM", "proxyuser", "proxypass")):
        self.auth = auth
        self.domain, self.user, self.password = credentials
        self.dir = tempfile.mkdtemp(prefix="crauth-squid-")
        self.port = None
        self.proc = None

    @property
    def url(self):
        return "http://127.0.0.1:%d/" % self.port

    def _write(self, name, text, mode=0o644):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def _files(self):
        for sub in ("samba",):
            os.mkdir(os.path.join(self.dir, sub))
        self._write("smb.conf", "[global]\n workgroup = %s\n netbios name = PROXY\n"
                    " private dir = {d}\n lock dir = {d}\n state directory = {d}\n"
                    " cache directory = {d}\n pid directory = {d}\n ncalrpc dir = {d}\n"
                    .format(d=os.path.join(self.dir, "samba")) % self.domain)
        if self.auth == "basic":
            hashed = subprocess.run(["openssl", "passwd", "-apr1", "-stdin"],
                                    input=self.password, text=True, check=True,
                                    capture_output=True).stdout.strip()
            self._write("htpasswd", "%s:%s\n" % (self.user, hashed))

    def start(self):
        os.chmod(self.dir, 0o755)
        self._files()
        self.port = free_port()
        user = ""
        if os.geteuid() == 0:
            # squid drops to an unprivileged user; that one must write here
            account = "proxy" if _exists("proxy") else "nobody"
            user = "cache_effective_user %s" % account
            pw = pwd.getpwnam(account)
            for root, dirs, files in os.walk(self.dir):
                for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                    os.chown(name, pw.pw_uid, pw.pw_gid)
        auth = AUTH[self.auth].format(ntlm_auth=NTLM_AUTH, basic_auth=BASIC_AUTH, dir=self.dir,
                                      user=self.user, password=self.password,
                                      domain=self.domain)
        conf = self._write("squid.conf", CONF.format(port=self.port, dir=self.dir, user=user,
                                                     auth=auth))
        with open(os.path.join(self.dir, "stderr"), "w") as err:
            self.proc = subprocess.Popen([SQUID, "-N", "-f", conf], env=ntlmtest.system_env(),
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=err)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        log = self.log()
        self.stop()
        raise RuntimeError("squid did not start: %s" % log[-2000:])

    def log(self):
        text = ""
        for name in ("stderr", "cache.log"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f.read()
        return text

    def access_log(self):
        """[(client port, status, method, url)]: complete only after stop()."""
        path = os.path.join(self.dir, "access.log")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [(int(p), int(s), m, u) for p, s, m, u in
                    (line.split() for line in f if line.strip())]

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


def _exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
