"""Arrays made with ``np.zeros`` & co. inside ``trace_vjp`` take Tensors: ``a[i] = t`` records.

The traced function reads ``np`` through its own namespace; NumPy itself is never changed.
"""

import numpy as np
import pytest

import srcdiff.trace as st
from srcdiff.trace.facades import FACTORIES
from srcdiff.trace.user_code import is_user_file
from tests.gradcheck import check_vjp


def subscript_assignment(x):
    n = x.shape[0]
    a = np.zeros(n)
    for i in range(n):
        a[i] = x[i] ** 2
    a[0] = x[1] * 3.0
    return np.sum(a * a)


def overwrite_in_loop(x):
    a = np.zeros(3)
    for k in range(3):
        a[k] = x[k] * 2.0
        a[k] = a[k] * x[k]
    return np.sum(a * x)


def column_augmented_assignment(x, v):
    a = np.zeros((3, 3))
    for j in range(3):
        a[:, j] += v * x[j]
    return np.sum(a**2)


def rows_from_every_factory(x):
    rows = [
        np.ones(2),
        np.empty(2),
        np.full(2, 0.5),
        np.zeros_like(x[:2]),
        np.ones_like(np.arange(2.0)),
        np.empty_like(x[:2]),
        np.full_like(x[:2], 2.0),
        np.eye(2)[0],
        np.array([1.0, 2.0]),
        np.asarray([3.0, 4.0]),
    ]
    total = 0.0
    for i, row in enumerate(rows):
        row[1] = x[i % 3] * (i + 1)
        row[0] = 1.0
        total = total + np.sum(np.sin(row))
    return total


def list_to_array(x):
    rows = [x * i for i in range(3)]
    nested = np.array([[x[0], 1.0], [2.0, x[1]]])
    return np.sum(np.array(rows) ** 2) + np.sum(nested**3) + np.sum(np.asarray(x) * np.array(x))


def _trace_vjp(f, wrt):
    def vjp(args, v):
        return st.trace_vjp(f, args, {}, wrt, v)[1]

    return vjp


CASES = [
    (subscript_assignment, (np.array([0.3, -1.2, 0.7]),), (0,)),
    (overwrite_in_loop, (np.array([0.3, -1.2, 0.7]),), (0,)),
    (column_augmented_assignment, (np.array([0.3, -1.2, 0.7]), np.array([1.1, 0.4, -0.5])), (0, 1)),
    (rows_from_every_factory, (np.array([0.3, -1.2, 0.7]),), (0,)),
    (list_to_array, (np.array([0.3, -1.2, 0.7]),), (0,)),
]


@pytest.mark.parametrize(("f", "args", "wrt"), CASES, ids=[c[0].__name__ for c in CASES])
def test_assignment_into_factory_arrays_matches_finite_differences(f, args, wrt):
    check_vjp(_trace_vjp(f, wrt), f, args, wrt)


def test_overwritten_element_gets_no_gradient():
    value, (g,) = st.trace_vjp(subscript_assignment, (np.array([1.0, 2.0, 3.0]),), {}, (0,), None)
    assert value == 36.0 + 16.0 + 81.0
    np.testing.assert_allclose(g, [0.0, 2 * 6.0 * 3.0 + 2 * 4.0 * 4.0, 4 * 27.0])


def test_results_come_back_as_numpy():
    def f(x):
        a = np.zeros(3)
        a[1] = x
        return a * 2.0

    value, (g,) = st.trace_vjp(f, (1.5,), {}, (0,), np.array([1.0, 10.0, 100.0]))
    assert type(value) is np.ndarray and np.array_equal(value, [0.0, 3.0, 0.0])
    assert type(g) is np.float64 and g == 20.0

    def constant(x):
        return np.ones(2) @ np.array([1.0, 2.0])

    value, (g,) = st.trace_vjp(constant, (1.5,), {}, (0,), None)
    assert type(value) is np.float64 and value == 3.0 and g == 0.0


def test_numpy_is_never_changed_even_when_the_function_raises():
    originals = {original.__name__: original for original in FACTORIES}
    assert set(originals) >= {"zeros", "ones", "empty", "array", "asarray"}
    seen = []

    def fails(x):
        seen.append((type(np.zeros(1)), np.zeros is originals["zeros"]))
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        st.trace_vjp(fails, (1.0,), {}, (0,), None)
    assert seen == [(st.Tensor, False)]
    assert {name: getattr(np, name) for name in originals} == originals
    assert type(np.zeros(2)) is np.ndarray


def test_library_code_and_non_numbers_still_get_ndarrays():
    assert is_user_file(__file__) and is_user_file("<stdin>")
    assert not is_user_file(np.__file__) and not is_user_file(st.__file__)

    def f(x):
        padded = np.pad(np.ones(2), 1)  # NumPy's own np.asarray / np.empty calls see ndarrays
        words = np.array(["a", "b"])
        assert type(padded) is st.Tensor and type(words) is np.ndarray
        return np.sum(padded * x)

    _, (g,) = st.trace_vjp(f, (2.0,), {}, (0,), None)
    assert g == 2.0


def test_a_fill_value_that_requires_grad_gets_the_sum_of_the_gradient():
    def f(x):
        return np.sum(np.full(3, x) * np.arange(3.0))

    _, (g,) = st.trace_vjp(f, (2.0,), {}, (0,), None)
    assert g == 3.0


def test_a_full_like_value_that_requires_grad_gets_the_sum_of_the_gradient():
    def f(x):
        return np.sum(np.full_like(np.ones((2, 2)), x) * np.arange(4.0).reshape(2, 2))

    _, (g,) = st.trace_vjp(f, (2.0,), {}, (0,), None)
    assert g == 6.0
