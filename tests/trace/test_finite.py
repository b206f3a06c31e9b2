"""The finite-difference check used by the trace tests fails on a wrong gradient."""

import numpy as np
import pytest

import srcdiff
from tests.numeric import check_modes, numeric_gradient


def cube(x):
    return x**3


def slightly_wrong(g, ans, x):
    return (g * 3.0 * x**2 * 1.001,)


srcdiff.register_vjp(cube, slightly_wrong)


def uses_cube(x):
    return np.sum(cube(x))


def test_a_gradient_off_by_a_thousandth_fails_the_check():
    x = np.array([0.5, -1.5])
    np.testing.assert_allclose(numeric_gradient(uses_cube, x), 3.0 * x**2, rtol=1e-8)
    with pytest.raises(AssertionError):
        check_modes(uses_cube, x, modes=("trace",))
    with pytest.raises(AssertionError):
        check_modes(uses_cube, x, modes=("static",))
