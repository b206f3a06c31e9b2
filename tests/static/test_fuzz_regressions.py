"""Minimal reproductions of wrong gradients and crashes found by ``test_fuzz.py``.

Each subject is a module-level ``def`` (the static compiler reads its source);
each test states the gradient that central finite differences and the
tracing mode give.
"""

import numpy as np
import torch

import srcdiff
from tests.gradcheck import check_vjp


def static_vjp(f, wrt):
    vf = srcdiff.vjp(f, wrt=wrt)

    def call(args, v):
        result = vf(*args, seed=v)
        return result if isinstance(result, tuple) else (result,)

    return call


# ---- a full reduction's scalar cotangent meeting a broadcast operand


def sum_of_scalar_plus_vector(x, y):
    return np.sum(y + x)


def mean_of_scalar_plus_vector(x, y):
    return np.mean(y + x)


def sum_of_row_plus_matrix(x, y):
    return np.sum(y + x)


def test_sum_of_a_broadcast_scalar_counts_every_element():
    # d/dx sum(y + x) = y.size for a scalar x; static gave 1.0
    y = np.ones(3)
    assert srcdiff.grad(sum_of_scalar_plus_vector)(1.0, y) == 3.0
    assert srcdiff.grad(sum_of_scalar_plus_vector)(np.array(1.0), y) == 3.0
    check_vjp(
        static_vjp(sum_of_scalar_plus_vector, (0,)), sum_of_scalar_plus_vector, [0.5, y], (0,)
    )


def test_mean_of_a_broadcast_scalar_is_one():
    # d/dx mean(y + x) = 1 for a scalar x; static gave 1/3
    y = np.ones(3)
    assert np.isclose(srcdiff.grad(mean_of_scalar_plus_vector)(1.0, y), 1.0)


def test_sum_of_a_broadcast_row_counts_every_row():
    x, y = np.zeros((1, 3)), np.ones((2, 3))
    np.testing.assert_allclose(srcdiff.grad(sum_of_row_plus_matrix)(x, y), np.full((1, 3), 2.0))


# ---- reading a copy of a parameter after the parameter is rebound


def copy_then_rebind_to_a_reduction(x):
    v1 = x
    x = np.sum(x)
    return np.sum(v1 * v1)


def copy_then_rebind_to_another_shape(x, y):
    v1 = x
    x = y
    return np.sum(v1)


def test_a_copy_keeps_the_old_parameter_shape():
    # static gave [6., 6.] (the cotangent unbroadcast to the new x, a scalar)
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(srcdiff.grad(copy_then_rebind_to_a_reduction)(x), [2.0, 4.0])


def test_a_copy_of_a_rebound_parameter_does_not_crash():
    # static raised ValueError from np.broadcast_to inside gradient_of
    np.testing.assert_allclose(
        srcdiff.grad(copy_then_rebind_to_another_shape)(np.ones(2), np.ones(3)), np.ones(2)
    )


# ---- trace mode: an in-place update of a quotient


def add_a_quotient_to_itself(x):
    v = x / 2.0
    v += v
    return np.sum(v)


def test_trace_mode_allows_an_in_place_update_that_pytorch_allows():
    # NumPy, PyTorch and the static mode accept this; the trace mode raised
    # "one of the variables needed for gradient computation has been modified
    # by an inplace operation" (it saves the quotient itself)
    x = np.ones(3)
    t = torch.ones(3, dtype=torch.float64, requires_grad=True)
    v = t / 2.0
    v += v
    v.sum().backward()
    np.testing.assert_allclose(srcdiff.grad(add_a_quotient_to_itself)(x), t.grad.numpy())
    np.testing.assert_allclose(
        srcdiff.grad(add_a_quotient_to_itself, mode="trace")(x), t.grad.numpy()
    )
