"""Time srcdiff's gradients against a hand-written gradient, HIPS autograd, PyTorch and JAX.

    python benchmarks/run.py            # full run (a few minutes)
    python benchmarks/run.py --quick    # under a minute
    python benchmarks/run.py --workloads rnn,oscillator --sizes small

For every workload and size, each implementation's gradients are first
checked against the hand-written gradient; a mismatch is printed as WRONG, an
exception as "unsupported: ...", and neither is timed.  The rest are timed in
this one process, interleaved (see ``benchmarks.harness``), single-threaded.
Then come the median ratio of srcdiff static to the hand-written gradient,
the performance targets of SPEC section 5, srcdiff's first-call
(transformation + compile) time per workload and for a 50-line function, each
measured in a fresh process, and the peak memory of one gradient call for
the loop workloads.
"""

import os

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.harness import checked_candidates, peak_memory, time_interleaved  # noqa: E402
from benchmarks.peers import IMPLEMENTATIONS, describe_error  # noqa: E402
from benchmarks.workloads import (  # noqa: E402
    BY_NAME,
    FIFTY_LINES,
    SIZES,
    WORKLOADS,
    long_function_source,
)

CELL = 21
OUTSIDE_TRACEMALLOC = ("torch", "jax", "jax_jit")  # their buffers are not reported to tracemalloc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument(
        "--workloads", default=",".join(w.name for w in WORKLOADS), help="comma-separated names"
    )
    parser.add_argument("--sizes", default=",".join(SIZES), help="small,large")
    parser.add_argument("--first-call", metavar="WORKLOAD", help=argparse.SUPPRESS)
    parser.add_argument("--transform-lines", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--lengths", default="50,500,2000", help="function lengths whose transformation is timed"
    )
    options = parser.parse_args(argv)
    if options.first_call:
        print(json.dumps(measure_first_call(BY_NAME[options.first_call])))
        return
    if options.transform_lines:
        print(json.dumps(measure_transformation(options.transform_lines)))
        return
    timed = {workload.name: workload for workload in WORKLOADS}
    names, sizes = options.workloads.split(","), options.sizes.split(",")
    for unknown in [name for name in names if name not in timed] + sorted(set(sizes) - set(SIZES)):
        parser.error(f"unknown workload or size {unknown!r}")
    workloads = [timed[name] for name in names]
    rounds, batch_seconds = (5, 0.002) if options.quick else (21, 0.02)
    torch = _setup_torch()
    print_header(torch)
    notes = Notes()
    rows = []
    print(_table_heading())
    for workload in workloads:
        for size in sizes:
            row = run_case(workload, size, rounds, batch_seconds)
            rows.append(row)
            print(_table_row(row, notes), flush=True)
    notes.print()
    print_summary(rows)
    print_first_calls([*workloads, FIFTY_LINES])
    print_transformation_times([int(n) for n in options.lengths.split(",") if n])
    print_memory(rows)


def _setup_torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only possible before torch's first parallel work
        pass
    return torch


def print_header(torch):
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = models[0] if models else cpu
    print(f"machine: {platform.platform()}; {cpu}; {os.cpu_count()} CPUs (timed on 1 thread)")
    versions = [f"python {platform.python_version()}", f"numpy {np.__version__}"]
    versions.append(f"torch {torch.__version__}" if torch else "torch not installed")
    try:
        from importlib.metadata import version

        import autograd  # noqa: F401

        versions.append(f"autograd {version('autograd')}")
    except ImportError:
        versions.append("autograd not installed")
    try:
        import jax

        versions.append(f"jax {jax.__version__}")
    except ImportError:
        versions.append("jax not installed")
    versions.append(f"srcdiff {_srcdiff_version()}")
    print("versions: " + ", ".join(versions))
    print()


def _srcdiff_version():
    import srcdiff

    described = getattr(srcdiff, "__version__", "(no __version__)")
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %cs"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return f"{described}, git {commit}"
    except (OSError, subprocess.CalledProcessError):
        return described


def run_case(workload, size, rounds, batch_seconds):
    """Check, then time, every implementation of one workload at one size."""
    args = workload.inputs(size)
    row = {"workload": workload, "size": size, "times": {}, "problems": {}, "memory": {}}
    passed = {}
    for candidate, problem in checked_candidates(workload, args, IMPLEMENTATIONS):
        if problem:
            row["problems"][candidate.name] = problem
        else:
            passed[candidate.name] = candidate.call
    row["times"] = time_interleaved(passed, rounds, batch_seconds)
    if workload.loop:
        for name, call in passed.items():
            row["memory"][name] = None if name in OUTSIDE_TRACEMALLOC else peak_memory(call)
    return row


