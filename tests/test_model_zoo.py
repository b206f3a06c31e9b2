"""The model zoo: real model code, each model in both modes against finite differences."""

import numpy as np
import pytest

import srcdiff
from tests import zoo_models
from tests.numeric import numeric_grad

MODES = ("static", "trace")


def leaves(tree):
    """The arrays of a dict of arrays (in key order), or the array itself."""
    return [tree[k] for k in sorted(tree)] if isinstance(tree, dict) else [tree]


def numeric_tree_grad(f, args):
    """Finite differences of ``f`` with respect to ``args[0]``, a dict or an array."""
    params = args[0]
    if not isinstance(params, dict):
        return numeric_grad(f, args, 0)
    grads = {}
    for key in params:

        def moved(value, key=key):
            return f({**params, key: value}, *args[1:])

        grads[key] = numeric_grad(moved, (params[key],), 0)
    return grads


def assert_tree_close(got, expected, mode):
    assert type(got) is type(expected), (mode, type(got))
    if isinstance(expected, dict):
        assert sorted(got) == sorted(expected), mode
    for g, e in zip(leaves(got), leaves(expected)):
        assert np.shape(g) == np.shape(e), mode
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-7, err_msg=mode)


def rnn_case(rng):
    n_in, n_hidden, n_out, steps, batch = 3, 4, 2, 5, 2
    params = {
        "Wx": rng.standard_normal((n_in, n_hidden)) * 0.5,
        "Wh": rng.standard_normal((n_hidden, n_hidden)) * 0.5,
        "b": rng.standard_normal(n_hidden) * 0.1,
        "Wo": rng.standard_normal((n_hidden, n_out)) * 0.5,
        "bo": rng.standard_normal(n_out) * 0.1,
    }
    inputs = rng.standard_normal((steps, batch, n_in))
    targets = rng.standard_normal((steps, batch, n_out))
    return zoo_models.rnn_loss, (params, inputs, targets)


def lstm_case(rng):
    n_in, n_hidden, n_out, steps, batch = 2, 3, 2, 4, 2
    params = {
        "W": rng.standard_normal((n_in + n_hidden, 4 * n_hidden)) * 0.5,
        "b": rng.standard_normal(4 * n_hidden) * 0.1,
        "Wo": rng.standard_normal((n_hidden, n_out)) * 0.5,
    }
    inputs = rng.standard_normal((steps, batch, n_in))
    targets = rng.standard_normal((steps, batch, n_out))
    return zoo_models.lstm_loss, (params, inputs, targets)


def gp_case(rng):
    x = np.linspace(-2.0, 2.0, 6)
    y = np.sin(x) + 0.1 * rng.standard_normal(6)
    return zoo_models.gp_negative_log_likelihood, (np.array([0.1, -0.2, -1.5]), x, y)


def convolution_case(rng):
    signal = rng.standard_normal(12)
    return zoo_models.convolution_loss, (rng.standard_normal(3), signal, rng.standard_normal(10))


def attention_case(rng):
    x = rng.standard_normal((4, 6))
    Wq, Wk, Wv = (rng.standard_normal((6, 4)) * 0.5 for _ in range(3))
    return zoo_models.attention_loss, (Wq, Wk, Wv, x, 2)


def log_softmax_case(rng):
    labels = np.eye(3)[[0, 2, 1, 2]]
    return zoo_models.log_softmax_loss, (
        rng.standard_normal((5, 3)),
        rng.standard_normal((4, 5)),
        labels,
    )


CASES = {
    "rnn": rnn_case,
    "lstm": lstm_case,
    "gaussian_process": gp_case,
    "convolution": convolution_case,
    "attention": attention_case,
    "log_softmax": log_softmax_case,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_model_gradient_matches_finite_differences(name, mode):
    f, args = CASES[name](np.random.default_rng(0))
    expected = numeric_tree_grad(f, args)
    got = srcdiff.grad(f, mode=mode)(*args)
    assert_tree_close(got, expected, mode)


@pytest.mark.parametrize("name", sorted(CASES))
def test_modes_agree_on_every_model(name):
    f, args = CASES[name](np.random.default_rng(1))
    static = srcdiff.grad(f)(*args)
    trace = srcdiff.grad(f, mode="trace")(*args)
    assert_tree_close(trace, static, "trace vs static")


def test_attention_gradient_for_every_weight():
    f, args = attention_case(np.random.default_rng(2))
    for position in range(3):
        expected = numeric_grad(f, args, position)
        for mode in MODES:
            got = srcdiff.grad(f, wrt=position, mode=mode)(*args)
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7, err_msg=mode)
