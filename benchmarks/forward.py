"""Time srcdiff's forward mode (``jvp``) against a hand-written forward-mode derivative.

    python benchmarks/forward.py            # small and large sizes
    python benchmarks/forward.py --quick    # fewer, shorter rounds

The workload is the damped oscillator of ``benchmarks.workloads``, a loop over
Python floats differentiated with respect to its spring constant ``k``.  Its
hand-written gradient carries ``d/dk`` along with the values: the floor.  The
static ``jvp`` (tangent 1.0) and, for comparison, the static reverse-mode
``grad`` are checked against it, then timed interleaved in this process.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import srcdiff  # noqa: E402
from benchmarks.harness import time_interleaved  # noqa: E402
from benchmarks.workloads import BY_NAME, SIZES  # noqa: E402


def candidates(args):
    """name -> a call returning d oscillator / dk, each checked against the hand derivative."""
    workload = BY_NAME["oscillator"]
    jvp = srcdiff.jvp(workload.function, wrt=0)
    grad = srcdiff.grad(workload.function, wrt=0)
    calls = {
        "hand (forward)": lambda: workload.hand_gradient(*args)[0],
        "srcdiff jvp": lambda: jvp(*args, tangent=1.0)[1],
        "srcdiff grad": lambda: grad(*args),
    }
    expected = calls["hand (forward)"]()
    for name, call in calls.items():
        if not np.isclose(call(), expected, rtol=1e-10, atol=0.0):
            raise AssertionError(f"{name} gives {call()!r}, the hand derivative {expected!r}")
    return calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    options = parser.parse_args(argv)
    rounds, batch_seconds = (5, 0.05) if options.quick else (15, 0.2)
    workload = BY_NAME["oscillator"]
    print(
        f"{'workload':<24}{'hand (forward)':>16}{'srcdiff jvp':>14}{'srcdiff grad':>14}"
        f"{'jvp/hand':>10}{'grad/hand':>11}"
    )
    for size in SIZES:
        args = workload.inputs(size)
        times = time_interleaved(candidates(args), rounds, batch_seconds)
        hand = times["hand (forward)"]
        print(
            f"{'oscillator ' + workload.describe(size):<24}{hand * 1e6:>14.1f}us"
            f"{times['srcdiff jvp'] * 1e6:>12.1f}us{times['srcdiff grad'] * 1e6:>12.1f}us"
            f"{times['srcdiff jvp'] / hand:>9.2f}x{times['srcdiff grad'] / hand:>10.2f}x"
        )


if __name__ == "__main__":
    main()
