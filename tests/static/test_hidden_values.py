"""Values computed out of the compiler's sight never drop a gradient silently.

``.item()`` is differentiated (the gradient flows back to the element it
read); ``.tolist()`` of a value that carries a gradient is refused, since its
Python lists carry none; ``eval``, ``exec``, ``globals()``, ``locals()`` and
``vars()`` are refused at their line.
"""

import inspect
import re

import numpy as np
import pytest

import srcdiff
from tests.numeric import assert_grad_right, numeric_grad

X = np.array([0.5, -1.5, 2.0])
M = np.array([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]])


def item_of_a_sum(x):
    return np.sum(x**2).item()


def item_of_one_element(x):
    return x.item(1) * 3.0 + x.item((0, 2)) * x.item(0, 0)


def item_in_a_loop(x):
    total = 0.0
    for i in range(x.shape[0]):
        total = total + np.sin(x[i]).item() * (i + 1.0)
    return total


def test_item_of_a_sum_is_differentiated():
    np.testing.assert_allclose(srcdiff.grad(item_of_a_sum)(X), 2 * X)
    assert_grad_right(item_of_a_sum, (X,), modes=("static",))


@pytest.mark.parametrize("fn, x", [(item_of_one_element, M), (item_in_a_loop, X)])
def test_item_of_elements_is_differentiated(fn, x):
    np.testing.assert_allclose(srcdiff.grad(fn)(x), numeric_grad(fn, (x,)), rtol=1e-6, atol=1e-8)


def list_of_values(x):
    y = x.tolist()
    return y[0] * y[1]


def sum_of_a_list(x):
    return sum((x * 2.0).tolist())


def loop_over_a_list(x):
    total = 0.0
    for v in x.tolist():
        total = total + v * v
    return total


@pytest.mark.parametrize("fn", [list_of_values, sum_of_a_list, loop_over_a_list])
def test_tolist_of_a_value_with_a_gradient_is_refused_at_its_line(fn):
    lines, first = inspect.getsourcelines(fn)
    line = first + next(i for i, text in enumerate(lines) if ".tolist()" in text)
    with pytest.raises(srcdiff.DifferentiationError) as info:
        srcdiff.grad(fn)
    message = str(info.value)
    assert message.startswith(f"{__file__}:{line}: '.tolist()' of "), message
    assert "keep the array" in message


def tolist_of_a_constant(x, labels):
    names = labels.tolist()
    return x[0] * len(names)


def test_tolist_of_a_value_without_a_gradient_is_fine():
    assert_grad_right(tolist_of_a_constant, (X, np.arange(4)), modes=("static",))


def evaluates(x):
    return np.sum(eval("x * 2.0"))


def executes(x):
    exec("y = x * 2.0")
    return np.sum(x)


def reads_locals(x):
    y = x * 2.0
    return np.sum(locals()["y"])


def reads_vars(x):
    y = x * 2.0  # noqa: F841 (read by name below)
    return np.sum(vars()["y"])


def reads_globals(x):
    return np.sum(x * globals()["SCALE"])


SCALE = 2.0


@pytest.mark.parametrize(
    "fn, construct",
    [
        (evaluates, "eval()"),
        (executes, "exec()"),
        (reads_locals, "locals()"),
        (reads_vars, "vars()"),
        (reads_globals, "globals()"),
    ],
)
def test_code_out_of_sight_is_refused_at_its_line(fn, construct):
    lines, first = inspect.getsourcelines(fn)
    call = re.compile(r"(?<![\w.])" + re.escape(construct[:-1]))
    line = first + next(i for i, text in enumerate(lines) if call.search(text))
    with pytest.raises(srcdiff.UnsupportedSyntax) as info:
        srcdiff.grad(fn)
    message = str(info.value)
    assert message.startswith(f"{__file__}:{line}: {construct} is not supported"), message
    assert 'mode="trace"' in message


def test_eval_is_differentiated_by_the_trace_mode():
    np.testing.assert_allclose(
        srcdiff.grad(evaluates, mode="trace")(X), numeric_grad(evaluates, (X,))
    )


class Config:
    def __init__(self):
        self.scale = 3.0


def reads_an_object(x, config):
    return np.sum(x * vars(config)["scale"])


def test_vars_of_an_object_is_fine():
    assert_grad_right(reads_an_object, (X, Config()))
