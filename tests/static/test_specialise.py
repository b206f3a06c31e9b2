"""Adjoints specialised for Python-number arguments (``static/specialise.py``).

A call whose arguments include Python floats or ints runs an adjoint compiled
for that signature, without the runtime helpers that are identities on
numbers.  Each specialised adjoint must give what the generic one gives: the
generic one runs when the same values come as NumPy scalars.  By default a
gradient with respect to one number runs in forward mode (``test_method.py``);
``method="reverse"`` keeps the adjoints these tests read.
"""

import numpy as np
import pytest

import srcdiff
from tests.goldens import assert_golden
from tests.numeric import numeric_grad

HELPERS = ("unbroadcast", "zeros_like", "unit_seed", "gradient_of")


def oscillator(k, x0, n_steps):
    x, v = x0, 0.0
    for _ in range(n_steps):
        a = -k * x - 0.1 * v
        v = v + 0.01 * a
        x = x + 0.01 * v
        if x > 2.0:
            break
    return x * x


def decay(rate, x, steps):
    for t in range(steps):
        x = x - 0.1 * rate * x * t / steps
    return x


def rebound(x):
    x = np.array([x, 2.0 * x])  # the parameter stops being a number
    return np.sum(x * x)


def through_numpy(x, y):
    z = np.sin(x) * y  # a NumPy scalar: its helpers stay
    return z * x + y**2


def mixed(scale, w):
    return np.sum(np.tanh(scale * w)) * scale


def root(x):
    return (x - 3.0) ** 0.5 + x**2


CASES = [
    (oscillator, (1.5, 1.0, 200), 0),
    (oscillator, (-2.0, 1.0, 200), 0),  # the break is taken
    (decay, (0.7, 2.0, 30), 0),
    (decay, (0.7, 2.0, 30), 1),
    (rebound, (1.3,), 0),
    (through_numpy, (0.4, 1.5), 0),
    (through_numpy, (0.4, 1.5), 1),
    (mixed, (0.8, np.linspace(-1.0, 1.0, 5)), 0),
    (mixed, (0.8, np.linspace(-1.0, 1.0, 5)), 1),
    (root, (4.0,), 0),
]


def as_numpy_scalars(args):
    return tuple(np.float64(a) if type(a) is float else a for a in args)


@pytest.mark.parametrize("method", ["auto", "reverse"])
@pytest.mark.parametrize("f, args, wrt", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_specialised_adjoint_matches_generic_and_finite_differences(f, args, wrt, method):
    df = srcdiff.grad(f, wrt=wrt, method=method)
    specialised = df(*args)
    generic = df(*as_numpy_scalars(args))
    assert type(specialised) is (float if type(args[wrt]) is float else type(generic))
    np.testing.assert_allclose(specialised, generic, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(specialised, numeric_grad(f, args, wrt), rtol=1e-5, atol=1e-7)


def test_scalar_loop_is_plain_arithmetic():
    df = srcdiff.grad(oscillator, method="reverse")
    df(1.5, 1.0, 200)
    assert not any(helper in df.source for helper in HELPERS), df.source
    assert "x_stack.pop()" in df.source  # the loop still walks its saves backwards


def test_source_follows_the_last_call_and_every_signature_is_kept():
    df = srcdiff.grad(oscillator, method="reverse")
    df(np.float64(1.5), np.float64(1.0), 200)
    assert "unbroadcast" in df.source
    df(1.5, 1.0, 200)
    assert "unbroadcast" not in df.source
    signatures = df.sources_by_signature()
    assert set(signatures) == {"float64, float64, int", "float, float, int"}
    assert "unbroadcast" in signatures["float64, float64, int"]


def test_names_that_stop_being_numbers_keep_their_helpers():
    df = srcdiff.grad(through_numpy, method="reverse")
    df(0.4, 1.5)
    assert "unbroadcast" in df.source or "gradient_of" in df.source


def test_an_integer_argument_is_a_number_too():
    df = srcdiff.grad(decay, method="reverse")
    assert df(0.7, 2.0, 30) == pytest.approx(numeric_grad(decay, (0.7, 2.0, 30), 0), rel=1e-6)
    assert "zeros_like" not in df.source


def test_arrays_get_the_generic_adjoint():
    df = srcdiff.grad(mixed, wrt=1)
    w = np.linspace(-1.0, 1.0, 5)
    df(np.float64(0.8), w)
    generic = df.source
    df(0.8, w)
    assert "unbroadcast" in generic or "gradient_of" in generic
    assert "gradient_of" in df.source  # w is an array: its gradient is still made one


def test_bool_arguments_are_not_numbers():
    def gate(x, on):
        return x * x if on else x

    df = srcdiff.grad(gate)
    assert df(3.0, True) == pytest.approx(6.0)
    assert df(3.0, False) == pytest.approx(1.0)


def test_specialised_scalar_loop_matches_golden_file():
    df = srcdiff.grad(oscillator, method="reverse")
    df(1.5, 1.0, 200)
    assert_golden("oscillator_specialised", df.source)
