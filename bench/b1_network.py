#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark 1: a 2-step login's overhead over the network floor.

A: keyword -> challenge -> OCRA response through the real libpam
   (pam_start_confdir .. pam_end), pam_crauth.so spawns crauth-helper,
   which talks authUser to the reference server over TLS.
B: the floor: one `curl` process posting the same two SOAP bodies on ONE
   kept-alive TLS connection (--next), with the same CA, HTTP/1.1, TLS>=1.2,
   headers and User-Agent as the helper.

Fairness of B: curl cannot compute the OCRA response between its two
requests, so before each timed curl run (untimed) we ask the server for a
challenge over a separate connection, compute the response, and write the
step-2 body with that key.  The timed curl then sends a step-1 request (the
server issues a fresh challenge, as it does for crauth) and the step-2
response on the same connection: the server does exactly the work it does
for a crauth login, and curl sends the same bytes (the bodies are the ones
the helper sent, captured from the server's request log).  curl's own
process start, library loading and CA loading are inside B, just as the
helper's are inside A.  The OCRA answer in A is computed in-process.

Where the time goes: callgrind instruction counts (Ir; deterministic, so
independent of the machine's load) of crauth-helper during a real login and
of the curl floor, split by phase; plus a wall-clock timeline of logins
from strace (--seccomp-bpf, so only the few traced syscalls stop).
"""
import os
import re
import ssl
import http.client
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as c  # noqa: E402
from authsrv import soap  # noqa: E402

GOAL = 1.10  # issue 14: a 2-step login at most 1.10 x curl doing the same two requests
N = int(os.environ.get("BENCH_N", "80"))
USER = "bench"

# phase -> functions whose inclusive Ir make it up (subtracting "minus")
PHASES = [
    ("exec: ld.so maps and relocates the libraries", ["_dl_start"], []),
    ("library constructors (_dl_init)", ["_dl_init"], []),
    ("config parse (config_load)", ["config_load"], []),
    ("cache dir open", ["cache_open"], []),
    ("plugin load (dlopen crauth-remote.so: libcurl, libssl, expat)", ["plugin_load_transport"],
     []),
    # the helper hashes cache record names with EVP SHA-256 before libcurl
    # starts, so OpenSSL's own init and first algorithm fetch land there
    ("OpenSSL + libcurl global init (helper: via cache record_name)",
     ["curl_global_init", "record_name"], []),
    ("TLS: SSL_CTX_new (+ CA file load)", ["SSL_CTX_new", "X509_STORE_load_file"], []),
    ("TLS handshake (SSL_do_handshake)", ["SSL_do_handshake"], []),
    ("HTTP + TLS records (rest of curl_easy_perform)", ["curl_easy_perform"],
     ["SSL_do_handshake", "SSL_CTX_new", "X509_STORE_load_file"]),
    ("XML build (soap_build_request)", ["soap_build_request"], []),
    ("XML parse (soap_parse_reply_of)", ["soap_parse_reply_of"], []),
    ("exit (atexit handlers, _dl_fini)", ["exit"], []),
]


class Bench:
    def __init__(self):
        self.dir = c.tempdir("b1")
        self.certs = c.make_certs(self.dir)
        self.srv = c.ServerProc(self.dir, self.certs, {USER: c.TWOSTEP})
        self.conf = os.path.join(self.dir, "crauth.conf")
        c.write_conf(self.conf, [self.srv.url], self.certs["ca_cert"],
                     os.path.join(self.dir, "cache"))
        c.crauth_service(self.dir, "crauth", self.conf)
        # the same login with the calls handed to crauth-broker (row 1b)
        self.broker = c.BrokerProc(self.dir)
        self.conf_broker = os.path.join(self.dir, "crauth-broker.conf")
        c.write_conf(self.conf_broker, [self.srv.url], self.certs["ca_cert"],
                     os.path.join(self.dir, "cache"),
                     server_extra="broker = %s" % self.broker.sock)
        c.crauth_service(self.dir, "crauth-broker", self.conf_broker)
        # one login to capture the exact bodies the helper sends
        c.timed_login(self.dir, "crauth", USER, c.ocra_conv)
        step1, step2 = self.srv.requests()[-2:]
        self.step1 = os.path.join(self.dir, "step1.xml")
        with open(self.step1, "w") as f:
            f.write(step1["body"])
        self.step2_template = step2["body"]
        self.step2 = os.path.join(self.dir, "step2.xml")
        self.agent = step1["headers"]["user-agent"]
        self.out = [os.path.join(self.dir, "out%d" % i) for i in (1, 2)]
        self.step1_body = step1["body"].encode()
        self.ctx = ssl.create_default_context(cafile=self.certs["ca_cert"])
        self.spawntime, stubs = c.build_spawn_tools(self.dir)
        self.stubs = dict(stubs)
        self.request = os.path.join(self.dir, "request")
        with open(self.request, "wb") as f:
            f.write(c.request_frames(USER, "crauth", self.conf))

    def helper_start(self):
        """Untraced exec -> HELLO of the helper with this config (bench/spawntime.c)."""
        return c.spawntime(self.spawntime, "frame", self.request, [c.HELPER])[0]

    def stub(self, name):
        return c.spawntime(self.spawntime, "frame", "-", [self.stubs[name]])[0]

    # ---------------------------------------------------------------- A
    def crauth(self):
        return c.timed_login(self.dir, "crauth", USER, c.ocra_conv)[0]

    def brokered(self):
        return c.timed_login(self.dir, "crauth-broker", USER, c.ocra_conv)[0]

    # ---------------------------------------------------------------- B
    def prepare_step2(self):
        """Untimed: a challenge from the server, answered, as the step-2 body."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.srv.port, context=self.ctx)
        conn.request("POST", "/", self.step1_body, {"Content-Type": "text/xml; charset=utf-8"})
        attrs = soap.read_response(conn.getresponse().read()).attributes
        conn.close()
        body = self.step2_template
        body = re.sub(r"(>)[^<]*(</value><attributeID>CREDFLD_PASSWORD<)",
                      r"\g<1>%s\g<2>" % c.ocra_response(attrs["CREDFLD_CHALLENGE"]), body)
        body = re.sub(r"(>)[^<]*(</value><attributeID>CREDFLD_CHALLENGE_KEY<)",
                      r"\g<1>%s\g<2>" % attrs["CREDFLD_CHALLENGE_KEY"], body)
        with open(self.step2, "w") as f:
            f.write(body)

    def curl_argv(self):
        common = ["--http1.1", "--tlsv1.2", "--cacert", self.certs["ca_cert"], "-sS",
                  "-H", "Content-Type: text/xml; charset=utf-8", "-H", 'SOAPAction: ""',
                  "-H", "Expect:", "-A", self.agent]
        step1 = ["--data-binary", "@" + self.step1, "-o", self.out[0], self.srv.url]
        step2 = ["--data-binary", "@" + self.step2, "-o", self.out[1], self.srv.url]
        return ["/usr/bin/curl", "-q"] + common + step1 + ["--next"] + common + step2

    def curl(self):
        self.prepare_step2()
        argv = self.curl_argv()
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, env={})  # the helper's environment is empty too
        dt = time.perf_counter() - t0
        with open(self.out[1]) as f:
            reply = f.read()
        if "STAT_SUCCESS" not in reply or "CREDFLD_CHALLENGE" in reply:
            raise RuntimeError("curl step 2 did not succeed: %s" % reply[:300])
        return dt

    def check_fairness(self):
        """Every step 2 (crauth's and curl's) went on the connection of the step 1
        just before it; and all of them used one TLS version and cipher."""
        reqs = self.srv.requests()
        pairs = [(prev, cur) for prev, cur in zip(reqs, reqs[1:]) if cur["kind"] == "response"]
        one_conn = all(p["conn_id"] == q["conn_id"] for p, q in pairs)
        tls = sorted({"%s %s" % (q["tls_version"], q["cipher"]) for _, q in pairs})
        return one_conn, tls

    # ---------------------------------------------------------------- where the time goes
    def callgrind(self):
        out = os.path.join(self.dir, "cg")
        os.makedirs(out)
        c.callgrind_service(self.dir, "crauth-cg", self.conf, os.path.join(out, "helper.out"))
        c.timed_login(self.dir, "crauth-cg", USER, c.ocra_conv)
        self.prepare_step2()
        subprocess.run(["/usr/bin/valgrind", "--tool=callgrind", "-q",
                        "--callgrind-out-file=%s/curl.out" % out] + self.curl_argv(), check=True,
                       env={})
        names = {n for _, fns, minus in PHASES for n in fns + minus}
        rows = {}
        for who in ("helper", "curl"):
            total, found = c.callgrind_inclusive("%s/%s.out" % (out, who), names)
            rows[who] = (total, found)
        return rows

    def timeline(self, logins=7):
        """Wall-clock phases of a login from syscall timestamps (strace)."""
        log = os.path.join(self.dir, "strace")
        driver = os.path.join(os.path.dirname(os.path.abspath(__file__)), "b1_timeline.py")
        subprocess.run(["strace", "-f", "--seccomp-bpf", "-ttt", "-o", log, "-e",
                        "trace=execve,connect,sendto,recvfrom,write,exit_group,clone,clone3",
                        "-e", "signal=none", c.PYTHON, driver, self.dir, str(logins)],
                       check=True, stdout=subprocess.DEVNULL)
        import b1_timeline
        return b1_timeline.phases(log)


def main():
    c.check_built()
    b = Bench()
    print("#### 1. overhead over the network floor: %d logins each, interleaved" % N)
    full, noxml = c.STUB_FULL, c.STUB_NO_XML
    times = c.interleave({"crauth": b.crauth, "curl": b.curl, "brokered": b.brokered,
                          "start": b.helper_start,
                          "full": lambda: b.stub(full), "noxml": lambda: b.stub(noxml)}, N)
    one_conn, tls = b.check_fairness()
    a, f = c.median(times["crauth"]), c.median(times["curl"])
    ratio = a / f
    print("crauth 2-step login: median %s  p10 %s  p90 %s" % (
        c.ms(a), c.ms(c.percentile(times["crauth"], 10)), c.ms(c.percentile(times["crauth"], 90))))
    print("curl, same 2 requests, 1 conn: median %s  p10 %s  p90 %s" % (
        c.ms(f), c.ms(c.percentile(times["curl"], 10)), c.ms(c.percentile(times["curl"], 90))))
    print("both steps on one connection, every login and curl run: %s; TLS: %s"
          % (one_conn, ", ".join(tls)))
    pr = c.paired(times["crauth"], times["curl"])
    print("ratio crauth/curl: %.2f (goal <= %.2f); paired ratios: median %.2f, IQR %.2f-%.2f"
          % (ratio, GOAL, c.median(pr), c.percentile(pr, 25), c.percentile(pr, 75)))
    k = c.median(times["brokered"])
    pk = c.paired(times["brokered"], times["curl"])
    print("the same login through crauth-broker (kept connection, no TLS handshake, no "
          "libcurl in the helper): median %s = %.2f x curl [IQR %.2f-%.2f]"
          % (c.ms(k), k / f, c.percentile(pk, 25), c.percentile(pk, 75)))
    start = c.median(times["start"])
    print("helper exec -> HELLO alone (spawntime, same loop): median %s = %.0f %% of the login"
          % (c.ms(start), 100 * start / a))
    saved = c.median(times["full"]) - c.median(times["noxml"])
    print("stubs linked like the helper, with and without the XML parser: %s vs %s; a login "
          "without it: ~%s = %.2f x curl" % (c.ms(c.median(times["full"])),
                                                  c.ms(c.median(times["noxml"])),
                                                  c.ms(a - saved), (a - saved) / f))

    print("\n##### where the time goes: instructions (callgrind, millions of Ir)")
    rows = b.callgrind()
    (ht, hf), (ct, cf) = rows["helper"], rows["curl"]
    print("| phase | crauth-helper | curl floor |\n|---|---:|---:|")
    attributed = {"helper": 0, "curl": 0}
    for label, fns, minus in PHASES:
        cells = []
        for who, found in (("helper", hf), ("curl", cf)):
            if not any(n in found for n in fns):
                cells.append("-")
                continue
            v = sum(found.get(n, 0) for n in fns) - sum(found.get(n, 0) for n in minus)
            attributed[who] += v
            cells.append("%.2f" % (v / 1e6))
        print("| %s | %s | %s |" % (label, cells[0], cells[1]))
    print("| other | %.2f | %.2f |" % ((ht - attributed["helper"]) / 1e6,
                                        (ct - attributed["curl"]) / 1e6))
    print("| **total** | **%.1f** | **%.1f** |" % (ht / 1e6, ct / 1e6))

    print("\n##### where the time goes: wall clock per login (strace timeline, median of 7; "
          "strace slows the traced syscalls, so read the shares)")
    tl = b.timeline()
    print("| phase | median under strace | share |\n|---|---:|---:|")
    for label, value in tl:
        print("| %s | %s | %.0f %% |" % (label, c.ms(value), 100 * value / tl[-1][1]))

    lo, hi = c.percentile(pr, 25), c.percentile(pr, 75)
    verdict = ("met" if ratio <= GOAL else "MISSED") + (
        " (borderline: the paired ratios' IQR %.2f-%.2f straddles %.2f)" % (lo, hi, GOAL)
        if lo <= GOAL < hi else "")
    pam_side = tl[0][1] + tl[1][1] + tl[10][1]  # see b1_timeline.LABELS
    notes = [
        "Goal %s: crauth %s vs curl %s = %.2f." % (verdict, c.ms(a), c.ms(f), ratio),
        "Both exec a process that loads libcurl and OpenSSL, do one TLS handshake and two "
        "requests (same instruction counts for the handshake: %.1f M Ir each). crauth adds: "
        "the PAM side (pam_start, posix_spawn from the application, reap, pam_end; "
        "timeline: %.0f %% of the login), loading in two steps (ld.so %.1f M Ir, then "
        "crauth-remote.so %.1f M Ir, vs curl's ld.so %.1f M Ir), the prompt relay (%.0f %%)." % (
            hf.get("SSL_do_handshake", 0) / 1e6, 100 * pam_side / tl[-1][1],
            hf["_dl_start"] / 1e6, hf.get("plugin_load_transport", 0) / 1e6,
            cf["_dl_start"] / 1e6,
            100 * tl[7][1] / tl[-1][1]),
        "The largest single cost is the helper's own start: exec -> HELLO takes %s untraced, "
        "%.0f %% of the login, nearly all of it ld.so mapping and relocating libraries; "
        "connect to verdict (TLS, both requests, the server) is %.0f %% of the traced login."
        % (c.ms(start), 100 * start / a, 100 * sum(v for _, v in tl[4:9]) / tl[-1][1]),
        "The XML parser (expat, libc only) is no longer what costs: stubs linked like the "
        "helper with and without it, timed in the same loop, differ by %s; without it the "
        "login would be ~%s, %.2f x curl. (The module already starts the helper with "
        "posix_spawn, so the "
        "application's page tables are not copied; only a set-uid caller such as sudo, "
        "which needs setuid(0) in the child, still forks.)"
        % (c.ms(saved), c.ms(a - saved), (a - saved) / f),
    ]
    notes.append(
        "Row 1b, no goal (not like for like: curl connects and shakes hands, the broker "
        "keeps its connection): the same 2-step login with `broker =` set takes %s, %.2f x "
        "curl's run, %.2f x the login without it; the helper then maps %d libraries and the "
        "broker makes both calls over one kept TLS connection." % (
            c.ms(k), k / f, k / a, c.lib_count(c.HELPER)))
    if not one_conn or len(tls) != 1:
        notes.append("WARNING: the comparison was not like for like (one connection: %s; "
                     "TLS: %s)." % (one_conn, ", ".join(tls)))
    c.emit({"id": 1, "name": "2-step login vs curl floor (TLS)", "notes": notes,
            "a": "crauth %s" % c.ms(a), "b": "curl %s" % c.ms(f),
            "ratio": round(ratio, 2), "goal": "<= %.2f" % GOAL, "met": ratio <= GOAL,
            "iqr": [round(c.percentile(pr, 25), 2), round(c.percentile(pr, 75), 2)],
            "n": N, "helper_mir": round(ht / 1e6, 1), "curl_mir": round(ct / 1e6, 1),
            "rows": [{"suffix": "b", "name": "the same login through crauth-broker vs curl",
                      "a": "crauth %s" % c.ms(k), "b": "curl %s" % c.ms(f),
                      "ratio": round(k / f, 2),
                      "ratio_label": "IQR %.2f-%.2f; %.2f x the login without it"
                      % (c.percentile(pk, 25), c.percentile(pk, 75), k / a),
                      "goal": "none (a kept connection against a new one)", "met": None}]})


if __name__ == "__main__":
    main()
