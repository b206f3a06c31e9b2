"""User-style functions and inputs that every differentiation mode must get right.

Each ``Case`` holds a function written with ``def`` at module level (so the
static compiler can read its source), the arguments to call it with, and the
indices of the arguments to differentiate (``wrt``).  A mode under test builds
``vjp(args, seed)`` for ``case.fn`` and hands it to ``tests.gradcheck.check_vjp``::

    for case in CASES:
        check_vjp(my_vjp(case.fn, case.wrt), case.fn, case.args, case.wrt)

Inputs keep away from kinks and domain edges: logs and square roots see
positive numbers, ``arcsin`` sees (-1, 1), ``max`` sees distinct values.
Binary operators run over every broadcasting pair (Python float, 0-d array,
row, column, on each side).
"""

import math
from typing import NamedTuple

import numpy as np

from tests.values import Values

_values = Values(20240601)


class Case(NamedTuple):
    fn: object
    args: tuple
    wrt: tuple
    id: str


CASES = []


normal, positive, unit = _values.normal, _values.positive, _values.unit
distinct, well_conditioned = _values.distinct, _values.well_conditioned


def _shape_name(value):
    if isinstance(value, float):
        return "float"
    return "x".join(map(str, np.shape(value))) or "0d"


def add_case(fn, *args, wrt=(0,), id=None):
    """Register ``fn(*args)``; the id is the function's name and the argument shapes."""
    name = id or "-".join([fn.__name__, *(_shape_name(a) for a in args)])
    CASES.append(Case(fn, tuple(args), tuple(wrt), name))


def operand(shape, values=normal):
    """A Python float for shape None, a 0-d array for (), else an array of that shape."""
    return float(values()) if shape is None else values(*shape)


# ---- binary operators over every broadcasting pair

BROADCAST_PAIRS = [
    (None, None), ((), ()), ((3,), (3,)), ((2, 3), (2, 3)),
    (None, (2, 3)), ((2, 3), None), ((), (2, 3)), ((2, 3), ()),
    ((1, 3), (2, 3)), ((2, 3), (1, 3)), ((2, 1), (2, 3)), ((2, 3), (2, 1)),
    ((2, 1), (1, 3)), ((3,), (2, 3)), ((2, 3), (3,)),
]  # fmt: skip


def add(x, y):
    return x + y


def subtract(x, y):
    return x - y


def multiply(x, y):
    return x * y


def divide(x, y):
    return x / y


def power(x, y):
    return x**y


def maximum(x, y):
    return np.maximum(x, y)


def minimum(x, y):
    return np.minimum(x, y)


def logaddexp(x, y):
    return np.logaddexp(x, y)


def add_then_scale(x, y):
    z = x + y
    z = z * y / 2.0
    return z - x


for _fn, _values in [
    (add, normal), (subtract, normal), (multiply, normal), (divide, positive),
    (power, positive), (maximum, distinct), (minimum, distinct), (logaddexp, normal),
    (add_then_scale, normal),
]:  # fmt: skip
    for _x, _y in BROADCAST_PAIRS:
        add_case(_fn, operand(_x, _values), operand(_y, _values), wrt=(0, 1))


def square_by_power(x):
    return x**2


def cube_root(x):
    return x ** (1.0 / 3.0)


def scalar_over_array(x):
    return 3.0 / x


def negate(x):
    return -x + (+x) * 2.0


add_case(square_by_power, normal(2, 3))
add_case(cube_root, positive(3))
add_case(scalar_over_array, positive(2, 3))
add_case(negate, normal(3))


# ---- elementwise NumPy and math functions


def exp(x):
    return np.exp(x)


def log(x):
    return np.log(x)


def log1p(x):
    return np.log1p(x)


def expm1(x):
    return np.expm1(x)


def sqrt(x):
    return np.sqrt(x)


def square(x):
    return np.square(x)


def reciprocal(x):
    return np.reciprocal(x)


def trig(x):
    return np.sin(x) * np.cos(x) + np.tan(x)


def inverse_trig(x):
    return np.arcsin(x) + np.arccos(x) * np.arctan(x)


def hyperbolic(x):
    return np.sinh(x) + np.cosh(x) * np.tanh(x)


def absolute(x):
    return np.abs(x) + abs(x) * np.absolute(x)


