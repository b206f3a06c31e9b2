"""Gradient checks: ``check_grads`` and ``assert_grads``.

``check_grads`` compares each mode's gradient with central finite
differences and the modes with each other; ``assert_grads`` runs it mode by
mode and fails with one message listing, per mode, the worst element with
its index, the value got and the value expected.  The pytest plugin
(``srcdiff.pytest_plugin``) adds the ``adjoint_snapshot`` fixture.
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from srcdiff.api import MODES, Wrt, _positions, vjp


def assert_grads(
    f: Callable,
    *args: Any,
    wrt: Wrt = 0,
    modes: tuple[str, ...] = MODES,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    seed: int = 0,
) -> None:
    """Fail with an ``AssertionError`` unless every mode's gradient of ``f`` at ``args``
    matches central finite differences (a random cotangent for a non-scalar ``f``)."""
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    verdicts = {}
    for mode in modes:
        try:
            check_grads(f, *args, wrt=wrt, modes=(mode,), eps=eps, rtol=rtol, atol=atol, seed=seed)
        except AssertionError as error:
            verdicts[mode] = str(error)
        else:
            verdicts[mode] = None
    failed = [mode for mode, verdict in verdicts.items() if verdict is not None]
    if failed:
        name = getattr(f, "__qualname__", repr(f))
        width = max(map(len, verdicts))
        lines = [
            f"{mode + ':':<{width + 1}} {'ok' if verdict is None else verdict}"
            for mode, verdict in verdicts.items()
        ]
        raise AssertionError(
            f"the gradient of {name} with respect to {wrt!r} is wrong in "
            f"{len(failed)} of {len(verdicts)} modes (rtol={rtol}, atol={atol}):\n"
            + "\n".join(lines)
        )


def check_grads(
    f: Callable,
    *args: Any,
    wrt: Wrt = 0,
    modes: tuple[str, ...] = MODES,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    seed: int = 0,
) -> None:
    """Check each mode's gradient against central finite differences and each other.

    For a non-scalar output, a random cotangent is used (a vjp).  Raises
    ``AssertionError`` naming the mode, the argument and the worst element.
    """
    rng = np.random.default_rng(seed)
    value = f(*args)
    cotangent = None if np.ndim(value) == 0 else rng.standard_normal(np.shape(value))
    positions = _positions(f, wrt)
    single = not isinstance(wrt, tuple)
    numeric = [_finite_difference(f, args, p, cotangent, eps) for p in positions]
    results = {}
    for mode in modes:
        grads = vjp(f, wrt=wrt, mode=mode)(*args, seed=cotangent)
        results[mode] = [grads] if single else list(grads)
    for mode, grads in results.items():
        for p, g, expected in zip(positions, grads, numeric):
            _assert_close(
                g, expected, rtol, atol, f"{mode} mode vs finite differences, argument {p}"
            )
    names = list(results)
    for other in names[1:]:
        for p, a, b in zip(positions, results[names[0]], results[other]):
            _assert_close(b, a, rtol, atol, f"{other} mode vs {names[0]} mode, argument {p}")


def _finite_difference(f, args, position, cotangent, eps):
    x = np.array(args[position], dtype=np.float64)
    grad = np.zeros_like(x)
    flat = grad.reshape(-1)

    def objective(value):
        new_args = list(args)
        new_args[position] = value if np.ndim(x) else float(value)
        out = f(*new_args)
        return float(np.sum(out * cotangent)) if cotangent is not None else float(out)

    for i in range(x.size):
        step = np.zeros_like(x).reshape(-1)
        step[i] = eps
        step = step.reshape(x.shape)
        flat[i] = (objective(x + step) - objective(x - step)) / (2 * eps)
    return grad


def _assert_close(actual, expected, rtol, atol, what):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: gradient shape {actual.shape}, expected {expected.shape}")
    error = np.abs(actual - expected) - (atol + rtol * np.abs(expected))
    if error.size and np.max(error) > 0:
        worst = np.unravel_index(np.argmax(error), error.shape) if error.ndim else ()
        worst = tuple(int(i) for i in worst)  # (1, 2), not (np.int64(1), np.int64(2))
        raise AssertionError(
            f"{what}: worst element {worst}: got {float(actual[worst])!r}, "
            f"expected {float(expected[worst])!r}"
        )
