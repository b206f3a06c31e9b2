"""Checking, timing and memory measurement for the benchmark candidates.

* ``check`` runs a candidate once and compares its gradients with the
  hand-written ones (same shapes, finite, ``np.allclose`` with rtol 1e-6); a
  candidate that raises is "unsupported", one that disagrees is "WRONG", and
  neither is timed.
* ``time_interleaved`` times all candidates of one case in the same process,
  round-robin: each round runs a batch of calls of every candidate (in a
  rotating order, garbage collector off during a batch), and a candidate's
  time is the median over rounds of the per-call time of its batch.
* ``peak_memory`` is the peak of ``tracemalloc`` (NumPy reports its buffers
  to it) over one gradient call, above what was allocated before it.
"""

import gc
import inspect
import statistics
import time
import tracemalloc

import numpy as np

from benchmarks.peers import describe_error, prepare

RTOL = 1e-6


def checked_candidates(workload, args, names):
    """Build and check the implementations in ``names`` on ``args``.

    Returns ``[(candidate, problem)]`` in ``names`` order; ``problem`` is None
    for a candidate whose gradients match the hand-written ones.
    """
    expected = workload.hand_gradient(*args)
    argument_names = wrt_names(workload)
    return [
        (candidate, candidate.problem or check(candidate, expected, argument_names))
        for candidate in prepare(workload, args, names)
    ]


def check(candidate, expected, argument_names):
    """Run ``candidate`` once; return None if its gradients match ``expected``,
    else the problem as text ("unsupported: ..." or "WRONG: ...")."""
    try:
        actual = candidate.to_numpy(candidate.call())
    except Exception as error:  # reported in the table, never hidden
        return "unsupported: " + describe_error(error)
    return compare(actual, expected, argument_names)


def compare(actual, expected, argument_names):
    """None if the gradient tuples agree, else "WRONG: <what differs>"."""
    if len(actual) != len(expected):
        return f"WRONG: {len(actual)} gradients returned, expected {len(expected)}"
    for got, want, name in zip(actual, expected, argument_names):
        got = np.asarray(got)
        if got.shape != np.shape(want):
            return f"WRONG: d/d{name} has shape {got.shape}, expected {np.shape(want)}"
        if not np.issubdtype(got.dtype, np.floating):
            return f"WRONG: d/d{name} has dtype {got.dtype}, expected a float dtype"
        if not np.all(np.isfinite(got)):
            return f"WRONG: d/d{name} is not finite"
        scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
        if not np.allclose(got, want, rtol=RTOL, atol=1e-8 * scale):
            error = np.abs(got - want)
            worst = tuple(int(i) for i in np.unravel_index(np.argmax(error), error.shape))
            where = f"[{', '.join(map(str, worst))}]" if worst else ""
            return (
                f"WRONG: d/d{name}{where} = {float(got[worst])!r}, "
                f"expected {float(np.asarray(want)[worst])!r}"
            )
    return None


def wrt_names(workload):
    """The names of the differentiated arguments, in ``wrt`` order."""
    parameters = list(inspect.signature(workload.function).parameters)
    return [parameters[index] for index in workload.wrt_tuple]


def _run_batch(call, count):
    """Seconds per call over ``count`` back-to-back calls, garbage collector off."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(count):
            call()
        elapsed = time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()
    return elapsed / count


def _batch_size(call, batch_seconds):
    """How many calls take about ``batch_seconds``, measured on warm calls."""
    call()
    count = 1
    while True:
        per_call = _run_batch(call, count)
        if per_call * count >= batch_seconds / 5 or count >= 10_000:
            return max(1, min(10_000, round(batch_seconds / per_call)))
        count *= 4


def time_interleaved(calls, rounds, batch_seconds):
    """Median per-call seconds of each of ``calls`` (a dict name -> callable).

    Each call's batch size is set once, from warm calls, so that a batch
    takes about ``batch_seconds``; then ``rounds`` rounds run one batch of
    every call, the order rotating by one each round.
    """
    names = list(calls)
    batch = {name: _batch_size(calls[name], batch_seconds) for name in names}
    samples = {name: [] for name in names}
    for round_index in range(rounds):
        shift = round_index % len(names) if names else 0
        for name in names[shift:] + names[:shift]:
            samples[name].append(_run_batch(calls[name], batch[name]))
            gc.collect()
    return {name: statistics.median(values) for name, values in samples.items()}


def peak_memory(call):
    """Peak bytes allocated (as seen by tracemalloc) during one ``call()``."""
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak - before
