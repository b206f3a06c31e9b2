"""Forward mode, static: ``srcdiff.jvp`` against finite differences, its code, its errors.

The golden subject is the reverse mode's (``simulate``, at the top of
``test_readability.py``, where edits elsewhere do not move its line numbers).
"""

import inspect
import os
import pathlib

import numpy as np
import pytest

import srcdiff
from srcdiff.errors import DifferentiationError
from srcdiff.static.forward import forward_transform
from tests.gradcheck import _as_float64, _axpy, _difference, _inner, _random_like
from tests.rule_cases import CASES
from tests.static.test_readability import simulate

GOLDEN = pathlib.Path(__file__).parent.parent / "golden" / "simulate_jvp.py"


def test_generated_code_matches_golden_file():
    source = forward_transform(simulate, wrt=0).source  # not specialised for numbers
    if os.environ.get("SRCDIFF_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(source)
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run with SRCDIFF_UPDATE_GOLDEN=1 to create it"
    assert source == GOLDEN.read_text(), "the generated jvp changed; SRCDIFF_UPDATE_GOLDEN=1"


def directional(f, args, wrt, tangents, eps=1e-6):
    """Central finite differences of ``f`` along ``tangents`` of the arguments ``wrt``."""
    plus, minus = list(args), list(args)
    for i, t in zip(wrt, tangents):
        plus[i], minus[i] = _axpy(args[i], eps, t), _axpy(args[i], -eps, t)
    return _difference(f(*plus), f(*minus), eps)


def assert_jvp_right(f, args, wrt=0, seed=0):
    rng = np.random.default_rng(seed)
    args = [_as_float64(a) for a in args]
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    tangents = [_random_like(rng, args[i]) for i in positions]
    value, tangent = srcdiff.jvp(f, wrt=wrt)(
        *args, tangent=tuple(tangents) if isinstance(wrt, tuple) else tangents[0]
    )
    expected = directional(f, args, positions, tangents)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    assert np.shape(tangent) == np.shape(expected)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-7)
    return tangent


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_cases_against_finite_differences(case):
    rng = np.random.default_rng(1)
    args = [_as_float64(a) for a in case.args]
    tangents = tuple(_random_like(rng, args[i]) for i in case.wrt)
    value, tangent = srcdiff.jvp(case.fn, wrt=case.wrt)(*args, tangent=tangents)
    expected = directional(case.fn, args, case.wrt, tangents)
    assert _inner(tangent, tangent) == pytest.approx(_inner(expected, expected), rel=1e-5, abs=1e-9)
    assert _inner(tangent, expected) == pytest.approx(
        _inner(expected, expected), rel=1e-5, abs=1e-9
    )


def test_simulate_loop_with_break_matches_reverse_mode():
    value, tangent = srcdiff.jvp(simulate)(1.5, 0.3, tangent=1.0)
    assert tangent == pytest.approx(srcdiff.grad(simulate)(1.5, 0.3), rel=1e-10)
    assert_jvp_right(simulate, (1.5, 0.3), wrt=(0, 1))
    assert_jvp_right(simulate, (0.01, 1.9), wrt=1)  # breaks out early


def branches_and_early_return(x, n):
    total = 0.0
    for i in range(n):
        if i == 1:
            continue
        if i > 3:
            break
        if total > 5.0:
            return total * x
        total = total + np.sin(x * i)
    if n == 0:
        return x
    return total * total


@pytest.mark.parametrize("n", [0, 1, 3, 6])
def test_branches_continue_break_and_early_return(n):
    assert_jvp_right(branches_and_early_return, (0.7, n))
    assert_jvp_right(branches_and_early_return, (2.5, n))


def item_assignment(x, w):
    out = np.zeros(4)
    for i in range(4):
        out[i] = x[i] * w
    out[1:3] = w
    out[0] = 2.0
    return out * x


def test_item_assignment_writes_the_tangent_array():
    x = np.array([0.5, -1.0, 2.0, 0.3])
    assert_jvp_right(item_assignment, (x, 1.3), wrt=(0, 1))
    assert_jvp_right(item_assignment, (x, 1.3), wrt=1)


def aliases(x):
    a = x + 0.0
    b = a * 1.0
    b[0] = 5.0
    return np.sum(a) + np.sum(b)


