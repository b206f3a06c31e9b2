"""Hessian-vector products, Hessians and Jacobians against HIPS autograd's values.

autograd runs the very same code objects with ``autograd.numpy`` bound to ``np``.
"""

import types

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcdiff
from benchmarks import workloads

rng = np.random.default_rng(3)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_residuals(x):
    return np.concatenate([10.0 * (x[1:] - x[:-1] ** 2), 1.0 - x[:-1]])


def with_autograd_numpy(fn):
    return types.FunctionType(fn.__code__, {**fn.__globals__, "np": anp}, fn.__name__)


def mlp_inputs():
    return workloads.mlp_inputs(rng, N=5, D=3, H=4, C=2)


# (function, arguments, wrt) for each workload
PROBLEMS = {
    "rosenbrock": (rosenbrock, (rng.standard_normal(4),), 0),
    "logistic": (workloads.logistic_loss, workloads.logistic_inputs(rng, N=8, D=3), 0),
    "mlp-W1": (workloads.mlp_loss, mlp_inputs(), 0),
    "mlp-b1": (workloads.mlp_loss, mlp_inputs(), 1),
    "mlp-W2": (workloads.mlp_loss, mlp_inputs(), 2),
    "oscillator": (workloads.oscillator, (1.5, 1.0, 60), 0),
}


@pytest.fixture(params=sorted(PROBLEMS))
def problem(request):
    return PROBLEMS[request.param]


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_hessian_vector_product(problem, mode):
    fn, args, wrt = problem
    x = args[wrt]
    v = rng.standard_normal(np.shape(x)) if np.ndim(x) else 0.7
    ours = srcdiff.hessian_vector_product(fn, wrt=wrt, mode=mode)(*args, vector=v)
    theirs = autograd.hessian_vector_product(with_autograd_numpy(fn), wrt)(*args, v)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_hessian(problem, mode):
    fn, args, wrt = problem
    ours = srcdiff.hessian(fn, wrt=wrt, mode=mode)(*args)
    theirs = autograd.hessian(with_autograd_numpy(fn), wrt)(*args)
    assert np.shape(ours) == np.shape(args[wrt]) * 2
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_jacobian_of_a_scalar_function_is_its_gradient(problem, mode):
    fn, args, wrt = problem
    ours = srcdiff.jacobian(fn, wrt=wrt, mode=mode)(*args)
    theirs = autograd.jacobian(with_autograd_numpy(fn), wrt)(*args)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["static", "trace"])
@pytest.mark.parametrize("method", ["auto", "reverse", "forward"])
def test_jacobian_of_a_vector_function(mode, method):
    x = rng.standard_normal(4)
    ours = srcdiff.jacobian(rosenbrock_residuals, method=method, mode=mode)(x)
    theirs = autograd.jacobian(with_autograd_numpy(rosenbrock_residuals))(x)
    assert ours.shape == (6, 4)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_forward_jacobian_of_a_scalar_function_is_its_gradient(problem, mode):
    fn, args, wrt = problem
    ours = srcdiff.jacobian(fn, wrt=wrt, method="forward", mode=mode)(*args)
    theirs = autograd.jacobian(with_autograd_numpy(fn), wrt)(*args)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_jacobian_of_the_gradient_is_the_hessian():
    x = rng.standard_normal(4)
    ours = srcdiff.jacobian(srcdiff.grad(rosenbrock))(x)
    np.testing.assert_allclose(ours, autograd.hessian(with_autograd_numpy(rosenbrock))(x))


def test_hessian_vector_product_source_is_the_second_order_code():
    # forward over reverse: the jvp of the generated gradient (drosenbrock)
    hvp = srcdiff.hessian_vector_product(rosenbrock)
    assert hvp.source.startswith("def drosenbrock_jvp(x, *, tangent):")
    assert "ddx = " in hvp.source  # the tangent of the gradient dx
    # only the tangent is returned, so the gradient's own final value is not computed
    assert "= gradient_of(dx, x)" not in hvp.source
    assert hvp.source.rstrip().endswith("return dresult")
    assert srcdiff.hessian_vector_product(rosenbrock, mode="trace").source is None


def test_hessian_vector_product_with_a_tuple_wrt():
    fn, args, _ = PROBLEMS["mlp-W1"]
    vectors = (rng.standard_normal(args[0].shape), rng.standard_normal(args[1].shape))
    ours = srcdiff.hessian_vector_product(fn, wrt=(0, 1))(*args, vector=vectors)
    autograd_fn = with_autograd_numpy(fn)

    def directional(W1, b1):
        g = autograd.grad(autograd_fn, (0, 1))(W1, b1, *args[2:])
        return anp.sum(g[0] * vectors[0]) + anp.sum(g[1] * vectors[1])

    theirs = autograd.grad(directional, (0, 1))(*args[:2])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_refusals():
    with pytest.raises(srcdiff.DifferentiationError, match="one argument, not \\(0, 1\\)"):
        srcdiff.hessian(rosenbrock, wrt=(0, 1))
    with pytest.raises(srcdiff.DifferentiationError, match="method must be one of"):
        srcdiff.jacobian(rosenbrock, method="sideways")
    with pytest.raises(srcdiff.DifferentiationError, match="mode must be one of"):
        srcdiff.hessian(rosenbrock, mode="symbolic")
    with pytest.raises(
        srcdiff.DifferentiationError, match="returns one array or number, not tuple"
    ):
        srcdiff.jacobian(lambda x: (x, x), mode="trace")(np.ones(2))
    with pytest.raises(srcdiff.DifferentiationError, match="can only differentiate a function"):
        srcdiff.hessian_vector_product(3.0)
