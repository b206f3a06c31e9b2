"""``backend="numba"``: the specialised adjoint compiled by numba gives the same numbers."""

import numpy as np
import pytest

import srcdiff
from tests.numeric import numeric_grad
from tests.static.test_specialise import decay, oscillator


@pytest.mark.parametrize(
    "f, args, wrt",
    [
        (oscillator, (1.5, 1.0, 200), 0),
        (oscillator, (-2.0, 1.0, 200), 0),  # the break is taken
        (oscillator, (1.5, 1.0, 200), 1),
        (decay, (0.7, 2.0, 30), (0, 1)),
    ],
)
def test_numba_adjoint_matches_python_adjoint_and_finite_differences(f, args, wrt):
    expected = srcdiff.grad(f, wrt=wrt)(*args)
    got = srcdiff.grad(f, wrt=wrt, backend="numba")(*args)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)
    for position, gradient in zip(np.atleast_1d(wrt), np.atleast_1d(got)):
        numeric = numeric_grad(f, args, int(position))
        np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-7)


def test_value_and_grad_with_numba():
    value, gradient = srcdiff.value_and_grad(oscillator, backend="numba")(1.5, 1.0, 200)
    assert value == pytest.approx(oscillator(1.5, 1.0, 200))
    assert gradient == pytest.approx(srcdiff.grad(oscillator)(1.5, 1.0, 200))


def test_numba_adjoint_shows_its_source():
    df = srcdiff.grad(oscillator, backend="numba")
    df(1.5, 1.0, 200)
    assert df.source.startswith("def doscillator(k, x0, n_steps):")
    assert "unbroadcast" not in df.source


def test_array_arguments_are_refused_with_the_reason():
    df = srcdiff.grad(lambda_free_sum, backend="numba")
    with pytest.raises(
        srcdiff.DifferentiationError, match=r'backend="numba" cannot compile'
    ) as info:
        df(np.ones(3))
    assert "Untyped global name" in str(info.value)
    assert 'backend="python"' in str(info.value)


def lambda_free_sum(x):
    return np.sum(x * x)


def test_unknown_backend_is_refused():
    with pytest.raises(srcdiff.DifferentiationError, match="backend must be one of"):
        srcdiff.grad(oscillator, backend="cython")


def test_trace_mode_has_no_backend():
    with pytest.raises(srcdiff.DifferentiationError, match='not mode="trace"'):
        srcdiff.grad(oscillator, mode="trace", backend="numba")