class Notes:
    """Footnotes for table cells that hold no time; identical texts share a number."""

    def __init__(self):
        self.texts = []

    def mark(self, name, text):
        label = f"{name}: {text}"
        if label not in self.texts:
            self.texts.append(label)
        return f"[{self.texts.index(label) + 1}]"

    def print(self):
        for number, text in enumerate(self.texts, 1):
            print(f"  [{number}] {text}")
        print()


def _format_time(seconds):
    microseconds = seconds * 1e6
    return f"{microseconds:,.1f}" if microseconds < 1000 else f"{microseconds:,.0f}"


def _table_heading():
    title = "median time per gradient call, µs (ratio to hand-written)"
    columns = f"{'workload':<11}{'size':<6}{'shape':<24}" + "".join(
        f"{name:>{CELL}}" for name in IMPLEMENTATIONS
    )
    return f"{title}\n{columns}\n{'-' * len(columns)}"


def _table_row(row, notes):
    workload, size = row["workload"], row["size"]
    hand = row["times"].get("hand")
    cells = []
    for name in IMPLEMENTATIONS:
        if name in row["times"]:
            seconds = row["times"][name]
            ratio = f" ({seconds / hand:.2f}x)" if hand else ""
            cells.append(_format_time(seconds) + ratio)
        else:
            problem = row["problems"][name]
            kind = problem.split(":", 1)[0]
            cells.append(f"{kind} {notes.mark(name, problem)}")
    shape = workload.describe(size)
    return f"{workload.name:<11}{size:<6}{shape:<24}" + "".join(f"{c:>{CELL}}" for c in cells)


def _ratio(row, name, over="hand"):
    times = row["times"]
    if name in times and over in times:
        return times[name] / times[over]
    return None


def print_summary(rows):
    ratios = [r for r in (_ratio(row, "static") for row in rows) if r is not None]
    if ratios:
        median = statistics.median(ratios)
        verdict = "meets" if median <= 1.2 else "misses"
        print(
            f"srcdiff static / hand-written, median over {len(ratios)} of {len(rows)} cases: "
            f"{median:.2f}x ({verdict} the 1.2x target)"
        )
        for size in SIZES:
            sized = [_ratio(row, "static") for row in rows if row["size"] == size]
            sized = [r for r in sized if r is not None]
            if sized:
                print(f"  {size}: median {statistics.median(sized):.2f}x over {len(sized)}")
        measured = [row for row in rows if _ratio(row, "static") is not None]
        worst = max(measured, key=lambda row: _ratio(row, "static"))
        ratio = _ratio(worst, "static")
        print(
            f"  worst cell: {worst['workload'].name} {worst['size']} {ratio:.2f}x "
            f"({'meets' if ratio <= 1.5 else 'misses'} the 1.5x limit)"
        )
        for row in measured:
            if row["workload"].name == "oscillator":  # the scalar loop
                ratio, jit = _ratio(row, "static"), _ratio(row, "static", over="jax_jit")
                against = f", {jit:.2f}x JAX jit" if jit is not None else ""
                print(
                    f"  scalar loop {row['size']}: {ratio:.2f}x hand-written{against} "
                    f"({'meets' if ratio <= 2.0 else 'misses'} the 2x target)"
                )
    else:
        print(f"srcdiff static / hand-written: no case measured (0 of {len(rows)} supported)")
    print("targets on small workloads (static faster than autograd and torch; trace <= 2x torch):")
    for row in rows:
        if row["size"] != "small":
            continue
        parts = []
        for mode, peer, limit in (
            ("static", "autograd", 1.0),
            ("static", "torch", 1.0),
            ("trace", "torch", 2.0),
        ):
            ratio = _ratio(row, mode, over=peer)
            if ratio is None:
                parts.append(f"{mode}/{peer} not measured")
            else:
                parts.append(f"{mode}/{peer} {ratio:.2f}x {'ok' if ratio < limit else 'MISS'}")
        print(f"  {row['workload'].name:<11}" + "; ".join(parts))
    print()


