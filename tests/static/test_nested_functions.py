"""Nested functions and named lambdas, inlined where called (static/inline.py).

Every function is checked in both modes against central finite differences,
for each argument (the trace mode runs the nested functions natively).
"""

import numpy as np
import pytest

import srcdiff
from tests.numeric import assert_every_grad_right

RNG = np.random.default_rng(7)
W = RNG.normal(size=(3, 3)) * 0.5
X = np.array([0.5, -1.25, 2.0])
XS = RNG.normal(size=(4, 3))


def closure_over_a_parameter(W, x):
    def layer(h):
        return np.tanh(W @ h)

    return np.sum(layer(layer(x)))


def called_in_a_loop(W, x):
    def step(h, scale=0.5):
        a = W @ h
        return np.tanh(a) * scale + h

    h = x
    for _ in range(3):
        h = step(h)
    return np.sum(h * h)


def defined_inside_a_loop(W, x):
    total = 0.0
    for k in range(3):

        def term(v):
            return np.sum(np.sin(W[k] * v)) * k  # noqa: B023 (called in the same trip)

        total = total + term(x)
    return total


def closure_reads_the_latest_value(x, c):
    scale = c

    def scaled(v):
        return v * scale

    first = scaled(x)
    scale = c * c  # Python's closures read the value at the call
    return np.sum(first + scaled(x))


def default_evaluated_at_definition(x, c):
    scale = c

    def scaled(v, factor=scale * 2.0):
        return v * factor

    scale = 100.0
    return np.sum(scaled(x) + scale)


def called_by_keyword(x, c):
    def affine(v, *, slope, shift=1.0):
        return slope * v + shift

    return np.sum(affine(x, slope=c) ** 2 + affine(shift=c, v=x, slope=2.0))


def early_returns(x):
    def leaky(v):
        if v > 0:
            return v * v
        elif v > -1.0:
            return 0.5 * v
        return 0.1 * v

    return leaky(x[0]) + leaky(x[1]) + leaky(x[2])


def helper_calls_helper(W, x):
    def act(v):
        return np.tanh(v)

    def layer(h):
        return act(W @ h) + h

    return np.sum(layer(layer(x)))


def nested_inside_nested(x):
    def outer(v):
        def inner(u):
            return u * u * v

        return inner(v) + inner(2.0)

    return np.sum(outer(x))


def named_lambdas(x, c):
    square = lambda v: v * v * c  # noqa: E731
    shift = lambda v, d=1.0: v + d  # noqa: E731
    return np.sum(square(shift(x)) + square(x))


def clashing_local_names(x):
    h = x * 3.0

    def f(x):
        h = x * 2.0
        return h + 1.0

    return np.sum(f(h) * h + f(x))


def loop_inside_the_helper(W, x):
    def power_iteration(v, steps):
        for _ in range(steps):
            v = W @ v
            v = v / np.sqrt(np.sum(v * v))
        return v

    return np.sum(power_iteration(x, 3) * x)


def helper_in_conditions(x):
    def energy(v):
        return np.sum(v * v)

    if energy(x) > 1.0:
        y = energy(x) * 2.0
    else:
        y = energy(x * 0.5)
    return y + (energy(x) if x[0] > 0 else -energy(x))


def rnn_with_nested_helpers(W, xs):
    def cell(h, x):
        return np.tanh(W @ h + x)

    def readout(h):
        return np.sum(h * h)

    h = np.zeros(3)
    loss = 0.0
    for t in range(xs.shape[0]):
        h = cell(h, xs[t])
        if t % 2 == 1:
            loss = loss + readout(h)
    return loss


CASES = [
    (closure_over_a_parameter, (W, X)),
    (called_in_a_loop, (W, X)),
    (defined_inside_a_loop, (W, X)),
    (closure_reads_the_latest_value, (X, 1.5)),
    (default_evaluated_at_definition, (X, 1.5)),
    (called_by_keyword, (X, 1.5)),
    (early_returns, (np.array([0.5, -0.5, -2.0]),)),
    (helper_calls_helper, (W, X)),
    (nested_inside_nested, (X,)),
    (named_lambdas, (X, 1.5)),
    (clashing_local_names, (X,)),
    (loop_inside_the_helper, (W, X)),
    (helper_in_conditions, (X,)),
    (helper_in_conditions, (X * 0.1,)),
    (rnn_with_nested_helpers, (W, XS)),
]


def writes_into_an_array_of_the_caller(x):
    buf = np.zeros(3)

    def put(i, v):
        buf[i] = v * v

    for i in range(3):
        put(i, x[i])
    return np.sum(buf * x)


def lambda_default_binds_the_loop_value(x):
    total = 0.0
    for k in range(3):
        scaled = lambda v, k=k: v * k  # noqa: E731
        total = total + np.sum(scaled(x))
    return total


def default_named_like_the_parameter(x, k):
    def scaled(v, k=k):
        return v * k

    k = k * 10.0  # the default keeps the value it had at the definition
    return np.sum(scaled(x) + scaled(x, k))


def helper_with_a_comprehension_stored_into_rows(x):
    def rows(v):
        """Three scaled copies."""
        ys = [v * i for i in range(3)]
        return np.stack(ys)

    a = np.zeros((2, 3, 3))
    a[0] = rows(x)
    a[1] = rows(x * 2)
    return np.sum(a**2)


def module_helper(x, W):
    def act(v):
        return np.tanh(v)

    return act(W @ x)


def calls_a_module_helper_with_a_nested_function(x, W):
    return np.sum(module_helper(x, W) ** 2)


def helper_returning_none(x):
    def nothing(v):
        v = v * 2

    result = nothing(x)
    return np.sum(x**2) if result is None else 0.0


CASES += [
    (writes_into_an_array_of_the_caller, (X,)),
    (lambda_default_binds_the_loop_value, (X,)),
    (default_named_like_the_parameter, (X, 1.5)),
    (helper_with_a_comprehension_stored_into_rows, (X,)),
    (calls_a_module_helper_with_a_nested_function, (X, W)),
    (helper_returning_none, (X,)),
]


@pytest.mark.parametrize(
    "fn, args", CASES, ids=[f"{f.__name__}-{i}" for i, (f, _) in enumerate(CASES)]
)
def test_nested_function_gradient_is_right_in_both_modes(fn, args):
    assert_every_grad_right(fn, args)


def test_closure_reads_the_value_at_the_call():
    np.testing.assert_allclose(
        srcdiff.grad(closure_reads_the_latest_value, wrt=1)(X, 1.5), np.sum(X) * (1.0 + 2 * 1.5)
    )


def test_inlined_helper_keeps_the_callers_names_apart():
    source = srcdiff.grad(clashing_local_names).source
    assert "# grad of line" in source
    np.testing.assert_allclose(clashing_local_names(X), np.sum((X * 6 + 1) * X * 3 + X * 2 + 1))
