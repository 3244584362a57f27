#!/usr/bin/env python3
"""The soak in short, for `make test`: 300 polls of `dfdiff watch` through the
fault-injecting TLS relay of tests/soak/soak.py, once with a TLS 1.3 relay and once with a
TLS 1.2 one (same checks: final state, only transient failures on stderr,
RSS/descriptors/TLS pool not creeping), in well under a minute.

Environment: DFDIFF, DFDIFF_BINARY, BUILD (scratch in $BUILD/soak-short/). SOAK_SEED fixes
the fault schedule (random otherwise; the seed is printed, so a failure can be replayed
with `python3 tests/soak/soak.py --polls 300 --seed N`).
"""

import importlib.util
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
spec = importlib.util.spec_from_file_location("dfdiff_soak", os.path.join(HERE, "soak.py"))
soak = importlib.util.module_from_spec(spec)
spec.loader.exec_module(soak)
K = soak.K

POLLS = 300


def main():
    tap = K.Tap()
    K.install_cleanup()
    work = os.path.join(K.BUILD, "soak-short")
    seed = int(os.environ.get("SOAK_SEED") or random.randrange(1 << 30))

    def go():
        if not (os.path.isfile(K.DFDIFF) and os.access(K.DFDIFF, os.X_OK)):
            tap(False, "dfdiff binary present", ["%s is missing (run make)" % K.DFDIFF])
            return 1
        if not K.lock_work_dir(work):
            tap(False, "exclusive use of %s" % work, ["another run held its lock"])
            return 1
        for tls_max in ("1.3", "1.2"):
            print("# seed %d (replay: python3 tests/soak/soak.py --polls %d --seed %d "
                  "--tls-max %s)" % (seed, POLLS, seed, tls_max))
            soak.run_soak(POLLS, seed, sample_every=0.2, pool_every=0.5,
                          work=os.path.join(work, "tls" + tls_max), tap=tap, kill_after=60 if K.EMULATED else 25,
                          tls_max=tls_max)
        return 1 if tap.failures else 0
    return K.main_wrapper(go, tap)


if __name__ == "__main__":
    sys.exit(main())
