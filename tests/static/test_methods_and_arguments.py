"""Bound, class and static methods; arguments the static mode refuses; rules and recursion.

``grad(obj.method)`` differentiates the method's own arguments (``wrt=0`` is
the first after ``self``) in both modes; a rule returning too few cotangents and recursion too deep for the static mode's stack raise
``DifferentiationError`` instead of an internal exception.
"""

import inspect
from collections import namedtuple

import numpy as np
import pytest

import srcdiff

X = np.array([0.5, -1.5, 2.0])
Y = np.array([1.0, 0.25, -2.0])


class Model:
    scale = 1.5

    def __init__(self):
        self.weights = np.array([0.3, -0.7, 1.1])
        self.__offset = 0.25  # a private name: mangled to _Model__offset

    def loss(self, x, y):
        return np.sum(self.weights * x**2 * y) + self.__offset * np.sum(x)

    @classmethod
    def class_loss(cls, x, y):
        return np.sum(cls.scale * np.sin(x) * y)

    @staticmethod
    def static_loss(x, y):
        return np.sum(np.tanh(x) * y**2)


class Derived(Model):
    def loss(self, x, y):
        return super().loss(x, y) * 2.0


METHODS = {
    "bound": Model().loss,
    "classmethod": Model.class_loss,
    "classmethod-via-instance": Model().class_loss,
    "staticmethod": Model.static_loss,
    "staticmethod-via-instance": Model().static_loss,
}


@pytest.mark.parametrize("wrt", [0, 1, (0, 1), "y", -1], ids=str)
@pytest.mark.parametrize("method", list(METHODS.values()), ids=list(METHODS))
def test_methods_differentiate_their_own_arguments(method, wrt):
    srcdiff.check_grads(method, X, Y, wrt=wrt)


def test_bound_method_gradient_shows_the_adjoint_it_runs():
    dloss = srcdiff.grad(Model().loss)
    assert inspect.getsource(dloss) == dloss.source
    assert dloss.source.startswith("def dloss(self, x, y):")


def test_method_calling_super_is_refused_in_static_mode():
    with pytest.raises(srcdiff.DifferentiationError, match="super\\(\\).loss"):
        srcdiff.grad(Derived().loss)
    srcdiff.check_grads(Derived().loss, X, Y, modes=("trace",))


def test_bound_method_reads_its_own_object():
    first, second = Model(), Model()
    second.weights = second.weights * 3.0
    np.testing.assert_allclose(
        srcdiff.grad(second.loss)(X, Y) - 0.25, 3.0 * (srcdiff.grad(first.loss)(X, Y) - 0.25)
    )


Params = namedtuple("Params", ["w", "b"])


def dict_loss(params):
    return np.sum(params["w"] ** 2)


def tuple_loss(params):
    return np.sum(params[0] ** 2) + np.sum(params[1])


def test_list_of_arrays_in_wrt_still_works():
    grads = srcdiff.grad(tuple_loss)([X, Y])
    np.testing.assert_allclose(grads[0], 2 * X)
    np.testing.assert_allclose(grads[1], np.ones_like(Y))


def scaled(x, w):
    return x * w


def uses_scaled(x, w):
    return np.sum(scaled(x, w))


def too_few_cotangents(g, ans, x, w):
    return (g * w,)


srcdiff.register_vjp(scaled, too_few_cotangents)


@pytest.mark.parametrize("mode", ["static", "trace"])
@pytest.mark.parametrize("wrt", [0, 1, (0, 1)], ids=str)
def test_rule_returning_too_few_cotangents_is_named(mode, wrt):
    with pytest.raises(srcdiff.DifferentiationError, match="too_few_cotangents") as info:
        srcdiff.grad(uses_scaled, wrt=wrt, mode=mode)(X, Y)
    assert "one cotangent per positional argument (2)" in str(info.value)


def down(x, n):
    if n == 0:
        return x
    return np.sin(down(x, n - 1))


def recurses(x, n):
    return down(x, n)


def test_recursion_within_the_static_stack_is_right():
    srcdiff.check_grads(lambda x: recurses(x, 150), 0.7)


def test_recursion_too_deep_for_the_static_stack_is_refused():
    depth = 900
    assert np.isfinite(recurses(0.7, depth))  # plain Python runs it
    assert np.isfinite(srcdiff.grad(recurses, mode="trace")(0.7, depth))
    with pytest.raises(srcdiff.DifferentiationError, match="recursion of down is too deep"):
        srcdiff.grad(recurses)(0.7, depth)