def measure_first_call(workload):
    """In this (fresh) process: time srcdiff.grad(f) and its first call, cold.

    srcdiff and its imports are warmed on another function first, so the
    times are those of transforming and compiling this workload only.
    """
    args = workload.inputs("small")
    try:
        import srcdiff

        try:
            srcdiff.grad(_warm_up)(np.ones(3))
        except Exception:  # the workload's own measurement reports any problem
            pass
        start = time.perf_counter()
        gradient = srcdiff.grad(workload.function, wrt=workload.wrt)
        transformed = time.perf_counter()
        gradient(*args)
        first = time.perf_counter()
        gradient(*args)
        second = time.perf_counter()
        srcdiff.grad(workload.function, wrt=workload.wrt)
        cached = time.perf_counter() - second
    except Exception as error:
        return {"error": "unsupported: " + describe_error(error)}
    return {
        "transform": transformed - start,
        "first_call": first - transformed,
        "second_call": second - first,
        "cached_grad": cached,
    }


def _warm_up(x):
    return np.sum(x * x)


def print_first_calls(workloads):
    print("srcdiff static first call, each in a fresh process (small inputs):")
    print(
        f"  {'workload':<11}{'lines':>6}{'grad(f) ms':>12}{'1st call ms':>13}"
        f"{'ms/line':>9}{'2nd call µs':>13}{'cached grad(f) µs':>19}"
    )
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    for workload in workloads:
        lines = len(inspect.getsource(workload.function).splitlines())
        completed = subprocess.run(
            [sys.executable, __file__, "--first-call", workload.name],
            capture_output=True,
            text=True,
            env=environment,
        )
        try:
            result = json.loads(completed.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            tail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            result = {"error": f"measurement process failed: {tail}"}
        if "error" in result:
            print(f"  {workload.name:<11}{lines:>6}  {result['error']}")
            continue
        total_ms = (result["transform"] + result["first_call"]) * 1e3
        print(
            f"  {workload.name:<11}{lines:>6}{result['transform'] * 1e3:>12.1f}"
            f"{result['first_call'] * 1e3:>13.1f}{total_ms / lines:>9.2f}"
            f"{result['second_call'] * 1e6:>13.1f}{result['cached_grad'] * 1e6:>19.1f}"
        )
    print()


def measure_transformation(n_lines):
    """In this (fresh) process: time grad(f) and its first call for an ``n_lines``-line function."""
    import importlib.util
    import tempfile

    import srcdiff

    srcdiff.grad(_warm_up)(np.ones(3))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, f"long_{n_lines}.py")
        path.write_text(long_function_source(n_lines))
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        function = module.long_function
        lines = len(inspect.getsource(function).splitlines())
        rng = np.random.default_rng(0)
        x, W = rng.standard_normal((4, 3)), rng.standard_normal((3, 3))
        start = time.perf_counter()
        srcdiff.grad(function, wrt=(0, 1))(x, W)
        return {"lines": lines, "seconds": time.perf_counter() - start}


def print_transformation_times(lengths):
    if not lengths:
        return
    print("srcdiff static transformation + first call by function length, fresh process:")
    print(f"  {'lines':>6}{'ms':>10}{'ms/line':>9}")
    for n_lines in lengths:
        completed = subprocess.run(
            [sys.executable, __file__, "--transform-lines", str(n_lines)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            result = json.loads(completed.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            tail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"  {n_lines:>6}  measurement process failed: {tail}")
            continue
        ms = result["seconds"] * 1e3
        print(f"  {result['lines']:>6}{ms:>10.1f}{ms / result['lines']:>9.2f}")
    print()


def print_memory(rows):
    rows = [row for row in rows if row["workload"].loop]
    if not rows:
        return
    print("peak memory of one gradient call (forward + backward), KiB, tracemalloc:")
    print(f"  {'workload':<11}{'size':<6}" + "".join(f"{n:>12}" for n in IMPLEMENTATIONS))
    for row in rows:
        cells = []
        for name in IMPLEMENTATIONS:
            if name not in row["memory"]:
                cells.append("-")
            elif row["memory"][name] is None:
                cells.append("n/a")
            else:
                cells.append(f"{row['memory'][name] / 1024:,.0f}")
        print(f"  {row['workload'].name:<11}{row['size']:<6}" + "".join(f"{c:>12}" for c in cells))
    print(
        "  (- not measured: see the table above; n/a: torch and JAX allocate outside tracemalloc)"
    )


if __name__ == "__main__":
    main()
