"""``trace_vjp``: the contract the public ``mode="trace"`` API relies on."""

import math
from math import exp as bare_exp

import numpy as np
import pytest
from numpy import asarray as bare_asarray

import srcdiff.trace as st
from srcdiff.errors import DifferentiationError


def test_dtypes_shapes_and_zero_gradients():
    def f(x, y, n):
        return np.sum(x * 2.0)

    value, (gx, gy, gn) = st.trace_vjp(
        f, (np.ones(3, np.float32), np.ones((2, 2)), 3), {}, (0, 1, 2), None
    )
    assert value == 6.0
    assert gx.dtype == np.float32 and np.array_equal(gx, [2.0, 2.0, 2.0])
    assert gy.dtype == np.float64 and np.array_equal(gy, np.zeros((2, 2)))
    assert np.ndim(gn) == 0 and gn == 0.0


def test_any_python_loops_closures_classes_with_blocks():
    class Scale:
        def __init__(self, k):
            self.k = k

        def __call__(self, v):
            return v * self.k

    def f(x):
        scale = Scale(3.0)
        total = 0.0
        with np.errstate(all="ignore"):
            for i in range(3):
                if i % 2:
                    total = total + scale(x[i])
                else:
                    total = total + np.tanh(x[i]) ** 2
        return total + math.sin(x[0])

    x = np.array([0.1, 0.2, 0.3])
    _, (g,) = st.trace_vjp(f, (x,), {}, (0,), None)
    expected = [
        2 * np.tanh(0.1) / np.cosh(0.1) ** 2 + np.cos(0.1),
        3.0,
        2 * np.tanh(0.3) / np.cosh(0.3) ** 2,
    ]
    np.testing.assert_allclose(g, expected, rtol=1e-12)


def test_seed_and_non_scalar_output():
    def f(x):
        return x * 2

    x = np.arange(3.0)
    with pytest.raises(DifferentiationError, match=r"shape \(3,\).*srcdiff.vjp with a seed"):
        st.trace_vjp(f, (x,), {}, (0,), None)
    value, (g,) = st.trace_vjp(f, (x,), {}, (0,), np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(value, 2 * x)
    np.testing.assert_array_equal(g, [2.0, 20.0, 200.0])


def test_leaving_the_graph_is_a_clear_error():
    def bare(x):
        return bare_exp(x)  # `from math import exp` is translated too: it records

    assert st.trace_vjp(bare, (1.0,), {}, (0,), None)[1] == (math.exp(1.0),)

    def to_float(x):
        return float(x) * 2.0

    with pytest.raises(DifferentiationError, match=r"Python float at .*`return float\(x\) \* 2.0`"):
        st.trace_vjp(to_float, (1.0,), {}, (0,), None)

    def asarray(x):
        return bare_asarray(x).sum()  # the facade's `np.asarray(x)` returns x itself

    np.testing.assert_array_equal(st.trace_vjp(asarray, (np.ones(2),), {}, (0,), None)[1][0], 1.0)

    class Model:  # a method reached through an object runs with NumPy itself
        def fill(self, x):
            a = np.zeros(2)
            a[0] = x[0]
            return a

    def stored(x):
        return np.sum(Model().fill(x))

    with pytest.raises(
        DifferentiationError,
        match=r"Python float at .*`a\[0\] = x\[0\]`.*reached through an object",
    ):
        st.trace_vjp(stored, (np.ones(2),), {}, (0,), None)


def test_function_without_rule_is_named():
    def f(x):
        return np.cbrt(x).sum()

    with pytest.raises(DifferentiationError, match=r"np\.cbrt has no VJP rule"):
        st.trace_vjp(f, (np.ones(2),), {}, (0,), None)
    assert np.cbrt(st.ones(2)).shape == (2,)


def test_nondifferentiable_functions_give_no_grad():
    x = st.ones(3, requires_grad=True)
    assert np.floor(x).requires_grad is False
    assert np.shape(x) == (3,)
    assert x.size == 3 and x.size() == (3,)


def test_bad_wrt():
    with pytest.raises(DifferentiationError, match="out of range"):
        st.trace_vjp(lambda x: x, (1.0,), {}, (2,), None)
