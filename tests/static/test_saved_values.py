"""What loops keep for their backward pass: shapes for values read only for their
shape, nothing for cheap indexed reads computed again, and stacks where computing
again would read changed values.

Each subject is checked against central finite differences and the tracing mode;
its generated code shows which way its values were kept.
"""

import numpy as np
import pytest

import srcdiff
from srcdiff.static.runtime import shaped_like
from tests.static.test_store_and_loop_regressions import (
    both_modes_agree_with_finite_differences as agrees,
)

RNG = np.random.default_rng(7)
W = RNG.standard_normal(4)
XS = RNG.standard_normal((3, 4))


def source_of(f, wrt=(0, 1)):
    return srcdiff.grad(f, wrt=wrt).source


# ---- computed again


def reads_rows(w, xs):
    h = np.ones(4)
    for t in range(len(xs)):
        x_t = xs[t]
        h = np.tanh(w * h * x_t)
    return np.sum(h)


def reads_transposed_columns(w, xs):
    h = np.ones(4)
    for t in range(3):
        x_t = xs.T[:, t]
        h = np.tanh(w * h * x_t)
    return np.sum(h)


def reads_rows_backwards(w, xs):
    h = np.ones(4)
    for t in range(3):
        k = 2 - t
        x_t = xs[k, ...]
        h = np.tanh(w * h * x_t + np.sum(x_t))
    return np.sum(h)


def rebinds_the_index_first(w, xs):
    h = np.ones(4)
    for t in range(3):
        t = 2 - t
        x_t = xs[t]
        h = np.tanh(w * h * x_t)
    return np.sum(h)


def reads_rows_of_a_list(w, xs):
    rows = [xs[0] * 2.0, xs[1] * 3.0]
    h = np.ones(4)
    for t in range(2):
        r = rows[t]
        h = np.sin(w * h * r)
    return np.sum(h)


@pytest.mark.parametrize(
    "f, var",
    [
        (reads_rows, "x_t"),
        (reads_transposed_columns, "x_t"),
        (reads_rows_backwards, "x_t"),
        (rebinds_the_index_first, "x_t"),
        (reads_rows_of_a_list, "r"),
    ],
)
def test_cheap_reads_are_computed_again_not_stacked(f, var):
    source = source_of(f)
    assert f"{var}_stack" not in source
    backward = source[source.rindex("    for ") :]
    assert f"        {var} = " in backward  # at the top of the backward loop
    agrees(f, (W, XS), wrt=(0, 1))
    agrees(f, (W, XS), wrt=(0,))


def test_the_backward_loop_walks_the_index_it_reads_again():
    backward = source_of(reads_rows)
    assert "for t in reversed(range(len(xs))):" in backward


# ---- kept on a stack: computing again would read something else


def rebinds_the_table(w, xs):
    h = np.ones(4)
    for t in range(3):
        x_t = xs[t]
        h = np.tanh(w * h * x_t)
        xs = xs * 0.5
    return np.sum(h)


def moves_the_index(w, xs):
    h = np.ones(4)
    i = 0
    while i < 3:
        x_t = xs[i]
        i = i + 1
        h = np.tanh(w * h * x_t)
    return np.sum(h)


def rebinds_the_loop_index(w, xs):
    h = np.ones(4)
    for t in range(2):
        x_t = xs[t]
        t = t + 1
        h = np.tanh(w * h * x_t * t)
    return np.sum(h)


def rebinds_the_row(w, xs):
    h = np.ones(4)
    for t in range(3):
        x_t = xs[t]
        x_t = x_t * 2.0
        h = np.tanh(w * h * x_t)
    return np.sum(h)


def changes_the_list(w, xs):
    rows = [xs[0] * 2.0]
    h = np.ones(4)
    for t in range(3):
        r = rows[t]
        rows.append(np.sin(r))
        h = np.tanh(w * h + r)
    return np.sum(h * h)


def rebinds_the_table_first(w, xs):
    h = np.ones(4)
    for t in range(3):
        xs = xs * 0.5
        x_t = xs[t]
        h = np.tanh(w * h * x_t)
    return np.sum(h)


def reads_by_a_fancy_index(w, xs):
    h = np.ones(4)
    for t in range(2):
        x_t = xs[[t, t + 1]]
        h = np.tanh(w * h * np.sum(x_t, axis=0))
    return np.sum(h)


@pytest.mark.parametrize(
    "f, var",
    [
        (rebinds_the_table, "x_t"),
        (rebinds_the_table_first, "x_t"),
        (moves_the_index, "x_t"),
        (rebinds_the_loop_index, "x_t"),
        (rebinds_the_row, "x_t"),
        (changes_the_list, "r"),
        (reads_by_a_fancy_index, "x_t"),
    ],
)
def test_reads_whose_inputs_change_are_stacked(f, var):
    assert f"{var}_stack.append(" in source_of(f)
    agrees(f, (W, XS), wrt=(0, 1))


# ---- shapes


def broadcasts_in_a_loop(w, v):
    total = 0.0
    for t in range(1, 4):
        a = np.sin(w[:t]).reshape(t, 1)
        b = np.cos(v)[None, :] * t
        c = 2.0 * a + b
        total = total + np.sum(c * c)
    return total


def matmul_rnn(W, U, h0, xs):
    h = h0
    for t in range(len(xs)):
        h = np.tanh(W @ h + U @ xs[t])
    return 0.5 * np.sum(h * h)


def test_values_read_only_for_their_shape_save_their_shape():
    source = source_of(broadcasts_in_a_loop)
    assert "_stack.append(shaped_like(" in source
    agrees(broadcasts_in_a_loop, (RNG.standard_normal(3), RNG.standard_normal(2)), wrt=(0, 1))


def test_an_rnn_stacks_only_its_states():
    args = (
        RNG.standard_normal((5, 5)) * 0.5,
        RNG.standard_normal((5, 3)),
        RNG.standard_normal((5, 2)),
        RNG.standard_normal((4, 3, 2)),
    )
    source = source_of(matmul_rnn)
    stacked = [line.strip() for line in source.splitlines() if ".append(" in line]
    assert stacked == [
        "h_2_stack.append(shaped_like(h_2))",
        "h_3_stack.append(shaped_like(h_3))",
        "h_stack.append(h)",
    ]
    agrees(matmul_rnn, args, wrt=(0, 1, 2, 3))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.complex128, np.bool_])
def test_shaped_like_keeps_shape_and_dtype_without_data(dtype):
    x = np.ones((30, 40), dtype=dtype)
    kept = shaped_like(x)
    assert kept.shape == x.shape and kept.dtype == x.dtype
    assert kept.strides == (0, 0)
    assert not kept.flags.writeable
    assert not kept.any()


@pytest.mark.parametrize(
    "value",
    [
        2.5,
        np.float64(2.0),
        np.array(3.0),
        np.ones((3, 4)),  # small: kept whole
        np.empty((30, 40), dtype=object),
        np.zeros(200, dtype=[("a", np.float64, (10,))]),  # items larger than a number
        [np.ones(2)],
        np.ma.ones(300),
        None,
    ],
)
def test_shaped_like_keeps_what_is_not_a_large_numpy_array_of_numbers_as_it_is(value):
    assert shaped_like(value) is value
