"""In-place updates inside ``trace_vjp`` follow NumPy (srcdiff/trace/numpy_writes.py).

Each program is checked against finite differences and, where PyTorch
accepts the same program, against ``torch.autograd`` (PyTorch refuses some of
them: "modified by an inplace operation").
"""

import types

import numpy as np
import pytest
import torch

import srcdiff
import srcdiff.trace as st
from srcdiff.errors import DifferentiationError
from tests.gradcheck import check_vjp


def trace_vjp(f, wrt=(0,)):
    def vjp(args, v):
        return st.trace_vjp(f, args, {}, wrt, v)[1]

    return vjp


# What the programs below call as np.<name>, for torch tensors.
TORCH_AS_NP = types.SimpleNamespace(
    sin=torch.sin, cos=torch.cos, exp=torch.exp, tanh=torch.tanh, sum=torch.sum
)


def torch_grad(f, *args):
    """The gradient of ``sum(f(*args))`` from PyTorch, running ``f`` with ``np`` -> torch."""
    on_torch = types.FunctionType(f.__code__, {**f.__globals__, "np": TORCH_AS_NP})
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args]
    on_torch(*tensors).sum().backward()
    return [t.grad.numpy() for t in tensors]


def add_a_quotient_to_itself(x):
    v = x / 2.0
    v += v
    return v * x


def update_a_saved_quotient(a, b):
    v = a / b
    v += a * v
    v *= np.tanh(b)
    return v


def update_an_element_of_a_vector(x):
    v = x[0]
    v += np.sum(x * v)
    v *= 2.0
    return v


def update_a_column(x):
    v = x * x
    v[:, 1] += np.sin(v[:, 0])
    v[0] = v[1] * v[0]
    return v


def update_a_row_through_a_name(x):
    v = np.exp(x)
    row = v[0]
    row *= v[1]
    return v + 0.0


def update_the_base_under_a_view(x):
    v = np.cos(x)
    column = v[:, 0]
    v *= x
    t = v.T
    t[1] += column
    return np.sum(v * column[:, None])


def update_an_alias(x):
    v = x * 3.0
    w = v
    v += x * x
    return w * v


def update_a_counter_array(x):
    acc = np.zeros(3)
    for i in range(3):
        acc[i] += np.sum(x[i] * x)
        acc *= 0.5
    return acc


CASES = [
    (add_a_quotient_to_itself, [(3,)], True),
    (update_a_saved_quotient, [(2, 3), (2, 3)], False),
    (update_an_element_of_a_vector, [(3,)], False),
    (update_a_column, [(2, 3)], False),
    (update_a_row_through_a_name, [(2, 3)], False),
    (update_the_base_under_a_view, [(3, 2)], True),
    (update_an_alias, [(4,)], True),
    (update_a_counter_array, [(3, 2)], False),
]


@pytest.mark.parametrize(
    ("f", "shapes", "torch_accepts"), CASES, ids=[c[0].__name__ for c in CASES]
)
def test_in_place_updates_match_finite_differences_and_torch(f, shapes, torch_accepts):
    rng = np.random.default_rng(0)
    args = [rng.uniform(0.5, 1.5, shape) for shape in shapes]
    wrt = tuple(range(len(args)))
    check_vjp(trace_vjp(f, wrt), f, args, wrt)
    if torch_accepts:
        got = srcdiff.grad(lambda *a: np.sum(f(*a)), wrt=wrt, mode="trace")(*args)
        got = got if isinstance(got, tuple) else (got,)
        for a, b in zip(got, torch_grad(f, *args)):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_an_element_of_a_vector_is_a_number_not_a_view():
    x = np.array([0.5, 1.0, 2.0])
    got = srcdiff.grad(update_an_element_of_a_vector, mode="trace")(x)
    # v = 2 * (x0 + x0 * sum(x))
    expected = 2.0 * (x[0] * np.ones(3) + np.eye(3)[0] * (1.0 + np.sum(x)))
    np.testing.assert_allclose(got, expected)
    np.testing.assert_array_equal(x, [0.5, 1.0, 2.0])


def test_values_follow_numpy_through_views():
    x = np.array([[0.5, 1.0], [2.0, -1.0], [0.25, 3.0]])
    value, _ = st.trace_vjp(update_the_base_under_a_view, (x,), {}, (0,), None)
    assert value == pytest.approx(update_the_base_under_a_view(x))
    value, _ = st.trace_vjp(update_a_row_through_a_name, (x,), {}, (0,), np.ones((3, 2)))
    np.testing.assert_allclose(value, update_a_row_through_a_name(x))


def write_into_the_argument(x):
    x += 1.0
    return np.sum(x)


def write_into_a_slice_of_the_argument(x):
    x[0:2] += 1.0
    return np.sum(x)


def write_into_a_row_of_the_argument(x):
    row = x[0]
    row *= 2.0
    return np.sum(x)


def store_into_the_argument(x):
    x[0] = 0.0
    return np.sum(x)


@pytest.mark.parametrize(
    "f",
    [
        write_into_the_argument,
        write_into_a_slice_of_the_argument,
        write_into_a_row_of_the_argument,
        store_into_the_argument,
    ],
)
def test_writing_into_a_differentiated_argument_is_refused(f):
    x = np.ones((3, 2))
    with pytest.raises(DifferentiationError, match="copy it first"):
        srcdiff.grad(f, mode="trace")(x)
    np.testing.assert_array_equal(x, np.ones((3, 2)))


def test_a_copy_of_the_argument_may_be_updated():
    def f(x):
        x = x.copy()
        x[0:2] += x[1:3]
        return np.sum(x * x)

    x = np.array([0.5, 1.0, 2.0])
    check_vjp(trace_vjp(f), f, [x], (0,))


def test_outside_trace_vjp_pytorch_rules_stay():
    y = st.tensor([1.0, 2.0], requires_grad=True)
    w = y.exp()
    w += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        y[0] += 1


def update_a_plain_array_by_a_tensor(x):
    a = np.tanh(np.reshape([2.4, 0.3], -1))  # a plain ndarray, not a factory's Tensor
    alias = a
    a -= np.sin(x + 3.0)
    a *= x
    return np.sum(a) + np.sum(alias) * 0.0


def test_an_augmented_assignment_into_a_plain_array_is_refused():
    # NumPy runs `a -= t` as np.subtract(a, t, out=a): the result would be written into `a`
    # and its gradient dropped; nothing tells it from an explicit out= call, so both raise.
    with pytest.raises(DifferentiationError, match=r"np\.subtract with out=.*`a = a \+ t`"):
        srcdiff.grad(update_a_plain_array_by_a_tensor, mode="trace")(np.array([0.5, -1.0]))


def test_an_explicit_out_array_is_still_refused():
    def f(x):
        a = np.tanh(np.reshape(2.4, -1))
        np.subtract(a, x, out=a)
        return np.sum(a)

    with pytest.raises(DifferentiationError, match="with out= is not recorded"):
        srcdiff.grad(f, mode="trace")(np.ones(1))