def sign_times(x):
    return np.sign(x) * x


def relu(x):
    return np.maximum(x, 0.0)


def leaky_relu(x):
    return np.where(x > 0, x, 0.1 * x)


def clipped(x):
    return np.clip(x, -1.0, 1.0)


def clipped_above(x):
    return np.clip(x, None, 0.7)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def math_functions(x):
    y = math.exp(x) + math.log(x) + math.sqrt(x) + math.sin(x) * math.cos(x)
    y = y + math.tan(x) + math.atan(x) + math.sinh(x) + math.cosh(x) + math.tanh(x)
    return y + math.log1p(x) + math.expm1(x) + math.fabs(x) + math.pow(x, 1.5)


def math_inverse_trig(x):
    return math.asin(x) + math.acos(x)


for _fn, _values in [
    (exp, normal), (log, positive), (log1p, positive), (expm1, normal), (sqrt, positive),
    (square, normal), (reciprocal, normal), (trig, unit), (inverse_trig, unit),
    (hyperbolic, normal), (absolute, normal), (sign_times, normal), (relu, normal),
    (leaky_relu, normal), (clipped, normal), (clipped_above, normal), (sigmoid, normal),
]:  # fmt: skip
    for _shape in (None, (), (3,), (2, 3)):
        add_case(_fn, operand(_shape, _values))
add_case(math_functions, 0.7)
add_case(math_inverse_trig, 0.3)


def where_both(x, y):
    return np.where(x > y, x * y, y - x)


def clip_between(x, lo, hi):
    return np.clip(x, lo, hi)


add_case(where_both, normal(2, 3), normal(1, 3), wrt=(0, 1))
add_case(where_both, normal(2, 3), 0.5, wrt=(0, 1))
add_case(clip_between, normal(2, 3), -0.9, normal(3) + 3.0, wrt=(0, 1, 2))


# ---- reductions: axis None/0/1/-1/(0, 1) and keepdims


def sum_all(x):
    return np.sum(x)


def sum_axis0_keepdims(x):
    return np.sum(x, axis=0, keepdims=True)


def sum_axis1(x):
    return np.sum(x, axis=1)


def sum_method_last_axis(x):
    return x.sum(axis=-1)


def sum_axes01_keepdims(x):
    return np.sum(x, axis=(0, 1), keepdims=True)


def mean_all(x):
    return np.mean(x)


def mean_axis0(x):
    return np.mean(x, axis=0)


def mean_method_last_keepdims(x):
    return x.mean(-1, keepdims=True)


def mean_axes01(x):
    return np.mean(x, axis=(0, 1))


def prod_all(x):
    return np.prod(x)


def prod_axis1_keepdims(x):
    return np.prod(x, axis=1, keepdims=True)


def prod_method_axis0(x):
    return x.prod(axis=0)


def max_all(x):
    return np.max(x)


def max_axis0(x):
    return np.max(x, axis=0)


def amax_last_keepdims(x):
    return np.amax(x, axis=-1, keepdims=True)


def max_method_axes01(x):
    return x.max(axis=(0, 1))


def min_all(x):
    return np.min(x)


def min_axis1_keepdims(x):
    return np.min(x, axis=1, keepdims=True)


def amin_method_axis0(x):
    return x.min(0)


def var_all(x):
    return np.var(x)


def var_axis0_ddof1(x):
    return np.var(x, axis=0, ddof=1)


def var_method_last_keepdims(x):
    return x.var(axis=-1, keepdims=True)


def std_all(x):
    return np.std(x)


def std_axis1_keepdims(x):
    return np.std(x, axis=1, keepdims=True)


def std_axes01_ddof1(x):
    return np.std(x, axis=(0, 1), ddof=1)


def cumulative_sum(x):
    return np.cumsum(x, axis=1) * x


def builtin_sum_of_list(x, y):
    return sum([x, y * 2.0, x * y])


REDUCTIONS_2D = [
    sum_all, sum_axis0_keepdims, sum_axis1, sum_method_last_axis, mean_all, mean_axis0,
    mean_method_last_keepdims, prod_all, prod_axis1_keepdims, prod_method_axis0, max_all,
    max_axis0, amax_last_keepdims, min_all, min_axis1_keepdims, amin_method_axis0, var_all,
    var_axis0_ddof1, var_method_last_keepdims, std_all, std_axis1_keepdims, cumulative_sum,
]  # fmt: skip
REDUCTIONS_3D = [sum_axes01_keepdims, mean_axes01, max_method_axes01, std_axes01_ddof1]
for _fn in REDUCTIONS_2D:
    add_case(_fn, distinct(2, 3))
