"""Minimal reproductions of what random programs with stores, swaps and loops found.

The programs come from ``test_fuzz.py`` and ``scripts/fuzz.py`` (``--reduce``
deletes lines of a failing program while it still fails).  Each subject is a
module-level ``def``; each test checks the static mode against central finite
differences and the tracing mode.
"""

# Subjects are fuzzer output reduced by deleting lines; their unused names stay as found.
# ruff: noqa: B007

import numpy as np
import pytest

import srcdiff
from tests.gradcheck import check_vjp
from tests.static.test_fuzz_regressions import static_vjp

# ---- a value stored into a slice: its cotangent has the slice's shape


def both_modes_agree_with_finite_differences(f, args, wrt=(0,)):
    check_vjp(static_vjp(f, wrt), f, args, wrt)
    static = srcdiff.grad(f, wrt=wrt)(*args)
    traced = srcdiff.grad(f, wrt=wrt, mode="trace")(*args)
    for a, b in zip(static, traced):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
        assert np.shape(a) == np.shape(b)


def store_a_scalar_into_a_whole_vector(y):
    z = np.zeros(3)
    z[:] = 2.0 * y
    return z.sum() + y


def store_an_element_into_a_whole_vector(x):
    z = np.zeros(2)
    z[:] = 2.0 * x[0]
    return z.sum()


def store_a_scalar_into_a_row(x):
    z = np.zeros((2, 2))
    z[0] = 2.0 * np.sum(x)
    return z.sum()


def store_a_row_into_a_column_of_rows(x):
    z = np.zeros((2, 3))
    z[:] = np.sin(x) * 2.0
    return np.sum(z * z)


def test_a_scalar_stored_into_a_slice_counts_every_element():
    # d/dy (3 * 2y + y) = 7; static gave 9.0: the slice's cotangent (3,) met the
    # rule of ``2.0 * y`` as if it had y's shape, and only its sum survived.
    assert srcdiff.grad(store_a_scalar_into_a_whole_vector)(1.5) == 7.0
    both_modes_agree_with_finite_differences(store_a_scalar_into_a_whole_vector, [1.5])
    both_modes_agree_with_finite_differences(store_a_scalar_into_a_whole_vector, [np.array(0.5)])


def test_an_element_stored_into_a_slice_is_summed_before_it_is_scattered():
    # static raised NumPy's "setting an array element with a sequence"
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(srcdiff.grad(store_an_element_into_a_whole_vector)(x), [4.0, 0.0])
    both_modes_agree_with_finite_differences(store_an_element_into_a_whole_vector, [x])


def test_a_scalar_stored_into_a_row_is_summed_before_a_reduction():
    # static raised NumPy's "input operand has more dimensions than allowed by the axis remapping"
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(srcdiff.grad(store_a_scalar_into_a_row)(x), [4.0, 4.0])
    both_modes_agree_with_finite_differences(store_a_scalar_into_a_row, [x])


def test_a_row_stored_into_every_row_sums_the_rows():
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(
        srcdiff.grad(store_a_row_into_a_column_of_rows)(x), 16.0 * np.sin(x) * np.cos(x)
    )
    both_modes_agree_with_finite_differences(store_a_row_into_a_column_of_rows, [x])


# ---- an index written as a list copies: no alias to refuse


def update_a_fancy_indexed_copy(x):
    v = np.sin(x)
    w = v[[1, 0]].T
    v *= 2.0
    return np.sum(v * w)


def test_an_in_place_update_after_a_fancy_indexed_copy_is_not_refused():
    # the fence took ``v[[1, 0]]`` for a view of v and refused ``v *= 2.0``
    x = np.array([[0.3, -0.5], [0.7, 1.1]])
    both_modes_agree_with_finite_differences(update_a_fancy_indexed_copy, [x])


# ---- the zero gradient of a name that held an integer


def integer_then_float(x):
    for i in range(1, 3):
        v = np.sum(np.reshape(i, -1))
    v = np.mean(x * v)
    return v


