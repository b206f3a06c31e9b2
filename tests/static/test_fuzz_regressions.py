"""Minimal reproductions of wrong gradients and crashes found by random programs.

The programs come from ``test_fuzz.py`` and ``scripts/fuzz.py`` (``--reduce``
deletes lines of a failing program while it still fails).

Each subject is a module-level ``def`` (the static compiler reads its source);
each test states the gradient that central finite differences and the
tracing mode give.
"""

# Subjects are fuzzer output reduced by deleting lines; their unused names stay as found.
# ruff: noqa: B007, F841, UP034

import inspect

import numpy as np
import pytest
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


# ---- a constant local fed to a NumPy call next to an operator


def constant_plus_its_sine(x):
    v1 = 0.5
    v2 = v1 + np.sin(v1)
    return np.sum(v2 * x)


def test_a_constant_local_under_a_call_compiles():
    # static raised AttributeError: 'NoneType' object has no attribute 'locals'
    # (srcdiff/static/shapes.py _same_shape_operand calls _is_scalar with source=None)
    np.testing.assert_allclose(
        srcdiff.grad(constant_plus_its_sine)(np.ones(2)), np.full(2, 0.5 + np.sin(0.5))
    )


# ---- item assignment into an array created afresh in each loop trip


def store_into_a_fresh_array_in_a_loop(y):
    for i in range(2):
        b = np.zeros(3)
        b[1] = np.mean(y)
    return np.sum(b * y)


def test_item_assignment_into_an_array_made_in_the_loop():
    # static raised TypeError: 'float' object is not subscriptable (the adjoint
    # resets db = 0.0 at the end of a backward trip, then reads db[1])
    y = np.array([0.5, 1.0, 2.0])
    expected = srcdiff.grad(store_into_a_fresh_array_in_a_loop, mode="trace")(y)
    np.testing.assert_allclose(expected, [1 / 3, 1 / 3 + 3.5 / 3, 1 / 3])
    np.testing.assert_allclose(srcdiff.grad(store_into_a_fresh_array_in_a_loop)(y), expected)


# ---- a list made, appended to and stacked inside each loop trip


def stack_a_list_made_in_the_loop(y):
    for i in range(2):
        parts = []
        parts.append(np.sum(y))
        v = np.stack(parts)
    return np.sum(v)


def test_a_list_made_in_each_loop_trip():
    # static raised IndexError: pop from empty list (the backward loop pops
    # ``parts`` again on its second trip; the list is not saved per trip)
    y = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(srcdiff.grad(stack_a_list_made_in_the_loop)(y), np.ones(3))


# ---- in-place updates through an alias


def add_in_place_through_an_alias(x):
    v = x * 2.0
    w = v
    v += x
    return np.sum(w)


def store_through_an_alias(x):
    v = x * 2.0
    w = v
    v[0] = 0.0
    return np.sum(w)


def _refused_at(fn, text):
    """The static mode refuses ``fn`` at the line containing ``text``, pointing to a copy."""
    lines, first = inspect.getsourcelines(fn)
    line = first + next(i for i, source in enumerate(lines) if text in source)
    with pytest.raises(srcdiff.UnsupportedSyntax) as info:
        srcdiff.grad(fn)
    assert str(info.value).startswith(f"{__file__}:{line}:"), str(info.value)
    assert "shares its array with 'w'" in str(info.value) and "copy it first" in str(info.value)


def test_an_in_place_add_reaches_the_alias():
    # w and v are one array, so sum(w) = sum(3 x). The static mode used to give 2
    # (it reads ``v += x`` as ``v = v + x``); now it refuses the in-place update of
    # an array another name shows. The trace mode, which runs it, gives 3.
    x = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(
        srcdiff.grad(add_in_place_through_an_alias, mode="trace")(x), np.full(3, 3.0)
    )
    _refused_at(add_in_place_through_an_alias, "v += x")


def test_a_store_reaches_the_alias():
    # The store zeroes w[0], so the gradient is [0, 2, 2]; the static mode used to
    # give [2, 2, 2], and now refuses the store.
    x = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(
        srcdiff.grad(store_through_an_alias, mode="trace")(x), [0.0, 2.0, 2.0]
    )
    _refused_at(store_through_an_alias, "v[0] = 0.0")


# ---- larger programs the fuzzer found, reduced by deleting lines


def loops_with_mean_keepdims_then_stack(x, y):
    for i1 in range(2):
        for i2 in range(1, 4):
            v3 = ((0.5 * x) / (1.0 + (y).mean(axis=0) * (y).mean(axis=0))) - ((x)[-1] - (x * 0.5))
            v4 = (i2 / (1.0 + (y / (1.0 + y * y)) * (y / (1.0 + y * y)))).mean(
                axis=0, keepdims=True
            )
        a5 = np.zeros((1, 2))
    parts9 = []
    for i10 in range(3):
        y = np.sin(
            (
                y
                * (
                    np.mean(
                        (
                            np.broadcast_to((0.25 - -1.5), (2, 3))
                            @ (np.mean((x + y)) * np.ones((3, 3)))
                        )
                    )
                    * np.ones((3,))
                )
            )
        )
        v4 = 0.5 * (v4 * (np.sum((((0.25 * y) @ (np.mean(x) * np.ones((3,)))) - v3)) + v4))
        parts9.append(np.mean(v4))
    v11 = np.stack(parts9)
    v12 = v11
    return np.sum(a5) + np.mean(v12)


