"""Trees met by comprehensions and nested helpers, both modes against finite differences.

An L2 penalty over a dict's values (a generator expression over
``params.values()`` and over ``params.items()``), a stack of per-input layers
reading ``params["W"]`` in a list comprehension, and an LSTM step whose gates
are a nested helper reading a dict of weights by name and whose state is a
dict rebuilt each step.
"""

import numpy as np
import pytest

from tests.numeric import assert_tree_grad_right


def l2_of_values(params):
    return sum(np.sum(w**2) for w in params.values())


def l2_of_items(params):
    return sum(np.sum(v**2) * len(k) for k, v in params.items())


def stacked_layers(params, xs):
    return np.sum(np.stack([np.tanh(x @ params["W"]) for x in xs]))


def lstm(params, xs):
    def gate(name, h, x):
        return 1.0 / (1.0 + np.exp(-(h @ params["U" + name] + x @ params["W" + name])))

    state = {"h": np.zeros(2), "c": np.zeros(2)}
    for x in xs:
        forget = gate("f", state["h"], x)
        remember = gate("i", state["h"], x)
        c = forget * state["c"] + remember * np.tanh(x @ params["Wc"])
        state = {"h": np.tanh(c), "c": c}
    return np.sum(state["h"] ** 2)


RNG = np.random.default_rng(1)
XS = RNG.standard_normal((3, 2))
DICT = {"a": RNG.standard_normal(3), "bb": RNG.standard_normal((2, 2))}
LSTM = {k: RNG.standard_normal((2, 2)) * 0.5 for k in ("Uf", "Wf", "Ui", "Wi", "Wc")}


@pytest.mark.parametrize(
    ("f", "args"),
    [
        (l2_of_values, (DICT,)),
        (l2_of_items, (DICT,)),
        (stacked_layers, ({"W": RNG.standard_normal((2, 2))}, XS)),
        (lstm, (LSTM, XS)),
    ],
    ids=["l2-of-values", "l2-of-items", "stacked-layers", "lstm"],
)
def test_trees_with_comprehensions_and_nested_helpers(f, args):
    assert_tree_grad_right(f, args)
