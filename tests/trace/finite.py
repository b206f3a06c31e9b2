"""Central finite differences, and a check of both modes against them."""

import numpy as np

import srcdiff


def numeric_gradient(f, x, eps=1e-6):
    """Central finite differences of scalar ``f`` at array ``x``."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def check_modes(f, x, modes=("trace", "static")):
    expected = numeric_gradient(f, x)
    for mode in modes:
        np.testing.assert_allclose(srcdiff.grad(f, mode=mode)(x), expected, rtol=1e-6, atol=1e-8)
