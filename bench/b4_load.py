#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark 4: 200 2-step logins from 16 parallel client processes.

Each client is its own Python process driving the real libpam (so 16 PAM
applications fork/exec helpers at once), with its own user; all share one
cache dir, as helpers on one host share /run/crauth.  The clients start
together on a signal and record each login's latency; every login must
succeed.

The reference server is threaded Python, so one process runs on one core
at a time (the GIL).  To tell its limit from crauth's, the run is made
twice: with one server, and with SERVERS instances where client i lists
them rotated by i (crauth fails over in url order, so this spreads the
load).  CPU time is split between the server processes and the clients
with their helpers (getrusage of the clients' children).

The goal is a ratio: the same load, same users, clients and servers, is
run with issue 14's baseline (the tree before its work, BASELINE_REV,
built once by common.baseline_build into a cache dir) and with the current
build, interleaved B D C C D B ..., each with its own helper, module and
cache dir; the figure is the median current rate over the median baseline
rate.  The current build (C) hands its calls to one crauth-broker, whose
CPU counts on the client side; the same build without it (D, "direct":
each helper calls the servers itself, as the baseline does) is run beside
them and reported, not judged.
With no baseline (no git history, or it does not build) the run says so
and reports the absolute rate only.

Memory: the helper's peak RSS through a `/usr/bin/time -f %M` wrapper as
helper=, on a few logins after the load run; the module's added RSS in the
PAM application is read from /proc/self/status in a fresh process: after a
pam_permit login, in the middle of a crauth login (module loaded, helper
running) and after pam_end.
"""
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as c  # noqa: E402

LOGINS = int(os.environ.get("BENCH_LOGINS", "200"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
SERVERS = int(os.environ.get("BENCH_SERVERS", "2"))
# load runs per build with SERVERS servers, baseline and current interleaved
PAIRS = int(os.environ.get("BENCH_PAIRS", "4"))
# issue 14: logins per second on 2 cores, at least twice what the tree did
# before its work (common.BASELINE_REV), measured side by side
RATIO_GOAL = 2.0


class Build:
    """The helper and module a load run uses, its own cache dir, and the
    crauth-broker it hands its calls to (None: the helper calls the
    servers itself)."""

    def __init__(self, label, helper, module, cache, broker=None):
        self.label, self.helper, self.module, self.cache = label, helper, module, cache
        self.broker = broker


def client(confdir, service, user, count):
    """One PAM application: wait for "go" on stdin, log in `count` times."""
    c.timed_login(confdir, service, user, c.ocra_conv)  # warm: imports, first dlopen
    print("ready", flush=True)
    sys.stdin.readline()
    cpu0 = cpu_seconds()  # the interpreter's start and the warm-up do not count
    lat, failures = [], []
    for _ in range(count):
        t0 = time.perf_counter()
        r = c.ph.authenticate(service, user, confdir, c.ocra_conv)
        lat.append(time.perf_counter() - t0)
        if r.name != "PAM_SUCCESS":
            failures.append(r.log.strip()[-300:])
    print(json.dumps({"lat": lat, "failures": failures, "cpu": cpu_seconds() - cpu0}),
          flush=True)


def cpu_seconds():
    """CPU of this process and of its reaped children (the helpers)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    rc = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime + rc.ru_utime + rc.ru_stime