def test_a_tangent_that_passes_through_is_copied_before_it_is_written():
    assert_jvp_right(aliases, (np.array([1.0, 2.0, 3.0]),))


def collect(x):
    out = []
    for i in range(3):
        out.append(x * i)
    out.append(np.ones(2))
    return np.stack(out)


def test_list_append():
    assert_jvp_right(collect, (np.array([0.4, 0.5]),))


def square(z):
    return z * z


def uses_helpers(x, y):
    s = 0.0
    for i in range(3):
        s = s + square(x * i + y)
    return s + square(y)


def test_helpers_get_their_own_jvp_run_once():
    jf = srcdiff.jvp(uses_helpers, wrt=(0, 1))
    assert "square_jvp(" in jf.source
    assert "def square_jvp" in jf.sources["square"]
    assert_jvp_right(uses_helpers, (0.3, -1.2), wrt=(0, 1))
    by_name = srcdiff.jvp(uses_helpers, wrt="y")(0.3, -1.2, tangent=1.0)
    assert by_name == srcdiff.jvp(uses_helpers, wrt=1)(0.3, -1.2, tangent=1.0)


calls = []


def counted(z):
    calls.append(z)
    return np.exp(z)


def calls_counted(x):
    return counted(x) * 2.0


def test_a_helper_runs_once_per_call():
    calls.clear()
    srcdiff.jvp(calls_counted)(0.5, tangent=1.0)
    assert len(calls) == 1


def make_closure(scale):
    def inner(x):
        return np.tanh(scale * x) + scale

    def outer(x):
        return inner(x) * x

    return outer


def test_closures():
    assert_jvp_right(make_closure(2.5), (np.array([0.1, 0.4]),))


def softplus(x):
    return np.log1p(np.exp(x))


def uses_softplus(x):
    return np.sum(softplus(x) * x)


def test_register_jvp_wins_over_the_source(rules):
    seen = []

    def rule(t, ans, x):
        seen.append(True)
        return t / (1.0 + np.exp(-x))

    srcdiff.register_jvp(softplus, rule)
    jf = srcdiff.jvp(uses_softplus)
    assert "softplus_jvp" not in "".join(jf.sources.values())
    assert_jvp_right(uses_softplus, (np.array([0.2, -0.7]),))
    assert seen


def with_vjp_only(x):
    return x * 3.0


def uses_with_vjp_only(x):
    return with_vjp_only(x) + 1.0


def test_a_function_with_a_vjp_and_no_jvp_is_refused_naming_the_way_out(rules):
    srcdiff.register_vjp(with_vjp_only, lambda g, ans, x: (3.0 * g,))
    with pytest.raises(DifferentiationError, match=r"no JVP rule .*with_vjp_only.*register_jvp"):
        srcdiff.jvp(uses_with_vjp_only)


def uses_i0(x):
    return np.i0(x) * 2.0


def test_a_library_function_without_a_rule_is_refused():
    with pytest.raises(DifferentiationError, match=r"no JVP rule for argument 0 of i0"):
        srcdiff.jvp(uses_i0)


def test_inactive_arguments_contribute_nothing():
    def f(x, y):
        return np.sum(x * 2.0) + y

    value, tangent = srcdiff.jvp(f, wrt=0)(np.ones(3), 5.0, tangent=np.ones(3))
    assert (value, tangent) == (11.0, 6.0)
    source = srcdiff.jvp(f, wrt=0).source
    assert "dy" not in source


def test_an_output_that_does_not_depend_on_the_argument_has_a_zero_tangent():
    def f(x, y):
        return y * np.ones(2)

    value, tangent = srcdiff.jvp(f)(1.0, 2.0, tangent=1.0)
    np.testing.assert_array_equal(tangent, np.zeros(2))


def test_source_getsource_cache_and_freshness():
    jf = srcdiff.jvp(uses_helpers)
    assert inspect.getsource(jf) == jf.source
    assert srcdiff.jvp(uses_helpers) is jf
    assert "# line" in jf.source and "dx" in jf.source


