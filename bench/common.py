# SPDX-License-Identifier: BSD-3-Clause
"""Shared pieces of the crauth benchmarks (bench/b*.py).

Every figure a benchmark reports is a ratio of two things measured side by
side in the same run (interleaved A B B A ...), because this machine is
shared and absolute times drift by tens of percent from one minute to the
next.  Everything a benchmark creates (temp dirs, server processes, network
namespaces) is registered with `on_exit` and undone even on SIGINT/SIGTERM.

A benchmark prints whatever it likes and, as its LAST line,
`RESULT {json}`; bench/run collects those into the table.
"""
import atexit
import fcntl
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BUILD = os.environ.get("CRAUTH_BUILD", os.path.join(ROOT, "build", "bench"))
HELPER = os.path.join(BUILD, "helper", "crauth-helper")
PLUGIN = os.path.join(BUILD, "helper", "crauth-remote.so")  # next to the helper, where it looks
MODULE = os.path.join(BUILD, "pam_module", ".libs", "pam_crauth.so")
PYTHON = "/usr/bin/python3"
SECURITY = "/lib/x86_64-linux-gnu/security"

sys.path.insert(0, os.path.join(ROOT, "tests", "pam"))
sys.path.insert(0, os.path.join(ROOT, "tests", "server"))
import pamharness as ph  # noqa: E402
import oath  # noqa: E402
import certs as certs_mod  # noqa: E402

KEY20 = "3132333435363738393031323334353637383930"
OCRA_SUITE = "OCRA-1:HOTP-SHA1-6:QN08"
_SUITE = oath.OcraSuite.parse(OCRA_SUITE)
TWOSTEP = {"token": {"type": "ocra", "key": KEY20, "suite": OCRA_SUITE},
           "policy": "2step", "keyword": "getchallenge"}

# ------------------------------------------------------------------ cleanup
_undo = []


def on_exit(fn, *args):
    """Run fn(*args) when the benchmark ends, however it ends (LIFO)."""
    _undo.append((fn, args))


def _run_undo():
    while _undo:
        fn, args = _undo.pop()
        try:
            fn(*args)
        except Exception as e:  # cleanup must go on with the rest
            print("cleanup: %s%r: %s" % (getattr(fn, "__name__", fn), args, e), file=sys.stderr)


atexit.register(_run_undo)


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)  # unwinds, so atexit runs


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def tempdir(prefix):
    d = tempfile.mkdtemp(prefix="crauth-bench-%s-" % prefix)
    on_exit(shutil.rmtree, d, True)
    return d


def make_certs(workdir):
    return certs_mod.make_certs(os.path.join(workdir, "certs"))


def check_built():
    for path in (HELPER, MODULE):
        if not os.path.exists(path):
            sys.exit("bench: %s is missing; build first (bench/run does) or set CRAUTH_BUILD"
                     % path)


