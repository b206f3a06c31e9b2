"""Every VJP rule against finite differences, plus the kinks PyTorch pins down exactly."""

import copy
import math
import operator

import numpy as np
import pytest

from srcdiff.rules import is_nondifferentiable, registry, vjp_rule
from srcdiff.rules.helpers import unreduce
from tests.gradcheck import check_vjp
from tests.rules.primitive_cases import CASES, label


def _call(fn, args, kwargs):
    """Call ``fn`` on copies, so in-place operators (``operator.iadd``) leave the inputs alone."""
    return fn(*copy.deepcopy(args), **kwargs)


def rule_vjp(fn, kwargs, wrt):
    """``vjp(args, v)`` built from ``fn``'s registered rule, reading the ``wrt`` entries."""
    rule = vjp_rule(fn)

    def vjp(args, v):
        cotangents = rule(v, _call(fn, args, kwargs), *args, **kwargs)
        assert isinstance(cotangents, tuple), f"a rule returns a tuple, got {cotangents!r}"
        return tuple(cotangents[i] for i in wrt)

    return vjp


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_matches_finite_differences(case):
    assert vjp_rule(case.fn) is not None, f"{label(case.fn)} has no rule"
    check_vjp(
        rule_vjp(case.fn, case.kwargs, case.wrt),
        lambda *args: _call(case.fn, args, case.kwargs),
        case.args,
        case.wrt,
    )


def test_every_builtin_rule_has_a_case():
    tested = {registry._key(c.fn) for c in CASES}
    builtin = [
        fn for fn, rule in registry._VJPS.items() if rule.__module__.startswith("srcdiff.rules.")
    ]
    missing = [label(fn) for fn in builtin if fn not in tested]
    assert not missing, f"rules without a test case: {missing}"


NONDIFFERENTIABLE = [
    np.shape, np.ndim, np.size, len, np.argmax, np.argmin, np.argsort, np.floor, np.ceil,
    np.round, np.rint, np.trunc, np.zeros_like, np.ones_like, np.empty_like,
    np.zeros, np.ones, np.eye, np.arange, np.equal, np.not_equal, np.less,
    np.less_equal, np.greater, np.greater_equal, np.logical_and, np.logical_or, np.logical_not,
    np.isfinite, np.isnan, np.isinf, np.nonzero, np.count_nonzero, np.floor_divide,
    operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne,
    operator.not_, operator.floordiv, math.floor, math.ceil, round, int, bool,
    range, isinstance,
]  # fmt: skip


@pytest.mark.parametrize("fn", NONDIFFERENTIABLE, ids=label)
def test_nondifferentiable(fn):
    assert is_nondifferentiable(fn)
    assert vjp_rule(fn) is None


def grad_of(fn, *args, **kwargs):
    """The cotangent of the first argument for a seed of ones."""
    ans = fn(*args, **kwargs)
    if isinstance(ans, tuple):
        seed = tuple(np.ones_like(a) for a in ans)
    else:
        seed = np.ones_like(ans)
    return vjp_rule(fn)(seed, ans, *args, **kwargs)


def test_abs_at_zero_is_zero():
    x = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(grad_of(np.abs, x)[0], [-1.0, 0.0, 1.0])
    assert grad_of(abs, 0.0)[0] == 0.0
    assert grad_of(math.fabs, 0.0)[0] == 0.0


def test_sign_has_zero_gradient():
    np.testing.assert_array_equal(grad_of(np.sign, np.array([-2.0, 0.0, 3.0]))[0], [0, 0, 0])


def test_clip_passes_gradient_at_both_bounds():
    x = np.array([0.0, 1.0, 2.0, -1.0, 0.5])
    dx, dlow, dhigh = grad_of(np.clip, x, 0.0, 1.0)
    np.testing.assert_array_equal(dx, [1.0, 1.0, 0.0, 0.0, 1.0])
    assert (dlow, dhigh) == (1.0, 1.0)


def test_clip_with_crossed_bounds_follows_numpy():
    # np.clip applies the upper bound last: with low > high every element is `high`.
    dx, dlow, dhigh = grad_of(np.clip, np.array([0.0, 5.0]), 2.0, 1.0)
    np.testing.assert_array_equal(dx, [0.0, 0.0])
    assert (dlow, dhigh) == (0.0, 2.0)


def test_max_splits_ties_evenly():
    np.testing.assert_allclose(grad_of(np.max, np.array([1.0, 3.0, 3.0]))[0], [0, 0.5, 0.5])
    np.testing.assert_allclose(grad_of(np.amax, np.ones((2, 3)))[0], np.full((2, 3), 1 / 6))
    x = np.array([[1.0, 2.0, 2.0], [4.0, 4.0, 4.0]])
    np.testing.assert_allclose(
        grad_of(np.min, x, axis=1, keepdims=True)[0], [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]]
    )
    np.testing.assert_allclose(grad_of(np.max, x, axis=0)[0], [[0, 0, 0], [1, 1, 1]])


