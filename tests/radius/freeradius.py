# SPDX-License-Identifier: BSD-3-Clause
"""A real RADIUS peer for the tests: Debian's FreeRADIUS 3.2 on loopback.

    with FreeRadius(workdir, certs) as fr:   # certs: tests/server/certs.py make_certs()
        fr.udp_server, fr.tls_server, fr.tls_server_other_ip, fr.secret
        fr.log()                              # everything it logged, for failure messages

It runs in the foreground (-f) from a config directory of its own: a copy of
/etc/freeradius/3.0 (dictionaries, mods-available, policies) with
radiusd.conf, clients.conf, the enabled modules and sites, and the users
file rewritten; random free loopback ports; nothing outside the temp dir is
written.  Start-up is over when it logs "Ready to process requests" (read
from its stdout pipe, bounded), or it has failed.

What it is set up to do (see SITE below):
  alice / alicepw       PAP accept; any other password: reject
  carol                 carolpw -> Access-Challenge "Enter the first code" with a
                        State; 111111 with that State -> a second challenge with two
                        Reply-Messages; 222222 with that State -> accept; anything
                        else, or a State it did not issue -> reject
  erin                  erinpw -> Access-Challenge "A code was sent to your phone"
                        with a State; 333333 with that State -> accept; else reject
  dave / davepw         accept, with a Reply-Message saying what NAS and
                        Calling-Station-Id attributes arrived
  gina / ginapw         accept with six Reply-Messages of 200 bytes each

Message-Authenticator: the client entries say require_message_authenticator
= yes (a request without one is dropped), and every reply carries one:
FreeRADIUS 3.2.1 adds it to replies only when the reply list holds the
attribute, so the site does `update reply { &Message-Authenticator := 0x00 }`
first thing in authorize (the value is computed when the packet is signed).
RadSec: a `listen` with proto = tcp and a tls { } section like
sites-available/tls, `clients = radsec` holding a client with proto = tls
and the secret "radsec", require_client_cert = yes with the test client CA.
"""
import os
import secrets
import shutil
import socket
import subprocess
import threading

CONF_SRC = "/etc/freeradius/3.0"
START_TIMEOUT = 30  # seconds for start-up; it is ready in well under one

RADIUSD_CONF = """\
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = {d}
raddbdir = {d}
radacctdir = {d}
name = freeradius
confdir = {d}
modconfdir = {d}/mods-config
certdir = {d}/certs
cadir = {d}/certs
run_dir = {d}
db_dir = {d}
libdir = /usr/lib/freeradius
pidfile = {d}/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {{
  destination = stdout
  auth = yes
}}
security {{
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}}
thread pool {{
  start_servers = 2
  max_servers = 4
  min_spare_servers = 1
  max_spare_servers = 3
}}
$INCLUDE clients.conf
modules {{
  $INCLUDE mods-enabled/
}}
$INCLUDE sites-enabled/
"""

CLIENTS_CONF = """\
client loopback {{
  ipaddr = 127.0.0.1
  secret = {secret}
  require_message_authenticator = yes
}}
"""

USERS = """\
alice Cleartext-Password := "alicepw"
dave Cleartext-Password := "davepw"
gina Cleartext-Password := "ginapw"
"""

SITE = """\
server crauth {{
  listen {{
    type = auth
    ipaddr = 127.0.0.1
    port = {udp_port}
  }}
  authorize {{
    update reply {{
      &Message-Authenticator := 0x00
    }}
    if (&User-Name == "carol") {{
      if (!&State) {{
        if (&User-Password == "carolpw") {{
          update session-state {{
            &Tmp-String-0 := "round1"
          }}
          update reply {{
            &Reply-Message := "Enter the first code"
          }}
          update control {{
            &Response-Packet-Type := Access-Challenge
          }}
          handled
        }}
        reject
      }}
      if (&session-state:Tmp-String-0 == "round1" && &User-Password == "111111") {{
        update session-state {{
          &Tmp-String-0 := "round2"
        }}
        update reply {{
          &Reply-Message := "Almost there."
          &Reply-Message += "Enter the second code"
        }}
        update control {{
          &Response-Packet-Type := Access-Challenge
        }}
        handled
      }}
      if (&session-state:Tmp-String-0 == "round2" && &User-Password == "222222") {{
        update control {{
          &Auth-Type := Accept
        }}
        return
      }}
      reject
    }}
    if (&User-Name == "erin") {{
      if (!&State) {{
        if (&User-Password == "erinpw") {{
          update session-state {{
            &Tmp-String-0 := "sent"
          }}
          update reply {{
            &Reply-Message := "A code was sent to your phone"
          }}
          update control {{
            &Response-Packet-Type := Access-Challenge
          }}
          handled
        }}
        reject
      }}
      if (&session-state:Tmp-String-0 == "sent" && &User-Password == "333333") {{
        update control {{
          &Auth-Type := Accept
        }}
        return
      }}
      reject
    }}
    if (&User-Name == "dave") {{
      update reply {{
        &Reply-Message := "nas-id=%{{NAS-Identifier}} nas-ip=%{{NAS-IP-Address}} \
nas-ipv6=%{{NAS-IPv6-Address}} csi=%{{Calling-Station-Id}}"
      }}
    }}
    if (&User-Name == "gina") {{
{gina_messages}
    }}
    files
    pap
  }}
  authenticate {{
    Auth-Type PAP {{
      pap
    }}
  }}
}}
"""

