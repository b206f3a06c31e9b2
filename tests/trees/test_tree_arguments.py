"""Trees as differentiated arguments, both modes, against finite differences.

A ``wrt`` argument may be a dict, list, tuple, namedtuple or dataclass of
numbers and arrays, nested; its gradient has the same structure.  The static
mode follows the structure through ``params["W"]``, ``params.W``,
``W, b = params``, ``for W, b in params``, ``zip``, ``enumerate``, ``len``,
``.items()`` / ``.values()``, and through containers the function builds.
"""

import dataclasses
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import srcdiff
from tests.numeric import assert_tree_grad_right, numeric_tree_grad

MODES = ("static", "trace")
RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 3))
W1, B1 = RNG.standard_normal((3, 5)) * 0.5, RNG.standard_normal(5) * 0.1
W2, B2 = RNG.standard_normal((5, 2)) * 0.5, RNG.standard_normal(2) * 0.1

Layer = namedtuple("Layer", ["W", "b"])


@dataclasses.dataclass
class Dense:
    W: np.ndarray
    b: np.ndarray


@dataclasses.dataclass(frozen=True)
class Frozen:
    W: np.ndarray
    b: np.ndarray
    activation: str = "tanh"


def by_key(params, x):
    return np.sum(np.tanh(x @ params["W"] + params["b"]) ** 2)


def by_field(params, x):
    return np.sum(np.tanh(x @ params.W + params.b) ** 2)


def by_unpacking(params, x):
    W, b = params
    return np.sum(np.tanh(x @ W + b) ** 2)


def by_position(params, x):
    return np.sum(np.tanh(x @ params[0] + params[1]) ** 2)


@pytest.mark.parametrize(
    ("f", "params"),
    [
        (by_key, {"W": W1, "b": B1}),
        (by_key, OrderedDict(W=W1, b=B1)),
        (by_field, Dense(W1, B1)),
        (by_field, Frozen(W1, B1)),
        (by_field, Layer(W1, B1)),
        (by_unpacking, Layer(W1, B1)),
        (by_unpacking, (W1, B1)),
        (by_unpacking, [W1, B1]),
        (by_position, Layer(W1, B1)),
        (by_position, [W1, B1]),
    ],
    ids=[
        "dict",
        "ordereddict",
        "dataclass",
        "frozen-dataclass",
        "namedtuple-fields",
        "namedtuple-unpacked",
        "tuple",
        "list",
        "namedtuple-by-position",
        "list-by-position",
    ],
)
def test_each_container_kind(f, params):
    assert_tree_grad_right(f, (params, X))


def test_the_gradient_has_the_arguments_types():
    for mode in MODES:
        grads = srcdiff.grad(by_field, mode=mode)(Frozen(W1, B1), X)
        assert type(grads) is Frozen and grads.activation is None
        assert type(srcdiff.grad(by_field, mode=mode)(Layer(W1, B1), X)) is Layer
        assert type(srcdiff.grad(by_key, mode=mode)(OrderedDict(W=W1, b=B1), X)) is OrderedDict


def nested(params, x):
    h = x
    for layer in params["layers"]:
        h = np.tanh(h @ layer["W"] + layer["b"])
    return np.sum(h**2) * params["scale"] * params["repeats"] + params["extra"][1] ** 2


NESTED = {
    "layers": [{"W": W1, "b": B1}, {"W": W2, "b": B2}],
    "scale": 1.5,
    "repeats": 2,
    "extra": (0.3, -0.7),
    "name": "mlp",
    "trainable": True,
    "note": None,
}


def test_nested_tree_with_leaves_that_carry_no_gradient():
    """Integers, strings, flags and None in a tree get None for gradient, in both modes,
    also where they take part in the arithmetic (``params["repeats"]``)."""
    assert_tree_grad_right(nested, (NESTED, X))
    for mode in MODES:
        grads = srcdiff.grad(nested, mode=mode)(NESTED, X)
        assert grads["name"] is None and grads["trainable"] is None and grads["note"] is None
        assert grads["repeats"] is None
        assert isinstance(grads["scale"], float) and isinstance(grads["extra"], tuple)


