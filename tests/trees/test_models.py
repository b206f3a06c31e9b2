"""Models whose parameters live in trees, both modes against finite differences.

An MLP with its parameters as a list of ``(W, b)`` tuples (as HIPS autograd's
neural_net example writes it), as a dict and as a dataclass; a training loop
that updates a dict of parameters with ``tree_map`` for 50 steps and ends at
the loss the same loop reaches with finite-difference gradients.
"""

import dataclasses

import numpy as np
import pytest

import srcdiff
from tests.numeric import assert_tree_grad_right, numeric_tree_grad

RNG = np.random.default_rng(3)
INPUTS = RNG.standard_normal((6, 3))
TARGETS = RNG.standard_normal((6, 2))
SIZES = [3, 4, 2]


def init_pairs(scale=0.5):
    rng = np.random.default_rng(11)
    return [
        (scale * rng.standard_normal((m, n)), scale * rng.standard_normal(n))
        for m, n in zip(SIZES[:-1], SIZES[1:])
    ]


def mlp_pairs(params, inputs, targets):
    """HIPS autograd's neural_net: ``for W, b in params``."""
    for W, b in params:
        outputs = inputs @ W + b
        inputs = np.tanh(outputs)
    return np.mean((outputs - targets) ** 2)


def mlp_dict(params, inputs, targets):
    hidden = np.tanh(inputs @ params["W1"] + params["b1"])
    outputs = hidden @ params["W2"] + params["b2"]
    return np.mean((outputs - targets) ** 2) + 0.01 * np.sum(params["W1"] ** 2)


@dataclasses.dataclass
class MLP:
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    activation: str = "tanh"


def mlp_dataclass(model, inputs, targets):
    hidden = np.tanh(inputs @ model.W1 + model.b1)
    outputs = hidden @ model.W2 + model.b2
    return np.mean((outputs - targets) ** 2)


def as_dict(pairs):
    (W1, b1), (W2, b2) = pairs
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "activation": "tanh"}


def as_dataclass(pairs):
    (W1, b1), (W2, b2) = pairs
    return MLP(W1, b1, W2, b2)


@pytest.mark.parametrize(
    ("loss", "params"),
    [
        (mlp_pairs, init_pairs()),
        (mlp_dict, as_dict(init_pairs())),
        (mlp_dataclass, as_dataclass(init_pairs())),
    ],
    ids=["list-of-pairs", "dict", "dataclass"],
)
def test_mlp(loss, params):
    assert_tree_grad_right(loss, (params, INPUTS, TARGETS))


def test_the_three_mlps_agree():
    """The same network written three ways has the same gradient, in both modes."""
    pairs = init_pairs()
    for mode in ("static", "trace"):
        d_pairs = srcdiff.grad(mlp_pairs, mode=mode)(pairs, INPUTS, TARGETS)
        d_model = srcdiff.grad(mlp_dataclass, mode=mode)(as_dataclass(pairs), INPUTS, TARGETS)
        assert type(d_pairs) is list and type(d_pairs[0]) is tuple
        np.testing.assert_allclose(d_pairs[0][0], d_model.W1)
        np.testing.assert_allclose(d_pairs[1][1], d_model.b2)
        assert d_model.activation is None


LEARNING_RATE = 0.1


def train(gradient, steps=50):
    """Plain gradient descent on ``mlp_dict``, the update written with ``tree_map``."""
    params = as_dict(init_pairs())
    for _ in range(steps):
        grads = gradient(params)
        params = srcdiff.tree_map(lambda p, g: p - LEARNING_RATE * g, params, grads)
    return params, mlp_dict(params, INPUTS, TARGETS)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_training_loop_reaches_the_finite_difference_loss(mode):
    dloss = srcdiff.grad(mlp_dict, mode=mode)
    params, loss = train(lambda p: dloss(p, INPUTS, TARGETS))
    expected_params, expected = train(
        lambda p: numeric_tree_grad(mlp_dict, (p, INPUTS, TARGETS), 0)
    )
    first = mlp_dict(as_dict(init_pairs()), INPUTS, TARGETS)
    assert loss < 0.5 * first  # it trained
    assert loss == pytest.approx(expected, rel=1e-6)
    assert params["activation"] == "tanh"  # tree_map keeps a leaf whose gradient is None
    for key in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(params[key], expected_params[key], rtol=1e-5, atol=1e-8)
