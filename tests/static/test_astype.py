"""``x.astype(...)``: a float target passes the gradient through, an integer target stops it.

Each function is checked against central finite differences in both modes.
"""

import numpy as np
import pytest

import srcdiff
import srcdiff.trace as st
from tests.numeric import assert_grad_right

X = np.array([1.5, -2.25, 3.75])


def to_float(x):
    return np.sum(x.astype(float) ** 2)


def to_float64(x):
    return np.sum(np.sin(x.astype(np.float64)))


def to_own_dtype(x):
    return np.sum(x.astype(x.dtype) * x)


def without_copy(x):
    return np.sum(x.astype(np.float64, copy=False) ** 3)


def by_dtype_name(x):
    return np.sum(x.astype("float64") * 2.0)


def to_float32_and_back(x):
    return np.sum((x.astype(np.float32) ** 2).astype(np.float64))


def to_int(x):
    return np.sum(x * x.astype(int))


def mask_as_float(x):
    return np.sum(x * (x > 0).astype(float))


def astype_in_a_loop(x):
    total = 0.0
    for i in range(3):
        if i % 2 == 0:
            total = total + np.sum(x.astype(float) * i)
        else:
            total = total + np.sum(x * x.astype(np.int64))
    return total


EXACT = [
    to_float,
    to_float64,
    to_own_dtype,
    without_copy,
    by_dtype_name,
    to_int,
    mask_as_float,
    astype_in_a_loop,
]


@pytest.mark.parametrize("fn", EXACT, ids=[fn.__name__ for fn in EXACT])
def test_astype_gradient_matches_finite_differences_in_both_modes(fn):
    assert_grad_right(fn, (X,))


def test_astype_float32_passes_the_gradient_in_float64():
    for mode in ("static", "trace"):
        got = srcdiff.grad(to_float32_and_back, mode=mode)(X)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, 2 * X, rtol=1e-6, err_msg=mode)


def test_astype_int_gives_a_zero_gradient_to_its_own_path():
    # d/dx sum(x * floor(x)) = floor(x): the cast itself contributes nothing.
    for mode in ("static", "trace"):
        np.testing.assert_allclose(srcdiff.grad(to_int, mode=mode)(X), X.astype(int), err_msg=mode)


def test_trace_astype_takes_numpys_keywords():
    t = st.tensor([1.5, -2.5], requires_grad=True)
    same = t.astype(t.dtype, copy=False)
    assert same is t
    copied = t.astype(t.dtype)
    assert copied is not t and copied.requires_grad
    assert t.astype(np.float32, order="C", casting="same_kind", subok=True).requires_grad
    with pytest.raises(TypeError, match="according to the rule 'safe'"):
        t.astype(int, casting="safe")
    with pytest.raises(TypeError, match="according to the rule 'safe'"):
        np.array([1.5]).astype(int, casting="safe")  # NumPy's own words


def test_trace_astype_cotangent_takes_the_inputs_dtype():
    x32 = np.array([1.5, 2.5], dtype=np.float32)
    traced = st.tensor(x32, requires_grad=True)
    traced.astype(np.float64).sum().backward()
    assert traced.grad.dtype == np.float32  # as PyTorch's ``to``, and the rule table's astype