def test_maximum_and_minimum_split_ties_in_half():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    dx, dy = grad_of(np.maximum, x, y)
    np.testing.assert_array_equal(dx, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(dy, [1.0, 0.5, 0.0])
    dx, dy = grad_of(np.minimum, x, 2.0)
    np.testing.assert_array_equal(dx, [1.0, 0.5, 0.0])
    assert dy == 1.5


def test_prod_with_zeros():
    np.testing.assert_array_equal(grad_of(np.prod, np.array([1.0, 2.0, 0.0, 4.0]))[0], [0, 0, 8, 0])
    np.testing.assert_array_equal(grad_of(np.prod, np.array([0.0, 2.0, 0.0]))[0], [0, 0, 0])


def test_repeated_fancy_indices_accumulate():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(grad_of(operator.getitem, x, [0, 0, 1])[0], [2.0, 1.0, 0.0])
    m = np.zeros((2, 2))
    dm = grad_of(operator.getitem, m, ([1, 1, 1], [0, 0, 1]))[0]
    np.testing.assert_array_equal(dm, [[0.0, 0.0], [2.0, 1.0]])


def test_norm_at_zero_is_zero():
    for kwargs in ({}, {"ord": "fro"}, {"axis": 1}, {"axis": 1, "ord": 2}, {"axis": 0, "ord": 3}):
        dx = grad_of(np.linalg.norm, np.zeros((2, 3)), **kwargs)[0]
        np.testing.assert_array_equal(dx, np.zeros((2, 3)))


def test_var_and_std_follow_numpy_ddof():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(grad_of(np.var, x)[0], [-0.75, -0.25, 0.25, 0.75])
    np.testing.assert_allclose(grad_of(np.var, x, ddof=1)[0], [-1, -1 / 3, 1 / 3, 1])


def test_mean_keepdims_spreads_one_third():
    dx = grad_of(np.mean, np.ones((2, 3)), axis=1, keepdims=True)[0]
    np.testing.assert_allclose(dx, np.full((2, 3), 1 / 3))


def test_sqrt_at_zero_is_inf_like_torch():
    with np.errstate(divide="ignore"):
        assert grad_of(np.sqrt, np.array([0.0]))[0][0] == np.inf


def _float32(value):
    if isinstance(value, (list, tuple)):
        return type(value)(_float32(item) for item in value)
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    return value


# ``x.astype(float64)`` of a float32 ``x`` gives its cotangent back in float32, as PyTorch's
# ``to``: ``test_astype_cotangent_has_the_input_dtype`` pins that instead.
FAMILY_CASES = [
    c
    for c in CASES
    if vjp_rule(c.fn).__module__ != "srcdiff.rules.operators" and c.fn is not np.ndarray.astype
]


def test_astype_cotangent_has_the_input_dtype():
    x = np.array([1.5, 2.5], dtype=np.float32)
    (dx, _) = vjp_rule(np.ndarray.astype)(np.ones(2), x.astype(np.float64), x, np.float64)
    assert dx.dtype == np.float32
    (dx, _) = vjp_rule(np.ndarray.astype)(np.ones(2), x.astype(int), x, int)
    np.testing.assert_array_equal(dx, np.zeros(2, np.float32))


@pytest.mark.parametrize("case", FAMILY_CASES, ids=[c.id for c in FAMILY_CASES])
def test_float32_inputs_get_float32_cotangents(case):
    """Unless the result itself was promoted to float64 (``np.stack([1.5, x32])``)."""
    args = _float32(case.args)
    ans = _call(case.fn, args, case.kwargs)
    if isinstance(ans, list | tuple):
        leaves, seed = list(ans), [np.ones_like(a) for a in ans]
    else:
        leaves, seed = [ans], np.ones_like(ans)
    promoted = any(isinstance(a, np.ndarray | np.generic) and a.dtype == np.float64 for a in leaves)
    cotangents = vjp_rule(case.fn)(seed, ans, *args, **case.kwargs)
    for i in case.wrt:
        if isinstance(args[i], list | tuple):
            pairs = zip(cotangents[i], args[i])
        else:
            pairs = [(cotangents[i], args[i])]
        for cotangent, arg in pairs:
            if isinstance(arg, np.ndarray):
                expected = np.float64 if promoted else np.float32
                assert np.asarray(cotangent).dtype == expected, f"argument {i}"


def test_unreduce_returns_a_writable_array():
    g = unreduce(np.float64(2.0), np.ones((2, 3)))
    g += 1.0
    np.testing.assert_array_equal(g, np.full((2, 3), 3.0))


def test_builtin_sum_refuses_a_generator():
    from srcdiff.errors import DifferentiationError

    with pytest.raises(DifferentiationError, match="generator"):
        vjp_rule(sum)(1.0, 3.0, (x for x in [1.0, 2.0]))


def test_einsum_needs_explicit_output():
    from srcdiff.errors import DifferentiationError

    with pytest.raises(DifferentiationError, match="explicit"):
        vjp_rule(np.einsum)(1.0, 3.0, "i,i", np.ones(3), np.ones(3))
