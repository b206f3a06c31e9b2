"""A value is taken for a scalar only when it is one for inputs of every shape.

``np.linalg.det(a)`` and ``np.trace(a)`` of a stack of matrices (3-D) return
one value per matrix; ``math.prod`` of arrays is an array.  Taking them for
scalars skipped ``unbroadcast`` (a wrong gradient) and the check that
``grad``'s output is a scalar.
"""

import math

import numpy as np
import pytest

import srcdiff
from srcdiff.static.names import assigned_names
from srcdiff.static.parse import parse_function
from srcdiff.static.shapes import scalar_names
from tests.numeric import assert_grad_right

A = np.array([[[2.0, 1.0], [0.5, 3.0]], [[1.0, 0.2], [0.3, 1.5]], [[0.7, 0.1], [0.4, 0.9]]])
X = np.array([[0.3], [-0.2]])


def times_det(x, a):
    return np.sum(x * np.linalg.det(a)) + np.sum(x)


def times_trace(x, a):
    return np.sum(x * np.trace(a)) + np.sum(x)


def times_trace_method(x, a):
    t = a.trace()
    return np.sum(x * t) + np.sum(x)


def times_prod(x, a):
    p = math.prod([a[0, 0], a[1, 1]])
    return np.sum(x * p) + np.sum(x)


@pytest.mark.parametrize("fn", [times_det, times_trace, times_trace_method])
@pytest.mark.parametrize("position", [0, 1])
def test_a_batched_value_is_not_a_scalar(fn, position):
    assert_grad_right(fn, (X, A), position)


def test_math_prod_of_arrays_is_not_a_scalar():
    assert_grad_right(times_prod, (X, A), 0)  # math.prod has no rule: only x


def test_the_reported_numbers():
    """x (2, 1) times det of a (3, 2, 2) stack: the gradient sums over the stack."""
    expected = np.full((2, 1), np.sum(np.linalg.det(A)) + 1.0)
    np.testing.assert_allclose(srcdiff.grad(times_det)(X, A), expected)


@pytest.mark.parametrize("fn", [times_det, times_trace])
def test_2d_input_still_gives_the_right_gradient(fn):
    assert_grad_right(fn, (X, A[0]), 0)
    assert_grad_right(fn, (X, A[0]), 1)


def batched_det(a):
    return np.linalg.det(a)


def batched_trace(a):
    return np.trace(a)


@pytest.mark.parametrize("fn", [batched_det, batched_trace])
@pytest.mark.parametrize("mode", ["static", "trace"])
def test_a_batched_output_under_grad_is_refused(fn, mode):
    with pytest.raises(srcdiff.DifferentiationError, match="scalar output"):
        srcdiff.grad(fn, mode=mode)(A)


def test_the_det_of_one_matrix_is_a_scalar_output():
    assert_grad_right(batched_det, (A[0],))


def facts(x, s, n):
    total = np.sum(x)
    mean = x.mean()
    width = x.shape[1]
    rows = x.shape[0:1]
    det = np.linalg.det(x)
    trace = np.trace(x)
    e = math.exp(s)
    halves = math.modf(s)
    scaled = total * 2.0 + e
    for i in range(n):
        scaled = scaled + i
    index = slice(0, 1)
    part = x.shape[index]
    return total + mean + width + rows + det + trace + halves + scaled + part


def test_the_scalar_table():
    source = parse_function(facts)
    source.locals = assigned_names(source.tree)
    found = scalar_names(source.tree, source)
    assert {"total", "mean", "width", "e", "scaled", "i"} <= found
    assert not {"x", "rows", "det", "trace", "halves", "index", "part"} & found
