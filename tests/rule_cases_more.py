"""User-style cases for the rules past HIPS autograd's list, run by both modes.

Appended to ``rule_cases.CASES`` (see that module): the static compiler, the
tracing mode and ``test_static_agrees_with_trace`` run every one of them
against finite differences.  Broadcasting pairs for the binary functions,
``axis`` variants for the rest.
"""

import numpy as np

from tests.rule_cases import BROADCAST_PAIRS, add_case, operand
from tests.values import Values

_values = Values(20261202)
normal, positive, unit = _values.normal, _values.positive, _values.unit
distinct, well_conditioned = _values.distinct, _values.well_conditioned


# ---- elementwise


def more_logs(x):
    return np.log2(x) + np.log10(x) * np.exp2(x) + np.arccosh(x + 1.0) + np.arcsinh(x)


def angle_units(x):
    return np.deg2rad(x) * np.rad2deg(x) + np.radians(x) - np.degrees(np.arctanh(x / 3.0))


def sinc_and_fabs(x):
    return np.sinc(x) * np.fabs(x)


def complex_parts(x):
    return np.real(x) * x.real + np.imag(x) + x.imag + np.conj(x) * x.conj() + np.angle(x)


for _fn, _values_fn in [(more_logs, positive), (angle_units, unit), (sinc_and_fabs, normal),
                        (complex_parts, normal)]:  # fmt: skip
    for _shape in ((), (3,), (2, 3)) if _fn is complex_parts else (None, (), (3,), (2, 3)):
        add_case(_fn, operand(_shape, _values_fn))


def arctan2(y, x):
    return np.arctan2(y, x)


def hypot(x, y):
    return np.hypot(x, y)


def fmax_fmin(x, y):
    return np.fmax(x, y) * np.fmin(x, y)


def logaddexp2(x, y):
    return np.logaddexp2(x, y)


def remainder(x, y):
    return np.remainder(x, y) + x % y + np.fmod(x, y)


for _fn, _x_values, _y_values in [
    (arctan2, normal, normal), (hypot, normal, normal), (fmax_fmin, distinct, distinct),
    (logaddexp2, normal, normal), (remainder, normal, positive),
]:  # fmt: skip
    for _x, _y in BROADCAST_PAIRS:
        add_case(_fn, operand(_x, _x_values), operand(_y, _y_values), wrt=(0, 1))


# ---- shapes and selections


def rolled(x):
    return np.roll(x, 1) * x + np.roll(x, -2, axis=-1)


def rotated_and_flipped(x):
    return np.rot90(x) @ x + np.flipud(np.fliplr(x)).sum()


def rolled_axis(x):
    return np.rollaxis(x, 2) * 2.0 + np.moveaxis(x, -1, 0)


def at_least(x):
    return np.atleast_3d(x) * np.atleast_2d(x)[..., None] + np.atleast_1d(x)[..., None, None]


def split_pieces(x):
    first, second = np.split(x, 2, axis=-1)
    left, right = np.array_split(x, [1], axis=-1)
    return np.sum(first * second) + np.sum(left) * np.sum(right**2)


def triangles(a):
    return np.triu(a, 1) @ np.tril(a) + np.triu(a, -1) * a


def padded(a):
    return np.sum(np.pad(a, 1) * np.pad(a, ((0, 2), (1, 1)), mode="reflect"))


def padded_edges(a):
    return np.pad(a, (2, 1), mode="edge") + np.pad(a, (1, 2), mode="wrap")


def taken(x):
    return np.take(x, [0, 2, 2, -1]) * x.take([1, 1, 0, 0]) + np.take(x, 1, axis=-1).sum()


def taken_along(x):
    order = np.argsort(x, axis=-1)
    return np.take_along_axis(x, order, axis=-1) * np.arange(x.shape[-1])


def kron_product(a, b):
    return np.kron(a, b)


def cross_product(a, b):
    return np.cross(a, b)


def filled(c):
    return np.full((2, 3), c) * np.arange(6.0).reshape(2, 3) + np.full_like(np.ones(3), c)


def spaced(start, stop):
    return np.linspace(start, stop, 5) ** 2


