#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What a flood of user names costs after it: the one login a minute that
makes the cache's prune pass (lib/core/cache.c, cache_prune) over N
records whose window is over, against the logins around it.  Not part of
bench/run; run it by hand:

    sudo CRAUTH_BUILD=$PWD/build/rs bench/cache_prune.py [N]

The records are written as the helper writes failure counts (one per name,
window 300 s, begun 1000 s ago); the stamp is set back so that the next
login makes the pass.  Prints the time of that login, the median of the
logins before and after it (same loop), their ratio, and how many records
were left: a pass reads about CACHE_PRUNE_BUDGET (2000) records, a slice of
the names, and later passes take the rest.
"""
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as c  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 30000


def main():
    c.check_built()
    d = c.tempdir("prune")
    certs = c.make_certs(d)
    srv = c.ServerProc(d, certs, {"u": c.TWOSTEP})
    cache = os.path.join(d, "cache")
    conf = os.path.join(d, "crauth.conf")
    c.write_conf(conf, [srv.url], certs["ca_cert"], cache)
    c.crauth_service(d, "crauth", conf)

    def login():
        return c.timed_login(d, "crauth", "u", c.ocra_conv)[0]
    before = [login() for _ in range(10)]   # the first one makes the stamp
    start = int(time.time()) - 1000
    for i in range(N):
        name = "flood%07d" % i
        with open(os.path.join(cache, "u-" + hashlib.sha256(name.encode()).hexdigest()[:32]),
                  "w") as f:
            f.write("crauth-cache 1\ntype user\nuser %s\nfailures 1\nwindow_start %d\n"
                    "window 300\n" % (name.encode().hex(), start))
    stamp = os.path.join(cache, "prune.stamp")
    past = time.time() - 120
    os.utime(stamp, (past, past))
    pass_login = login()
    left = len([n for n in os.listdir(cache) if n.startswith("u-")])
    after = [login() for _ in range(10)]
    normal = c.median(before[1:] + after)
    print("%d expired records: the login that pruned them %s, the others %s (median of %d): "
          "%.0f x; records left: %d" % (N, c.ms(pass_login), c.ms(normal),
                                        len(before) - 1 + len(after), pass_login / normal, left))


if __name__ == "__main__":
    main()