def test_the_zero_gradient_of_an_integer_scalar_is_a_float():
    # zeros_like of an integer NumPy scalar raised AttributeError ("'numpy.float64'
    # has no attribute 'type'") from the generated code
    x = np.array([0.3, -0.5, 0.9])
    np.testing.assert_allclose(srcdiff.grad(integer_then_float)(x), np.full(3, 2.0 / 3.0))
    both_modes_agree_with_finite_differences(integer_then_float, [x])


# ---- a loop left before an inner loop binds a name


def break_before_an_inner_loop_binds(x, y):
    a = np.ones(2)
    for i in range(2):
        if np.sum(y) > 0.0:
            break
        for j in range(1):
            v = x**2
        a[i] *= np.sum(v * y)
    return np.sum(a) + np.sum(x * y)


def test_a_gradient_for_a_name_the_loop_never_bound_starts_at_zero():
    # The backward loop started the gradient of v as zeros_like(v): UnboundLocalError
    # when the first trip broke out before the inner loop bound v.
    x = np.array([0.3, -0.5, 0.9])
    for y in (np.array([0.2, 0.4, -0.1]), np.array([-0.2, 0.4, -0.7])):
        both_modes_agree_with_finite_differences(break_before_an_inner_loop_binds, [x, y], (0, 1))


# ---- a tuple swap makes no alias; a tuple unpacking of an argument does


def swap_then_update(x, y):
    v = np.sin(x)
    w = np.cos(x)
    v, w = w, v
    v -= w
    return np.sum(v * y)


def unpack_an_argument_then_store(x):
    v, n = x, 2.0
    v[0] = 0.0
    return np.sum(v * n)


def test_an_in_place_update_after_a_swap_is_not_refused():
    # the fence bound v to w before reading w for the second name, and refused ``v -= w``
    x = np.array([0.3, -0.5, 0.9])
    both_modes_agree_with_finite_differences(swap_then_update, [x, 2.0], (0, 1))


def test_a_store_into_an_argument_unpacked_from_a_tuple_is_refused():
    with pytest.raises(
        srcdiff.UnsupportedSyntax, match="assignment into 'v', which is an argument"
    ):
        srcdiff.grad(unpack_an_argument_then_store)(np.ones(3))


# ---- an array appended to a list, then updated in place


def append_then_update(x):
    v = x * 1.0
    parts = []
    for i in range(2):
        v *= 2.0
        parts.append(v)
    return np.sum(np.stack(parts))


def append_a_view_then_update(x):
    v = x * 1.0
    parts = []
    for i in range(2):
        v *= np.sin(x)
        parts.append(np.broadcast_to(v, (2, 3)))
    return np.sum(np.stack(parts))


@pytest.mark.parametrize("fn", [append_then_update, append_a_view_then_update])
def test_an_in_place_update_of_an_appended_array_is_refused(fn):
    # The list shows the array itself: the update changes what was appended
    # (finite differences give 8 for append_then_update; static gave 6).
    with pytest.raises(srcdiff.UnsupportedSyntax, match="in-place update of 'v', which shares its"):
        srcdiff.grad(fn)(np.array([0.3, -0.5, 0.9]))


def test_the_trace_mode_sees_the_appended_array_change():
    x = np.array([0.3, -0.5, 0.9])
    np.testing.assert_allclose(srcdiff.grad(append_then_update, mode="trace")(x), np.full(3, 8.0))


# ---- a loop reads items of a name bound only inside an earlier loop


def items_of_a_name_bound_in_a_loop(x):
    for i in range(2):
        v = x * 2.0
    total = 0.0
    for j in range(2):
        total = total + v[-1] * j
    return total


def test_a_gradient_that_starts_at_zero_is_made_an_array_before_a_scatter():
    # The backward loop started dv at 0.0 (v may be unbound before the loop) and
    # then updated dv[-1] in place: "'float' object is not subscriptable".
    x = np.array([0.3, -0.5, 0.9])
    np.testing.assert_allclose(srcdiff.grad(items_of_a_name_bound_in_a_loop)(x), [0.0, 0.0, 2.0])
    both_modes_agree_with_finite_differences(items_of_a_name_bound_in_a_loop, [x])
