"""Rules for matrix decompositions: cholesky eigh eig svd qr pinv, and the matrix norms.

Every rule works on stacks of matrices (``(..., m, n)``).  ``cholesky`` and
``eigh`` read one triangle of their argument (the lower one unless told
``upper=True`` / ``UPLO='U'``): the gradient is that of the function NumPy
computes, so it lives on that triangle, the off-diagonal entries counted
twice.  Decompositions with a choice of basis are refused where the result
is not a function of the input: the extra columns of ``svd(...,
full_matrices=True)`` or ``qr(..., mode='complete')`` of a non-square matrix,
and ``qr`` of a wide one.  Repeated eigenvalues or singular values make the
eigenvector and singular-vector gradients infinite, as in PyTorch; ``eig`` is
differentiated where its results are real.
"""

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules.helpers import cast_like
from srcdiff.rules.registry import defjvp, defvjp


def T(a):
    """The transpose of each matrix of a stack."""
    return np.swapaxes(a, -1, -2)


def _zero_if_none(g, like):
    return np.zeros(np.shape(like)) if g is None else np.asarray(g)


def _eye_like(a):
    return np.eye(np.shape(a)[-1], dtype=np.result_type(a, np.float32))


def read_triangle(sym_grad, upper=False):
    """The gradient of a function of one triangle of ``A``, from its gradient ``sym_grad``
    for symmetric changes: off-diagonal entries count for both of their mirror images."""
    both = sym_grad + T(sym_grad)
    kept = np.triu(both) if upper else np.tril(both)
    return kept - sym_grad * _eye_like(sym_grad)


def inverse_gaps(w):
    """``F[i, j] = 1 / (w[j] - w[i])`` off the diagonal and 0 on it, per stack entry."""
    gaps = w[..., None, :] - w[..., :, None]
    eye = np.eye(np.shape(w)[-1], dtype=bool)
    return np.where(eye, 0.0, 1.0 / np.where(eye, 1.0, gaps))


# ---- cholesky
def _half_diagonal_tril(a):
    return np.tril(a) - 0.5 * a * _eye_like(a)


@defvjp(np.linalg.cholesky)
def cholesky(g, ans, a, *, upper=False):
    """``A = L L^T``: ``L^-T Phi(L^T gL) L^-1`` for symmetric changes, Phi the lower half."""
    low, g_low = (T(ans), T(g)) if upper else (ans, g)
    inner = _half_diagonal_tril(T(low) @ g_low)
    left = np.linalg.solve(T(low), inner)  # L^-T Phi
    sym = T(np.linalg.solve(T(low), T(left)))  # L^-T Phi L^-1
    return (cast_like(read_triangle(sym, upper), a),)


@defjvp(np.linalg.cholesky)
def cholesky_jvp(t, ans, a, *, upper=False):
    low = T(ans) if upper else ans
    tri = np.triu(t) if upper else np.tril(t)
    sym = tri + T(tri) - tri * _eye_like(tri)
    inner = np.linalg.solve(low, T(np.linalg.solve(low, T(sym))))  # L^-1 dA L^-T
    d_low = low @ _half_diagonal_tril(inner)
    return T(d_low) if upper else d_low


# ---- eigh
@defvjp(np.linalg.eigh)
def eigh(g, ans, a, UPLO="L"):
    """``A = V diag(w) V^T``: ``V (diag(gw) + F * (V^T gV)) V^T`` for symmetric changes."""
    w, v = ans
    g_w, g_v = _zero_if_none(g[0], w), _zero_if_none(g[1], v)
    inner = (g_w[..., None] * _eye_like(v)) + inverse_gaps(w) * (T(v) @ g_v)
    return (cast_like(read_triangle(v @ inner @ T(v), UPLO == "U"), a), None)


def _eigh_tangents(t, ans, UPLO):
    w, v = ans
    tri = np.triu(t) if UPLO == "U" else np.tril(t)
    sym = tri + T(tri) - tri * _eye_like(tri)
    rotated = T(v) @ sym @ v
    return np.diagonal(rotated, 0, -2, -1), v @ (inverse_gaps(w) * rotated)


@defjvp(np.linalg.eigh)
def eigh_jvp(t, ans, a, UPLO="L"):
    return _eigh_tangents(t, ans, UPLO)


# ---- eig, for matrices whose eigenvalues are real
def real_eig(ans):
    """``(w, v)`` of ``np.linalg.eig``, refused when NumPy gave complex ones."""
    w, v = ans
    if np.iscomplexobj(w) or np.iscomplexobj(v):
        raise DifferentiationError(
            "np.linalg.eig gave complex eigenvalues, and srcdiff differentiates real values "
            "only; for a symmetric matrix use np.linalg.eigh"
        )
    return w, v


