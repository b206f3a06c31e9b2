"""Methods and keyword arguments with tree parameters, the same in both modes.

``grad(obj.method)`` counts ``wrt`` among the method's own parameters and the
method reads ``self.attr``; class and static methods work the same way.
Arguments passed by keyword, left to their defaults, and ``wrt`` by name
(keyword-only ones too) behave alike in both modes.
"""

import dataclasses

import numpy as np
import pytest

import srcdiff
from tests.numeric import assert_tree_grad_right, numeric_tree_grad

MODES = ("static", "trace")
RNG = np.random.default_rng(5)
X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 2))


@dataclasses.dataclass
class Linear:
    W: np.ndarray
    b: np.ndarray


class Trainer:
    scale = 0.5

    def __init__(self):
        self.penalty = 0.1
        self.inputs = X

    def loss(self, model, targets):
        predictions = self.inputs @ model.W + model.b
        return np.mean((predictions - targets) ** 2) + self.penalty * np.sum(model.W**2)

    @classmethod
    def class_loss(cls, params, targets):
        return cls.scale * np.sum((X @ params["W"] + params["b"] - targets) ** 2)

    @staticmethod
    def static_loss(params, targets):
        W, b = params
        return np.sum(np.tanh(X @ W + b) * targets)


MODEL = Linear(RNG.standard_normal((3, 2)), RNG.standard_normal(2))
PARAMS = {"W": MODEL.W, "b": MODEL.b}


@pytest.mark.parametrize(
    ("method", "params"),
    [
        (Trainer().loss, MODEL),
        (Trainer.class_loss, PARAMS),
        (Trainer().class_loss, PARAMS),
        (Trainer.static_loss, (MODEL.W, MODEL.b)),
        (Trainer().static_loss, [MODEL.W, MODEL.b]),
    ],
    ids=["bound", "classmethod", "classmethod-via-instance", "staticmethod", "static-via-instance"],
)
def test_methods_with_tree_parameters(method, params):
    assert_tree_grad_right(method, (params, Y))


@pytest.mark.parametrize("mode", MODES)
def test_wrt_names_a_methods_parameter(mode):
    trainer = Trainer()
    dmodel, dtargets = srcdiff.grad(trainer.loss, wrt=("model", "targets"), mode=mode)(MODEL, Y)
    np.testing.assert_allclose(dmodel.W, numeric_tree_grad(trainer.loss, (MODEL, Y), 0).W)
    np.testing.assert_allclose(dtargets, numeric_tree_grad(trainer.loss, (MODEL, Y), 1))


@pytest.mark.parametrize("mode", MODES)
def test_a_method_reads_its_objects_current_attributes(mode):
    trainer = Trainer()
    dloss = srcdiff.grad(trainer.loss, mode=mode)
    before = dloss(MODEL, Y)
    trainer.penalty = 0.0
    after = dloss(MODEL, Y)
    np.testing.assert_allclose(before.W - after.W, 0.2 * MODEL.W)


def regularized(params, targets, *, weight=0.5, inputs=X):
    return np.sum((inputs @ params["W"] + params["b"] - targets) ** 2) * weight**2


@pytest.mark.parametrize("mode", MODES)
def test_keyword_passed_and_default_arguments(mode):
    expected = numeric_tree_grad(regularized, (PARAMS, Y), 0)
    by_keyword = srcdiff.grad(regularized, mode=mode)(targets=Y, params=PARAMS)
    by_name = srcdiff.grad(regularized, wrt="params", mode=mode)(PARAMS, Y)
    for got in (by_keyword, by_name):
        np.testing.assert_allclose(got["W"], expected["W"], rtol=1e-6)
        np.testing.assert_allclose(got["b"], expected["b"], rtol=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_wrt_a_keyword_only_argument_by_name(mode):
    dweight = srcdiff.grad(regularized, wrt="weight", mode=mode)
    squares = float(np.sum((X @ MODEL.W + MODEL.b - Y) ** 2))
    assert dweight(PARAMS, Y, weight=2.0) == pytest.approx(4.0 * squares)
    assert dweight(PARAMS, Y) == pytest.approx(1.0 * squares)  # at its default, 0.5
    dinputs = srcdiff.grad(regularized, wrt=("params", "inputs"), mode=mode)(PARAMS, Y, inputs=X)
    expected = numeric_tree_grad(lambda x: regularized(PARAMS, Y, inputs=x), (X,), 0)
    np.testing.assert_allclose(dinputs[1], expected, rtol=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_a_keyword_only_argument_passed_by_position_is_pythons_type_error(mode):
    with pytest.raises(TypeError):
        srcdiff.grad(regularized, wrt="weight", mode=mode)(PARAMS, Y, 2.0)


@dataclasses.dataclass
class Model:
    W: np.ndarray
    b: np.ndarray

    def forward(self, x):
        return np.tanh(x @ self.W + self.b)

    def __call__(self, x):
        return self.forward(x)


def through_the_class(model, x):
    return np.sum(Model.forward(model, x) ** 2)


def through_a_method(model, x):
    return np.sum(model.forward(x) ** 2)


def through_a_call(model, x):
    return np.sum(model(x) ** 2)


MODEL_WITH_METHODS = Model(MODEL.W, MODEL.b)


def test_a_method_of_the_differentiated_object_called_through_its_class():
    assert_tree_grad_right(through_the_class, (MODEL_WITH_METHODS, X))


@pytest.mark.parametrize(
    ("f", "message"),
    [
        (through_a_method, r"'model.forward'.*Class.forward\(model, ...\).*mode=.trace"),
        (through_a_call, r"calling 'model', which carries a gradient.*Class.__call__"),
    ],
    ids=["method", "call"],
)
def test_calls_through_the_differentiated_object(f, message):
    """Refused in static mode (``model(x)`` once gave a zero gradient), traced right."""
    with pytest.raises(srcdiff.DifferentiationError, match=message):
        srcdiff.grad(f)(MODEL_WITH_METHODS, X)
    assert_tree_grad_right(f, (MODEL_WITH_METHODS, X), modes=("trace",))
