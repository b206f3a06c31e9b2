"""``check_rule``: does a function's JVP rule agree with its VJP rule and with finite differences?

For each differentiated argument ``i`` it draws a random tangent ``t`` and a
random cotangent ``v`` and checks

* the JVP against central finite differences ``(f(x + eps t) - f(x - eps t)) / 2 eps``,
* the dot-product test ``<v, J t> == <J^T v, t>`` between the JVP and the VJP.

The rules come from the table (``register_jvp``, ``register_vjp`` or the built-in ones).
"""

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules import jvp_rule, registry, vjp_rule


def check_rule(fn, *args, wrt=None, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0, **kwargs):
    """Check ``fn``'s JVP and VJP rules at ``fn(*args, **kwargs)``.

    ``wrt`` is a position or a tuple of positions (default: every argument that
    is a float or a float array).  Raises ``AssertionError`` naming the
    argument and the worst element, and ``DifferentiationError`` when ``fn``
    has no JVP or no VJP rule.
    """
    from srcdiff.api import _assert_close

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
