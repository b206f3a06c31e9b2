"""Tensor's NumPy-array methods that the later rule families differentiate (array_methods.py)."""

import numpy as np
import pytest

import srcdiff
import srcdiff.trace as st
from srcdiff.errors import DifferentiationError
from tests.numeric import numeric_grad

W = np.array([0.5, -1.0, 2.0, 1.5])
X = np.array([0.3, -1.0, 2.0, 0.5])
M = np.array([[1.0, -0.5, 2.0], [0.7, 1.5, -1.2], [0.2, 0.9, -0.4]])


def take_method(x):
    return np.sum(x.take([0, 3, 3]) * x.take(1))


def diagonal_method(m):
    return np.sum(m.diagonal(1) * m.diagonal(offset=-1)) + np.sum(m.diagonal())


def cumprod_method(m):
    return np.sum(m.cumprod(axis=0)) + np.sum(m.cumprod() ** 2)


def complex_methods(x):
    return np.sum(x.real * x.conj() + x.imag + x.conjugate() * W)


def sort_in_place(x):
    y = x.copy()
    y.sort()
    return np.sum(y * W)


def partition_in_place(x):
    y = x.copy()
    y.partition(1)
    return np.sum(y[:2] * W[:2])


def sort_rows(m):
    y = m.copy()
    y.sort(axis=0)
    return np.sum(y * M)


@pytest.mark.parametrize(
    "fn, x",
    [(take_method, X), (diagonal_method, M), (cumprod_method, M), (complex_methods, X),
     (sort_in_place, X), (partition_in_place, X), (sort_rows, M)],
)  # fmt: skip
def test_method_gradient_matches_finite_differences(fn, x):
    got = srcdiff.grad(fn, mode="trace")(x)
    np.testing.assert_allclose(got, numeric_grad(fn, (x,)), rtol=1e-6, atol=1e-8)


def test_sort_in_place_of_an_argument_is_refused():
    def f(x):
        x.sort()
        return np.sum(x * W)

    with pytest.raises(DifferentiationError, match="copy it first"):
        srcdiff.grad(f, mode="trace")(X.copy())


def test_torch_sort_returns_values_and_indices():
    t = st.tensor(X, requires_grad=True)
    values, indices = t.sort(descending=True)
    np.testing.assert_array_equal(values.detach().numpy(), np.sort(X)[::-1])
    np.testing.assert_array_equal(indices.numpy(), np.argsort(X)[::-1])
    assert not indices.requires_grad
    (values * st.tensor(W)).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy()[np.argsort(X)[::-1]], W)
    assert "sort" in repr(t.sort())


def test_index_methods_carry_no_gradient():
    t = st.tensor(X, requires_grad=True)
    for result in (t.argsort(), t.argpartition(1), t.searchsorted(0.4), t.nonzero()[0], t.round()):
        assert not result.requires_grad
    np.testing.assert_array_equal(t.argsort(descending=True).numpy(), np.argsort(X)[::-1])


def test_real_and_imag_of_a_tensor():
    t = st.tensor(X, requires_grad=True)
    (t.real * 2.0 + t.imag).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.full(4, 2.0))
    np.testing.assert_array_equal(t.imag.detach().numpy(), np.zeros(4))


def test_diagonal_takes_torch_dims():
    t = st.tensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(
        t.diagonal(0, dim1=1, dim2=2).numpy(),
        np.diagonal(np.arange(24.0).reshape(2, 3, 4), 0, 1, 2),
    )


def test_split_into_unequal_pieces_keeps_a_list():
    def f(x):
        a, b = np.split(x, [1])
        return np.sum(a) * np.sum(b**2)

    got = srcdiff.grad(f, mode="trace")(X)
    np.testing.assert_allclose(got, numeric_grad(f, (X,)), rtol=1e-6)
    pieces = np.split(st.tensor(X, requires_grad=True), [1])
    assert isinstance(pieces, list) and [p.shape for p in pieces] == [(1,), (3,)]


def test_eigh_keeps_its_named_results():
    result = np.linalg.eigh(st.tensor(M + M.T, requires_grad=True))
    assert result.eigenvalues.shape == (3,) and result.eigenvectors.requires_grad


def test_remainder_operators_record():
    t = st.tensor(X, requires_grad=True)
    ((t % 0.7) + (2.0 % (t + 3.0))).sum().backward()
    expected = 1.0 - np.floor(2.0 / (X + 3.0))
    np.testing.assert_allclose(t.grad.numpy(), expected)