# ------------------------------------------------------------------ statistics
def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def percentile(xs, p):
    """Nearest-rank percentile: a value that was actually observed."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def ms(seconds):
    return "%.1f ms" % (seconds * 1000)


def interleave(runs, n, warmup=2):
    """Time each callable in `runs` (a dict name -> fn) n times, interleaved
    in A B B A order so that neither side always goes first after a pause.
    fn() does its own timing and returns seconds.  Returns name -> [s]."""
    names = list(runs)
    for _ in range(warmup):
        for name in names:
            runs[name]()
    out = {name: [] for name in names}
    for i in range(n):
        for name in (names if i % 2 == 0 else names[::-1]):
            out[name].append(runs[name]())
    return out


def paired(xs, ys):
    """Ratios of the i-th A to the i-th B run: neighbours in time, so a
    drift in machine load cancels; their spread shows how sure a ratio is."""
    return [x / y for x, y in zip(xs, ys)]


def emit(result):
    """The figure bench/run reads: must be the last line printed."""
    sys.stdout.flush()
    print("RESULT " + json.dumps(result), flush=True)


# ------------------------------------------------------------------ reference server
class ServerProc:
    """The reference authUser server in its own process (CLI mode), so that
    its Python threads never compete for the driver's GIL."""

    def __init__(self, workdir, certs, users, instance="A", **options):
        self.dir = os.path.join(workdir, "server-%s" % instance)
        os.makedirs(self.dir, exist_ok=True)
        config = dict(users=users, certfile=certs["server_cert"], keyfile=certs["server_key"],
                      instance=instance, **options)
        cfg = os.path.join(self.dir, "config.json")
        with open(cfg, "w") as f:
            json.dump(config, f)
        pf, cpf = os.path.join(self.dir, "port"), os.path.join(self.dir, "ctl")
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(
            [PYTHON, os.path.join(ROOT, "tests", "server", "authserver.py"), "--config", cfg,
             "--port-file", pf, "--control-port", "0", "--control-port-file", cpf],
            stdout=self.log, stderr=self.log)
        on_exit(self.stop)
        deadline = time.monotonic() + 20
        while not (os.path.exists(pf) and os.path.exists(cpf)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("reference server did not start; see %s/log" % self.dir)
            time.sleep(0.02)
        self.port = int(open(pf).read())
        self.ctl_port = int(open(cpf).read())
        self.url = "https://127.0.0.1:%d/" % self.port

    def control(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.ctl_port, timeout=30)
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None,
                         {"Content-Type": "application/json"})
            return json.loads(conn.getresponse().read() or b"null")
        finally:
            conn.close()

    def requests(self):
        return self.control("GET", "/requests")

    def cpu_seconds(self):
        """user+system CPU time of the server process, all threads."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        terminate(self.proc)
        self.log.close()


class BrokerProc:
    """The current build's crauth-broker on a socket in @workdir."""

    def __init__(self, workdir):
        self.sock = os.path.join(workdir, "broker.sock")
        self.proc = subprocess.Popen([os.path.join(BUILD, "broker", "crauth-broker"),
                                      "--socket", self.sock],
                                     stderr=open(os.path.join(workdir, "broker.log"), "w"))
        on_exit(terminate, self.proc)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("crauth-broker did not start; see %s/broker.log" % workdir)
            time.sleep(0.02)

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def terminate(proc):
    """SIGTERM, then SIGKILL after 10 s: every background process we start."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------------ crauth set-up
def write_conf(path, urls, ca_file, cache_dir, method="server-challenge",
               keyword="getchallenge", connect_timeout=3, timeout=10, server_extra="",
               auth_extra=""):
    lines = ["[server]"] + ["url = %s" % u for u in urls] + [
        "ca_file = %s" % ca_file, "connect_timeout = %d" % connect_timeout,
        "timeout = %d" % timeout, server_extra,
        "[auth]", "backend = server", "method = %s" % method, "keyword = %s" % keyword,
        "fail_delay = 0", auth_extra,
        "[cache]", "dir = %s" % cache_dir]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)


def write_service(confdir, name, lines):
    """A PAM service file in a private dir (pam_start_confdir): nothing in /etc."""
    other = os.path.join(confdir, "other")
    if not os.path.exists(other):
        with open(other, "w") as f:
            f.write("auth required pam_deny.so\n")
    with open(os.path.join(confdir, name), "w") as f:
        f.write("".join(line + "\n" for line in lines))


def crauth_service(confdir, name, conf, helper=HELPER, extra="", module=MODULE):
    write_service(confdir, name, ["auth required %s conf=%s helper=%s %s"
                                  % (module, conf, helper, extra)])


def callgrind_service(confdir, name, conf, outfile):
    """A PAM service whose helper runs under callgrind, writing @outfile."""
    wrapper = os.path.join(confdir, "helper-callgrind")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec /usr/bin/valgrind --tool=callgrind -q "
                "--callgrind-out-file=%s %s\n" % (outfile, HELPER))
    os.chmod(wrapper, 0o755)
    crauth_service(confdir, name, conf, helper=wrapper)


def ocra_response(challenge):
    return oath.ocra(_SUITE, bytes.fromhex(KEY20), challenge)


def ocra_conv(batch):
    """A token user: reads the challenge from the conversation, answers it.
    Computed in-process (no `crauth ocra` exec), so the login's time is the
    module's and the helper's, not the soft token's."""
    challenge = ph.challenge_in(" ".join(t for _, t in batch)) or _challenge_any(batch)
    return [ocra_response(challenge) if s in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON)
            else None for s, _ in batch]


def _challenge_any(batch):
    for _, text in batch:
        m = re.search(r"(\d{8})", text)
        if m:
            return m.group(1)
    raise RuntimeError("no challenge in %r" % batch)


def timed_login(confdir, service, user, conv, expect="PAM_SUCCESS"):
    """One pam_start_confdir/pam_authenticate/pam_end; seconds and the result."""
    t0 = time.perf_counter()
    r = ph.authenticate(service, user, confdir, conv)
    dt = time.perf_counter() - t0
    if expect is not None and r.name != expect:
        raise RuntimeError("login %s/%s: %s, expected %s\n%s" % (service, user, r.name, expect,
                                                                 r.log))
    return dt, r


def vm_kb(pid="self", field="VmRSS"):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