def mixed(x, params, scale):
    return np.sum((x @ params.W + params.b) * scale) + np.sum(x**2)


@pytest.mark.parametrize("mode", MODES)
def test_trees_mixed_with_array_arguments(mode):
    params, scale = Dense(W1, B1), np.array([1.0, -2.0, 0.5, 3.0, 0.25])
    dx, dparams, dscale = srcdiff.grad(mixed, wrt=(0, 1, 2), mode=mode)(X, params, scale)
    np.testing.assert_allclose(dx, numeric_tree_grad(mixed, (X, params, scale), 0), rtol=1e-5)
    expected = numeric_tree_grad(mixed, (X, params, scale), 1)
    np.testing.assert_allclose(dparams.W, expected.W, rtol=1e-5)
    np.testing.assert_allclose(dparams.b, expected.b, rtol=1e-5)
    np.testing.assert_allclose(dscale, numeric_tree_grad(mixed, (X, params, scale), 2), rtol=1e-5)


def test_check_grads_reads_trees():
    srcdiff.check_grads(nested, NESTED, X)
    srcdiff.check_grads(mixed, X, Dense(W1, B1), np.ones(5), wrt=(1, 2))


# -- the patterns the static mode follows ------------------------------------


def loop_of_pairs(params, x):
    for W, b in params:
        x = np.tanh(x @ W + b)
    return np.sum(x**2)


def loop_of_zip(Ws, bs, x):
    for W, b in zip(Ws, bs):
        x = np.tanh(x @ W + b)
    return np.sum(x**2)


def loop_of_enumerate(params, x):
    for i, (W, b) in enumerate(params):
        x = np.tanh(x @ W + b) * (i + 1.0)
    return np.sum(x**2)


def loop_of_len(params, x):
    for i in range(len(params)):
        W, b = params[i]
        x = np.tanh(x @ W + b)
    return np.sum(x**2)


def loop_of_items(params):
    total = 0.0
    for name, value in params.items():
        total = total + np.sum(np.sin(value)) * len(name)
    return total


def loop_of_values(params):
    total = 0.0
    for value in params.values():
        total = total + np.sum(value**2)
    return total


def loop_of_keys(params):
    total = 0.0
    for name in params:
        total = total + np.sum(params[name] ** 3)
    for name in params.keys():
        total = total + np.sum(params[name])
    return total


def builds_containers(params, x):
    hidden = [x @ params["W"], params["b"]]
    state = {"h": np.tanh(hidden[0] + hidden[1]), "c": params["b"] * 2.0, "k": 3.0}
    return np.sum(state["h"] ** 2) + np.sum(state["c"] * state["h"][0]) * state["k"]


def builds_a_list_in_a_loop(params, x):
    outputs = []
    for W, b in params:
        x = np.tanh(x @ W + b)
        outputs.append(x)
    return np.sum(outputs[0]) + np.sum(outputs[1] ** 2)


PAIRS = [(W1, B1), (W2, B2)]
DICT = {"first": W1, "second": B1, "third": np.array(0.5)}


@pytest.mark.parametrize(
    ("f", "args"),
    [
        (loop_of_pairs, (PAIRS, X)),
        (loop_of_pairs, ([Layer(W1, B1), Layer(W2, B2)], X)),
        (loop_of_enumerate, (PAIRS, X)),
        (loop_of_len, (PAIRS, X)),
        (loop_of_items, (DICT,)),
        (loop_of_values, (DICT,)),
        (loop_of_keys, (DICT,)),
        (builds_containers, ({"W": W1, "b": B1}, X)),
        (builds_a_list_in_a_loop, (PAIRS, X)),
    ],
    ids=[
        "for-W-b-in-params",
        "for-W-b-in-namedtuples",
        "enumerate",
        "len",
        "items",
        "values",
        "keys",
        "dict-and-list-literals",
        "list-built-in-a-loop",
    ],
)
def test_patterns(f, args):
    assert_tree_grad_right(f, args)