for _fn in REDUCTIONS_3D:
    add_case(_fn, distinct(2, 3, 4))
add_case(sum_all, 1.5)
add_case(mean_axis0, distinct(4))
add_case(builtin_sum_of_list, normal(3), normal(2, 3), wrt=(0, 1))


# ---- composites with broadcast reductions: the classic failures


def softmax(x):
    return np.exp(x - x.max()) / np.exp(x - x.max()).sum()


def softmax_rows(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def normalize(x):
    return x / x.sum()


def layer_norm(x):
    return (x - x.mean(-1, keepdims=True)) / x.std(-1, keepdims=True)


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def mse(w, x, y):
    prediction = x @ w
    return np.mean((prediction - y) ** 2)


def dense_tanh(x, w, b):
    return np.tanh(x @ w + b)


def cross_entropy(logits, targets):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(targets * log_probs, axis=1))


add_case(softmax, distinct(4))
add_case(softmax, distinct(2, 3))
add_case(softmax_rows, distinct(2, 3))
add_case(normalize, positive(4))
add_case(normalize, positive(2, 3))
add_case(layer_norm, distinct(2, 4))
add_case(layer_norm, distinct(5))
add_case(logsumexp, distinct(2, 3))
add_case(mse, normal(3), normal(4, 3), normal(4), wrt=(0, 1, 2))
add_case(dense_tanh, normal(4, 3), normal(3, 2), normal(2), wrt=(0, 1, 2))
add_case(cross_entropy, normal(3, 4), np.eye(4)[[0, 2, 3]], wrt=(0,))


# ---- shapes and indexing


def reshape_and_transpose(x):
    return np.reshape(x, (3, 2)).T * np.transpose(x).T


def reshape_method(x):
    return x.reshape(3, 2) @ x


def ravel_expand_squeeze(x):
    return np.squeeze(np.expand_dims(np.ravel(x), 0)) * x.ravel()


def swap_and_move(x):
    return np.swapaxes(x, 0, 2) + np.moveaxis(x, 0, -1).transpose(1, 0, 2)


def join(x, y):
    return np.concatenate([x, y * 2.0], axis=0) @ np.stack([x[0], y[0], x[1]], axis=-1)


def join_flat(x, y):
    return np.hstack([np.ravel(x), y]) * np.concatenate((y, np.ravel(x)))


def join_rows(x, y):
    return np.vstack([x, y]) ** 2


def broadcast_tile_repeat(x):
    return np.broadcast_to(x, (2, 2, 3)).sum(0) + np.tile(x, (2, 1)) + np.repeat(x, 2, axis=0)


def repeat_flat(x):
    return np.repeat(x, [1, 0, 2]) * 3.0


def flipped(x):
    return np.flip(x, axis=1) * x + np.flip(x)


def take_row_and_column(x):
    return x[0] * x[:, 1].sum() + x[1, 2] + x[-1, ::-1]


def repeated_fancy_index(x):
    return x[[0, 0, 1]] * x[np.array([2, 2, 2])]


def fancy_pairs(x):
    return x[[0, 1, 1], [2, 2, 0]] + x[:, [1, 1]].sum()


def boolean_mask(x):
    return np.sum(x[x > 0] ** 2)


def slice_with_ellipsis(x):
    return x[..., 1:] * x[..., :-1] + x[None, 0, 1:]


add_case(reshape_and_transpose, normal(2, 3))
add_case(reshape_method, normal(2, 3))
add_case(ravel_expand_squeeze, normal(2, 3))
add_case(swap_and_move, normal(2, 3, 2))
add_case(join, normal(2, 3), normal(1, 3), wrt=(0, 1))
add_case(join_flat, normal(2, 2), normal(4), wrt=(0, 1))
add_case(join_rows, normal(2, 3), normal(3), wrt=(0, 1))
add_case(broadcast_tile_repeat, normal(1, 3))
add_case(repeat_flat, normal(3))
add_case(flipped, normal(2, 3))
add_case(take_row_and_column, normal(2, 3))
add_case(repeated_fancy_index, normal(3))
add_case(repeated_fancy_index, normal(3, 2))
add_case(fancy_pairs, normal(2, 3))
add_case(boolean_mask, normal(2, 3))
add_case(slice_with_ellipsis, normal(2, 3))


