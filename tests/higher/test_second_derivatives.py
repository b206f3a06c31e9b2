"""Second derivatives in the static mode: the gradient of every user-style case, differentiated.

For each case of ``tests/rule_cases.py``, ``s(*args, v) = sum(f(*args) * v)``
is a scalar; the vjp of ``grad(s)`` (srcdiff differentiating its own
generated gradient) is checked against central finite differences of that
gradient along random directions.
"""

import numpy as np
import pytest

import srcdiff
from tests.gradcheck import check_vjp
from tests.rule_cases import CASES


def scalarized(fn, arity):
    """``s(*args, v) = sum(fn(*args) * v)``, a scalar function of ``fn``'s arguments."""
    if arity == 1:

        def s(x, v):
            return np.sum(fn(x) * v)

    elif arity == 2:

        def s(x, y, v):
            return np.sum(fn(x, y) * v)

    else:

        def s(x, y, z, v):
            return np.sum(fn(x, y, z) * v)

    return s


# Cases whose second derivative is refused, and the function the refusal names: their
# rules' code uses what the static mode does not differentiate (a generator over the
# pieces, np.add.at, a raise, *args traced, a rule of its own with none for its
# derivative), or is exact code for special values (cumprod at a zero).
REFUSED = {
    "join-2x3-1x3": "numpy.concatenate",
    "join_flat-2x2-4": "numpy.concatenate",
    "join_rows-2x3-3": "numpy.vstack",
    "builtin_sum_of_list-3-2x3": "builtins.sum",
    "broadcast_tile_repeat-1x3": "numpy.tile",
    "einsum_matmul-2x3-3x4": "numpy.einsum",
    "einsum_batched-2x2x3-2x3x4": "numpy.einsum",
    "einsum_trace_and_sum-3x3": "numpy.einsum",
    "cumulative_product-with-zeros": "numpy.cumprod",
    "cumulative_product-2x3": "numpy.cumprod",
    "differences-4x5": "numpy.diff",
    "array_api_linalg-2x3-2x3": "numpy.linalg.svdvals",
    "chained_products-3x2-2x3": "numpy.linalg.multi_dot",
    "gradient_on_a_grid-5-5": "numpy.gradient",
    "interpolated-4-4": "numpy.cumulative_sum",
    "quantile_level-5-float": "numpy.quantile",
    "real_eigen-3x3": "numpy.linalg.eig",
    "robust_center-3x4": "numpy.percentile",
    "running_products-4": "numpy.cumulative_sum",
    "stacked_columns-3-3": "numpy.dstack",
    "cross_product-2x3-3": "numpy.cross",
    "cross_product-3-3": "numpy.cross",
    "fmax_fmin-0d-0d": "picks",
    "fmax_fmin-0d-2x3": "picks",
    "fmax_fmin-1x3-2x3": "picks",
    "fmax_fmin-2x1-1x3": "picks",
    "fmax_fmin-2x1-2x3": "picks",
    "fmax_fmin-2x3-0d": "picks",
    "fmax_fmin-2x3-1x3": "picks",
    "fmax_fmin-2x3-2x1": "picks",
    "fmax_fmin-2x3-2x3": "picks",
    "fmax_fmin-2x3-3": "picks",
    "fmax_fmin-2x3-float": "picks",
    "fmax_fmin-3-2x3": "picks",
    "fmax_fmin-3-3": "picks",
    "fmax_fmin-float-2x3": "picks",
    "fmax_fmin-float-float": "picks",
    "kron_product-2x2-3": "numpy.kron",
    "matrix_norms-3x4": "matrix_norm_slope",
    "only_singular_values-3x4": "numpy.linalg.svd",
    "orthogonalized-4x3": "numpy.linalg.qr",
    "padded-3x4": "numpy.pad",
    "padded_edges-4": "numpy.pad",
    "singular_values-4x3": "numpy.linalg.svd",
}
# A helper the vjp runs again, which changes a global list: refused by the purity check.
CHANGES_A_GLOBAL = {"appended-3-2"}
DIFFERENTIATED = [case for case in CASES if case.id not in set(REFUSED) | CHANGES_A_GLOBAL]
# Large third derivatives (an eigenvector to the fourth power): central differences of
# the gradient need a smaller step to be as close.
STEPS = {"symmetric_eigen-3x3": 1e-7}