@defvjp(np.linalg.eig)
def eig(g, ans, a):
    """``A = V diag(w) V^-1`` with unit columns: ``V^-T (diag(gw) + F * (V^T gV - V^T V
    diag(V^T gV))) V^T``, the last term for the normalization."""
    w, v = real_eig(ans)
    g_w, g_v = _zero_if_none(g[0], w), _zero_if_none(g[1], v)
    projected = T(v) @ g_v
    kept = projected - (T(v) @ v) * np.diagonal(projected, 0, -2, -1)[..., None, :]
    inner = g_w[..., None] * _eye_like(v) + inverse_gaps(w) * kept
    return (cast_like(np.linalg.solve(T(v), inner @ T(v)), a),)


@defjvp(np.linalg.eig)
def eig_jvp(t, ans, a):
    w, v = real_eig(ans)
    rotated = np.linalg.solve(v, t @ v)  # V^-1 dA V
    d_v = v @ (inverse_gaps(w) * rotated)
    d_v = d_v - v * np.sum(v * d_v, axis=-2, keepdims=True)
    return np.diagonal(rotated, 0, -2, -1), d_v


# ---- svd
def _thin_svd_parts(ans, a, full_matrices, compute_uv):
    """``(u, s, vt)`` with ``k = min(m, n)`` columns, recomputed when only ``s`` was returned."""
    if not compute_uv:
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        return u, s, vt
    u, s, vt = ans
    k = np.shape(s)[-1]
    return u[..., :, :k], s, vt[..., :k, :]


def _refuse_extra_basis(g, kept, what, way_out):
    if g is not None and np.shape(g)[-1] > kept and np.any(np.asarray(g)[..., kept:] != 0):
        raise DifferentiationError(
            f"{what} are not a function of the matrix (any orthonormal completion would do), "
            f"so they have no gradient; {way_out}"
        )


