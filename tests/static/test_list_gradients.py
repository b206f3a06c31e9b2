"""Gradients of Python lists and tuples add item by item, never concatenate.

Each function reads a list (an argument, or one built inside) in more than
one place, so its gradient is a sum of several list gradients.  The static
mode's gradient must equal central finite differences and the trace mode's.
"""

import numpy as np
import pytest

import srcdiff

STEP = 1e-6


def _leaves(value):
    """The numbers of a nested list/tuple of numbers and arrays, in order, as floats."""
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [float(v) for v in np.ravel(np.asarray(value, dtype=np.float64))]


def _moved(value, position, step):
    """``value`` with its leaf number ``position`` (in ``_leaves`` order) moved by ``step``."""
    if isinstance(value, (list, tuple)):
        out, count = [], position
        for item in value:
            size = len(_leaves(item))
            out.append(_moved(item, count, step) if 0 <= count < size else item)
            count -= size
        return type(value)(out)
    if isinstance(value, np.ndarray):
        moved = value.astype(np.float64)
        moved.flat[position] += step
        return moved
    return value + step


def numeric_grad(f, args, position):
    """Central differences of ``f`` at ``args`` for each number in ``args[position]``."""
    grads = []
    for k in range(len(_leaves(args[position]))):
        sides = []
        for step in (STEP, -STEP):
            shifted = list(args)
            shifted[position] = _moved(args[position], k, step)
            sides.append(float(f(*shifted)))
        grads.append((sides[0] - sides[1]) / (2 * STEP))
    return grads