# ---- products


def matmul(a, b):
    return a @ b


def dot(a, b):
    return np.dot(a, b)


def outer(a, b):
    return np.outer(a, b)


def inner(a, b):
    return np.inner(a, b)


def tensordot_one(a, b):
    return np.tensordot(a, b, axes=1)


def tensordot_pairs(a, b):
    return np.tensordot(a, b, axes=([0, 2], [1, 0]))


def einsum_matmul(a, b):
    return np.einsum("ij,jk->ik", a, b)


def einsum_batched(a, b):
    return np.einsum("bij,bjk->bik", a, b)


def einsum_trace_and_sum(a):
    return np.einsum("ii->", a) + np.einsum("ij->", a)


def trace_and_diag(a):
    return np.trace(a) * np.diag(a) + np.diag(np.diag(a)).sum()


for _a, _b in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
               ((2, 2, 3), (3, 4)), ((2, 2, 3), (2, 3, 4))]:  # fmt: skip
    add_case(matmul, normal(*_a), normal(*_b), wrt=(0, 1))
for _a, _b in [((), (3,)), ((3,), (3,)), ((2, 3), (3, 4)), ((2, 2, 3), (3,))]:
    add_case(dot, normal(*_a), normal(*_b), wrt=(0, 1))
add_case(outer, normal(3), normal(2), wrt=(0, 1))
add_case(inner, normal(2, 3), normal(4, 3), wrt=(0, 1))
add_case(tensordot_one, normal(2, 3), normal(3, 4), wrt=(0, 1))
add_case(tensordot_pairs, normal(2, 3, 4), normal(4, 2), wrt=(0, 1))
add_case(einsum_matmul, normal(2, 3), normal(3, 4), wrt=(0, 1))
add_case(einsum_batched, normal(2, 2, 3), normal(2, 3, 4), wrt=(0, 1))
add_case(einsum_trace_and_sum, normal(3, 3))
add_case(trace_and_diag, normal(3, 3))


# ---- linear algebra


def inverse(a):
    return np.linalg.inv(a)


def determinant(a):
    return np.linalg.det(a)


def log_determinant(a):
    sign, logdet = np.linalg.slogdet(a)
    return logdet


def solve(a, b):
    return np.linalg.solve(a, b)


def norm2(x):
    return np.linalg.norm(x)


def norm_rows(x):
    return np.linalg.norm(x, axis=1, keepdims=True)


def norm1(x):
    return np.linalg.norm(x, ord=1)


def norm_fro(x):
    return np.linalg.norm(x, "fro")


add_case(inverse, well_conditioned(3))
add_case(determinant, well_conditioned(3))
add_case(log_determinant, well_conditioned(3))
add_case(solve, well_conditioned(3), normal(3), wrt=(0, 1))
add_case(solve, well_conditioned(3), normal(3, 2), wrt=(0, 1))
add_case(norm2, normal(4))
add_case(norm2, normal(2, 3))
add_case(norm_rows, normal(2, 3))
add_case(norm1, normal(4))
add_case(norm_fro, normal(2, 3))


# ---- control flow (static mode unrolls or records it; trace mode just runs it)


def loop_product(x):
    y = x
    for _ in range(3):
        y = y * x
    return np.sum(y)


def branch(x):
    if np.sum(x) > 0:
        return np.sum(x**2)
    return np.sum(np.exp(x))


def while_halving(x):
    y = x
    while np.max(np.abs(y)) > 0.1:
        y = y / 2.0
    return y


def accumulate_in_list(x):
    parts = []
    for i in range(len(x)):
        parts.append(x[i] * (i + 1))
    return np.stack(parts)


add_case(loop_product, normal(3))
add_case(branch, positive(3), id="branch-taken")
add_case(branch, -positive(3), id="branch-not-taken")
add_case(while_halving, normal(3))
add_case(accumulate_in_list, normal(4))

from tests import rule_cases_more  # noqa: E402, F401  (appends its cases to CASES)
