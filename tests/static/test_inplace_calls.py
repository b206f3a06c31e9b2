"""Calls that write into an array in place: followed, or refused by name, never wrong.

``a.fill(v)``, ``np.copyto(a, v)`` and ``np.f(..., out=a)`` change ``a``
without assigning it.  A backward pass that read ``a`` afterwards would see
the new values where it needs the old ones.  The static mode reads them as
``a[...] = ...`` (``static/inplace.py``); the tracing mode writes into a copy
of the Tensor's array (``trace/numpy_writes.py``).  Each case is checked
against central finite differences in both modes.
"""

import numpy as np
import pytest

import srcdiff
from tests.numeric import numeric_grad


def fill_after_use(w):
    table = np.arange(3.0)[::-1].copy()
    y = np.sum(table * w)
    table.fill(2.0)
    return y + np.sum(table * w)


def copyto_after_use(w):
    table = np.ones(3) * 0.5
    y = np.sum(np.sin(table * w))
    np.copyto(table, np.linspace(0.0, 1.0, 3))
    return y + np.sum(table * w)


def out_after_use(w):
    table = np.arange(1.0, 4.0)
    y = np.sum(table * w)
    np.multiply(table, 2.0, out=table)
    return y + np.sum(table * table * w)


def out_assigned(w):
    table = np.arange(1.0, 4.0)
    y = np.sum(table * w)
    doubled = np.add(table, table, out=table)
    return y * np.sum(doubled)


def update_after_use(w):
    table = np.arange(3.0)
    y = np.sum(table * w)
    table += 1.0
    table[...] = table * 2.0
    return y + np.sum(table * w)


def fill_an_active_array(w):
    out = np.zeros(3)
    out.fill(1.0)
    out[1] = np.sum(w * w)
    return np.sum(out * w)


CASES = [fill_after_use, copyto_after_use, out_after_use, out_assigned, update_after_use]
CASES += [fill_an_active_array]
W = np.array([0.3, -0.7, 1.1])


@pytest.mark.parametrize("mode", ["static", "trace"])
@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_an_in_place_call_after_a_use_gives_the_right_gradient(f, mode):
    got = srcdiff.grad(f, mode=mode)(W.copy())
    np.testing.assert_allclose(got, numeric_grad(f, (W.copy(),), 0), rtol=1e-6, atol=1e-8)


def test_the_static_mode_reads_them_as_item_assignments():
    source = srcdiff.grad(fill_after_use).source
    assert "table[...] = 2.0" in source
    code = [line for line in source.splitlines() if not line.strip().startswith("#")]
    assert not any(".fill(" in line for line in code)
    assert "table[...] = table_old" in source  # the backward pass restores the old values


def scatter_in_place(w):
    table = np.zeros(3)
    np.add.at(table, [0, 0, 2], 1.0)
    return np.sum(table * w)


def put_in_place(w):
    table = np.zeros(3)
    np.put(table, [0], 5.0)
    return np.sum(table * w)


def shuffle_in_place(w):
    table = np.arange(3.0)
    np.random.shuffle(table)
    return np.sum(table * w)


def put_method(w):
    table = np.zeros(3)
    table.put([1], 2.0)
    return np.sum(table * w)


def out_into_an_item(w):
    table = np.zeros((2, 3))
    np.multiply(w, 2.0, out=table[0])
    return np.sum(table)


def out_inside_an_expression(w):
    table = np.zeros(3)
    return np.sum(np.multiply(w, 2.0, out=table) * w)


@pytest.mark.parametrize(
    "f, what",
    [
        (scatter_in_place, "'.at()'"),
        (put_in_place, "np.put()"),
        (shuffle_in_place, "np.random.shuffle()"),
        (put_method, "'.put()'"),
        (out_into_an_item, "with out= other than one array name"),
        (out_inside_an_expression, "inside an expression"),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_other_in_place_writes_are_refused_by_name_in_the_static_mode(f, what):
    with pytest.raises(srcdiff.UnsupportedSyntax, match="writes into an array in place") as info:
        srcdiff.grad(f)(W.copy())
    assert what in str(info.value)
    assert "a[...] = value" in str(info.value)


@pytest.mark.parametrize("f", [scatter_in_place, put_in_place], ids=lambda f: f.__name__)
def test_the_tracing_mode_follows_np_put_and_ufunc_at(f):
    got = srcdiff.grad(f, mode="trace")(W.copy())
    np.testing.assert_allclose(got, numeric_grad(f, (W.copy(),), 0), rtol=1e-6, atol=1e-8)


def copyto_into_a_row_source(w):
    table = np.ones((3, 2))
    total = 0.0
    for t in range(3):
        x_t = table[t]
        total = total + np.sum(np.sin(x_t * w))
        np.copyto(table, table * 2.0)
    return total


def test_a_write_into_an_array_a_saved_row_shows_is_refused_or_right():
    w = np.float64(0.7)
    with pytest.raises(srcdiff.UnsupportedSyntax, match="shares its array with 'x_t'"):
        srcdiff.grad(copyto_into_a_row_source)(w)
    got = srcdiff.grad(copyto_into_a_row_source, mode="trace")(w)
    expected = numeric_grad(copyto_into_a_row_source, (w,), 0)
    assert got == pytest.approx(expected, rel=1e-6)


# -- arrays that are no Tensor's, written in place after an operation read them ------

NOISE = np.random.default_rng(0).standard_normal(3)


def global_copy_scaled(w):
    noise = NOISE.copy()  # a NumPy array, not one the tracing mode made
    y = np.sum(noise * w)
    noise *= 2.0
    return y + np.sum(noise * w)


def random_draw_scaled(w):
    noise = np.random.default_rng(1).standard_normal(3)
    y = np.sum(np.stack([noise, w]) ** 2)
    noise[0] = 5.0
    return y + np.sum(noise * w)


def data_argument_updated(w, data):
    y = np.sum(data * w)
    data += 1.0
    return y + np.sum(data * w)


@pytest.mark.parametrize("mode", ["static", "trace"])
@pytest.mark.parametrize("f", [global_copy_scaled, random_draw_scaled], ids=lambda f: f.__name__)
def test_a_plain_array_written_after_a_use_gives_the_right_gradient(f, mode):
    got = srcdiff.grad(f, mode=mode)(W.copy())
    np.testing.assert_allclose(got, numeric_grad(f, (W.copy(),), 0), rtol=1e-6, atol=1e-8)


def test_an_argument_written_after_a_use_is_right_or_refused():
    got = srcdiff.grad(data_argument_updated)(W.copy(), np.ones(3))
    np.testing.assert_allclose(got, 1.0 + 2.0)  # d/dw of sum(1 * w) + sum(2 * w)
    # The tracing mode keeps such an array itself (no copy), read-only while it runs.
    with pytest.raises(srcdiff.DifferentiationError, match=r"copy it first \(data = data.copy"):
        srcdiff.grad(data_argument_updated, mode="trace")(W.copy(), np.ones(3))