def second_derivative(case):
    """(the gradient of ``s`` at ``args``, its vjp, the arguments, ``v``) for a case."""
    args = [np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) else a for a in case.args]
    wrt = tuple(case.wrt)
    v = np.random.default_rng(1).standard_normal(np.shape(case.fn(*args)))
    s = scalarized(case.fn, len(args))
    gradient = srcdiff.grad(s, wrt=wrt)
    return gradient, srcdiff.vjp(gradient, wrt=wrt), args, v


@pytest.mark.parametrize("case", DIFFERENTIATED, ids=[case.id for case in DIFFERENTIATED])
def test_second_derivative_matches_finite_differences_of_the_gradient(case):
    gradient, second, args, v = second_derivative(case)

    def vjp(args, seed):
        return second(*args, v, seed=tuple(seed))

    check_vjp(
        vjp, lambda *args: gradient(*args, v), args, tuple(case.wrt), eps=STEPS.get(case.id, 1e-5)
    )


def test_the_refused_cases_exist():
    assert set(REFUSED) <= {case.id for case in CASES}


@pytest.mark.parametrize("case_id", sorted(REFUSED))
def test_second_derivative_refused_names_the_function(case_id):
    case = next(case for case in CASES if case.id == case_id)
    with pytest.raises(srcdiff.DifferentiationError) as info:
        gradient, second, args, v = second_derivative(case)
        second(*args, v, seed=tuple(np.ones(np.shape(a)) for a in args[: len(case.wrt)]))
    message = str(info.value)
    assert f"a second derivative through {REFUSED[case_id]}" in message
    assert "is not supported yet" in message
    assert 'use mode="trace"' in message


@pytest.mark.parametrize("case_id", sorted(CHANGES_A_GLOBAL))
def test_second_derivative_through_a_helper_that_changes_a_global_is_refused(case_id):
    case = next(case for case in CASES if case.id == case_id)
    with pytest.raises(srcdiff.UnsupportedSyntax, match="changes np with .append"):
        second_derivative(case)


# Forward over reverse (the jvp of the gradient, which hessian_vector_product runs) follows
# the same rules' code forward; it refuses the same cases, but for these.
FORWARD_ONLY = {"padded_edges-4"}
REFUSED_FORWARD = {k: v for k, v in REFUSED.items() if k not in FORWARD_ONLY}
FORWARD = [case for case in CASES if case.id not in set(REFUSED_FORWARD) | CHANGES_A_GLOBAL]


def forward_over_reverse(case, rng):
    """(the gradient of ``s``, its jvp, the arguments, ``v``, random tangents)."""
    gradient, _, args, v = second_derivative(case)
    wrt = tuple(case.wrt)
    tangents = tuple(rng.standard_normal(np.shape(args[w])) for w in wrt)
    tangents = tuple(float(t) if np.ndim(args[w]) == 0 else t for w, t in zip(wrt, tangents))
    return gradient, srcdiff.jvp(gradient, wrt=wrt), args, v, tangents


@pytest.mark.parametrize("case", FORWARD, ids=[case.id for case in FORWARD])
def test_forward_over_reverse_matches_finite_differences_of_the_gradient(case):
    gradient, second, args, v, tangents = forward_over_reverse(case, np.random.default_rng(2))
    value, tangent = second(*args, v, tangent=tangents)
    eps = STEPS.get(case.id, 1e-5)
    plus, minus = list(args), list(args)
    for w, t in zip(case.wrt, tangents):
        plus[w], minus[w] = args[w] + eps * t, args[w] - eps * t
    expected = [(a - b) / (2 * eps) for a, b in zip(gradient(*plus, v), gradient(*minus, v))]
    assert len(tangent) == len(expected) == len(value)
    for got, want in zip(tangent, expected):
        assert np.shape(got) == np.shape(want)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    for got, want in zip(value, gradient(*args, v)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case_id", sorted(REFUSED_FORWARD))
def test_forward_over_reverse_refused_names_the_function(case_id):
    case = next(case for case in CASES if case.id == case_id)
    with pytest.raises(srcdiff.DifferentiationError) as info:
        gradient, second, args, v, tangents = forward_over_reverse(case, np.random.default_rng(2))
        second(*args, v, tangent=tangents)
    message = str(info.value)
    assert f"a second derivative through {REFUSED_FORWARD[case_id]}" in message
    assert "is not supported yet" in message