def assert_list_grad_right(f, *args, wrt=0, ragged=False):
    """Static and trace gradients of each ``wrt`` argument equal finite differences.

    The trace mode makes an array of a list argument, so a ragged list (arrays of
    different shapes) is checked against finite differences only.
    """
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    static = srcdiff.grad(f, wrt=wrt)(*args)
    traced = static if ragged else srcdiff.grad(f, wrt=wrt, mode="trace")(*args)
    if not isinstance(wrt, tuple):
        static, traced = (static,), (traced,)
    for position, got, other in zip(positions, static, traced):
        expected = numeric_grad(f, args, position)
        if isinstance(args[position], (list, tuple)):
            assert type(got) is type(args[position]), type(got)
            assert len(got) == len(args[position])
        assert len(_leaves(got)) == len(expected)
        np.testing.assert_allclose(_leaves(got), expected, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(_leaves(got), _leaves(other), rtol=1e-10, atol=1e-12)


def twice_summed(xs):
    return sum(xs) + sum(xs) * 2.0


def array_and_sum(xs):
    return np.sum(np.array(xs)) + sum(xs)


def nested_item(xs):
    a = xs[1]
    return a[0] * 2.0


def nested_item_and_array(xs):
    a = xs[1]
    return a[0] * 2.0 + np.sum(np.array(xs) ** 2) + sum(xs[0])


def arrays_in_a_list(xs):
    return np.sum(xs[0] * 2.0) + np.sum(xs[1] ** 2) + np.sum(np.concatenate(xs))


def stacked_and_summed(xs):
    return np.sum(np.stack(xs) ** 2) + np.sum(sum(xs)) + np.sum(xs[1])


def indexed_in_a_loop(xs):
    total = 0.0
    for i in range(len(xs)):
        total = total + xs[i] * xs[i]
    return total + sum(xs)


def iterated(xs):
    total = 0.0
    for x in xs:
        total = total + x * 3.0
    return total + sum(xs) + xs[0]


def zipped(xs, ys):
    total = 0.0
    for x, y in zip(xs, ys):
        total = total + x * y
    return total + sum(xs) * sum(ys)


def enumerated(xs):
    total = 0.0
    for i, x in enumerate(xs):
        total = total + i * x * x
    return total + sum(xs) / len(xs)


def appended_and_read_twice(xs):
    ys = []
    for x in xs:
        ys.append(x * x)
    return sum(ys) + sum(ys) * 2.0 + ys[0]


def appended_and_made_an_array(xs):
    ys = []
    for x in xs:
        ys.append(np.sin(x))
    return np.sum(np.array(ys)) + sum(ys) + ys[1] * ys[0]


def item_read_twice(xs):
    return xs[0] * xs[1] + xs[0] + np.sin(xs[0])


def literal_inside(x):
    ys = [x, x * 2.0]
    return sum(ys) + ys[0] * ys[1] + np.sum(np.array(ys))


def list_sum(xs):
    return sum(xs)


def helper_twice(xs):
    return list_sum(xs) + list_sum(xs) * 3.0


def numpy_sum_of_a_list(xs):
    return np.sum(xs) + sum(xs)


def ragged_items(xs):
    total = 0.0
    for x in xs:
        total = total + np.sum(x * x)
    return total + np.sum(xs[0] @ xs[1]) + np.sum(sum(xs))


def sliced(xs):
    ys = xs[1:]
    return sum(ys) + sum(xs[:2]) * 2.0 + ys[0]


def slice_assigned(xs):
    ys = [0.0, 0.0, 0.0]
    ys[0:2] = xs
    return sum(ys) * ys[0] + ys[2]


def nested_loops(xs):
    total = 0.0
    for row in xs:
        for x in row:
            total = total + x * x
    return total + sum(xs[0]) + xs[1][0]


def item_assigned(xs):
    ys = [0.0, 0.0]
    ys[0] = xs[0] * 2.0
    ys[1] = xs[1] + xs[0]
    return sum(ys) + ys[0] * ys[1]


def unpacked(xs):
    a, b = xs
    return a * b + sum(xs)


def inner(v):
    return sum(v) * sum(v)


def helper_on_rows(xs):
    return inner(xs[0]) + inner(xs[1]) + inner(xs[0])


def chosen(xs, flag=True):
    if flag:
        ys = xs
    else:
        ys = [1.0, 2.0]
    return sum(ys) + sum(xs) + ys[1]


def branch_in_a_loop(xs):
    total = 0.0
    for x in xs:
        if x > 1.5:
            total = total + sum(xs)
        else:
            total = total + x
    return total


def numpy_functions_of_a_list(xs):
    return np.mean(xs) + np.sum(np.square(xs)) + sum(xs)


def list_of_lists_appended(xs):
    out = []
    out.append(xs)
    out.append(xs)
    return sum(out[0]) + sum(out[1]) * out[1][0]


def stacked_both_ways(xs):
    grid = np.array(xs) * np.array([[1.0, 2.0], [3.0, 4.0]])
    return np.sum(grid) + np.sum(xs[0]) + np.sum(np.vstack(xs) ** 2) + np.sum(np.hstack(xs))


def assigned_in_a_loop(xs):
    ys = [0.0, 0.0, 0.0]
    for i in range(3):
        ys[i] = xs[i % 2] * 2.0 + ys[i - 1] * xs[0]
    return sum(ys) + ys[2] * ys[0]


CASES = {
    "sum twice": (twice_summed, [1.0, 2.0]),
    "array and sum": (array_and_sum, [1.0, 2.0]),
    "nested item": (nested_item, [[1.0, 2.0], [3.0, 4.0]]),
    "nested item and array": (nested_item_and_array, [[1.0, 2.0], [3.0, 4.0]]),
    "arrays in a list": (arrays_in_a_list, [np.linspace(0.5, 1.0, 3), np.linspace(1.0, 2.0, 3)]),
    "stacked": (stacked_and_summed, [np.linspace(0.5, 1.0, 3), np.linspace(1.0, 2.0, 3)]),
    "tuple": (twice_summed, (1.0, 2.0, 3.0)),
    "tuple of arrays": (arrays_in_a_list, (np.ones(3), np.linspace(1.0, 2.0, 3))),
    "indexed in a loop": (indexed_in_a_loop, [1.0, 2.0, 3.0]),
    "iterated": (iterated, [1.0, 2.0, 3.0]),
    "enumerated": (enumerated, [1.0, 2.0, 3.0]),
    "appended, read twice": (appended_and_read_twice, [1.0, 2.0, 3.0]),
    "appended, made an array": (appended_and_made_an_array, [0.5, 1.5]),
    "item read twice": (item_read_twice, [1.0, 2.0]),
    "list literal inside": (literal_inside, 1.5),
    "helper called twice": (helper_twice, [1.0, 2.0]),
    "np.sum of a list": (numpy_sum_of_a_list, [1.0, 2.0, 4.0]),
    "sliced": (sliced, [1.0, 2.0, 3.0]),
    "slice assigned": (slice_assigned, [1.0, 2.0]),
    "assigned in a loop": (assigned_in_a_loop, [1.0, 2.0]),
    "nested loops": (nested_loops, [[1.0, 2.0], [3.0, 4.0]]),
    "item assigned": (item_assigned, [1.0, 2.0]),
    "unpacked": (unpacked, [1.0, 2.0]),
    "helper on rows": (helper_on_rows, [[1.0, 2.0], [3.0, 4.0]]),
    "chosen in a branch": (chosen, [1.0, 2.0]),
    "branch in a loop": (branch_in_a_loop, [1.0, 2.0]),
    "numpy functions of a list": (numpy_functions_of_a_list, [1.0, 2.0]),
    "list of lists appended": (list_of_lists_appended, [1.0, 2.0]),
    "stacked both ways": (stacked_both_ways, [np.linspace(0.5, 1.0, 2), np.ones(2)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_list_gradient_is_summed_item_by_item(case):
    f, xs = CASES[case]
    assert_list_grad_right(f, xs)


def ragged_item_assigned(xs):
    ys = [0.0, 0.0]
    ys[0] = xs
    return np.sum(ys[0][0]) + np.sum(ys[0][1] ** 2) + np.sum(xs[1])


def ragged_item_replaced(xs):
    ys = [[np.ones(2), np.ones(3)], 0.0]
    ys[0] = xs
    return np.sum(ys[0][0]) + np.sum(ys[0][1] ** 2) + np.sum(xs[1])


RAGGED = {
    "replaced in a list": (ragged_item_replaced, [np.ones(2), np.linspace(1.0, 2.0, 3)]),
    "assigned into a list": (ragged_item_assigned, [np.ones(2), np.linspace(1.0, 2.0, 3)]),
    "arrays in a list": (arrays_in_a_list, [np.linspace(0.5, 1.0, 2), np.linspace(1.0, 2.0, 3)]),
    "tuple of arrays": (arrays_in_a_list, (np.ones(2), np.linspace(1.0, 2.0, 3))),
    "matrix and vector": (ragged_items, [np.ones((2, 3)), np.linspace(1.0, 2.0, 3)]),
}


@pytest.mark.parametrize("case", sorted(RAGGED))
def test_ragged_list_gradient_is_summed_item_by_item(case):
    f, xs = RAGGED[case]
    assert_list_grad_right(f, xs, ragged=True)


def test_zip_of_two_lists():
    assert_list_grad_right(zipped, [1.0, 2.0], [3.0, 5.0], wrt=(0, 1))


def product_of_two(xs):
    return xs[0] * xs[1]


srcdiff.register_vjp(product_of_two, lambda g, ans, xs: ([g * xs[1], g * xs[0]],))


def registered_twice(xs):
    return product_of_two(xs) + product_of_two(xs) * 2.0 + sum(xs)


def test_a_registered_rule_may_return_a_plain_list():
    assert_list_grad_right(registered_twice, [2.0, 3.0])


def called_twice(h, xs):
    return h(xs) + h(xs) * 2.0


@pytest.mark.parametrize("h", [sum, product_of_two, lambda v: v[0] * v[1] + v[1]])
def test_a_function_passed_in_and_called_twice(h):
    assert_list_grad_right(called_twice, h, [2.0, 3.0], wrt=1)


def test_a_list_that_gets_no_gradient_has_a_zero_list():
    got = srcdiff.grad(ignores_the_list, wrt=0)([1.0, 2.0], 3.0)
    assert type(got) is list and got == [0.0, 0.0]


def ignores_the_list(xs, y):
    return y * 2.0


def vector_output(xs):
    return [xs[0] * 2.0, xs[1] * xs[0]]


def test_vjp_of_a_list_output_takes_a_list_seed():
    xs = [1.0, 2.0]
    got = srcdiff.vjp(vector_output)(xs, seed=[1.0, 1.0])
    assert type(got) is list
    np.testing.assert_allclose(got, [2.0 + xs[1], xs[0]])
