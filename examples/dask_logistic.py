"""Fit logistic regression on data spread over a Dask cluster, with srcdiff's static gradient.

The rows of ``X`` and ``y`` live in chunks on the workers.  ``loss`` is plain
NumPy code; called with Dask arrays, its srcdiff gradient is a lazy Dask
graph (one task chain per chunk, summed at the end), and ``dask.compute``
runs it on the cluster: data-parallel gradients, with only the weights and
the small gradient travelling.  The same code runs against a real scheduler
with ``--scheduler ADDRESS`` (e.g. ``tcp://10.0.0.5:8786``); without it a
``LocalCluster`` is started.  ``pip install srcdiff[dask]``.

    python examples/dask_logistic.py                   # 2 local workers, 400,000 rows
    python examples/dask_logistic.py --scheduler tcp://HOST:8786 --rows 100_000_000
    python examples/dask_logistic.py --compare-workers # seconds per gradient, 1 vs 2 workers
    python examples/dask_logistic.py --quick           # small (SRCDIFF_EXAMPLES_QUICK=1 too)
"""

import argparse
import contextlib
import os
import statistics
import time

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster

import srcdiff

PENALTY = 1e-3


def loss(w, X, y):
    """Mean logistic loss of the weights ``w`` on rows ``X`` with labels ``y`` (0 or 1)."""
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * PENALTY * np.sum(w * w)


# Called with Dask arrays, both the value and the gradient are lazy Dask arrays.
loss_and_grad = srcdiff.value_and_grad(loss)


def make_data(rows, features, chunk, seed=0):
    """Rows drawn on the workers, chunk by chunk; labels from known weights."""
    rng = da.random.default_rng(seed)
    X = rng.standard_normal((rows, features), chunks=(chunk, features))
    true_w = np.linspace(-2.0, 2.0, features)
    p = 1.0 / (1.0 + np.exp(-(X @ true_w)))
    y = (rng.random(rows, chunks=chunk) < p).astype(np.float64)
    return X, y, true_w


def fit(X, y, steps, lr, tol):
    """Gradient descent; each step computes loss and gradient in one pass over the chunks."""
    w = np.zeros(X.shape[1])
    for step in range(1, steps + 1):
        start = time.perf_counter()
        value, grad = dask.compute(*loss_and_grad(w, X, y))
        w = w - lr * grad
        norm = np.linalg.norm(grad)
        print(
            f"step {step:3d}/{steps}  loss {value:.5f}  |grad| {norm:.2e}  "
            f"({time.perf_counter() - start:.2f} s)",
            flush=True,
        )
        if norm < tol:
            print(f"stopped early: |grad| fell below {tol:g}")
            break
    return w


def gradient_timer(client, args):
    """A function that times one gradient over a dataset held in the client's workers."""
    X, y, _ = make_data(args.rows, args.features, args.chunk)
    X, y = client.persist([X, y])
    w = np.full(args.features, 0.1)

    def seconds():
        start = time.perf_counter()
        client.compute(list(loss_and_grad(w, X, y)), sync=True)
        return time.perf_counter() - start

    seconds()  # warm up: the data, the workers' imports
    return seconds


def compare_workers(args):
    """Seconds per gradient on LocalClusters of 1 and 2 single-threaded workers, interleaved."""
    repeats = 3 if args.quick else 9
    print(
        f"{args.rows:,} rows x {args.features} features in chunks of {args.chunk:,} rows "
        f"({args.rows * args.features * 8 / 1e6:,.0f} MB), median of {repeats} gradients"
    )
    with contextlib.ExitStack() as stack:
        timers = {}
        for workers in (1, 2):
            cluster = stack.enter_context(local_cluster(workers, args.quick))
            timers[workers] = gradient_timer(stack.enter_context(Client(cluster)), args)
        times = {workers: [] for workers in timers}
        for _ in range(repeats):  # interleaved, so both see the same load on the machine
            for workers, seconds in timers.items():
                times[workers].append(seconds())
    results = {workers: statistics.median(t) for workers, t in times.items()}
    for workers, result in results.items():
        print(f"{workers} worker{'s' * (workers > 1)}: {result:.3f} s per gradient")
    print(f"speed-up with 2 workers: {results[1] / results[2]:.2f}x")


def local_cluster(workers, quick):
    # Quick runs use in-process workers (they start in a fraction of a second);
    # otherwise each worker is a process of its own, as on separate machines.
    return LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=not quick, dashboard_address=":0"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster workers")
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--chunk", type=int, default=50_000, help="rows per chunk")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--lr", type=float, default=8.0)
    parser.add_argument("--tol", type=float, default=1e-3)
    parser.add_argument("--compare-workers", action="store_true")
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 5 steps")
    args = parser.parse_args(argv)
    if args.quick or os.environ.get("SRCDIFF_EXAMPLES_QUICK"):
        args.quick, args.rows, args.chunk, args.steps = True, 20_000, 5_000, 5
    if args.compare_workers:
        compare_workers(args)
        return
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        client = Client(local_cluster(args.workers, args.quick))
    with client:
        workers = len(client.scheduler_info()["workers"])
        X, y, true_w = make_data(args.rows, args.features, args.chunk)
        X, y = client.persist([X, y])
        print(f"{args.rows:,} rows in {X.npartitions} chunks on {workers} workers")
        w = fit(X, y, args.steps, args.lr, args.tol)
        accuracy = float(np.mean(((X @ w) > 0) == (y > 0.5)).compute())
        print(
            f"fitted: accuracy {accuracy:.1%}, "
            f"distance to the true weights {np.linalg.norm(w - true_w):.3f}"
        )


if __name__ == "__main__":
    main()