def test_loops_with_mean_keepdims_then_stack():
    # static raised ZeroDivisionError: integer modulo by zero (rules/helpers.py reduced_axes)
    rng = np.random.default_rng(43035)
    x, y = rng.uniform(-1.2, 1.2, (2, 3)), rng.uniform(-1.2, 1.2, (3,))
    expected = srcdiff.grad(loops_with_mean_keepdims_then_stack, wrt=1, mode="trace")(x, y)
    check_vjp(
        static_vjp(loops_with_mean_keepdims_then_stack, (1,)),
        loops_with_mean_keepdims_then_stack,
        [x, y],
        (1,),
    )
    np.testing.assert_allclose(
        srcdiff.grad(loops_with_mean_keepdims_then_stack, wrt=1)(x, y), expected
    )


def identity_helper(a, b):
    return a


def stack_then_branch_with_helper(x, y):
    parts1 = []
    for i2 in range(3):
        v3 = -1.5
        parts1.append(np.broadcast_to(y, (2, 3)))
    v4 = np.stack(parts1, axis=-1)
    for i6 in range(1, 5):
        v7, v8 = (np.sin(x)).T, np.mean((x / (1.0 + v4 * v4)), axis=-1)
    if np.mean(np.reshape(np.mean(v3), -1)) > -0.5:
        v14 = v7
    else:
        v4 = np.sin((v4 * (np.sum(identity_helper((x / (1.0 + y * y)), np.mean(v8))) + v4)))
    return np.sum(v4)


def test_stack_then_branch_with_a_helper():
    # static raised numpy AxisError: axis 2 is out of bounds for array of dimension 1
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1.2, 1.2, (1, 3)), rng.uniform(-1.2, 1.2, (2, 1))
    check_vjp(
        static_vjp(stack_then_branch_with_helper, (0, 1)),
        stack_then_branch_with_helper,
        [x, y],
        (0, 1),
    )
    expected = srcdiff.grad(stack_then_branch_with_helper, wrt=(0, 1), mode="trace")(x, y)
    got = srcdiff.grad(stack_then_branch_with_helper, wrt=(0, 1))(x, y)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b)


# ---- trace mode: an element read from a vector is a NumPy scalar, not a view


def update_an_element_read_from_a_vector(x):
    v = x[0]
    v += np.sum(x * v)
    return v


def test_trace_mode_updates_an_element_as_a_number():
    # in NumPy x[0] of a vector is a new scalar and ``+=`` rebinds it; the
    # static mode agrees, the trace mode raised "a view of a leaf Variable that
    # requires grad is being used in an in-place operation"
    x = np.array([0.5, 1.0, 2.0])
    expected = srcdiff.grad(update_an_element_read_from_a_vector)(x)
    check_vjp(
        static_vjp(update_an_element_read_from_a_vector, (0,)),
        update_an_element_read_from_a_vector,
        [x],
        (0,),
    )
    np.testing.assert_allclose(
        srcdiff.grad(update_an_element_read_from_a_vector, mode="trace")(x), expected
    )


# ---- a value overwritten in a branch (or loop) that has no adjoint work


def rebinds_an_argument_in_a_branch(x, y):
    if y > 0.0:
        z = np.sum(x) * y
    else:
        x = 1.0
        z = x * y
    return z


def rebinds_an_argument_in_a_loop(x, n):
    total = np.sum(x * x)
    for i in range(n):
        x = 2.0
    return total * np.sum(x)


def test_an_argument_rebound_in_a_branch_keeps_its_gradients_shape():
    # The backward pass dropped the branch (no adjoint work in it) and with it
    # the restore of x, so gradient_of saw x = 1.0: a 0-d gradient for a (2, 3) x.
    x = np.ones((2, 3))
    np.testing.assert_array_equal(srcdiff.grad(rebinds_an_argument_in_a_branch)(x, -1.0), 0.0 * x)
    np.testing.assert_allclose(srcdiff.grad(rebinds_an_argument_in_a_branch)(x, 2.0), 2.0 + 0 * x)
    dx = srcdiff.grad(rebinds_an_argument_in_a_branch)(x, -1.0)
    assert dx.shape == (2, 3)


def test_an_argument_rebound_in_a_loop_keeps_its_gradients_shape():
    x = np.array([1.0, 2.0])
    # A constant assigned in the loop was taken for a loop-invariant value and not
    # saved, so the backward pass read x = 2.0 where the argument was meant.
    np.testing.assert_allclose(srcdiff.grad(rebinds_an_argument_in_a_loop)(x, 3), 4.0 * x)
    expected = 2.0 * x * np.sum(x) + np.sum(x * x)  # no trip: total * sum(x)
    np.testing.assert_allclose(srcdiff.grad(rebinds_an_argument_in_a_loop)(x, 0), expected)


# ---- a name rebound to an item of itself


def keeps_the_last_row(x):
    x = x[-1]
    x = np.sin(x + x)
    return np.sum(x)


def test_a_name_rebound_to_its_own_item():
    # ``x = x[-1]`` scattered the new x's gradient into a fresh zero array named
    # like it, reading dx after overwriting it.
    x = np.array([[0.3, -0.5], [0.7, 1.1]])
    check_vjp(static_vjp(keeps_the_last_row, (0,)), keeps_the_last_row, [x], (0,))
    expected = np.zeros_like(x)
    expected[-1] = 2.0 * np.cos(2.0 * x[-1])
    np.testing.assert_allclose(srcdiff.grad(keeps_the_last_row)(x), expected)