TLS_LISTEN = """\
listen {{
  ipaddr = {ip}
  port = {tls_port}
  type = auth
  proto = tcp
  virtual_server = crauth
  clients = radsec
  limit {{
    max_connections = 16
    lifetime = 0
    idle_timeout = 30
  }}
  tls {{
    private_key_file = {server_key}
    certificate_file = {server_cert}
    ca_file = {client_ca}
    fragment_size = 8192
    cipher_list = "DEFAULT"
    tls_min_version = "1.2"
    tls_max_version = "1.3"
    require_client_cert = yes
    cache {{
      enable = no
    }}
    verify {{
    }}
  }}
}}
"""

TLS_CLIENTS = """\
clients radsec {
  client loopback {
    ipaddr = 127.0.0.1
    proto = tls
    secret = radsec
    require_message_authenticator = yes
  }
}
"""


def unavailable():
    """Why the fixture cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (FreeRADIUS's config in %s is readable by root and freerad)" % CONF_SRC
    if shutil.which("freeradius") is None or not os.path.isdir(CONF_SRC):
        return "FreeRADIUS is not installed (apt-get install freeradius freeradius-utils)"
    return None


def free_port(kind):
    """A port nobody uses right now (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FreeRadius:
    def __init__(self, workdir, certs):
        self.dir = os.path.join(workdir, "raddb")
        self.certs = certs
        self.secret = secrets.token_hex(12)
        self.proc = None
        self._lines = []
        self._ready = threading.Event()
        self._reader = None

    # ------------------------------------------------------------ config
    def _configure(self):
        shutil.copytree(CONF_SRC, self.dir, symlinks=True)
        for sub in ("sites-enabled", "mods-enabled"):
            for name in os.listdir(os.path.join(self.dir, sub)):
                os.unlink(os.path.join(self.dir, sub, name))
        for module in ("always", "files", "pap"):  # always: the reject/handled keywords
            os.symlink("../mods-available/" + module,
                       os.path.join(self.dir, "mods-enabled", module))
        self.udp_port = free_port(socket.SOCK_DGRAM)
        self.tls_port = free_port(socket.SOCK_STREAM)
        gina = "\n".join('      update reply {\n        &Reply-Message += "%s"\n      }'
                         % (chr(0x41 + i) * 200) for i in range(6))
        files = {
            "radiusd.conf": RADIUSD_CONF.format(d=self.dir),
            "clients.conf": CLIENTS_CONF.format(secret=self.secret),
            "mods-config/files/authorize": USERS,
            "sites-enabled/crauth": SITE.format(udp_port=self.udp_port, gina_messages=gina),
            # the same server on a second address its certificate does not name
            "sites-enabled/tls": "".join(
                TLS_LISTEN.format(ip=ip, tls_port=self.tls_port,
                                  server_key=self.certs["server_key"],
                                  server_cert=self.certs["server_cert"],
                                  client_ca=self.certs["client_ca_cert"])
                for ip in ("127.0.0.1", "127.0.0.2")) + TLS_CLIENTS,
        }
        for name, text in files.items():
            path = os.path.join(self.dir, name)
            if os.path.lexists(path):
                os.unlink(path)
            with open(path, "w") as f:
                f.write(text)

    # ------------------------------------------------------------ process
    def _read_output(self):
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            self._lines.append(line)
            if "Ready to process requests" in line:
                self._ready.set()
        self._ready.set()  # EOF: it exited; start() looks at why

    def start(self):
        self._configure()
        # a sanitizer build preloads its runtime into the tests; freeradius
        # dlopens its modules with RTLD_DEEPBIND, which that runtime refuses
        env = {k: v for k, v in os.environ.items()
               if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
        self.proc = subprocess.Popen(["freeradius", "-f", "-l", "stdout", "-d", self.dir],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env)
        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()
        if not self._ready.wait(START_TIMEOUT) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("freeradius did not start:\n" + self.log())
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._reader is not None:
            self._reader.join(10)
        if self.proc is not None:
            self.proc.stdout.close()

    def log(self):
        return "\n".join(self._lines[-200:])

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def udp_server(self):
        return "127.0.0.1:%d" % self.udp_port

    @property
    def tls_server(self):
        return "127.0.0.1:%d" % self.tls_port

    @property
    def tls_server_other_ip(self):
        return "127.0.0.2:%d" % self.tls_port
