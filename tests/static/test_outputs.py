"""Functions that return several values: their vjp takes one cotangent per value."""

import numpy as np
import pytest

import srcdiff

X = np.array([1.0, -2.0, 3.0])


def two_outputs(x):
    return x * 2, np.sin(x)


MODES = ["static", "trace"]


@pytest.mark.parametrize("mode", MODES)
def test_vjp_of_a_tuple_output_takes_a_tuple_seed(mode):
    u, v = np.array([1.0, 0.5, -1.0]), np.array([2.0, 1.0, 0.0])
    got = srcdiff.vjp(two_outputs, mode=mode)(X, seed=(u, v))
    np.testing.assert_allclose(got, 2 * u + np.cos(X) * v)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "seed", [np.ones(3), (np.ones(3),), (np.ones(3), np.ones(3), np.ones(3))], ids=str
)
def test_a_seed_that_does_not_match_the_outputs_is_an_error(seed, mode):
    with pytest.raises(srcdiff.DifferentiationError, match="one cotangent for each"):
        srcdiff.vjp(two_outputs, mode=mode)(X, seed=seed)


@pytest.mark.parametrize("mode", MODES)
def test_a_seed_of_the_wrong_shape_inside_the_tuple_is_an_error(mode):
    with pytest.raises(srcdiff.DifferentiationError, match="shape"):
        srcdiff.vjp(two_outputs, mode=mode)(X, seed=(np.ones(3), np.ones(2)))


@pytest.mark.parametrize("mode", MODES)
def test_grad_of_a_tuple_output_is_an_error(mode):
    with pytest.raises(srcdiff.DifferentiationError, match="scalar output"):
        srcdiff.grad(two_outputs, mode=mode)(X)


def shared_part(x):
    h = np.tanh(x)
    return h * 2.0, np.sum(h * h)


@pytest.mark.parametrize("mode", MODES)
def test_outputs_sharing_a_part_add_their_gradients(mode):
    u = np.array([1.0, -2.0, 0.5])
    h = np.tanh(X)
    expected = (2.0 * u + 3.0 * 2.0 * h) * (1.0 - h * h)
    got = srcdiff.vjp(shared_part, mode=mode)(X, seed=(u, 3.0))
    np.testing.assert_allclose(got, expected)


def clipped_below(x, lo):
    return np.sum(np.clip(x, a_min=lo, a_max=2.0) ** 2)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_a_keyword_argument_that_carries_a_gradient_gets_it(mode):
    """``a_min=lo`` is ``np.clip``'s second argument: ``lo`` gets its cotangent."""
    srcdiff.check_grads(clipped_below, X, 0.5, wrt=(0, 1), modes=(mode,))
    dx, dlo = srcdiff.grad(clipped_below, wrt=(0, 1), mode=mode)(X, 0.5)
    assert dlo == pytest.approx(2 * 0.5 * 1)  # one element (-2.0) sits on the lower bound
