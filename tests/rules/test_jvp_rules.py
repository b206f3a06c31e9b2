"""Every JVP rule against central finite differences and against its VJP.

The cases are the VJP rules' cases (``primitive_cases.py``), so a rule added
there is checked here too, and a differentiated argument without a JVP fails.
The dot-product test: ``<v, J t> == <J^T v, t>`` for random ``t`` and ``v``.
"""

import copy

import numpy as np
import pytest

from srcdiff.rules import is_elementwise, jvp_rule, registry, vjp_rule
from srcdiff.rules.registry import apply_jvp
from tests.gradcheck import EPS, _as_float64, _axpy, _difference, _inner, _random_like
from tests.rules.primitive_cases import CASES, label


def _call(fn, args, kwargs):
    return fn(*copy.deepcopy(args), **kwargs)


def _shaped(tangent, ans, fn):
    """An elementwise rule's tangent may keep the operand's shape: spread it to the result's."""
    if is_elementwise(fn) and not isinstance(ans, (list, tuple)):
        return np.broadcast_to(tangent, np.shape(ans))
    return tangent


def _assert_same_shapes(tangent, ans, where):
    if isinstance(ans, (list, tuple)):
        assert isinstance(tangent, (list, tuple)) and len(tangent) == len(ans), where
        for t, a in zip(tangent, ans):
            _assert_same_shapes(t, a, where)
        return
    assert np.shape(tangent) == np.shape(ans), f"{where}: {np.shape(tangent)} != {np.shape(ans)}"


def _close(a, b, where):
    if isinstance(b, (list, tuple)):
        for x, y in zip(a, b):
            _close(x, y, where)
        return
    np.testing.assert_allclose(np.asarray(a, float), b, rtol=1e-5, atol=1e-7, err_msg=where)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_jvp_matches_finite_differences_and_vjp(case):
    rng = np.random.default_rng(0)
    args = [_as_float64(a) for a in case.args]
    ans = _call(case.fn, args, case.kwargs)
    v = _random_like(rng, ans if isinstance(ans, (list, tuple)) else np.asarray(ans))
    cotangents = vjp_rule(case.fn)(v, ans, *args, **case.kwargs)
    for i in case.wrt:
        assert jvp_rule(case.fn, i) is not None, f"{label(case.fn)} has no JVP for argument {i}"
        t = _random_like(rng, args[i])
        tangent = _shaped(
            apply_jvp(case.fn, i, copy.deepcopy(t), ans, args, case.kwargs), ans, case.fn
        )
        where = f"{case.id}, argument {i}"
        _assert_same_shapes(tangent, ans, where)
        plus, minus = list(args), list(args)
        plus[i], minus[i] = _axpy(args[i], EPS, t), _axpy(args[i], -EPS, t)
        numeric = _difference(
            _call(case.fn, plus, case.kwargs), _call(case.fn, minus, case.kwargs), EPS
        )
        _close(tangent, numeric, where + " vs finite differences")
        left, right = _inner(v, tangent), _inner(cotangents[i], t)
        assert abs(left - right) <= 1e-8 + 1e-8 * max(1.0, abs(left)), (
            f"{where}: <v, J t> = {left!r} but <J^T v, t> = {right!r}"
        )


def test_every_builtin_vjp_has_a_jvp():
    """A rule in the table with a VJP but no JVP for an argument its cases differentiate fails."""
    missing = sorted(
        {f"{label(c.fn)} argument {i}" for c in CASES for i in c.wrt if jvp_rule(c.fn, i) is None}
    )
    assert not missing, f"VJP rules without a JVP: {missing}"
    builtin = [fn for fn, rule in registry._VJPS.items() if rule.__module__.startswith("srcdiff.")]
    assert all(registry._JVPS.get(fn) for fn in builtin)
