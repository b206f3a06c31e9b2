"""Writing into the caller's arrays is refused at the line; writing into a copy is fine."""

import inspect

import numpy as np
import pytest

import srcdiff

X = np.array([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]])


def into_argument(x):
    x[0, 0] = 1.0
    return np.sum(x * x)


def into_an_alias(x):
    y = x
    y[0] += 1.0
    return np.sum(y * y)


def into_a_transpose(x):
    y = x.T
    y[0, 0] = 2.0
    return np.sum(y)


def into_a_row(x):
    row = x[1]
    row[0] = 0.0
    return np.sum(x * x)


def into_a_loop_row(x):
    total = 0.0
    for row in x:
        row[0] = 0.0
        total = total + np.sum(row * row)
    return total


def into_a_reshaped_view(x):
    flat = x.reshape(-1)
    flat[2] = 3.0
    return np.sum(flat * x.reshape(-1))


def alias_in_one_branch(x, flag):
    y = np.zeros(3)
    if flag:
        y = x[0]
    y[1] = 5.0
    return np.sum(y * x[1])


def alias_by_unpacking(x):
    y, n = x, 2.0
    y[0] = 0.0
    return np.sum(y * n)


def alias_by_swapping(x):
    y = np.zeros(3)
    y, z = x, y
    y[1] = 5.0
    return np.sum(y * z)


def fills_an_argument(x):
    x.fill(0.0)
    return np.sum(x)


@pytest.mark.parametrize(
    "fn",
    [
        into_argument,
        into_an_alias,
        into_a_transpose,
        into_a_row,
        into_a_loop_row,
        into_a_reshaped_view,
        alias_in_one_branch,
        alias_by_unpacking,
        alias_by_swapping,
        fills_an_argument,
    ],
)
def test_writing_into_an_argument_is_refused_at_its_line(fn):
    lines, first = inspect.getsourcelines(fn)
    offending = next(
        first + i
        for i, line in enumerate(lines)
        if "] =" in line or "] +=" in line or ".fill(" in line
    )
    with pytest.raises(srcdiff.UnsupportedSyntax) as info:
        srcdiff.grad(fn)
    message = str(info.value)
    assert message.startswith(f"{__file__}:{offending}:"), message
    assert "copy it first" in message and 'mode="trace"' in message


def into_a_copy(x):
    x = x.copy()
    x[0, 0] = 1.0
    return np.sum(x * x)


def into_a_new_array(x):
    y = np.zeros_like(x)
    y[0] = x[1] * 2.0
    return np.sum(y * x)


def into_a_fancy_copy_of_a_copy(x):
    y = x * 1.0
    y[:, 1] += x[:, 0]
    return np.sum(y**2)


@pytest.mark.parametrize("fn", [into_a_copy, into_a_new_array, into_a_fancy_copy_of_a_copy])
def test_writing_into_a_copy_is_differentiated(fn):
    before = X.copy()
    srcdiff.check_grads(fn, X)
    np.testing.assert_array_equal(X, before)  # the caller's array is untouched


def accumulates_elements(x):
    total = x[0]
    for i in range(1, 3):
        total += x[i] * x[i]
    return total


def updates_an_argument_name(x):
    x += 1.0
    return np.sum(x * x)


def test_an_element_read_from_an_argument_may_be_updated():
    """``total = x[0]`` of a vector is a number: ``total += ...`` rebinds it."""
    x = np.array([0.5, -1.5, 2.0])
    srcdiff.check_grads(accumulates_elements, x)


def test_an_argument_name_may_be_updated_when_nothing_else_shows_it():
    x = np.array([0.5, -1.5, 2.0])
    np.testing.assert_allclose(srcdiff.grad(updates_an_argument_name)(x.copy()), 2 * (x + 1.0))


def accumulates_rows(x):
    total = x[0]
    total += x[1]
    return np.sum(total * x)


def test_an_update_of_a_row_view_is_refused_when_it_runs():
    """``x[0]`` of a matrix is a view: ``total += ...`` would change ``x`` (checked at run time)."""
    df = srcdiff.grad(accumulates_rows)
    srcdiff.check_grads(accumulates_rows, np.array([0.5, -1.5, 2.0]))  # a vector: numbers
    with pytest.raises(srcdiff.DifferentiationError, match="'total' is a view of another array"):
        df(X)


SHARED = np.zeros(2)


def into_a_global(x):
    SHARED[0] = x * 2.0
    SHARED[1] = SHARED[0] * x
    return np.sum(SHARED)


def make_into_a_closure():
    buffer = np.zeros(2)

    def into_a_closure(x):
        buffer[:] = x * 3.0
        return np.sum(buffer)

    return into_a_closure


class Holder:
    def __init__(self):
        self.values = np.zeros(2)


def into_an_attribute(x, holder):
    holder.values[0] = x
    return np.sum(holder.values) * x


def fill_a_global(x):
    SHARED.fill(x)
    return np.sum(SHARED)


def into_a_local_object_s_attribute(x):
    holder = Holder()
    holder.values[0] = x * 2.0
    return np.sum(holder.values * holder.values)


@pytest.mark.parametrize(
    "fn, shown",
    [
        (into_a_global, "'SHARED'"),
        (make_into_a_closure(), "'buffer'"),
        (into_an_attribute, "'holder.values'"),
        (fill_a_global, "'SHARED'"),
    ],
)
def test_writing_into_an_array_from_outside_is_refused(fn, shown):
    # The backward pass would put the array's old items back: the caller would see them.
    with pytest.raises(
        srcdiff.UnsupportedSyntax, match="an array from outside the function"
    ) as info:
        srcdiff.grad(fn)
    message = str(info.value)
    assert shown in message and message.startswith(inspect.getsourcefile(fn))
    assert not SHARED.any()


def test_an_attribute_of_an_object_the_function_made_is_not_from_outside():
    with pytest.raises(srcdiff.UnsupportedSyntax) as info:
        srcdiff.grad(into_a_local_object_s_attribute)
    assert "nested subscript or attribute" in str(info.value)
    assert "from outside the function" not in str(info.value)
