"""The traced function's namespace: NumPy and ``math`` facades, user code translated, nothing patched."""

import functools
import math
from math import exp as bare_exp

import numpy as np
import pytest
from numpy import zeros as bare_zeros

import srcdiff
import srcdiff.trace as st
from srcdiff.errors import DifferentiationError
from tests.numeric import check_modes, numeric_gradient
from tests.trace import user_ops

RS = np.random.RandomState(0)
counter = 0
saved_module = None
SCALE = 3.0


def global_random_state(x):
    RS.seed(0)
    return np.sum(x * RS.randn(3))


def generator_inside(x):
    rng = np.random.default_rng(0)
    return np.sum(x * rng.standard_normal(3)) + np.sum(np.sin(x) * np.random.RandomState(1).rand(3))


def test_random_state_and_default_rng_inside_a_traced_function():
    x = np.array([0.3, -1.2, 0.7])
    check_modes(global_random_state, x)
    check_modes(generator_inside, x)
    np.testing.assert_array_equal(
        srcdiff.grad(global_random_state, mode="trace")(x), np.random.RandomState(0).randn(3)
    )


def straight_through(g, ans, w):
    return (g,)


srcdiff.register_vjp(user_ops.quantize, straight_through)


def quantized_loss(w):
    return np.sum(user_ops.quantize(w) * w)


def test_a_rule_registered_for_a_user_module_function_is_used_through_the_module():
    w = np.array([0.3, 1.05])
    expected = w + np.round(w * 4.0) / 4.0  # the straight-through rule, plus quantize(w)
    np.testing.assert_allclose(srcdiff.grad(quantized_loss)(w), expected)
    np.testing.assert_allclose(srcdiff.grad(quantized_loss, mode="trace")(w), expected)


def module_helper_storing_into_zeros(x):
    user_ops.count_call()
    user_ops.last_helper = user_ops.squares_into_zeros
    return np.sum(user_ops.squares_into_zeros(x) * x)


def test_a_user_module_function_gets_the_facades_too():
    before = user_ops.calls
    x = np.array([0.5, -1.5, 2.0])
    check_modes(module_helper_storing_into_zeros, x, modes=("trace",))
    assert user_ops.calls > before  # the module's own `global` writes reach it
    assert user_ops.last_helper is user_ops.squares_into_zeros  # the user's function, not a copy


def from_imports(x):
    a = bare_zeros(2)
    a[0] = x[0] * x[1]
    a[1] = bare_exp(x[1])
    return np.sum(a) + math.exp(x[0])


def test_from_imports_and_math_record():
    check_modes(from_imports, np.array([0.4, -0.3]), modes=("trace",))


def count_and_scale(x):
    global counter, saved_module
    counter += 1
    saved_module = np
    return np.sum(x * SCALE) * counter / counter


def test_global_writes_reach_the_module():
    global counter
    counter = 0
    g = srcdiff.grad(count_and_scale, mode="trace")
    np.testing.assert_allclose(g(np.ones(2)), [3.0, 3.0])
    np.testing.assert_allclose(g(np.ones(2)), [3.0, 3.0])
    assert counter == 2 and count_and_scale.__globals__["np"] is np
    assert saved_module is np  # a facade written to a global goes back as NumPy itself


def ten_times(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return 10.0 * fn(x)

    return wrapper


@ten_times
def decorated(x):
    a = np.zeros(2)
    a[:] = x * x
    return np.sum(a)


def recursive_power(x, n):
    if n == 0:
        return np.ones(np.shape(x))
    return x * recursive_power(x, n - 1)


def apply_twice(fn, x):
    return fn(fn(x))


def helper_rows(v):
    out = np.zeros((2, len(v)))
    out[0] = v
    out[1] = v * v
    return out


def make_scaled(scale, offset=None):
    def scaled(v):
        a = np.zeros(len(v))
        a[:] = v * scale
        return a if offset is None else a + offset

    return scaled


DOUBLED = make_scaled(2.0)  # a closure holding None, translated when the traced code reads it


def closures_recursion_and_arguments(x):
    scale = 2.0

    def inner(v):
        return helper_rows(v) * scale + DOUBLED(v)

    partial_power = functools.partial(recursive_power, n=3)
    return np.sum(inner(x)) + np.sum(partial_power(x)) + np.sum(apply_twice(np.sin, x))


def test_decorators_closures_recursion_and_partials_are_translated():
    x = np.array([0.3, -0.8])
    check_modes(decorated, x, modes=("trace",))
    np.testing.assert_allclose(srcdiff.grad(decorated, mode="trace")(x), 20.0 * x)
    check_modes(closures_recursion_and_arguments, x, modes=("trace",))


def helper_from_argument(fn, x):
    return np.sum(fn(x))


def test_user_functions_passed_as_arguments_are_translated():
    g = srcdiff.grad(helper_from_argument, wrt=1, mode="trace")
    x = np.array([0.2, 0.9])
    np.testing.assert_allclose(g(helper_rows, x), 1.0 + 2.0 * x)


class Model:
    def __init__(self, k):
        self.k = k

    def loss(self, x):
        a = np.zeros(2)
        a[0] = x[0] * self.k
        return np.sum(a) + np.sum(x * x)

    def __call__(self, x):
        return self.loss(x)


def test_bound_methods_and_callable_objects():
    x = np.array([0.5, 2.0])
    model = Model(3.0)
    expected = numeric_gradient(model.loss, x)
    np.testing.assert_allclose(srcdiff.grad(model.loss, mode="trace")(x), expected, rtol=1e-6)
    # model.loss is reached through the object inside __call__: NumPy itself, so refused.
    with pytest.raises(
        DifferentiationError, match=r"Python float at .*`a\[0\] = x\[0\] \* self.k`"
    ):
        srcdiff.grad(model, mode="trace")(x)


def test_inside_the_traced_function_np_is_a_facade_and_outside_numpy_itself():
    seen = {}

    def f(x):
        seen["np"] = np
        seen["zeros"] = type(np.zeros(2))
        seen["random"] = type(np.random.rand(2))
        seen["linalg"] = np.linalg
        return np.sum(np.linalg.inv(np.eye(2) * x[0]))

    identities = (np.zeros, np.ones, np.array, np.asarray, np.empty, math.exp)
    np.testing.assert_allclose(srcdiff.grad(f, mode="trace")(np.array([2.0, 1.0])), [-0.5, 0.0])
    assert seen["np"] is not np and seen["zeros"] is st.Tensor
    assert seen["random"] is np.ndarray and seen["linalg"] is np.linalg
    assert (np.zeros, np.ones, np.array, np.asarray, np.empty, math.exp) == identities
    assert f.__globals__["np"] is np and type(np.zeros(1)) is np.ndarray


def local_imports(x):
    import math as m
    from math import exp

    import numpy
    from numpy import zeros

    from . import user_ops as ops

    a = zeros(3)
    a[0] = exp(x[0]) + m.sin(x[1])
    b = numpy.ones(3)
    b[1] = x[2] * 2.0
    return numpy.sum(a) + numpy.sum(b) + numpy.sum(ops.squares_into_zeros(x))


def test_imports_inside_the_traced_function_bind_the_facades():
    check_modes(local_imports, np.array([0.3, -0.4, 1.2]), modes=("trace",))
