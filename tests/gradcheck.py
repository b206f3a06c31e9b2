"""Finite-difference check of a vector-Jacobian product along random directions.

``check_vjp`` compares ``<u, J^T v>`` with ``<v, (f(x + eps u) - f(x - eps u)) / 2 eps>``
for a random direction ``u`` per differentiated argument and a random output
cotangent ``v``, in float64 (autograd's ``check_grads`` idea), and checks that
each cotangent has its argument's shape.  Arguments and outputs may be nested
lists, tuples or dicts of arrays and numbers; strings in them (a dict's keys in
``dict_items``) carry no gradient.
"""

import numpy as np

EPS = 1e-6
RTOL = 1e-6
ATOL = 1e-8


def _as_float64(x):
    if isinstance(x, dict):
        return {k: _as_float64(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_as_float64(item) for item in x)
    if isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.inexact):
        return x.astype(np.float64)
    return x


def _random_like(rng, x):
    """A random direction with ``x``'s structure: a float for a number, an array for an array."""
    if isinstance(x, str):
        return None
    if isinstance(x, dict):
        return {k: _random_like(rng, v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_random_like(rng, item) for item in x]
    if isinstance(x, np.ndarray):
        return rng.standard_normal(x.shape)
    return float(rng.standard_normal())


def _axpy(x, eps, u):
    """``x + eps * u``, keeping ``x``'s kind (number, 0-d array, list, dict)."""
    if isinstance(x, dict):
        return {k: _axpy(v, eps, u[k]) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_axpy(a, eps, b) for a, b in zip(x, u))
    if isinstance(x, np.ndarray):
        return np.asarray(x + eps * u)
    return x + eps * u


def _inner(a, b):
    """Sum of elementwise products over matching (nested) structures; ``None`` counts as 0."""
    if a is None or b is None:
        return 0.0
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), (a, b)
        return sum(_inner(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), (a, b)
        return sum(_inner(x, y) for x, y in zip(a, b))
    return float(np.sum(np.asarray(a, np.float64) * np.asarray(b, np.float64)))


def _difference(plus, minus, eps):
    if isinstance(plus, str):
        return None
    if isinstance(plus, (list, tuple)):
        return [_difference(p, m, eps) for p, m in zip(plus, minus)]
    return (np.asarray(plus, np.float64) - np.asarray(minus, np.float64)) / (2 * eps)


def assert_same_structure(cotangent, x, where="cotangent"):
    """``cotangent`` mirrors ``x``: same list lengths and the same ``np.shape`` at the leaves."""
    if isinstance(x, dict):
        assert isinstance(cotangent, dict), f"{where}: expected a dict, got {cotangent!r}"
        assert set(cotangent) == set(x), f"{where}: keys {list(cotangent)} for {list(x)}"
        for key, item in x.items():
            assert_same_structure(cotangent[key], item, f"{where}[{key!r}]")
        return
    if isinstance(x, (list, tuple)):
        assert isinstance(cotangent, (list, tuple)), f"{where}: expected a list, got {cotangent!r}"
        assert len(cotangent) == len(x), f"{where}: {len(cotangent)} entries for {len(x)}"
        for i, (c, item) in enumerate(zip(cotangent, x)):
            assert_same_structure(c, item, f"{where}[{i}]")
        return
    assert cotangent is not None, f"{where}: no cotangent"
    assert np.shape(cotangent) == np.shape(x), (
        f"{where}: shape {np.shape(cotangent)} for an argument of shape {np.shape(x)}"
    )


def check_vjp(vjp, f, args, wrt, seed=0, eps=EPS):
    """Check ``vjp(args, v) -> cotangents of args[i] for i in wrt`` against finite differences."""
    rng = np.random.default_rng(seed)
    args = [_as_float64(a) for a in args]
    output = f(*args)
    v = _random_like(rng, output if isinstance(output, (list, tuple)) else np.asarray(output))
    if not isinstance(output, (list, tuple)) and np.ndim(output) == 0:
        v = np.asarray(v)
    cotangents = vjp(tuple(args), v)
    assert len(cotangents) == len(wrt), f"{len(cotangents)} cotangents for wrt={wrt}"
    for i, cotangent in zip(wrt, cotangents):
        x = args[i]
        assert_same_structure(cotangent, x, f"cotangent of argument {i}")
        u = _random_like(rng, x)
        plus = list(args)
        minus = list(args)
        plus[i] = _axpy(x, eps, u)
        minus[i] = _axpy(x, -eps, u)
        numeric = _inner(v, _difference(f(*plus), f(*minus), eps))
        analytic = _inner(u, cotangent)
        tolerance = ATOL + RTOL * max(1.0, abs(numeric), abs(analytic))
        assert abs(numeric - analytic) <= tolerance, (
            f"argument {i}: <u, J^T v> = {analytic!r} but finite differences give {numeric!r}"
        )