@pytest.mark.parametrize("position", [0, 1])
def test_zip_of_two_lists(position):
    assert_tree_grad_right(loop_of_zip, ([W1, W2], [B1, B2], X), position)


def test_static_source_reads_fields_and_keys_as_the_user_wrote_them():
    source = srcdiff.grad(by_field).source
    assert "dparams = zeros_for(params)" in source
    assert "dparams.W = dparams.W + " in source and "dparams.b = dparams.b + " in source
    assert "dparams['W'] = dparams['W'] + " in srcdiff.grad(by_key).source
    assert "add_at(dparams, name, dvalue)" in srcdiff.grad(loop_of_items).source


# -- errors ---------------------------------------------------------------------


class Opaque:
    pass


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("value", "path", "kind"),
    [
        ({"W": W1, "act": np.tanh}, "params['act']", "ufunc"),
        ({"W": W1, "extra": {1, 2}}, "params['extra']", "set"),
        ([W1, Opaque()], "params[1]", "Opaque"),
        (Dense(W1, object()), "params.b", "object"),
    ],
    ids=["function", "set", "object-in-list", "object-in-dataclass"],
)
def test_a_leaf_of_an_unsupported_type_is_named(mode, value, path, kind):
    def f(params):
        return np.sum(np.asarray(W1))

    with pytest.raises(srcdiff.DifferentiationError) as info:
        srcdiff.grad(f, mode=mode)(value)
    assert path in str(info.value) and kind in str(info.value)


@pytest.mark.parametrize("mode", MODES)
def test_wrt_naming_a_missing_argument(mode):
    with pytest.raises(srcdiff.DifferentiationError, match="wrt='weights' names no argument"):
        srcdiff.grad(by_key, wrt="weights", mode=mode)({"W": W1, "b": B1}, X)


@pytest.mark.parametrize("mode", MODES)
def test_reading_a_missing_key_raises_pythons_key_error(mode):
    with pytest.raises(KeyError, match="'b'"):
        srcdiff.grad(by_key, mode=mode)({"W": W1}, X)


def adds_a_key(params):
    params = dict(params)
    params["extra"] = params["W"] * 2.0
    return np.sum(params["extra"])


def uses_flags(params, x):
    return np.sum(x * params[0] * params[1] + params[2] * x)


@pytest.mark.parametrize("mode", MODES)
def test_integer_and_flag_items_of_a_list_get_none_integer_arrays_floats(mode):
    grads = srcdiff.grad(uses_flags, mode=mode)([True, 3, np.array([1, 2])], np.arange(2.0))
    assert grads[0] is None and grads[1] is None
    assert grads[2].dtype == np.float64
    np.testing.assert_allclose(grads[2], [0.0, 1.0])


def values_in_a_zip(params, weights):
    total = 0.0
    for value, weight in zip(params.values(), weights):
        total = total + np.sum(value * weight)
    return total


def views_elsewhere(params):
    total = np.sum(list(params.values())[0])
    for i, pair in enumerate(params.items()):
        total = total + np.sum(pair[1] ** 2) * i
    return total


def reads_with_get(params):
    return np.sum(params.get("first"))


@pytest.mark.parametrize("f", [values_in_a_zip, views_elsewhere])
def test_dict_views_outside_a_loop_of_their_own(f):
    args = (DICT, [1.0, 2.0, 3.0]) if f is values_in_a_zip else (DICT,)
    assert_tree_grad_right(f, args)
    assert "dict_" in srcdiff.grad(f).source


def test_a_dict_method_without_a_rule_is_refused_with_the_way_out():
    with pytest.raises(srcdiff.DifferentiationError, match=r"params.get.*read its items by key"):
        srcdiff.grad(reads_with_get)(DICT)
    assert_tree_grad_right(reads_with_get, (DICT,), modes=("trace",))


def test_a_copy_made_with_dict_is_refused_in_static_mode_and_traced():
    with pytest.raises(srcdiff.DifferentiationError, match="no VJP rule for dict.*mode=.trace"):
        srcdiff.grad(adds_a_key)({"W": W1})
    assert_tree_grad_right(adds_a_key, ({"W": W1},), modes=("trace",))
