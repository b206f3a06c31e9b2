"""The tracing mode keeps a list or tuple argument a list: each item is a leaf.

Reading a list argument as one array would make ``xs + ys`` add where Python
joins, a silently wrong value and gradient; ragged lists could not be read at
all.  Each item gets its own gradient, in the argument's own structure.
"""

import numpy as np
import pytest

import srcdiff


def joined(xs, ys):
    return sum(xs + ys) + (xs + ys)[0] * 3.0


def ragged(xs):
    return np.sum(xs[0] * 2.0) + np.sum(xs[1] ** 2)


def nested(xs):
    return xs[0][1] * xs[1][0] + sum(xs[1])


def central_difference(f, xs, path, eps=1e-6):
    def shifted(step):
        copy = [list(item) if isinstance(item, list) else item for item in xs]
        *outer, last = path
        holder = copy[outer[0]] if outer else copy
        holder[last] = holder[last] + step
        return f(copy)

    return (shifted(eps) - shifted(-eps)) / (2 * eps)


def test_joining_list_arguments_joins_them():
    dxs, dys = srcdiff.grad(joined, wrt=(0, 1), mode="trace")([1.0], [2.0])
    assert joined([1.0], [2.0]) == 6.0
    assert (dxs, dys) == ([pytest.approx(4.0)], [pytest.approx(1.0)])
    assert type(dxs) is list and type(dys) is list


def test_a_ragged_list_of_arrays_gets_one_gradient_per_item():
    xs = [np.array([1.0, -2.0]), np.array([0.5, 1.5, 3.0])]
    dxs = srcdiff.grad(ragged, mode="trace")(xs)
    np.testing.assert_allclose(dxs[0], [2.0, 2.0])
    np.testing.assert_allclose(dxs[1], 2 * xs[1])
    static = srcdiff.grad(ragged)(xs)
    for a, b in zip(dxs, static):
        np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("kind", [list, tuple])
def test_nested_lists_match_finite_differences_and_the_static_mode(kind):
    xs = kind([[1.0, 2.0], [3.0, 4.0]])
    traced = srcdiff.grad(nested, mode="trace")(xs)
    static = srcdiff.grad(nested)(xs)
    assert type(traced) is kind and type(traced[0]) is list
    for i in range(2):
        for j in range(2):
            expected = central_difference(nested, list(xs), (i, j))
            assert traced[i][j] == pytest.approx(expected, abs=1e-6)
            assert static[i][j] == pytest.approx(expected, abs=1e-6)


def test_a_namedtuple_argument_gets_a_namedtuple_gradient():
    import collections

    Pair = collections.namedtuple("Pair", "a b")
    grads = srcdiff.grad(lambda p: p.a * p.b, mode="trace")(Pair(1.0, 3.0))
    assert type(grads) is Pair
    assert grads == Pair(3.0, 1.0)


def numpy_reads_the_list(xs):
    stacked = np.stack(xs)
    joined = np.concatenate(xs)
    return np.sum(xs) + np.sum(np.exp(xs) * stacked) + np.sum(joined**2) + np.mean(xs, axis=0)[1]


def test_numpy_reads_a_list_argument_as_one_array():
    xs = [np.array([0.5, -1.0]), np.array([1.5, 2.0])]
    traced = srcdiff.grad(numpy_reads_the_list, mode="trace")(xs)
    static = srcdiff.grad(numpy_reads_the_list)(xs)
    assert type(traced) is list
    for i in range(2):
        for j in range(2):
            bumped = [x.copy() for x in xs]
            bumped[i][j] += 1e-6
            lowered = [x.copy() for x in xs]
            lowered[i][j] -= 1e-6
            expected = (numpy_reads_the_list(bumped) - numpy_reads_the_list(lowered)) / 2e-6
            assert traced[i][j] == pytest.approx(expected, rel=1e-6)
            assert static[i][j] == pytest.approx(expected, rel=1e-6)
