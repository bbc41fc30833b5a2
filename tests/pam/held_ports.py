#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""One login with every ephemeral port of this machine taken, run by
test_emergency.py inside its own network namespace (`unshare -n`, so that
the port range can be made small and no other program is disturbed):

    unshare -n /usr/bin/python3 held_ports.py DIR radius|https-ip|https-name|https-proxy held|free

A local user who binds every port in ip_local_port_range leaves the helper
no port for its UDP socket, its TCP connection or the resolver's query.
That is this machine's shortage, not "no server could be asked": the
login must not return PAM_AUTHINFO_UNAVAIL.  With the ports free the same
login meets a dead or unknown server, which is that path (the control).
Prints the outcome as JSON: {"name": ..., "reason": ..., "log": ...}.
"""
import json
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pamharness as ph  # noqa: E402

HELPER = os.environ.get("CRAUTH_HELPER", "helper/crauth-helper")
RANGE = (40000, 40015)


def hold_every_port():
    """Bind UDP and TCP sockets to every port of a small range."""
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("%d %d\n" % RANGE)
    held = []
    for port in range(RANGE[0], RANGE[1] + 1):
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            s.bind(("0.0.0.0", port))
            held.append(s)
    return held


def main():
    workdir, target, ports = sys.argv[1:4]
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    held = hold_every_port() if ports == "held" else []
    conf = os.path.join(workdir, "crauth.conf")
    cache = os.path.join(workdir, "cache")
    if target == "radius":
        lines = ["[radius]", "server = 127.0.0.1:1812", "secret = s3cret", "timeout = 1",
                 "retries = 0", "[auth]", "backend = radius", "method = otp"]
    else:
        host = "crauth-held-ports.invalid" if target == "https-name" else "127.0.0.1"
        lines = ["[server]", "url = https://%s:8443/" % host, "connect_timeout = 2",
                 "timeout = 2", "[auth]", "backend = server", "method = otp"]
        if target == "https-proxy":  # libcurl's proxy, named: its lookup needs a port
            lines.insert(2, "proxy = http://crauth-held-proxy.invalid:3128/")
    lines += ["fail_delay = 0", "[cache]", "dir = %s" % cache]
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(conf, 0o600)
    ph.write_service(workdir, "crauth", ["conf=" + conf, "helper=" + HELPER])
    r = ph.authenticate("crauth", "alice", workdir,
                        lambda msgs: ["123456" if s in (1, 2) else None for s, _ in msgs])
    print(json.dumps({"name": r.name, "reason": r.reason(), "log": r.log}))
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
