"""Inputs and outputs the rules do not follow are refused, never differentiated wrongly.

Masked arrays (the rules ignore the mask), ``np.matrix`` (its ``*`` is a
matrix product), complex outputs and complex values on the way to a real
argument, and several outputs under ``grad``: each is a
``DifferentiationError`` that says what to do instead.
"""

import functools
import warnings

import numpy as np
import pytest

import srcdiff
from tests.numeric import assert_grad_right

MASKED = np.ma.array([1.0, 2.0, 3.0], mask=[False, True, False])
with warnings.catch_warnings():  # NumPy discourages np.matrix: that is the point here
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    MATRIX = np.matrix([[1.0, 2.0], [3.0, 4.0]])


def square_sum(x):
    return np.sum(x * x)


def row_mean(x):
    return np.mean(x[0] * 3.0)


def product_sum(x, w):
    return np.sum(x * w)


@pytest.mark.parametrize("fn", [square_sum, row_mean])
def test_a_masked_argument_is_refused(fn):
    with pytest.raises(srcdiff.DifferentiationError, match=r"masked array \(np\.ma\).*filled"):
        srcdiff.grad(fn)(MASKED)


def test_a_masked_array_reaching_the_gradient_is_refused():
    with pytest.raises(srcdiff.DifferentiationError, match="masked array"):
        srcdiff.grad(product_sum)(np.ones(3), MASKED)


def added_sum(x, m):
    return np.sum(x + m)


@pytest.mark.parametrize("kind", ["grad", "vjp"])
@pytest.mark.parametrize("passed", ["position", "keyword", "in a list"])
@pytest.mark.parametrize("other", [MASKED, MATRIX[0]], ids=["masked", "matrix"])
def test_an_array_subclass_outside_wrt_is_refused(other, passed, kind):
    # np.sum of x + m skips m's masked elements: their gradient is 0, not 1.
    f = (lambda x, ms: np.sum(x + ms[0])) if passed == "in a list" else added_sum
    df = getattr(srcdiff, kind)(f)
    x = np.ones(other.shape[-1])
    with pytest.raises(srcdiff.DifferentiationError, match=r"np\.ma|np\.matrix"):
        if passed == "keyword":
            df(x, m=other)
        else:
            df(x, [other] if passed == "in a list" else other)


@pytest.mark.parametrize("fn", [square_sum, row_mean])
def test_a_matrix_argument_is_refused(fn):
    with pytest.raises(srcdiff.DifferentiationError, match=r"np\.matrix.*np\.asarray"):
        srcdiff.grad(fn)(MATRIX)


def test_the_same_values_as_plain_arrays_are_differentiated():
    assert_grad_right(square_sum, (MASKED.filled(0.0),))
    assert_grad_right(row_mean, (np.asarray(MATRIX),))


def complex_sum(x):
    return np.sum(x * (1 + 2j))


def complex_scalar(x):
    return x * (1 + 2j)


def complex_times_constant(x):
    return np.sum(x) * 1j


def magnitude_of_a_phase(x):
    return np.abs(np.exp(1j * x))


X = np.array([0.5, -1.5])


@pytest.mark.parametrize(
    "fn, x",
    [
        (complex_sum, X),
        (complex_scalar, 0.5),
        (complex_times_constant, X),
        (magnitude_of_a_phase, 0.3),
    ],
)
@pytest.mark.parametrize(
    "kind",
    [
        srcdiff.grad,
        srcdiff.value_and_grad,
        srcdiff.vjp,
        functools.partial(srcdiff.grad, method="reverse"),
        functools.partial(srcdiff.grad, method="forward"),
    ],
    ids=["grad", "value_and_grad", "vjp", "reverse", "forward"],
)
def test_a_complex_output_or_value_is_refused_on_every_path(fn, x, kind):
    with pytest.raises(srcdiff.DifferentiationError, match="complex") as info:
        kind(fn)(x)
    assert "real and imaginary parts" in str(info.value)


@pytest.mark.parametrize(
    "fn, x",
    [(complex_sum, X), (complex_times_constant, X), (magnitude_of_a_phase, 0.3)],
)
def test_a_complex_value_on_the_way_is_refused_by_jvp(fn, x):
    with pytest.raises(srcdiff.DifferentiationError, match="complex") as info:
        srcdiff.jvp(fn)(x, tangent=np.ones_like(x))
    assert "real and imaginary parts" in str(info.value)


def test_a_complex_output_with_a_seed_is_refused():
    with pytest.raises(srcdiff.DifferentiationError, match="returned a complex value"):
        srcdiff.vjp(complex_scalar)(0.5, seed=1.0)


def test_a_complex_argument_is_refused():
    with pytest.raises(srcdiff.DifferentiationError, match="complex argument"):
        srcdiff.grad(square_sum)(np.array([1 + 2j, 3 - 1j]))


def two_sums(x):
    return np.sum(x), np.sum(x * x)


def sum_and_array(x):
    return np.sum(x), x * 2.0


def one_tuple(x):
    return (np.sum(x),)


@pytest.mark.parametrize("fn, count", [(two_sums, 2), (sum_and_array, 2), (one_tuple, 1)])
@pytest.mark.parametrize("kind", [srcdiff.grad, srcdiff.value_and_grad, srcdiff.vjp])
def test_several_outputs_need_a_tuple_of_seeds(fn, count, kind):
    with pytest.raises(srcdiff.DifferentiationError, match="tuple of seeds") as info:
        kind(fn)(X)
    assert f"returned a tuple of {count} value" in str(info.value)
    with pytest.raises(srcdiff.DifferentiationError, match="tuple of seeds"):
        kind(fn, mode="trace")(X)


def test_several_outputs_with_a_tuple_of_seeds_match_finite_differences():
    seeds = (0.7, np.array([1.5, -0.5]))
    got = srcdiff.vjp(sum_and_array)(X, seed=seeds)
    expected = np.full(2, 0.7) + 2.0 * seeds[1]
    np.testing.assert_allclose(got, expected)

    def weighted(x):
        total, doubled = sum_and_array(x)
        return seeds[0] * total + np.sum(seeds[1] * doubled)

    assert_grad_right(weighted, (X,))
    np.testing.assert_allclose(srcdiff.vjp(sum_and_array, mode="trace")(X, seed=seeds), got)
