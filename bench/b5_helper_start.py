#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark 5: helper start, exec -> HELLO, against unix_chkpwd.

crauth-helper is timed from posix_spawn to its first frame (HELLO, sent
once the config is parsed), unix_chkpwd from posix_spawn to its exit, run
the way pam_unix runs it: empty environment, args `USER nullok`, the
password and a NUL on a stdin pipe.  The user is `daemon`, whose shadow
hash is `*`, so unix_chkpwd answers without running crypt(): its time is
its start-up plus the shadow lookup, not yescrypt's deliberate cost.  Both
are spawned by bench/spawntime.c (no interpreter inside the interval).

To see what could be cut, the same interval is measured for stubs that
write a frame at once from main() but are linked against subsets of the
helper's libraries: libc only, what a local-only helper needs (libcrypto,
libinih), everything but the XML parser (expat), and the helper's full set.  callgrind
splits the helper's own start into ld.so, constructors and main.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as c  # noqa: E402

N = int(os.environ.get("BENCH_N", "60"))

CG_PARTS = [
    ("_dl_start", "ld.so: map and relocate the libraries"),
    ("_dl_init", "constructors (mostly gnutls's, which libcurl pulls in via librtmp, libldap)"),
    ("privs_drop", "main before HELLO: privileges"),
    ("config_load", "main before HELLO: config parse"),
    ("session_run", "after HELLO (not start-up): the login itself"),
    ("record_name", "... of which: cache record names, whose SHA-256 starts OpenSSL"),
    ("CONF_modules_load_file_ex", "... ... of which: OpenSSL reads openssl.cnf"),
    ("exit", "exit handlers"),
]


class Bench:
    def __init__(self):
        self.dir = c.tempdir("b5")
        self.spawntime, self.stubs = c.build_spawn_tools(self.dir)
        # the configuration of benchmark 1 (server backend; the url is never
        # contacted before HELLO) and a local one for the callgrind run
        self.conf = os.path.join(self.dir, "crauth.conf")
        c.write_conf(self.conf, ["https://127.0.0.1:9/"], "/etc/ssl/certs/ca-certificates.crt",
                     os.path.join(self.dir, "cache"))
        tokens = os.path.join(self.dir, "tokens")
        with open(tokens, "w") as f:
            f.write("someone hotp/6 %s 0\n" % c.KEY20)
        os.chmod(tokens, 0o600)
        self.local_conf = os.path.join(self.dir, "local.conf")
        with open(self.local_conf, "w") as f:
            f.write("[auth]\nbackend = local\nfail_delay = 0\n[local]\ntokens = %s\n"
                    "[cache]\ndir = %s\n" % (tokens, os.path.join(self.dir, "cache")))
        os.chmod(self.local_conf, 0o600)
        self.request = self.request_file("request", self.conf)
        self.local_request = self.request_file("local-request", self.local_conf)
        self.password = os.path.join(self.dir, "password")
        with open(self.password, "wb") as f:
            f.write(b"not-the-password\0")  # what pam_unix writes: the text and a NUL

    def request_file(self, name, conf):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(c.request_frames("nobody", "login", conf))
        return path

    def run(self, mode, inp, argv):
        return c.spawntime(self.spawntime, mode, inp, argv)

    def variants(self):
        v = {
            "crauth-helper: exec -> HELLO":
                lambda: self.run("frame", self.request, [c.HELPER]),
            "unix_chkpwd daemon nullok: exec -> exit":
                lambda: self.run("exit", self.password, ["/sbin/unix_chkpwd", "daemon", "nullok"]),
            "/bin/true: exec -> exit (the exec floor)":
                lambda: self.run("exit", "-", ["/bin/true"]),
        }
        for name, exe in self.stubs:
            v[name] = (lambda exe=exe: self.run("frame", "-", [exe]))
        return v

    def callgrind(self):
        out = os.path.join(self.dir, "helper-start.cg")
        subprocess.run([self.spawntime, "exit", self.local_request, "/usr/bin/valgrind",
                        "--tool=callgrind", "-q", "--callgrind-out-file=" + out, c.HELPER],
                       check=True, capture_output=True)
        return c.callgrind_inclusive(out, {n for n, _ in CG_PARTS})


def lib_count(path):
    out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    return sum(1 for line in out.splitlines() if "=>" in line)