# ------------------------------------------------------------------ exec timing
_STUB = r"""
#include <unistd.h>
int main(void) {
    static const char hello[13] = {0x41, 0, 10, 0, 1};
    if (write(1, hello, sizeof hello) != sizeof hello) return 1;
    char b; while (read(0, &b, 1) > 0) ;
    return 0;
}
"""
# name -> extra link flags; --no-as-needed keeps libraries main() does not use
STUB_HELPER = "stub: + libinih, libnettle, libcrypt (the helper's own libraries)"
STUBS = [
    ("stub: static, no ld.so", ["-static"]),
    ("stub: libc only", []),
    (STUB_HELPER, ["-linih", "-lnettle", "-lcrypt"]),
    ("stub: + libcrypto, libssl, libcurl (no XML parser)", ["-linih", "-lnettle", "-lcrypt",
                                                 "-lcrypto", "-lssl", "-lcurl"]),
    ("stub: + expat (the helper with its server plugin)", ["-linih", "-lnettle", "-lcrypt",
                                                           "-lcrypto", "-lssl", "-lcurl",
                                                           "-lexpat"]),
]
# the two a server login's libraries are told apart by: with and without the XML parser
STUB_FULL, STUB_NO_XML = STUBS[-1][0], STUBS[-2][0]


def build_spawn_tools(workdir):
    """bench/spawntime.c and the stubs, compiled into workdir."""
    spawntime = os.path.join(workdir, "spawntime")
    subprocess.run(["cc", "-O2", "-o", spawntime,
                    os.path.join(ROOT, "bench", "spawntime.c")], check=True)
    src = os.path.join(workdir, "stub.c")
    with open(src, "w") as f:
        f.write(_STUB)
    stubs = []
    for i, (name, libs) in enumerate(STUBS):
        exe = os.path.join(workdir, "stub%d" % i)
        subprocess.run(["cc", "-O2", "-o", exe, src, "-Wl,--no-as-needed"] + libs, check=True)
        stubs.append((name, exe))
    return spawntime, stubs


def lib_count(path):
    """How many shared libraries ld.so maps for @path (ldd)."""
    out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    return sum(1 for line in out.splitlines() if "=>" in line)


def spawntime(tool, mode, inp, argv):
    """(seconds, frame type or exit status) of one spawntime run."""
    out = subprocess.run([tool, mode, inp] + argv, check=True, capture_output=True,
                         text=True).stdout.split()
    return int(out[0]) / 1e9, int(out[1])


def frame(t, payload):
    """One module->helper frame (lib/common/wire.h): type, 16-bit length, payload."""
    return bytes([t]) + len(payload).to_bytes(2, "big") + payload


def request_frames(user, service, conf):
    """USER SERVICE CONF START, as pam_crauth.so sends them."""
    return (frame(0x01, user.encode()) + frame(0x02, service.encode()) +
            frame(0x06, conf.encode()) + frame(0x08, b"\0\1\0\0\0\0"))