def test_tangent_errors():
    jf = srcdiff.jvp(simulate, wrt=(0, 1))
    with pytest.raises(DifferentiationError, match="tangent=\\(one tangent per argument\\)"):
        jf(1.0, 0.3, tangent=1.0)
    with pytest.raises(DifferentiationError, match="argument's shape"):
        srcdiff.jvp(np.sum)(np.ones(3), tangent=np.ones(2)) if False else srcdiff.jvp(
            uses_softplus
        )(np.ones(3), tangent=np.ones(2))
    with pytest.raises(TypeError):
        srcdiff.jvp(simulate)(1.0, 0.3)


def takes_tangent(x, tangent):
    return x * tangent


def test_an_argument_named_tangent_is_refused():
    with pytest.raises(DifferentiationError, match="argument named 'tangent'"):
        srcdiff.jvp(takes_tangent)


class Model:
    def __init__(self, w):
        self.w = w

    def loss(self, x):
        return np.sum(np.tanh(self.w * x))


def test_bound_method():
    model = Model(np.array([0.5, -1.5]))
    assert_jvp_right(model.loss, (np.array([0.3, 0.2]),))


def test_the_trace_mode_gives_the_same_numbers():
    x = np.array([0.5, -1.0, 2.0, 0.3])
    for f, args, wrt, tangent in [
        (simulate, (1.5, 0.3), 0, 1.0),
        (item_assignment, (x, 1.3), (0, 1), (np.ones(4), 0.5)),
        (returns_pair, (x,), 0, np.arange(4.0)),
    ]:
        static = srcdiff.jvp(f, wrt=wrt)(*args, tangent=tangent)
        traced = srcdiff.jvp(f, wrt=wrt, mode="trace")(*args, tangent=tangent)
        np.testing.assert_allclose(_flat(traced[1]), _flat(static[1]), rtol=1e-10, atol=1e-12)


def returns_pair(x):
    return np.sin(x), np.sum(x * x)


def _flat(value):
    if isinstance(value, (list, tuple)):
        return np.concatenate([np.ravel(v) for v in value])
    return np.ravel(value)


def scaled(a, b):
    return a * b


def one_helper_two_ways(x, y):
    for _ in range(1):
        s = scaled(x * y, 2.0)  # the tangent flows through argument 0
    for _ in range(2):
        y = np.sin(y * scaled(1.5, s))  # ... and here through argument 1
    return y


def test_a_helper_differentiated_in_two_arguments_gets_two_jvps():
    """Regression: a trial pass over a loop gave the first jvp's name back, and the second
    took it, so both calls ran the second one."""
    jf = srcdiff.jvp(one_helper_two_ways, wrt=1)
    assert "scaled_jvp(" in jf.source and "scaled_jvp_1(" in jf.source
    assert_jvp_right(one_helper_two_ways, (0.3, 0.4), wrt=(0, 1))
    assert_jvp_right(one_helper_two_ways, (0.3, 0.4), wrt=1)


def tangent_in(v):
    return 3.0 * v


def clashes(x, zeros_like, broadcast_like):
    tangent_out = x * zeros_like
    return np.sum(tangent_in(tangent_out) + broadcast_like * x)


def test_user_names_spelled_like_the_forward_runtime_keep_their_meaning():
    x = np.array([0.5, -1.0])
    tangent = assert_jvp_right(clashes, (x, np.array([2.0, 1.0]), 0.5), wrt=(0, 1, 2))
    source = srcdiff.jvp(clashes, wrt=(0, 1, 2)).source
    assert "tangent_in_1(" in source and "tangent_out_1(" in source
    assert np.isfinite(tangent)


def bound_in_a_loop(x, y):
    k = 0
    while k < 1:
        v = np.array(y)  # no tangent yet, and not surely bound after the loop
        k = k + 1
    for _ in range(2):
        v = v + np.sum(v[None]) * x
    return np.sum(v)


def test_a_zero_tangent_of_a_name_bound_in_a_loop_has_its_shape():
    """Regression: the tangent of ``v`` started as 0.0, and ``dv[None]`` failed."""
    source = srcdiff.jvp(bound_in_a_loop).source
    assert "dv = zeros_like(v)" in source and "dv = 0.0" not in source
    assert_jvp_right(bound_in_a_loop, (np.array([0.5, 1.5]), np.array([1.0, -2.0])))