def main():
    c.check_built()
    b = Bench()
    print("#### 5. helper start: %d runs of each, interleaved" % N)
    variants = b.variants()
    # statuses: a run that did not do what it should must not count
    _, st = variants["unix_chkpwd daemon nullok: exec -> exit"]()
    _, hello = variants["crauth-helper: exec -> HELLO"]()
    if hello != 0x41:
        sys.exit("helper sent frame 0x%02x, not HELLO" % hello)
    times = c.interleave({k: (lambda f=f: f()[0]) for k, f in variants.items()}, N)
    h = c.median(times["crauth-helper: exec -> HELLO"])
    u = c.median(times["unix_chkpwd daemon nullok: exec -> exit"])
    print("(unix_chkpwd exit status %d: the verdict for a locked hash)" % st)
    print("| what | median | vs unix_chkpwd |\n|---|---:|---:|")
    for name, xs in times.items():
        print("| %s | %s | %.2f |" % (name, c.ms(c.median(xs)), c.median(xs) / u))
    pr = c.paired(times["crauth-helper: exec -> HELLO"],
                  times["unix_chkpwd daemon nullok: exec -> exit"])
    print("ratio helper/unix_chkpwd: %.2f (paired: median %.2f, IQR %.2f-%.2f)"
          % (h / u, c.median(pr), c.percentile(pr, 25), c.percentile(pr, 75)))
    print("shared libraries loaded: crauth-helper %d, unix_chkpwd %d, curl %d"
          % (lib_count(c.HELPER), lib_count("/sbin/unix_chkpwd"), lib_count("/usr/bin/curl")))

    total, found = b.callgrind()
    print("\n##### the helper's run by instructions (callgrind; local backend, unknown user)")
    print("| part | function | M Ir | share |\n|---|---|---:|---:|")
    for name, label in CG_PARTS:
        if name in found:
            print("| %s | %s | %.2f | %.0f %% |" % (label, name, found[name] / 1e6,
                                                  100 * found[name] / total))
    print("| whole run | | %.2f | 100 %% |" % (total / 1e6))
    full = c.median(times[c.STUB_FULL])
    local = c.median(times["stub: + libcrypto, libinih (local-only helper)"])
    noxml = c.median(times[c.STUB_NO_XML])
    print("\nwhat could be cut (stub medians): a local-only helper starts in %s instead of %s "
          "(-%s); without the XML parser (expat) %s (-%s)"
          % (c.ms(local), c.ms(full), c.ms(full - local), c.ms(noxml), c.ms(full - noxml)))
    static = c.median(times["stub: static, no ld.so"])
    notes = [
        "No number was set; the helper takes %.1f x unix_chkpwd's start (%s vs %s), and %s "
        "of it is loading libraries: a do-nothing stub linked like the helper takes %s."
        % (h / u, c.ms(h), c.ms(u), "nearly all" if full > 0.8 * h else "much", c.ms(full)),
        "Before HELLO the helper itself does little (config parse %.2f M Ir, privileges "
        "%.2f M Ir); ld.so is %.0f %% of the instructions of a whole (local, user-unknown) "
        "run. libcurl and expat initialise nothing before HELLO; the library constructors "
        "that do run (%.2f M Ir) are mostly gnutls's, loaded only because Debian's libcurl "
        "links librtmp and libldap, while the helper's TLS is OpenSSL." % (
            found.get("config_load", 0) / 1e6, found.get("privs_drop", 0) / 1e6,
            100 * found.get("_dl_start", 0) / total, found.get("_dl_init", 0) / 1e6),
        "OPENSSL_CONF cannot matter for the helper (the module gives it an empty "
        "environment and it calls clearenv() first); what the binary does itself is read "
        "openssl.cnf on OpenSSL's first use, after HELLO: %.2f M Ir. A helper could skip it "
        "with OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG) before anything else touches "
        "OpenSSL, at the price of ignoring a system-wide crypto policy set there." % (
            found.get("CONF_modules_load_file_ex", 0) / 1e6),
        "What could be cut, measured with stubs in this run: a local-only helper (libcrypto "
        "and libinih only; server backend dlopen'ed or in a second binary) starts in %s "
        "instead of %s; the XML parser (expat) costs %s; a static binary "
        "starts in %s. Debian's libcurl packages all bring a similar dependency tree, so for "
        "the server backend the realistic cut left is a long-lived helper."
        % (c.ms(local), c.ms(full), c.ms(full - noxml), c.ms(static)),
    ]
    c.emit({"id": 5, "name": "helper start (exec -> HELLO) vs unix_chkpwd", "notes": notes,
            "a": "crauth-helper %s" % c.ms(h), "b": "unix_chkpwd %s" % c.ms(u),
            "ratio": round(h / u, 2), "goal": "report (no number set)", "met": None,
            "iqr": [round(c.percentile(pr, 25), 2), round(c.percentile(pr, 75), 2)],
            "local_only_stub_ms": round(local * 1000, 2), "full_stub_ms": round(full * 1000, 2),
            "no_xml_stub_ms": round(noxml * 1000, 2)})


if __name__ == "__main__":
    main()