# ------------------------------------------------------------------ callgrind
def callgrind_inclusive(outfile, names):
    """Inclusive instruction counts (Ir) of the named functions, and the
    program total, from a callgrind output file.  A name matches a function
    whose symbol is exactly it (callgrind_annotate prints 'file:function')."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                           outfile], capture_output=True, text=True, check=True).stdout
    total, found = None, {}
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if line.rstrip().endswith("PROGRAM TOTALS"):
            total = int(parts[0].replace(",", ""))
            continue
        if len(parts) < 2 or not parts[0][0].isdigit():
            continue
        try:
            ir = int(parts[0].replace(",", ""))
        except ValueError:
            continue
        sym = " ".join(parts[1:]).split(":", 1)[-1].split(" [")[0].strip()
        if sym in names and sym not in found:  # first = largest inclusive count
            found[sym] = ir
    return total, found


# ------------------------------------------------------------------ baseline build
# Issue 14's "today": the tree before its work began (the parent of 1bdb001,
# "Tree by link tier").  Benchmark 4 runs the same load with this build and
# with the current one, interleaved, and reports the ratio.
BASELINE_REV = "1bdb001^"
BASELINE_CACHE = os.environ.get("CRAUTH_BASELINE_CACHE", "/var/tmp/crauth-bench-baseline")
# how the baseline is built; a cached build made another way is rebuilt
_BASELINE_RECIPE = "git archive | tar -x; deps.sh build; autoreconf -fi; " \
    "build/bench: ../../configure; make -j2"


class Baseline:
    """A build of BASELINE_REV: .build holds helper/crauth-helper and
    pam_module/.libs/pam_crauth.so, laid out as a current build dir."""

    def __init__(self, commit, build, seconds, reused):
        self.commit, self.build, self.seconds, self.reused = commit, build, seconds, reused
        self.helper = os.path.join(build, "helper", "crauth-helper")
        self.module = os.path.join(build, "pam_module", ".libs", "pam_crauth.so")


def _baseline_built(build, stamp):
    """Seconds the cached build took, or None if there is none made by this recipe."""
    try:
        with open(stamp) as f:
            recipe, seconds = f.read().splitlines()[:2]
        seconds = float(seconds)
    except (OSError, ValueError):
        return None
    ok = recipe == _BASELINE_RECIPE and all(os.path.exists(os.path.join(build, p)) for p in (
        "helper/crauth-helper", "pam_module/.libs/pam_crauth.so"))
    return seconds if ok else None


def _owned_dir(path):
    """mkdir -p, then refuse a dir someone else could write to: its helper runs as root."""
    os.makedirs(path, mode=0o755, exist_ok=True)
    st = os.lstat(path)
    if st.st_uid != os.geteuid() or st.st_mode & 0o022 or not os.path.isdir(path) \
            or os.path.islink(path):
        raise OSError("%s is not a directory only we can write to" % path)


def baseline_build(log=print):
    """Build BASELINE_REV once into BASELINE_CACHE/<commit>/ and reuse it after.

    Returns (Baseline, None), or (None, why) when there is no git history to
    take it from (a release tarball, a shallow clone) or its build fails; the
    caller then reports its absolute figures only.  Never raises for those."""
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", "-q",
                                 BASELINE_REV + "^{commit}"], capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    if not commit:
        return None, "%s is not in this tree's git history (no .git, or a shallow clone)" \
            % BASELINE_REV
    top = os.path.join(BASELINE_CACHE, commit)
    src = os.path.join(top, "src")
    build = os.path.join(src, "build", "bench")
    stamp = os.path.join(top, "built")
    buildlog = os.path.join(top, "build.log")
    try:
        _owned_dir(BASELINE_CACHE)
        _owned_dir(top)
        with open(os.path.join(top, "lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another run building it: wait for it
            seconds = _baseline_built(build, stamp)
            if seconds is not None:
                return Baseline(commit, build, seconds, True), None
            log("baseline %s (%s): building it once into %s ..."
                % (commit[:7], BASELINE_REV, top), flush=True)
            t0 = time.monotonic()
            if os.path.exists(stamp):
                os.unlink(stamp)
            shutil.rmtree(src, ignore_errors=True)
            os.makedirs(build)
            with open(buildlog, "w") as out:
                archive = subprocess.Popen(["git", "-C", ROOT, "archive", commit],
                                           stdout=subprocess.PIPE, stderr=out)
                untar = subprocess.run(["tar", "-x", "-C", src], stdin=archive.stdout,
                                       stdout=out, stderr=subprocess.STDOUT)
                archive.stdout.close()
                if archive.wait() or untar.returncode:
                    return None, "git archive %s failed; see %s" % (commit[:7], buildlog)
                # that tree's own package list (it links libxml2, which ours no longer does)
                steps = [(["sh", "scripts/deps.sh", "build"], src), (["autoreconf", "-fi"], src),
                         (["../../configure"], build), (["make", "-j2"], build)]
                for argv, cwd in steps:
                    out.write("$ %s\n" % " ".join(argv))
                    out.flush()
                    if subprocess.run(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL).returncode:
                        return None, "building %s failed at `%s`; see %s" % (
                            commit[:7], " ".join(argv), buildlog)
            seconds = time.monotonic() - t0
            b = Baseline(commit, build, seconds, False)
            if not (os.path.exists(b.helper) and os.path.exists(b.module)):
                return None, "building %s made no helper or module; see %s" % (commit[:7],
                                                                             buildlog)
            with open(stamp, "w") as f:
                f.write("%s\n%.1f\n" % (_BASELINE_RECIPE, seconds))
            log("baseline %s built in %.0f s" % (commit[:7], seconds), flush=True)
            return b, None
    except OSError as e:
        return None, "baseline build: %s" % e


if __name__ == "__main__":
    # `python3 bench/common.py --baseline`: bench/run builds the baseline this
    # way before the benchmarks; the last line says where it is or why not.
    if sys.argv[1:] != ["--baseline"]:
        sys.exit("usage: %s --baseline" % sys.argv[0])
    _base, _why = baseline_build()
    print("BASELINE " + json.dumps({"build": _base.build, "commit": _base.commit} if _base
                                   else {"why": _why}), flush=True)
