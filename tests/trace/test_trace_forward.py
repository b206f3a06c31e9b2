"""``trace_jvp``, ``trace_hvp``, ``trace_jacobian`` and ``trace_hessian`` (``srcdiff/trace``):
against HIPS autograd's values and central finite differences."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcdiff
from srcdiff.errors import DifferentiationError
from srcdiff.trace.forward import trace_hvp, trace_jvp
from srcdiff.trace.matrices import trace_hessian, trace_jacobian
from tests.numeric import numeric_grad

RNG = np.random.default_rng(3)


def rosenbrock(x, np=np):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def logistic_loss(w, np=np):
    features = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.8, 0.1], [1.0, 1.0, 1.0]])
    labels = np.array([1.0, 0.0, 1.0, 0.0])
    z = features @ w
    return np.sum(np.log(1.0 + np.exp(-z)) + (1.0 - labels) * z) / 4.0


def mlp(w, np=np):
    inputs = np.array([[0.1, -0.3], [0.7, 0.2], [-0.5, 0.9]])
    w1 = np.reshape(w[:6], (2, 3))
    w2 = w[6:9]
    hidden = np.tanh(inputs @ w1)
    return np.sum((hidden @ w2 - np.array([0.5, -0.2, 0.1])) ** 2)


def _ours(f):
    return lambda x: f(x, np=np)


def _theirs(f):
    return lambda x: f(x, np=anp)


PROBLEMS = [
    (rosenbrock, np.array([1.2, 0.7, -0.4, 2.0])),
    (logistic_loss, np.array([0.3, -0.2, 0.9])),
    (mlp, RNG.standard_normal(9) * 0.5),
]
IDS = ["rosenbrock", "logistic_loss", "mlp"]


@pytest.mark.parametrize("f, x", PROBLEMS, ids=IDS)
def test_hessian_and_hvp_match_autograd(f, x):
    v = RNG.standard_normal(x.shape)
    (hv,) = trace_hvp(_ours(f), (x,), {}, (0,), v)
    np.testing.assert_allclose(hv, autograd.hessian_vector_product(_theirs(f))(x, v), rtol=1e-10)
    ((h,),) = trace_hessian(_ours(f), (x,), {}, (0,))
    np.testing.assert_allclose(h, autograd.hessian(_theirs(f))(x), rtol=1e-10, atol=1e-12)
    assert h.shape == x.shape + x.shape


@pytest.mark.parametrize("f, x", PROBLEMS, ids=IDS)
def test_jacobian_of_the_gradient_is_the_hessian_both_ways(f, x):
    gradient = srcdiff.grad(_ours(f), mode="trace")
    expected = autograd.hessian(_theirs(f))(x)
    for method in ("reverse", "forward"):
        (jac,) = trace_jacobian(gradient, (x,), {}, (0,), method=method)
        np.testing.assert_allclose(jac, expected, rtol=1e-10, atol=1e-12, err_msg=method)


def vector_function(x, y):
    return np.concatenate([np.sin(x) * y, np.array([np.sum(x * x * y)])])


def test_jvp_matches_finite_differences_and_autograd():
    x, y = np.array([0.2, -0.7, 1.1]), np.array([1.5, 0.5, -1.0])
    tx, ty = RNG.standard_normal(3), RNG.standard_normal(3)
    value, tangent = trace_jvp(vector_function, (x, y), {}, (0, 1), (tx, ty))
    np.testing.assert_allclose(value, vector_function(x, y))
    step = 1e-6
    ahead = vector_function(x + step * tx, y + step * ty)
    behind = vector_function(x - step * tx, y - step * ty)
    np.testing.assert_allclose(tangent, (ahead - behind) / (2 * step), rtol=1e-6, atol=1e-9)

    def theirs(x, y):
        return anp.concatenate([anp.sin(x) * y, anp.array([anp.sum(x * x * y)])])

    jx = autograd.jacobian(theirs, 0)(x, y)
    jy = autograd.jacobian(theirs, 1)(x, y)
    np.testing.assert_allclose(tangent, jx @ tx + jy @ ty, rtol=1e-12)


def test_jvp_of_a_scalar_function_and_of_several_outputs():
    assert trace_jvp(lambda x: x**3, (2.0,), {}, (0,), 1.0) == (8.0, 12.0)

    def two(x):
        return np.sum(x * x), np.exp(x)

    x = np.array([0.5, 1.0])
    value, tangents = trace_jvp(two, (x,), {}, (0,), np.array([1.0, 0.0]))
    assert isinstance(tangents, tuple) and len(tangents) == 2
    np.testing.assert_allclose(tangents[0], 2 * 0.5)
    np.testing.assert_allclose(tangents[1], [np.exp(0.5), 0.0])


def test_jvp_of_a_constant_function_is_zero():
    value, tangent = trace_jvp(lambda x: np.ones(2), (np.array([1.0]),), {}, (0,), np.ones(1))
    np.testing.assert_array_equal(tangent, [0.0, 0.0])


def test_jacobian_of_several_arguments_and_shapes():
    def f(a, b):
        return np.outer(a, b[:2]) * 2.0

    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 4.0])
    ja, jb = trace_jacobian(f, (a, b), {}, (0, 1))
    assert ja.shape == (3, 2, 3) and jb.shape == (3, 2, 3)
    np.testing.assert_allclose(ja, autograd.jacobian(lambda a: anp.outer(a, b[:2]) * 2.0)(a))
    fa, fb = trace_jacobian(f, (a, b), {}, (0, 1), method="forward")
    np.testing.assert_allclose(fa, ja)
    np.testing.assert_allclose(fb, jb)


def test_hessian_blocks_of_two_arguments():
    def f(x, y):
        return np.sum(x**2 * y)

    ((hxx, hxy), (hyx, hyy)) = trace_hessian(f, (np.array([1.0, 2.0]), 3.0), {}, (0, 1))
    np.testing.assert_allclose(hxx, 6.0 * np.eye(2))
    np.testing.assert_allclose(hxy, [2.0, 4.0])
    np.testing.assert_allclose(hyx, [2.0, 4.0])
    assert hyy == 0.0


def test_third_derivatives_through_the_hessian():
    x = np.array([1.0, 2.0, 3.0])

    def hessian_sum(x):
        return np.sum(trace_hessian(rosenbrock, (x,), {}, (0,))[0][0])

    got = srcdiff.grad(hessian_sum, mode="trace")(x)
    np.testing.assert_allclose(got, numeric_grad(hessian_sum, (x,), 0), rtol=1e-6)


def test_jvp_inside_a_gradient():
    y = np.array([2.0, 3.0])

    def directional(x):
        return np.sum(trace_jvp(lambda x: np.sin(x) * y, (x,), {}, (0,), np.ones(2))[1])

    x = np.array([0.1, 0.5])
    np.testing.assert_allclose(srcdiff.grad(directional, mode="trace")(x), -np.sin(x) * y)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: trace_jvp(np.sin, (np.ones(2),), {}, (0,), np.ones(3)), "tangent has shape"),
        (lambda: trace_jvp(np.multiply, (1.0, 2.0), {}, (0, 1), 1.0), "must be a tuple of 2"),
        (lambda: trace_hvp(np.sin, (np.ones(2),), {}, (0,), np.ones(2)), "scalar output"),
        (lambda: trace_jacobian(np.sin, (np.ones(2),), {}, (0,), "sideways"), "method must be"),
        (lambda: trace_jacobian(lambda x: (x, x), (np.ones(2),), {}, (0,)), "one output"),
        (lambda: trace_hessian(lambda xs: xs[0] * xs[1], ([1.0, 2.0],), {}, (0,)), "numbers"),
    ],
)
def test_refusals(call, message):
    with pytest.raises(DifferentiationError, match=message):
        call()
