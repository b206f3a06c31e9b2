"""Central finite differences for the end-to-end tests, independent of ``srcdiff.check_grads``.

``numeric_grad(f, args, position)`` is the gradient of a scalar-valued ``f``
with respect to ``args[position]`` (a number or an array), element by element.
``assert_grad_right(f, args, position)`` compares ``srcdiff.grad`` in the
requested modes with it, and each mode with the other.
"""

import numpy as np

import srcdiff

STEP = 1e-6


def numeric_grad(f, args, position=0, step=STEP):
    value = args[position]
    point = np.array(value, dtype=np.float64)
    gradient = np.zeros_like(point)
    for element in np.ndindex(point.shape):
        sides = []
        for sign in (1.0, -1.0):
            moved = point.copy()
            moved[element] += sign * step
            shifted = list(args)
            shifted[position] = moved if isinstance(value, np.ndarray) else float(moved)
            sides.append(float(f(*shifted)))
        gradient[element] = (sides[0] - sides[1]) / (2 * step)
    return gradient if isinstance(value, np.ndarray) else float(gradient)


def assert_grad_right(f, args, position=0, modes=("static", "trace")):
    """Each mode's gradient equals the finite differences (so the modes agree)."""
    expected = numeric_grad(f, args, position)
    for mode in modes:
        got = srcdiff.grad(f, wrt=position, mode=mode)(*args)
        assert np.shape(got) == np.shape(expected), (mode, np.shape(got))
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7, err_msg=mode)


def numeric_gradient(f, x, step=STEP):
    """``numeric_grad`` of a function of one argument."""
    return numeric_grad(f, (x,), 0, step)


def check_modes(f, x, modes=("trace", "static")):
    """``assert_grad_right`` for a function of one argument."""
    assert_grad_right(f, (x,), 0, modes)


def assert_every_grad_right(f, args, modes=("static", "trace")):
    """``assert_grad_right`` for each argument of ``f`` in turn."""
    for position in range(len(args)):
        assert_grad_right(f, args, position, modes)
