"""``grad(grad(f, mode="trace"), mode="trace")`` and deeper: trace-mode gradients differentiated
again, to the second and third order, through loops, branches, helpers and closures.

Each derivative is checked against central finite differences of the derivative one
order lower (itself checked the same way), and against closed forms where they exist.
"""

import numpy as np
import pytest

import srcdiff
import srcdiff.trace as st
from tests.numeric import numeric_grad


def trace_grad(f, wrt=0):
    return srcdiff.grad(f, wrt=wrt, mode="trace")


def cube(x):
    return x**3


def test_second_and_third_derivative_of_a_scalar_function():
    d1 = trace_grad(cube)
    d2 = trace_grad(d1)
    d3 = trace_grad(d2)
    assert d1(3.0) == pytest.approx(27.0)
    assert d2(3.0) == pytest.approx(18.0)
    assert d3(3.0) == pytest.approx(6.0)
    assert trace_grad(d3)(3.0) == 0.0  # the third derivative is constant


def loop_and_branch(x):
    total = 0.0
    for k in range(1, 4):
        if k % 2:
            total = total + np.sin(k * x)
        else:
            total = total + x**k
    return np.sum(total * x)


def helper(v):
    return np.exp(v) / (1.0 + v * v)


def with_helper(x):
    y = helper(x)
    if np.sum(y) > 100.0:  # early return, not taken at the points below
        return np.sum(x)
    return np.sum(y * np.tanh(x))


@pytest.mark.parametrize("f", [loop_and_branch, with_helper])
def test_hessian_vector_products_of_programs_match_finite_differences(f):
    x = np.array([0.3, -0.4, 0.8])
    v = np.array([1.0, 0.5, -2.0])
    first = trace_grad(f)

    def directional(x):
        return np.sum(first(x) * v)

    hvp = trace_grad(directional)(x)
    expected = numeric_grad(lambda x: float(np.sum(first(x) * v)), (x,), 0)
    np.testing.assert_allclose(hvp, expected, rtol=1e-6, atol=1e-8)


def test_vjp_of_a_gradient_is_a_hessian_row():
    def f(x):
        return np.sum(np.sin(x) * np.exp(x))

    x = np.array([0.1, 0.5])
    row = srcdiff.vjp(trace_grad(f), mode="trace")(x, seed=np.array([1.0, 0.0]))
    np.testing.assert_allclose(row, [2 * np.cos(0.1) * np.exp(0.1), 0.0])


def test_a_closure_over_the_outer_argument_keeps_the_two_apart():
    """d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x: the inner gradient is taken with respect to
    its own argument (an alias), not the outer x it was called with."""

    def outer(x):
        inner = trace_grad(lambda y: x * y)
        return x * inner(x)

    assert trace_grad(outer)(3.0) == pytest.approx(6.0)


def test_mixed_partial_derivatives():
    def f(x, y):
        return np.sum(x * x * y + np.sin(x * y))

    x, y = np.array([0.5, 1.0]), np.array([2.0, -1.0])

    def dx_summed(x, y):
        return np.sum(trace_grad(f, 0)(x, y))

    got = trace_grad(dx_summed, 1)(x, y)
    # d/dy sum(2xy + y cos(xy)) = 2x + cos(xy) - xy sin(xy)
    np.testing.assert_allclose(got, 2 * x + np.cos(x * y) - x * y * np.sin(x * y))


def test_value_and_grad_inside_a_gradient():
    def f(x):
        return np.sum(x**3)

    def energy(x):
        value, g = srcdiff.value_and_grad(f, mode="trace")(x)
        return value + np.sum(g * g)

    x = np.array([1.0, 2.0])
    # energy = sum(x^3) + sum(9 x^4): derivative 3x^2 + 36x^3
    np.testing.assert_allclose(trace_grad(energy)(x), 3 * x**2 + 36 * x**3)


def test_a_trace_gradient_called_on_tensors_returns_a_recorded_gradient():
    inner = trace_grad(lambda x: np.sum(x**3))
    x = st.tensor([1.0, 2.0], requires_grad=True)
    g = inner(x)
    assert g.grad_fn is not None
    (h,) = srcdiff.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), [6.0, 12.0])
    np.testing.assert_allclose(inner(st.ones(2)), [3.0, 3.0])  # a Tensor without grad is data


def test_gradient_of_a_list_argument_at_second_order():
    def f(xs):
        return xs[0] ** 2 * xs[1]

    def g(xs):
        d = trace_grad(f)(xs)
        return d[0] + d[1]  # 2 x0 x1 + x0^2

    assert trace_grad(g)([1.5, 2.0]) == pytest.approx([2 * 2.0 + 2 * 1.5, 2 * 1.5])


def test_second_derivative_of_a_loop_writing_into_an_array():
    def f(x):
        out = np.zeros(3)
        for i in range(3):
            out[i] = x[i] ** 3 * x[(i + 1) % 3]
        out += x
        return np.sum(out * out)

    x = np.array([0.5, -1.0, 2.0])
    v = np.array([1.0, 2.0, 3.0])
    first = trace_grad(f)
    hvp = trace_grad(lambda x: np.sum(first(x) * v))(x)
    expected = numeric_grad(lambda x: float(np.sum(first(x) * v)), (x,), 0)
    np.testing.assert_allclose(hvp, expected, rtol=1e-6)
