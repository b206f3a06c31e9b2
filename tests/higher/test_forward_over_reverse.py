"""``jvp(grad(f))`` and ``grad`` of a function that calls ``jvp(f)``, against finite
differences of the gradient, through loops, branches, early returns and helpers."""

import numpy as np
import pytest

import srcdiff
from tests.higher import programs
from tests.higher.test_programs import PROGRAMS

rng = np.random.default_rng(11)
EPS = 1e-6
MODES = ["static", "trace"]
NUMBERS = [(programs.cube, 0.7), (programs.scalar_loop, 1.3)]


def along_gradient(fn, args, wrt, tangents):
    """Central differences of ``grad(fn)`` along ``tangents``: the Hessian times them."""
    gradient = srcdiff.grad(fn, wrt=wrt)
    plus, minus = list(args), list(args)
    for w, t in zip(wrt, tangents):
        plus[w], minus[w] = args[w] + EPS * t, args[w] - EPS * t
    return [(a - b) / (2 * EPS) for a, b in zip(gradient(*plus), gradient(*minus))]


def assert_all_close(got, expected):
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def ids(cases):
    return [f"{case[0].__name__}-{i}" for i, case in enumerate(cases)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn, args, wrt", PROGRAMS, ids=ids(PROGRAMS))
def test_jvp_of_grad_is_the_gradient_and_the_hessian_times_the_tangent(fn, args, wrt, mode):
    tangents = [rng.standard_normal(np.shape(args[w])) for w in wrt]
    gradient = srcdiff.grad(fn, wrt=wrt, mode=mode)
    value, tangent = srcdiff.jvp(gradient, wrt=wrt, mode=mode)(*args, tangent=tuple(tangents))
    assert_all_close(value, srcdiff.grad(fn, wrt=wrt)(*args))
    assert_all_close(tangent, along_gradient(fn, args, wrt, tangents))


@pytest.mark.parametrize("fn, x", NUMBERS, ids=["cube", "scalar_loop"])
def test_jvp_of_grad_of_a_function_of_a_number(fn, x):
    value, tangent = srcdiff.jvp(srcdiff.grad(fn))(x, tangent=0.5)
    assert type(value) is float and type(tangent) is float
    assert value == pytest.approx(srcdiff.grad(fn)(x), rel=1e-12)
    assert tangent == pytest.approx(along_gradient(fn, (x,), (0,), (0.5,))[0], rel=1e-6)


def test_jvp_of_grad_source_carries_the_gradient_code_forward():
    second = srcdiff.jvp(srcdiff.grad(programs.scalar_loop))
    assert second.source.startswith("def dscalar_loop_jvp(k, *, tangent):")
    assert "dx_stack.append(dx" in second.source  # the tangents of the gradient's saves
    assert "= dx_stack.pop()" in second.source  # popped in step with the values


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn, args, wrt", PROGRAMS, ids=ids(PROGRAMS))
def test_grad_of_a_directional_derivative(fn, args, wrt, mode):
    """``grad(lambda x, t: jvp(f)(x, tangent=t)[1])``: in x the Hessian times t (a JAX user's
    ``grad(lambda x: jvp(f, (x,), (t,))[1])``), in t the gradient of f."""
    tangents = [rng.standard_normal(np.shape(args[w])) for w in wrt]
    expected = along_gradient(fn, args, wrt, tangents)
    if len(wrt) == 1:
        directional = programs.along(fn, mode)
        both = srcdiff.grad(directional, wrt=(0, 1), mode=mode)(args[0], tangents[0])
        assert_all_close(both, [expected[0], srcdiff.grad(fn)(*args)])
        return
    directional = programs.along_both(fn, mode)
    everything = srcdiff.grad(directional, wrt=(0, 1, 2, 3), mode=mode)(*args, *tangents)
    assert_all_close(everything, expected + list(srcdiff.grad(fn, wrt=wrt)(*args)))


@pytest.mark.parametrize("mode", MODES)
def test_vjp_of_jvp_seeded_on_the_tangent(mode):
    x, t = rng.standard_normal(3), rng.standard_normal(3)
    fn = programs.early_return
    second = srcdiff.vjp(srcdiff.jvp(fn, mode=mode), mode=mode)
    assert_all_close([second(x, tangent=t, seed=(0.0, 1.0))], along_gradient(fn, (x,), (0,), (t,)))


@pytest.mark.parametrize("mode", MODES)
def test_hessian_of_an_affine_function_is_zeros_of_its_shape(mode):
    x = rng.standard_normal((2, 3))
    hvp = srcdiff.hessian_vector_product(programs.affine, mode=mode)(x, vector=np.ones((2, 3)))
    np.testing.assert_array_equal(hvp, np.zeros((2, 3)))
    np.testing.assert_array_equal(
        srcdiff.hessian(programs.affine, mode=mode)(x), np.zeros((2, 3) * 2)
    )


def test_grad_of_jvp_itself_is_refused_for_its_pair_output():
    with pytest.raises(srcdiff.DifferentiationError, match="scalar output.*tuple of 2 values"):
        srcdiff.grad(srcdiff.jvp(programs.cube))(0.7, tangent=1.0)


def test_second_order_forward_through_cumprod_is_refused_by_name():
    x = np.array([0.5, 2.0, -1.0])
    with pytest.raises(srcdiff.DifferentiationError, match="through numpy.cumprod"):
        srcdiff.jvp(srcdiff.grad(programs.scan))(x, tangent=np.ones(3))
    with pytest.raises(srcdiff.DifferentiationError, match="through cumprod_jvp"):
        srcdiff.grad(programs.along(programs.scan))(x, np.ones(3))


def test_a_vector_of_the_wrong_shape_is_refused_even_where_the_hessian_is_zero():
    hvp = srcdiff.hessian_vector_product(programs.affine)
    with pytest.raises(srcdiff.DifferentiationError, match="must have its argument's shape"):
        hvp(np.ones(3), vector=np.ones(2))