class Bench:
    def __init__(self):
        self.dir = c.tempdir("b4")
        self.certs = c.make_certs(self.dir)
        self.users = ["load%02d" % i for i in range(CLIENTS)]
        self.servers = [c.ServerProc(self.dir, self.certs, {u: c.TWOSTEP for u in self.users},
                                     instance=chr(ord("A") + i)) for i in range(SERVERS)]
        self.broker = c.BrokerProc(self.dir)
        self.current = Build("current", c.HELPER, c.MODULE, os.path.join(self.dir, "cache"),
                             broker=self.broker)
        self.direct = Build("direct", c.HELPER, c.MODULE, os.path.join(self.dir, "cache-direct"))

    def service(self, name, urls, helper=None, build=None):
        """A PAM service and its conf; the baseline's conf keys are the same
        (its helper reads [server] url/ca_file/connect_timeout/timeout,
        [auth] backend/method/keyword/fail_delay and [cache] dir alike)."""
        build = build or self.current
        conf = os.path.join(self.dir, name + ".conf")
        c.write_conf(conf, urls, self.certs["ca_cert"], build.cache,
                     server_extra="broker = %s" % build.broker.sock if build.broker else "")
        c.crauth_service(self.dir, name, conf, helper=helper or build.helper,
                         module=build.module)
        return name

    def run(self, nservers, build=None):
        """All clients at once; (latencies, failures, wall, server cpu, client cpu)."""
        build = build or self.current
        urls = [s.url for s in self.servers[:nservers]]
        services = [self.service("%s-load%d-%d" % (build.label, nservers, i), urls[i:] + urls[:i],
                                 build=build) for i in range(nservers)]
        procs = []
        for i, user in enumerate(self.users):
            count = LOGINS // CLIENTS + (1 if i < LOGINS % CLIENTS else 0)
            procs.append(subprocess.Popen(
                [c.PYTHON, os.path.abspath(__file__), "--client", self.dir,
                 services[i % nservers], user, str(count)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        for p in procs:
            c.on_exit(lambda p=p: p.poll() is None and (p.kill(), p.wait()))
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError("a load client failed to start")
        cpu0 = [s.cpu_seconds() for s in self.servers[:nservers]]
        bcpu0 = build.broker.cpu_seconds() if build.broker else 0
        t0 = time.perf_counter()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        results = [json.loads(p.stdout.readline()) for p in procs]
        wall = time.perf_counter() - t0
        server_cpu = sum(s.cpu_seconds() - a for s, a in zip(self.servers, cpu0))
        # the broker's CPU is the client side's: it does what the helpers did
        broker_cpu = build.broker.cpu_seconds() - bcpu0 if build.broker else 0
        for p in procs:
            p.wait()
        lat = [x for r in results for x in r["lat"]]
        fails = [f for r in results for f in r["failures"]]
        return lat, fails, wall, server_cpu, sum(r["cpu"] for r in results) + broker_cpu

    def helper_peak_rss(self, logins=5):
        """Max ru_maxrss of the helper (KiB) over a few logins, via /usr/bin/time."""
        out = os.path.join(self.dir, "rss-out")
        os.makedirs(out)
        wrapper = os.path.join(self.dir, "helper-time")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\nexec /usr/bin/time -f %%M -o %s/rss.$$ %s\n' % (out, c.HELPER))
        os.chmod(wrapper, 0o755)
        service = self.service("rss", [self.servers[0].url], helper=wrapper)
        for _ in range(logins):
            c.timed_login(self.dir, service, self.users[0], c.ocra_conv)
        return max(int(open(os.path.join(out, f)).read().split()[-1]) for f in os.listdir(out))

    def module_rss(self):
        """The module's RSS in the application, from a fresh process."""
        service = self.service("rss-module", [self.servers[0].url])
        c.write_service(self.dir, "permit", ["auth required pam_permit.so"])
        out = subprocess.run([c.PYTHON, os.path.abspath(__file__), "--rss", self.dir, service,
                              self.users[0]], check=True, capture_output=True, text=True)
        return json.loads(out.stdout.splitlines()[-1])


def rss_probe(confdir, service, user):
    """VmRSS (KiB) at the points that tell the module's share."""
    c.timed_login(confdir, "permit", user, lambda b: [None for _ in b])
    c.timed_login(confdir, "permit", user, lambda b: [None for _ in b])
    base = c.vm_kb()
    during = []

    helper = {}

    def conv(batch):
        during.append(c.vm_kb())
        for pid in c.ph.children_of(os.getpid()):
            helper.update(anon=c.vm_kb(pid, "RssAnon"), file=c.vm_kb(pid, "RssFile"))
        return c.ocra_conv(batch)
    c.timed_login(confdir, service, user, conv)
    after1 = c.vm_kb()
    c.timed_login(confdir, service, user, conv)
    after2 = c.vm_kb()
    c.timed_login(confdir, "permit", user, lambda b: [None for _ in b])
    print(json.dumps({"base": base, "during": max(during), "after1": after1, "after2": after2,
                      "after_permit": c.vm_kb(), "hwm": c.vm_kb(field="VmHWM"),
                      "helper_anon": helper["anon"], "helper_file": helper["file"]}))


def get_baseline():
    """(common.Baseline, None), or (None, why not).  bench/run builds it before
    the benchmarks and passes CRAUTH_BASELINE_WHY when it could not; run by
    hand, this builds it (or finds the cached build)."""
    why = os.environ.get("CRAUTH_BASELINE_WHY")
    return (None, why) if why else c.baseline_build()


def pooled(results):
    """Several load runs of one build as one: latencies and failures pooled,
    wall and CPU summed, and the median of the runs' rates."""
    return {"lat": [x for r in results for x in r[0]], "fails": [f for r in results for f in r[1]],
            "wall": sum(r[2] for r in results), "scpu": sum(r[3] for r in results),
            "ccpu": sum(r[4] for r in results),
            "rates": [len(r[0]) / r[2] for r in results],
            "rate": c.median([len(r[0]) / r[2] for r in results])}


def main():
    c.check_built()
    base, why = get_baseline()
    b = Bench()
    print("#### 4. load: %d logins from %d client processes" % (LOGINS, CLIENTS))
    baseline = None
    if base:
        print("baseline: %s (%s, the tree before issue 14), %s, from %s"
              % (base.commit[:7], c.BASELINE_REV, ("cached build (it took %.0f s)" if base.reused
                                                   else "built now in %.0f s") % base.seconds,
                 base.build))
        baseline = Build("baseline", base.helper, base.module,
                         os.path.join(b.dir, "cache-baseline"))
    else:
        print("no baseline: %s; the absolute rate only, no ratio" % why)
    builds = [x for x in (baseline, b.direct, b.current) if x]
    seq_services = {x.label: b.service(x.label + "-seq", [b.servers[0].url], build=x)
                    for x in builds}
    seq = c.interleave({x.label: (lambda x=x: c.timed_login(
        b.dir, seq_services[x.label], b.users[0], c.ocra_conv)[0]) for x in builds}, 20, warmup=1)
    print("one at a time (same run, before the load), median of 20: "
          + ", ".join("%s %s" % (x.label, c.ms(c.median(seq[x.label]))) for x in builds[::-1]))
    ncpu = os.cpu_count()
    print("| build | servers | ok | wall | logins/s | p50 | p99 | max | CPU per login: server + "
          "clients/helpers | p50 if only CPU-bound | server CPU / wall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    runs = {}
    # the current build alone with one server, then both builds with SERVERS
    # servers, interleaved B C C B ... so that drift in the machine's speed hits both
    order = [(b.current, 1)] if SERVERS != 1 else []
    for i in range(PAIRS):
        order += [(x, SERVERS) for x in (builds if i % 2 == 0 else builds[::-1])]
    for build, n in order:
        r = b.run(n, build)
        runs.setdefault((build.label, n), []).append(r)
        lat, fails, wall, scpu, ccpu = r
        per = (scpu + ccpu) / len(lat)
        print("| %s | %d | %d/%d | %.1f s | %.0f | %s | %s | %s | %.1f + %.1f ms | %s | "
              "%.2f cores |"
              % (build.label, n, len(lat) - len(fails), len(lat), wall, len(lat) / wall,
                 c.ms(c.median(lat)), c.ms(c.percentile(lat, 99)), c.ms(max(lat)),
                 1000 * scpu / len(lat), 1000 * ccpu / len(lat), c.ms(per * CLIENTS / ncpu),
                 scpu / wall), flush=True)
        for f in fails[:3]:
            print("  failure: %s" % f)
    rss = b.helper_peak_rss()
    m = b.module_rss()
    print("\nhelper peak RSS (ru_maxrss via /usr/bin/time): %d KiB; at the prompt: "
          "RssAnon %d KiB, RssFile %d KiB (library pages, shared)"
          % (rss, m["helper_anon"], m["helper_file"]))
    print("PAM application VmRSS: after pam_permit logins %d KiB; during a crauth login %+d KiB; "
          "after it (pam_end) %+d KiB, after a second %+d KiB; VmHWM %d KiB"
          % (m["base"], m["during"] - m["base"], m["after1"] - m["base"],
             m["after2"] - m["base"], m["hwm"]))
    cur = pooled(runs[("current", SERVERS)])
    lat, fails, wall, scpu, ccpu = cur["lat"], cur["fails"], cur["wall"], cur["scpu"], cur["ccpu"]
    lat1 = runs[("current", 1)][0][0]
    per = (scpu + ccpu) / len(lat)
    current_runs = [r for (label, _), rs in runs.items() if label == "current" for r in rs]
    allok = all(not r[1] for r in current_runs)
    ncurrent = sum(len(r[0]) for r in current_runs)
    rate = cur["rate"]
    libs = c.lib_count(c.HELPER) + c.lib_count(c.PLUGIN)
    ratio = None
    if baseline:
        old = pooled(runs[("baseline", SERVERS)])
        pairs = c.paired(cur["rates"], old["rates"])
        ratio = rate / old["rate"]
        goal_note = (
            "Goal %s: %.2f x baseline %s (%s) on %d cores, goal >= %.1f: current %.0f logins/s, "
            "baseline %.0f logins/s (medians of %d runs each with %d server(s), interleaved "
            "B D C C D B ...; the runs' rates: current %s, baseline %s; ratios of neighbouring "
            "pairs %.2f-%.2f). Per login the baseline costs %.1f + %.1f ms of CPU (server + "
            "clients/helpers), the current build %.1f + %.1f ms."
            % ("met" if allok and ratio >= RATIO_GOAL else "MISSED", ratio, base.commit[:7],
               c.BASELINE_REV, ncpu, RATIO_GOAL, rate, old["rate"], PAIRS, SERVERS,
               " ".join("%.0f" % x for x in cur["rates"]),
               " ".join("%.0f" % x for x in old["rates"]), min(pairs), max(pairs),
               1000 * old["scpu"] / len(old["lat"]), 1000 * old["ccpu"] / len(old["lat"]),
               1000 * scpu / len(lat), 1000 * ccpu / len(lat)))
        if old["fails"]:
            goal_note += (" But %d of the baseline's %d logins failed, so its rate is not "
                          "comparable and the goal is not judged; see its failures above."
                          % (len(old["fails"]), len(old["lat"])))
            ratio = None
    else:
        goal_note = ("Goal not judged: no baseline to compare with (%s). %.0f logins/s with %d "
                     "server(s) on %d cores is an absolute figure, and this machine's speed "
                     "drifts from run to run." % (why, rate, SERVERS, ncpu))
    direct = pooled(runs[("direct", SERVERS)])
    notes = [
        goal_note,
        "The current build hands its calls to crauth-broker (crauth.conf(5) broker), which "
        "keeps the connections to the servers open: a login's helper maps no libcurl or "
        "OpenSSL (%d libraries against %d) and does no TLS handshake. Without a broker (the "
        "same build, the helper calling the servers itself, as every login did before): "
        "%.0f logins/s%s, %.1f + %.1f ms of CPU per login; with it %.1f + %.1f ms, the "
        "broker's own CPU counted on the client side."
        % (c.lib_count(c.HELPER), libs, direct["rate"],
           " (%.2f x baseline)" % (direct["rate"] / old["rate"]) if baseline else "",
           1000 * direct["scpu"] / len(direct["lat"]), 1000 * direct["ccpu"] / len(direct["lat"]),
           1000 * scpu / len(lat), 1000 * ccpu / len(lat)),
        "%s of %d logins with the current build succeeded; p50 %s, p99 %s (one at a time: "
        "%s%s)." % ("All" if allok else "NOT all", ncurrent, c.ms(c.median(lat)),
                    c.ms(c.percentile(lat, 99)), c.ms(c.median(seq["current"])),
                    ", baseline %s" % c.ms(c.median(seq["baseline"])) if baseline else ""),
        ("The server is not the bottleneck" if scpu / wall < 0.8 else
         "The server may be the bottleneck (near one core: the GIL)") +
        ": it used %.0f %% of the CPU (%.2f cores of %d), "
        "and spreading the load over %d instances gives p50 %s against %s with one. "
        "Each login costs ~%.1f ms of CPU on the "
        "client side (PAM application, spawn, the helper's start, the broker) against %.1f ms in "
        "the "
        "server; %d clients on %d cores make a login wait for ~%d logins' CPU, ~%s: "
        "the latency is CPU queueing, not locking (the cache's per-user locks never "
        "meet: one user per client)." % (100 * scpu / (scpu + ccpu), scpu / wall, ncpu,
                                          SERVERS, c.ms(c.median(lat)),
                                          c.ms(c.median(lat1)),
                                          1000 * ccpu / len(lat), 1000 * scpu / len(lat),
                                          CLIENTS, ncpu, CLIENTS // ncpu,
                                          c.ms(per * CLIENTS / ncpu)),
        "Memory: the helper peaks at %d KiB RSS, of which %d KiB are file pages of its "
        "shared libraries and plugin (shared with other helpers) and %d KiB its own; the "
        "module adds "
        "%d KiB to the application during a login and %d KiB stay after pam_end "
        "(%s: the second login added %+d KiB)."
        % (rss, m["helper_file"], m["helper_anon"], m["during"] - m["base"],
           m["after1"] - m["base"], "allocator growth, not a leak" if m["after2"] - m["after1"]
           <= 16 else "worth a look", m["after2"] - m["after1"]),
        "What is left per login is the exec of a set-id helper (its %d libraries) and the "
        "PAM application's own work; the server's share is the reference server's Python."
        % c.lib_count(c.HELPER),
    ]
    result = {"id": 4, "name": "load: %d logins, %d clients" % (LOGINS, CLIENTS), "notes": notes,
              "a": "p50 %s, p99 %s (%d servers)" % (c.ms(c.median(lat)),
                                                     c.ms(c.percentile(lat, 99)), SERVERS),
              "goal": ">= %.1f x baseline %s, all succeed"
                      % (RATIO_GOAL, base.commit[:7] if base else c.BASELINE_REV),
              "logins_per_s": round(rate),
              "p50_load_over_alone": round(c.median(lat) / c.median(seq["current"]), 1),
              "helper_rss_kib": rss, "module_rss_during_kib": m["during"] - m["base"],
              "module_rss_after_kib": m["after2"] - m["base"],
              "server_share": round(scpu / (scpu + ccpu), 2)}
    if baseline:
        result.update(
            b="baseline %s: p50 %s, p99 %s" % (base.commit[:7], c.ms(c.median(old["lat"])),
                                               c.ms(c.percentile(old["lat"], 99))),
            baseline_logins_per_s=round(old["rate"]), baseline_commit=base.commit)
    else:
        result["b"] = "no baseline"
    if ratio is not None:
        result.update(ratio=round(ratio, 2), ratio_unit="x baseline",
                      ratio_label="current %.0f/s, baseline %.0f/s; pairs %.2f-%.2f"
                      % (rate, old["rate"], min(pairs), max(pairs)),
                      met=allok and ratio >= RATIO_GOAL)
    else:
        # the absolute figure alone: no goal can be judged from it
        result.update(ratio=round(rate), ratio_label="logins/s, %d servers; no baseline"
                      % SERVERS, met=False if not allok else None)
    c.emit(result)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--rss":
        rss_probe(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
