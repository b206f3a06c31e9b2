"""The value that carries a list's gradient, and list operations that are refused.

``GradientList`` adds item by item (``rules/gradient_list.py``).  Joining or
repeating Python lists (``xs + ys``, ``xs * n``, ``sum(lists, [])``) is not
differentiated: its gradient would have to be cut back into the pieces, so it
is refused with a ``DifferentiationError`` rather than given a wrong number.
"""

import numpy as np
import pytest

import srcdiff
from srcdiff.rules.gradient_list import GradientList


def test_the_sum_of_two_list_gradients_is_item_by_item():
    total = GradientList([1.0, np.ones(2)]) + [2.0, np.ones(2)]
    assert type(total) is GradientList and len(total) == 2
    assert total[0] == 3.0 and np.array_equal(total[1], [2.0, 2.0])
    assert [1.0, 2.0] + GradientList([1.0, 1.0]) == [2.0, 3.0]
    assert 1.0 + GradientList([1.0, 2.0]) == [2.0, 3.0]
    assert np.float64(1.0) + GradientList([1.0, 2.0]) == [2.0, 3.0]
    assert np.array([1.0, 2.0]) + GradientList([1.0, 1.0]) == [2.0, 3.0]


def test_a_list_gradient_is_updated_item_by_item_and_never_in_place():
    items = GradientList([1.0, 2.0, 3.0])
    shared = items
    items += [1.0, 1.0, 1.0]
    assert items == [2.0, 3.0, 4.0] and shared == [1.0, 2.0, 3.0]
    assert items - [1.0, 1.0, 1.0] == [1.0, 2.0, 3.0] and 1.0 - items == [-1.0, -2.0, -3.0]
    assert type(items[1:]) is GradientList and items[1:] + [1.0, 1.0] == [4.0, 5.0]
    items[0:2] = 0.0
    assert items == [0.0, 0.0, 4.0]


def test_multiplying_a_list_gradient_means_a_repeated_list_and_is_refused():
    with pytest.raises(srcdiff.DifferentiationError, match="joins or repeats Python lists"):
        GradientList([1.0, 2.0]) * 2


def test_numpy_copies_a_list_gradient_and_reads_others_as_lists():
    items = GradientList([np.ones(2), GradientList([np.ones(3), 1.0])])
    copied = np.copy(items)
    assert type(copied) is GradientList and type(copied[1]) is GradientList
    assert copied[0] is not items[0] and np.array_equal(copied[0], items[0])
    assert copied[1][1] == 1.0
    assert np.array_equal(np.concatenate(GradientList([np.ones(2), np.zeros(1)])), [1, 1, 0])


def test_list_gradients_of_different_lengths_are_refused():
    with pytest.raises(srcdiff.DifferentiationError, match="does not fit that list"):
        GradientList([1.0, 2.0]) + [1.0, 2.0, 3.0]


def joined(xs, ys):
    zs = xs + ys
    return sum(zs) + zs[0] * 3.0


def joined_with_itself(xs):
    zs = xs + xs
    return sum(zs)


def repeated(xs):
    zs = xs * 2
    return sum(zs) + zs[0]


def summed_lists(xs):
    return sum(sum(xs, []))


@pytest.mark.parametrize(
    "f, args, wrt",
    [
        (joined, ([1.0, 2.0], [3.0]), 0),
        (joined, ([1.0, 2.0], [3.0]), 1),
        (joined_with_itself, ([1.0, 2.0],), 0),
        (repeated, ([1.0, 2.0],), 0),
        (summed_lists, ([[1.0, 2.0], [3.0]],), 0),
    ],
)
def test_joining_python_lists_is_refused(f, args, wrt):
    with pytest.raises(srcdiff.DifferentiationError, match="joins or repeats Python lists"):
        srcdiff.grad(f, wrt=wrt)(*args)
