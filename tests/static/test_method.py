"""``grad(f, method=...)``: forward mode where it is cheaper, the adjoint otherwise.

``method="auto"`` (the default) computes the gradient with respect to one
argument that is a Python number in forward mode: one pass that carries the
tangent along, no stacks.  ``"reverse"`` always runs the adjoint;
``"forward"`` runs one jvp per element of the ``wrt`` arguments.  Each must
give what the others give, and what central finite differences give.
"""

import numpy as np
import pytest

import srcdiff
from tests.goldens import assert_golden
from tests.numeric import numeric_grad
from tests.static.test_specialise import CASES, oscillator


def scale_and_sum(scale, w):
    return np.sum(np.tanh(scale * w) ** 2) * scale


def by_parts(a, b):
    if a > 0.0:
        return a * np.sin(b) + b**2
    return np.exp(a) * b


def vector_output(x):
    return np.array([x, x * 2.0])


def square(x):
    return x * x


def weight_squared(params):
    return params["w"] ** 2


W = np.linspace(-1.0, 1.0, 4)


@pytest.mark.parametrize("method", ["auto", "forward"])
@pytest.mark.parametrize("f, args, wrt", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_every_method_gives_the_reverse_gradient(f, args, wrt, method):
    expected = srcdiff.grad(f, wrt=wrt, method="reverse")(*args)
    got = srcdiff.grad(f, wrt=wrt, method=method)(*args)
    assert type(got) is type(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got, numeric_grad(f, args, wrt), rtol=1e-5, atol=1e-7)


def test_auto_runs_forward_mode_for_one_number():
    df = srcdiff.grad(oscillator)
    df(1.5, 1.0, 200)
    assert "_stack" not in df.source  # forward mode keeps nothing for a backward pass
    assert "dk = 1.0" not in df.source  # the seed is folded into the first tangent
    assert "return float(dresult)" in df.source
    assert_golden("oscillator_forward", df.source)


def test_auto_runs_the_adjoint_for_arrays_and_for_several_numbers():
    for f, args, wrt in [(scale_and_sum, (0.8, W), 1), (by_parts, (0.5, 1.2), (0, 1))]:
        auto, reverse = srcdiff.grad(f, wrt=wrt), srcdiff.grad(f, wrt=wrt, method="reverse")
        auto(*args)
        reverse(*args)
        assert auto.source == reverse.source


def test_auto_follows_the_argument_kinds_of_each_call():
    df = srcdiff.grad(scale_and_sum)
    number = df(0.8, W)
    forward = df.source
    numpy_scalar = df(np.float64(0.8), W)
    assert "gradient_out" in forward and "gradient_out" not in df.source
    assert number == pytest.approx(numpy_scalar, rel=1e-12)
    assert number == pytest.approx(numeric_grad(scale_and_sum, (0.8, W), 0), rel=1e-6)


@pytest.mark.parametrize("a", [0.5, -0.5], ids=["then", "else"])
@pytest.mark.parametrize("kind", ["grad", "value_and_grad", "preserve_result"])
def test_forward_mode_returns_what_the_adjoint_returns(a, kind):
    def make(method):
        if kind == "value_and_grad":
            return srcdiff.value_and_grad(by_parts, method=method)
        return srcdiff.grad(by_parts, method=method, preserve_result=kind == "preserve_result")

    forward, reverse = make("auto")(a, 1.2), make("reverse")(a, 1.2)
    assert forward == pytest.approx(reverse, rel=1e-12)
    assert type(forward) is type(reverse)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_forward_method_for_arrays_and_tuples(mode):
    forward = srcdiff.grad(scale_and_sum, wrt=(0, 1), method="forward", mode=mode)(0.8, W)
    reverse = srcdiff.grad(scale_and_sum, wrt=(0, 1), method="reverse", mode=mode)(0.8, W)
    assert isinstance(forward, tuple) and len(forward) == 2
    assert forward[0] == pytest.approx(reverse[0], rel=1e-12)
    np.testing.assert_allclose(forward[1], reverse[1], rtol=1e-12)
    np.testing.assert_allclose(forward[1], numeric_grad(scale_and_sum, (0.8, W), 1), rtol=1e-6)


def test_a_function_forward_mode_refuses_runs_the_adjoint_under_auto(rules):
    def cube(x):
        return x**3

    def uses_cube(k):
        return cube(k) * 2.0

    srcdiff.register_vjp(cube, lambda g, ans, x: (g * 3 * x**2,))  # no JVP
    assert srcdiff.grad(uses_cube)(1.5) == pytest.approx(13.5)
    with pytest.raises(srcdiff.DifferentiationError, match="no JVP rule for argument 0 of .*cube"):
        srcdiff.grad(uses_cube, method="forward")(1.5)


def test_forward_mode_needs_a_scalar_output_like_the_adjoint():
    for method in ("auto", "forward", "reverse"):
        with pytest.raises(srcdiff.DifferentiationError, match="needs a scalar output"):
            srcdiff.grad(vector_output, method=method)(2.0)


def test_forward_method_refuses_a_container_argument():
    with pytest.raises(srcdiff.DifferentiationError, match='use method="reverse"'):
        srcdiff.grad(weight_squared, method="forward")({"w": 1.0})


def test_unknown_method_is_refused():
    with pytest.raises(srcdiff.DifferentiationError, match="method must be one of"):
        srcdiff.grad(oscillator, method="backward")


def test_forward_method_cannot_take_the_numba_backend():
    with pytest.raises(srcdiff.DifferentiationError, match='method="reverse"'):
        srcdiff.grad(oscillator, method="forward", backend="numba")


def test_jvp_takes_a_zero_dimensional_tangent_for_a_number():
    value, tangent = srcdiff.jvp(square)(3.0, tangent=np.array(1.0))
    assert (value, tangent) == (9.0, 6.0)