add_case(rolled, normal(5))
add_case(rolled, normal(2, 3))
add_case(rotated_and_flipped, normal(3, 3))
add_case(rolled_axis, normal(2, 3, 4))
add_case(at_least, normal(3))
add_case(at_least, 1.5)
add_case(split_pieces, normal(4))
add_case(split_pieces, normal(3, 4))
add_case(triangles, normal(3, 3))
add_case(padded, normal(3, 4))
add_case(padded_edges, normal(4))
add_case(taken, normal(4))
add_case(taken, normal(2, 4))
add_case(taken_along, distinct(5))
add_case(taken_along, distinct(3, 4))
add_case(kron_product, normal(2, 2), normal(3), wrt=(0, 1))
add_case(cross_product, normal(3), normal(3), wrt=(0, 1))
add_case(cross_product, normal(2, 3), normal(3), wrt=(0, 1))
add_case(filled, 1.5)
add_case(filled, normal(3))
add_case(spaced, 0.5, 2.0, wrt=(0, 1))
add_case(spaced, normal(2), normal(2), wrt=(0, 1))


# ---- windows, scans, sorting


def convolved(x, w):
    return np.convolve(x, w) * 2.0


def convolved_same(x, w):
    return np.convolve(x, w, mode="same") + np.correlate(x, w, "same")


def correlated_valid(x, w):
    return np.correlate(x, w) * np.convolve(x, w, "valid")


def differences(x):
    return np.diff(x) * np.diff(x, 2, axis=0).sum()


def finite_gradient(x):
    return np.gradient(x) * x


def cumulative_product(x):
    return np.cumprod(x, axis=-1) + np.cumprod(x).reshape(x.shape) * x.cumprod(axis=0)


def sorted_rows(x):
    return np.sort(x, axis=-1) * np.arange(x.shape[-1]) + np.sort(x, axis=0)


def sorted_flat(x):
    return np.sort(x, axis=None) * np.arange(x.size)


def partitioned(x):
    return np.partition(x, 1, axis=-1)[..., :2] * 3.0


def log_sum_exp(x):
    return np.log(np.sum(np.exp(x), axis=-1))


for _x, _w in [(5, 3), (3, 5), (4, 4)]:
    add_case(convolved, normal(_x), normal(_w), wrt=(0, 1))
    add_case(convolved_same, normal(_x), normal(_w), wrt=(0, 1))
    add_case(correlated_valid, normal(_x), normal(_w), wrt=(0, 1))
add_case(differences, normal(4, 5))
add_case(finite_gradient, normal(6))
add_case(cumulative_product, normal(2, 3))
add_case(
    cumulative_product,
    np.array([[1.5, 0.0, 2.0], [0.0, -1.0, 0.5]]),
    id="cumulative_product-with-zeros",
)
add_case(sorted_rows, distinct(3, 4))
add_case(sorted_flat, distinct(2, 3))
add_case(partitioned, distinct(2, 4))
add_case(log_sum_exp, normal(4))
add_case(log_sum_exp, normal(2, 3))


# ---- decompositions and matrix norms


def gp_marginal_likelihood(a, y):
    k = a @ a.T + 3.0 * np.eye(a.shape[0])
    chol = np.linalg.cholesky(k)
    alpha = np.linalg.solve(chol.T, np.linalg.solve(chol, y))
    return 0.5 * y @ alpha + np.sum(np.log(np.diagonal(chol)))


def symmetric_eigen(a):
    w, v = np.linalg.eigh(a @ a.T + np.diag(np.arange(1.0, 4.0)) * 3.0)
    return np.sum(w * np.arange(3.0)) + np.sum(v[:, -1] ** 4)


def singular_values(a):
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    return np.sum(s**2) + np.sum(u[:, 0] ** 4) + np.sum(vt[0] ** 4)


def only_singular_values(a):
    return np.linalg.svd(a, compute_uv=False)


def orthogonalized(a):
    q, r = np.linalg.qr(a)
    return np.sum(q**3) + np.sum(r * r)


def pseudo_inverse(a):
    return np.linalg.pinv(a) * a.T


def matrix_norms(a):
    return (
        np.linalg.norm(a, 2) + np.linalg.norm(a, -2) * np.linalg.norm(a, 1)
        + np.linalg.norm(a, -1) + np.linalg.norm(a, np.inf) - np.linalg.norm(a, -np.inf)
    )  # fmt: skip