@defvjp(np.linalg.svd)
def svd(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    if hermitian:
        raise DifferentiationError(
            "np.linalg.svd with hermitian=True has no rule; call it with hermitian=False"
        )
    u, s, vt = _thin_svd_parts(ans, a, full_matrices, compute_uv)
    if not compute_uv:
        return (cast_like(u @ (np.asarray(g)[..., None] * vt), a),)
    k = np.shape(s)[-1]
    way_out = "use full_matrices=False"
    _refuse_extra_basis(g[0], k, "the extra columns of svd's U", way_out)
    _refuse_extra_basis(None if g[2] is None else T(g[2]), k, "the extra rows of svd's Vh", way_out)
    g_u = _zero_if_none(g[0], ans[0])[..., :, :k]
    g_s = _zero_if_none(g[1], s)
    g_v = T(_zero_if_none(g[2], ans[2])[..., :k, :])
    v = T(vt)
    f = inverse_gaps(s * s)
    u_part = f * (T(u) @ g_u - T(g_u) @ u)
    v_part = f * (T(v) @ g_v - T(g_v) @ v)
    core = u_part * s[..., None, :] + g_s[..., None] * _eye_like(f) + s[..., :, None] * v_part
    grad = u @ core @ vt
    m, n = np.shape(a)[-2:]
    if m > k:  # the part of gU outside U's span
        grad = grad + (g_u - u @ (T(u) @ g_u)) @ (vt / s[..., :, None])
    if n > k:
        grad = grad + (u / s[..., None, :]) @ T(g_v - v @ (T(v) @ g_v))
    return (cast_like(grad, a),)


def svd_tangents(t, u, s, vt):
    """Tangents of the thin ``(u, s, vt)`` for a tangent ``t`` of the matrix."""
    v = T(vt)
    rotated = T(u) @ t @ v
    d_s = np.diagonal(rotated, 0, -2, -1)
    f = inverse_gaps(s * s)
    sym_u = rotated * s[..., None, :] + s[..., :, None] * T(rotated)
    sym_v = s[..., :, None] * rotated + T(rotated) * s[..., None, :]
    d_u = u @ (f * sym_u)
    d_v = v @ (f * sym_v)
    m, n = np.shape(t)[-2:]
    k = np.shape(s)[-1]
    if m > k:
        d_u = d_u + (t @ v - u @ rotated) / s[..., None, :]
    if n > k:
        d_v = d_v + (T(t) @ u - v @ T(rotated)) / s[..., None, :]
    return d_u, d_s, T(d_v)


@defjvp(np.linalg.svd)
def svd_jvp(t, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    u, s, vt = _thin_svd_parts(ans, a, full_matrices, compute_uv)
    d_u, d_s, d_vt = svd_tangents(t, u, s, vt)
    if not compute_uv:
        return d_s
    if np.shape(ans[0])[-1] != np.shape(u)[-1] or np.shape(ans[2])[-2] != np.shape(vt)[-2]:
        raise DifferentiationError(
            "the extra columns of np.linalg.svd(..., full_matrices=True) of a non-square "
            "matrix have no tangent; use full_matrices=False"
        )
    return d_u, d_s, d_vt


# ---- qr
def qr_factors(ans, a, mode):
    """``(Q, R)`` of a tall or square matrix; other shapes and modes are refused."""
    m, n = np.shape(a)[-2:]
    if m < n or mode not in ("reduced", "complete", "r") or (mode == "complete" and m != n):
        raise DifferentiationError(
            f"np.linalg.qr is differentiated for tall or square matrices in mode 'reduced' "
            f"(or 'r'); this call has shape {np.shape(a)} and mode={mode!r}: differentiate "
            "qr of the transpose, or use mode='reduced'"
        )
    return np.linalg.qr(a) if mode == "r" else ans


@defvjp(np.linalg.qr)
def qr(g, ans, a, mode="reduced"):
    """``A = QR``: ``(gQ + Q N) R^-T`` with ``N`` the symmetric matrix of the upper
    triangle of ``R gR^T - Q^T gQ``."""
    q, r = qr_factors(ans, a, mode)
    g_q, g_r = (np.zeros(np.shape(q)), g) if mode == "r" else g
    g_q, g_r = _zero_if_none(g_q, q), _zero_if_none(g_r, r)
    m = g_r @ T(r) - T(q) @ g_q
    n = np.triu(m) + T(np.triu(m, 1))
    return (cast_like(T(np.linalg.solve(r, T(g_q + q @ n))), a), None)


@defjvp(np.linalg.qr)
def qr_jvp(t, ans, a, mode="reduced"):
    q, r = qr_factors(ans, a, mode)
    x = T(np.linalg.solve(T(r), T(T(q) @ t)))  # Q^T dA R^-1
    low = np.tril(x, -1)
    c = low - T(low)
    d_r = (x - c) @ r
    d_q = T(np.linalg.solve(T(r), T(t))) - q @ (x - c)
    return d_r if mode == "r" else (d_q, d_r)


# ---- pinv
@defvjp(np.linalg.pinv)
def pinv(g, ans, a, rcond=None, hermitian=False, *, rtol=np._NoValue):
    """For a matrix of constant rank (Golub and Pereyra): three terms, one per projector."""
    x = ans
    inside_rows = np.eye(np.shape(a)[-2]) - a @ x
    inside_cols = np.eye(np.shape(a)[-1]) - x @ a
    grad = -T(x) @ g @ T(x)
    grad = grad + inside_rows @ T(g) @ x @ T(x) + T(x) @ x @ T(g) @ inside_cols
    return (cast_like(grad, a),)


@defjvp(np.linalg.pinv)
def pinv_jvp(t, ans, a, rcond=None, hermitian=False, *, rtol=np._NoValue):
    x = ans
    inside_rows = np.eye(np.shape(a)[-2]) - a @ x
    inside_cols = np.eye(np.shape(a)[-1]) - x @ a
    return -x @ t @ x + x @ T(x) @ T(t) @ inside_rows + inside_cols @ T(t) @ T(x) @ x


# ---- matrix norms of every ord (np.linalg.norm's rule calls this)
def _extreme_share(sums, largest, axis):
    """1/(number of ties) where ``sums`` reaches its max (or min) along ``axis``, else 0."""
    pick = np.max if largest else np.min
    hits = sums == pick(sums, axis=axis, keepdims=True)
    return hits / np.sum(hits, axis=axis, keepdims=True)


def matrix_norm_slope(x, ord, axis):
    """The derivative of ``np.linalg.norm(x, ord, axis)`` over the matrices on ``axis``.

    For ``ord`` 2 and -2 (largest and smallest singular value), 1 and -1 (max
    and min column sum of ``|x|``), inf and -inf (rows).  Ties split evenly.
    """
    rows, cols = axis
    moved = np.moveaxis(np.asarray(x, dtype=float), (rows, cols), (-2, -1))
    if ord in (2, -2):
        u, _, vt = np.linalg.svd(moved, full_matrices=False)
        i = 0 if ord == 2 else -1
        slope = u[..., :, i, None] * vt[..., None, i, :]
    elif ord in (1, -1, np.inf, -np.inf):
        summed = -2 if ord in (1, -1) else -1  # columns sum over rows, rows over columns
        sums = np.sum(np.abs(moved), axis=summed, keepdims=True)
        largest = ord in (1, np.inf)
        slope = np.sign(moved) * _extreme_share(sums, largest, -1 if summed == -2 else -2)
    else:
        raise DifferentiationError(
            f"np.linalg.norm has no matrix norm ord={ord!r}; use None, 'fro', 'nuc', "
            "1, -1, 2, -2, inf or -inf"
        )
    return cast_like(np.moveaxis(slope, (-2, -1), (rows, cols)), x)


def matrix_norm_jvp(t, x, ord, axis, keepdims=False):
    """The tangent of ``np.linalg.norm(x, ord, axis, keepdims)`` for a matrix ``ord``."""
    return np.sum(t * matrix_norm_slope(x, ord, axis), axis=tuple(axis), keepdims=keepdims)
