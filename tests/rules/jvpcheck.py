"""JVPs built straight from the rule table, checked two ways.

``rule_jvp(fn, args, kwargs, tangents)`` is the tangent of ``fn(*args,
**kwargs)`` for tangents of some positional arguments: the sum, over those
arguments, of each one's JVP rule (``LINEAR`` means ``fn`` itself with the
tangent in place of the argument).  ``check_jvp`` compares it with central
finite differences and with the VJP rule through the dot-product identity
``<v, J u> = <J^T v, u>``.
"""

import copy

import numpy as np

from srcdiff.rules import LINEAR, jvp_rule, vjp_rule
from tests.gradcheck import EPS, _as_float64, _axpy, _difference, _inner, _random_like

RTOL = 1e-6
ATOL = 1e-8


def _add(a, b):
    if isinstance(a, (list, tuple)):
        return [_add(x, y) for x, y in zip(a, b)]
    return np.asarray(a, np.float64) + np.asarray(b, np.float64)


def rule_jvp(fn, args, kwargs, tangents):
    """The tangent of ``fn``'s result for ``tangents`` ({position: tangent}), from its JVP rules."""
    ans = fn(*copy.deepcopy(args), **kwargs)
    total = None
    for position, tangent in tangents.items():
        rule = jvp_rule(fn, position)
        assert rule is not None, f"no JVP rule for argument {position}"
        if rule is LINEAR:
            moved = list(args)
            moved[position] = tangent
            part = fn(*moved, **kwargs)
        else:
            part = rule(tangent, ans, *args, **kwargs)
        if isinstance(part, tuple):
            part = list(part)
        total = part if total is None else _add(total, part)
    return total


def _flat(value):
    if isinstance(value, (list, tuple)):
        return np.concatenate([_flat(v) for v in value]) if value else np.zeros(0)
    return np.ravel(np.asarray(value, np.float64))


def check_jvp(fn, args, kwargs, wrt, seed=0, eps=EPS):
    """Check the JVP rules of ``fn`` for the arguments ``wrt``, together and one at a time."""
    rng = np.random.default_rng(seed)
    args = [_as_float64(a) for a in args]

    def f(*a):
        return fn(*copy.deepcopy(a), **kwargs)

    output = f(*args)
    tangents = {i: _random_like(rng, args[i]) for i in wrt}
    tangents = {
        i: np.asarray(t) if isinstance(args[i], np.ndarray) else t for i, t in tangents.items()
    }
    plus, minus = list(args), list(args)
    for i, t in tangents.items():
        plus[i], minus[i] = _axpy(args[i], eps, t), _axpy(args[i], -eps, t)
    numeric = _flat(_difference(f(*plus), f(*minus), eps))
    analytic = _flat(rule_jvp(fn, args, kwargs, tangents))
    assert analytic.shape == numeric.shape, (analytic.shape, numeric.shape)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6)
    # the dot-product test against the VJP rule, one argument at a time
    v = _random_like(rng, output if isinstance(output, (list, tuple)) else np.asarray(output))
    cotangents = vjp_rule(fn)(_as_seed(v, output), output, *args, **kwargs)
    for i in wrt:
        forward = _inner(v, rule_jvp(fn, args, kwargs, {i: tangents[i]}))
        backward = _inner(cotangents[i], tangents[i])
        tolerance = ATOL + RTOL * max(1.0, abs(forward), abs(backward))
        assert abs(forward - backward) <= tolerance, (
            f"argument {i}: <v, J u> = {forward!r} but <J^T v, u> = {backward!r}"
        )


def _as_seed(v, output):
    if isinstance(output, (list, tuple)):
        return type(output)(v) if not hasattr(output, "_fields") else tuple(v)
    return np.asarray(v)
