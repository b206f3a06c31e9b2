"""Trees passed to helper functions, and dicts the function builds item by item.

Both modes against finite differences: a helper that takes a layer's dict,
dataclass or namedtuple; an RNN whose weights are a dict; a dict filled with
``outs["a"] = ...`` (the backward sweep puts each old item back, and removes
a key the forward sweep added); a state dict rebuilt each step.
"""

import dataclasses
from collections import namedtuple

import numpy as np
import pytest

import srcdiff
from tests.numeric import assert_tree_grad_right

Layer = namedtuple("Layer", ["W", "b"])


@dataclasses.dataclass
class Dense:
    W: np.ndarray
    b: np.ndarray


def layer(p, x):
    return np.tanh(x @ p["W"] + p["b"])


def layer_of_fields(p, x):
    return np.tanh(x @ p.W + p.b)


def two_layers(params, x):
    h = layer(params["l1"], x)
    h = layer(params["l2"], h)
    return np.sum(h**2)


def layers_of_fields(params, x):
    for p in params:
        x = layer_of_fields(p, x)
    return np.sum(x**2)


def same_helper_twice(params, x):
    return np.sum(layer(params, x)) + np.sum(layer(params, x * 2.0))


def rnn(params, xs):
    h = np.zeros(params["Wh"].shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(params["Wh"] @ h + params["Wx"] @ xs[t] + params["b"])
    return np.sum(h**2)


def fills_a_dict(params, x):
    outs = {}
    outs["a"] = x @ params["W"]
    outs["b"] = outs["a"] * 2.0 + params["b"]
    outs["a"] = np.sin(outs["a"])
    return np.sum(outs["b"] ** 2) + np.sum(outs["a"])


def fills_a_dict_in_a_loop(params, x):
    outs = {}
    for i in range(3):
        outs[i] = np.tanh(x @ params["W"] * (i + 1.0))
        x = outs[i] @ params["W"].T
    return np.sum(outs[0] * outs[2])


def state_dict(params, x):
    state = {"h": x @ params["W"], "c": params["b"]}
    for _ in range(2):
        state = {"h": np.tanh(state["h"] + state["c"]), "c": state["c"] * 2.0}
    return np.sum(state["h"] * state["c"])


RNG = np.random.default_rng(0)
W1, B1 = RNG.standard_normal((3, 4)), RNG.standard_normal(4)
W2, B2 = RNG.standard_normal((4, 2)), RNG.standard_normal(2)
X = RNG.standard_normal((5, 3))
SQUARE = {"W": RNG.standard_normal((3, 3)) * 0.5, "b": RNG.standard_normal(3)}


@pytest.mark.parametrize(
    ("f", "args"),
    [
        (two_layers, ({"l1": {"W": W1, "b": B1}, "l2": {"W": W2, "b": B2}}, X)),
        (layers_of_fields, ([Layer(W1, B1), Dense(W2, B2)], X)),
        (same_helper_twice, ({"W": W1, "b": B1}, X)),
        (rnn, ({"Wh": RNG.standard_normal((4, 4)) * 0.5, "Wx": W1.T, "b": B1}, X)),
        (fills_a_dict, ({"W": W1, "b": B1}, X)),
        (fills_a_dict_in_a_loop, (SQUARE, X)),
        (state_dict, ({"W": W1, "b": B1}, X)),
    ],
    ids=[
        "helper-takes-a-dict",
        "helper-takes-fields",
        "same-helper-twice",
        "rnn",
        "fills-a-dict",
        "fills-a-dict-in-a-loop",
        "state-dict",
    ],
)
def test_trees_through_helpers_and_built_dicts(f, args):
    assert_tree_grad_right(f, args)


def test_the_backward_sweep_removes_the_keys_the_forward_sweep_added():
    source = srcdiff.grad(fills_a_dict).source
    assert "saved_item(outs, 'a')" in source and "restore_item(outs, 'a', " in source
