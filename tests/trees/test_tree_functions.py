"""``srcdiff.trees``: flatten, unflatten, tree_map; and the gradient containers of trees."""

import collections
import dataclasses

import numpy as np
import pytest

import srcdiff
from srcdiff.rules.gradient_list import (
    NO_GRADIENT,
    GradientDict,
    GradientFields,
    GradientList,
    as_gradient,
)
from srcdiff.static.runtime import gradient_of, writable, zeros_for

Pair = collections.namedtuple("Pair", ["a", "b"])


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: np.ndarray
    b: float
    tag: str = "x"


@dataclasses.dataclass
class Plain:
    a: object
    b: object = dataclasses.field(default=0.0, init=False)


def plain(a, b):
    out = Plain(a)
    out.b = b
    return out


TREES = {
    "leaf": np.arange(3.0),
    "dict": {"b": 1.0, "a": [np.ones(2), (2.0, 3.0)]},
    "ordereddict": collections.OrderedDict(z=1.0, y=2.0),
    "defaultdict": collections.defaultdict(list, {"k": np.ones(2)}),
    "namedtuple": Pair(np.ones(2), {"c": 4.0}),
    "frozen-dataclass": Frozen(np.ones(2), 5.0),
    "dataclass-with-init-false-field": plain(1.0, np.zeros(2)),
}


@pytest.mark.parametrize("tree", list(TREES.values()), ids=list(TREES))
def test_flatten_and_unflatten_give_the_tree_back(tree):
    leaves, structure = srcdiff.tree_flatten(tree)
    assert leaves == srcdiff.tree_leaves(tree) or all(
        a is b for a, b in zip(leaves, srcdiff.tree_leaves(tree))
    )
    back = srcdiff.tree_unflatten(structure, leaves)
    assert type(back) is type(tree)
    assert repr(back) == repr(tree)
    if isinstance(tree, collections.defaultdict):
        assert back.default_factory is list


def test_leaves_come_in_the_containers_order():
    leaves = srcdiff.tree_leaves({"b": 1.0, "a": [2.0, (3.0, None)], "c": Pair(4.0, "s")})
    assert leaves == [1.0, 2.0, 3.0, None, 4.0, "s"]


def test_unflatten_with_the_wrong_number_of_leaves():
    _, structure = srcdiff.tree_flatten({"a": 1.0, "b": [2.0, 3.0]})
    assert repr(structure) == "TreeDef(dict('a': *, 'b': list(0: *, 1: *)))"
    with pytest.raises(ValueError, match="holds 3 leaves, not 2"):
        srcdiff.tree_unflatten(structure, [1.0, 2.0])


def test_tree_map_over_several_trees_matches_dicts_by_key():
    params = {"W": np.ones(2), "b": 1.0, "name": "layer", "frozen": Frozen(np.ones(2), 2.0)}
    grads = {"b": 0.5, "W": np.array([1.0, 2.0]), "name": None, "frozen": Frozen(None, 1.0, None)}
    new = srcdiff.tree_map(lambda p, g: p - 0.1 * g, params, grads)
    np.testing.assert_allclose(new["W"], [0.9, 0.8])
    assert new["b"] == pytest.approx(0.95)
    assert new["name"] == "layer"  # a None gradient keeps the leaf
    assert type(new["frozen"]) is Frozen and new["frozen"].b == pytest.approx(1.9)
    np.testing.assert_allclose(new["frozen"].a, np.ones(2))
    assert new["frozen"].tag == "x"
    assert params["b"] == 1.0  # the old tree is unchanged


def test_tree_map_of_one_tree():
    doubled = srcdiff.tree_map(lambda x: 2 * x, [1.0, (2.0, {"k": 3.0})])
    assert doubled == [2.0, (4.0, {"k": 6.0})]


@pytest.mark.parametrize(
    ("other", "message"),
    [
        ({"W": 1.0}, r"tree has keys \['W', 'b'\] in the first tree but \['W'\]"),
        ({"W": 1.0, "c": 2.0}, r"keys \['W', 'b'\] in the first tree but \['W', 'c'\]"),
        ([1.0, 2.0], "tree is a dict in the first tree but a list"),
        ({"W": 1.0, "b": [1.0]}, r"tree\['b'\] has keys \[0, 1\] in the first tree but \[0\]"),
    ],
    ids=["missing-key", "other-key", "other-kind", "nested-length"],
)
def test_tree_map_refuses_trees_of_another_structure(other, message):
    with pytest.raises(ValueError, match=message):
        srcdiff.tree_map(lambda p, g: p - g, {"W": 1.0, "b": [1.0, 2.0]}, other)


def test_gradient_dict_adds_key_by_key():
    a = GradientDict(W=np.ones(2), b=1.0, name=None)
    total = a + {"b": 2.0, "W": np.ones(2), "name": None}
    assert type(total) is GradientDict
    np.testing.assert_allclose(total["W"], 2.0)
    assert total["b"] == 3.0 and total["name"] is None
    assert (a + 1.0)["b"] == 2.0 and (1.0 + a)["b"] == 2.0
    assert (np.float64(1.0) + a)["b"] == 2.0
    assert (a - a)["b"] == 0.0 and (-a)["name"] is None
    with pytest.raises(srcdiff.DifferentiationError, match="changes a dict's keys"):
        a + {"W": 1.0}
    with pytest.raises(srcdiff.DifferentiationError, match="multiplied"):
        a * 2.0


def test_gradient_fields_read_by_name_and_position():
    g = as_gradient(Pair(np.ones(2), 2.0))
    assert type(g) is GradientFields
    g.a += 1.0
    g[1] += 1.0
    np.testing.assert_allclose(g["a"], 2.0)
    assert g.b == 3.0
    total = g + GradientList([np.ones(2), 1.0])  # a namedtuple's gradient as a list
    assert total.b == 4.0
    with pytest.raises(AttributeError):
        _ = g.missing


def test_runtime_helpers_keep_the_structure():
    x = {"W": np.ones(2), "b": 1.0, "name": "n", "pair": Pair(np.ones(1), 2.0)}
    zeros = zeros_for(x)
    assert type(zeros) is GradientDict and type(zeros["pair"]) is GradientFields
    assert zeros["name"] is NO_GRADIENT
    zeros["name"] += np.ones(2)  # ``x * params["flag"]`` passes the flag no gradient
    assert zeros["name"] is NO_GRADIENT and (np.ones(2) - NO_GRADIENT) is NO_GRADIENT
    g = writable(1.0, x)  # a number goes to every item
    assert g["pair"].b == 1.0
    out = gradient_of(g, x)
    assert type(out) is dict and type(out["pair"]) is Pair and out["name"] is None
    np.testing.assert_allclose(out["W"], np.ones(2))
