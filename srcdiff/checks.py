"""Checks against central finite differences: ``check_grads`` (a function's gradients in each
mode; a differentiated argument may be a tree: each leaf is checked, and leaves that
carry no gradient (strings, flags, integers) must get None) and ``check_rule`` (does a function's JVP rule agree with its VJP rule?).

``check_rule``
For each differentiated argument ``i`` it draws a random tangent ``t`` and a
random cotangent ``v`` and checks

* the JVP against central finite differences ``(f(x + eps t) - f(x - eps t)) / 2 eps``,
* the dot-product test ``<v, J t> == <J^T v, t>`` between the JVP and the VJP.

The rules come from the table (``register_jvp``, ``register_vjp`` or the built-in ones).
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from srcdiff import api, trees
from srcdiff.api import MODES, Wrt
from srcdiff.errors import DifferentiationError
from srcdiff.rules import jvp_rule, registry, vjp_rule


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

    For a non-scalar output, a random cotangent is used (a vjp).  A ``wrt``
    argument may be a tree (``trees.py``): each leaf is checked.  Raises
    ``AssertionError`` naming the mode, the argument and the worst element.
    """
    rng = np.random.default_rng(seed)
    value = f(*args)
    cotangent = None if np.ndim(value) == 0 else rng.standard_normal(np.shape(value))
    positions = api._positions(f, wrt)
    for p in positions:
        if isinstance(p, str):
            raise DifferentiationError(
                f"check_grads passes arguments by position; wrt={p!r} is keyword-only"
            )
    single = not isinstance(wrt, tuple)
    numeric = [_finite_difference(f, args, p, cotangent, eps) for p in positions]
    results = {}
    for mode in modes:
        vf = api.vjp(f, wrt=wrt, mode=mode)  # read when called: tests may replace it
        grads = vf(*args, seed=cotangent)
        results[mode] = [grads] if single else list(grads)
    for mode, grads in results.items():
        for p, g, expected in zip(positions, grads, numeric):
            _assert_trees_close(
                g, expected, rtol, atol, f"{mode} mode vs finite differences, argument {p}"
            )
    names = list(results)
    for other in names[1:]:
        for p, a, b in zip(positions, results[names[0]], results[other]):
            _assert_trees_close(b, a, rtol, atol, f"{other} mode vs {names[0]} mode, argument {p}")


def _finite_difference(f, args, position, cotangent, eps):
    """The gradient of argument ``position`` (a tree of them), by central differences."""
    leaves, structure = trees.tree_flatten(args[position])
    grads = []
    for k, leaf in enumerate(leaves):
        if isinstance(leaf, trees.STATIC_LEAVES):
            grads.append(None)
            continue
        x = np.array(leaf, dtype=np.float64)
        grad = np.zeros_like(x)
        flat = grad.reshape(-1)

        def objective(value, k=k, x=x):
            moved = list(leaves)
            moved[k] = value if np.ndim(x) else float(value)
            new_args = list(args)
            new_args[position] = trees.tree_unflatten(structure, moved)
            out = f(*new_args)
            return float(np.sum(out * cotangent)) if cotangent is not None else float(out)

        for i in range(x.size):
            step = np.zeros_like(x).reshape(-1)
            step[i] = eps
            step = step.reshape(x.shape)
            flat[i] = (objective(x + step) - objective(x - step)) / (2 * eps)
        grads.append(grad)
    return trees.tree_unflatten(structure, grads)


def _assert_trees_close(actual, expected, rtol, atol, what):
    """``_assert_close`` for each leaf of two gradients of the same tree."""
    if not trees.is_container(expected):
        _assert_close(actual, expected, rtol, atol, what)
        return
    got, want = trees.tree_leaves(actual), trees.tree_leaves(expected)
    if len(got) != len(want):
        raise AssertionError(f"{what}: gradient has {len(got)} leaves, expected {len(want)}")
    for k, (a, e) in enumerate(zip(got, want)):
        if e is None or a is None:
            if a is not e:
                raise AssertionError(f"{what}: leaf {k} is {a!r}, expected {e!r}")
            continue
        _assert_close(a, e, rtol, atol, f"{what}, leaf {k}")


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


def check_rule(
    fn: Callable,
    *args: Any,
    wrt: int | tuple[int, ...] | None = None,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    seed: int = 0,
    **kwargs: Any,
) -> None:
    """Check ``fn``'s JVP and VJP rules at ``fn(*args, **kwargs)``.

    ``wrt`` is a position or a tuple of positions (default: every argument that
    is a float or a float array).  Raises ``AssertionError`` naming the
    argument and the worst element, and ``DifferentiationError`` when ``fn``
    has no JVP or no VJP rule.
    """
    rng = np.random.default_rng(seed)
    args = [np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) else a for a in args]
    if wrt is None:
        wrt = tuple(i for i, a in enumerate(args) if _is_float(a))
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    label = getattr(fn, "__qualname__", None) or repr(fn)
    if vjp_rule(fn) is None:
        raise DifferentiationError(
            f"{label} has no VJP rule; register one with srcdiff.register_vjp"
        )
    ans = fn(*args, **kwargs)
    v = _random_like(rng, ans)
    cotangents = vjp_rule(fn)(v, ans, *args, **kwargs)
    for i in positions:
        if jvp_rule(fn, i) is None:
            raise DifferentiationError(
                f"{label} has no JVP rule for argument {i}; register one with "
                f"srcdiff.register_jvp({label}, rule, argnum={i})"
            )
        t = _random_like(rng, args[i])
        tangent = registry.apply_jvp(fn, i, t, ans, args, kwargs)
        tangent = np.broadcast_to(tangent, np.shape(ans))
        plus, minus = list(args), list(args)
        plus[i], minus[i] = args[i] + eps * t, args[i] - eps * t
        numeric = (np.asarray(fn(*plus, **kwargs)) - np.asarray(fn(*minus, **kwargs))) / (2 * eps)
        _assert_close(
            tangent, numeric, rtol, atol, f"JVP of {label} vs finite differences, argument {i}"
        )
        left = float(np.sum(v * tangent))
        right = float(np.sum(np.asarray(cotangents[i]) * t))
        if abs(left - right) > atol + rtol * max(abs(left), abs(right)):
            raise AssertionError(
                f"JVP and VJP of {label} disagree on argument {i}: <v, J t> = {left!r} but "
                f"<J^T v, t> = {right!r}"
            )


def _is_float(value):
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "f"
    return isinstance(value, float)


def _random_like(rng, value):
    if isinstance(value, np.ndarray) or np.ndim(value):
        return rng.standard_normal(np.shape(value))
    return float(rng.standard_normal())