def offset_diagonals(a):
    return np.diagonal(a, 1) * a.diagonal(-1) + np.diag(a, 1) + np.trace(a, 1)


add_case(gp_marginal_likelihood, normal(3, 2), normal(3), wrt=(0, 1))
add_case(symmetric_eigen, normal(3, 3))
add_case(singular_values, distinct(4, 3))
add_case(only_singular_values, distinct(3, 4))
add_case(orthogonalized, normal(4, 3))
add_case(pseudo_inverse, normal(4, 3))
add_case(matrix_norms, distinct(3, 4))
add_case(offset_diagonals, normal(3, 3))


# ---- order statistics, weighted sums, integrals, joins


def robust_center(x):
    return np.median(x, axis=-1) + np.quantile(x, 0.25, axis=0).sum() + np.percentile(x, 90.0)


def quantile_level(x, q):
    return np.quantile(x, q) * 2.0


def weighted_mean(x, w):
    return np.average(x, axis=0, weights=w) + np.average(x)


def spread(x):
    return np.ptp(x, axis=1) * np.ptp(x)


def integral(y, x):
    return np.trapezoid(y, x) + np.trapezoid(y, dx=0.5, axis=0).sum()


def appended(x, y):
    return np.append(x, y) * np.append(y, x)[::-1]


def stacked_columns(x, y):
    return np.column_stack([x, y]) @ np.dstack([x, y])[0].T


add_case(robust_center, distinct(3, 4))
add_case(quantile_level, distinct(5), 0.4, wrt=(0, 1))
add_case(weighted_mean, normal(3, 2), positive(3), wrt=(0, 1))
add_case(spread, distinct(3, 4))
add_case(integral, normal(3, 4), np.array([0.0, 0.4, 1.5, 2.0]), wrt=(0, 1))
add_case(appended, normal(3), normal(2), wrt=(0, 1))
add_case(stacked_columns, normal(3), normal(3), wrt=(0, 1))


def real_eigen(a):
    w, v = np.linalg.eig(a @ a.T + np.diag([1.0, 4.0, 9.0]))
    return np.sum(w**2) + np.sum(v[:, 0] ** 4)


def several_at_least(x, y):
    a, b = np.atleast_2d(x, y)
    return np.sum(a @ b.T)


def unequal_pieces(x):
    head, middle, tail = np.split(x, [1, 3])
    return np.sum(head) * np.sum(middle**2) + np.sum(tail**3)


def gradient_field(x):
    gy, gx = np.gradient(x, 0.5)
    return np.sum(gy**2 + gx * x)


add_case(real_eigen, normal(3, 3))
add_case(several_at_least, normal(3), normal(2, 3), wrt=(0, 1))
add_case(unequal_pieces, normal(5))
add_case(gradient_field, normal(3, 4))


def array_api_linalg(a, b):
    return (
        np.linalg.vector_norm(a, axis=-1) + np.linalg.matrix_norm(a @ b.T)
        + np.vecdot(a, b) + np.linalg.trace(np.linalg.outer(a[0], b[1]))
        + np.sum(np.linalg.svdvals(np.linalg.matrix_transpose(a)))
    )  # fmt: skip


def chained_products(a, b):
    return np.linalg.multi_dot([a, b, a]) @ b + np.linalg.matrix_power(a @ b, 3)


add_case(array_api_linalg, normal(2, 3), normal(2, 3), wrt=(0, 1))
add_case(chained_products, normal(3, 2), normal(2, 3), wrt=(0, 1))


def interpolated(x, fp):
    return np.interp(x, np.array([-1.0, 0.0, 0.8, 2.0]), fp) * np.cumulative_sum(x)


def running_products(x):
    return np.cumulative_prod(x, include_initial=True)[1:] + np.cumulative_sum(x, axis=0)


add_case(interpolated, np.array([-1.4, 0.3, 0.5, 1.7]), normal(4), wrt=(0, 1))
add_case(running_products, normal(4))


def gradient_on_a_grid(y, x):
    return np.gradient(y, x) ** 2


add_case(gradient_on_a_grid, normal(5), np.array([0.0, 0.4, 1.5, 2.0, 3.1]), wrt=(0, 1))
