"""Rules for NumPy 2's array-API linear algebra, and ``matrix_power`` and ``multi_dot``.

``np.linalg.outer``, ``matmul``, ``tensordot``, ``cross``, ``trace``,
``diagonal``, ``svdvals``, ``vector_norm`` and ``matrix_norm`` are new
spellings of functions the table already differentiates (over the last two
axes where they work on matrices), so their rules call those rules.
``vecdot`` (``np.vecdot`` and ``np.linalg.vecdot``) and ``matrix_transpose``
are written here, and so are ``matrix_power`` (a sum over the places of the
factor that moves) and ``multi_dot`` (products before and after each
operand).
"""

import numpy as np

from srcdiff.rules.decompositions import T, svd, svd_jvp
from srcdiff.rules.gradient_list import GradientList
from srcdiff.rules.helpers import cast_like, float_zeros, reduced_axes, unbroadcast
from srcdiff.rules.linalg import norm
from srcdiff.rules.more_shapes import cross
from srcdiff.rules.operators import matmul
from srcdiff.rules.products import diagonal, outer, tensordot, trace
from srcdiff.rules.registry import defjvp, deflinear, defvjp

defvjp(np.linalg.outer)(outer)
defvjp(np.linalg.matmul)(matmul)
defvjp(np.linalg.tensordot)(tensordot)
defvjp(np.linalg.cross)(cross)
deflinear(np.linalg.outer, np.linalg.matmul, np.linalg.tensordot, np.linalg.cross, argnums=(0, 1))


@defvjp(np.linalg.trace)
def matrix_trace(g, ans, x, *, offset=0, dtype=None):
    return trace(g, ans, x, offset, -2, -1)


@defvjp(np.linalg.diagonal)
def matrix_diagonal(g, ans, x, *, offset=0):
    return diagonal(g, ans, x, offset, -2, -1)


@defvjp(np.linalg.matrix_transpose, np.matrix_transpose)
def matrix_transpose(g, ans, x):
    return (T(g),)


deflinear(np.linalg.trace, np.linalg.diagonal, np.linalg.matrix_transpose, np.matrix_transpose)


@defvjp(np.vecdot, np.linalg.vecdot)
def vecdot(g, ans, x1, x2, *, axis=-1, **options):
    """``sum(x1 * x2, axis)``: each operand gets ``g`` times the other, undoing broadcasting."""
    g = np.expand_dims(g, axis)
    return unbroadcast(g * x2, x1), unbroadcast(g * x1, x2)


deflinear(np.vecdot, np.linalg.vecdot, argnums=(0, 1))


@defvjp(np.linalg.svdvals)
def svdvals(g, ans, x):
    return svd(g, ans, x, False, False)


@defjvp(np.linalg.svdvals)
def svdvals_jvp(t, ans, x):
    return svd_jvp(t, ans, x, False, False)


# ---- norms: vector_norm over any axes, matrix_norm over the last two
def _vector_norm_vjp(g, ans, x, axis, keepdims, ord):
    """Move the reduced axes last, join them, and take the vector norm's rule over that axis."""
    x = np.asarray(x)
    axes = reduced_axes(axis, x.ndim)
    kept = x.ndim - len(axes)
    moved = np.moveaxis(x, axes, tuple(range(kept, x.ndim)))
    flat = moved.reshape(moved.shape[:kept] + (-1,))
    if keepdims:
        g, ans = np.squeeze(g, axes), np.squeeze(ans, axes)
    (d_flat, *_) = norm(g, ans, flat, ord, -1, False)
    return np.moveaxis(np.reshape(d_flat, moved.shape), tuple(range(kept, x.ndim)), axes)


@defvjp(np.linalg.vector_norm)
def vector_norm(g, ans, x, *, axis=None, keepdims=False, ord=2):
    return (_vector_norm_vjp(g, ans, x, axis, keepdims, ord),)


@defjvp(np.linalg.vector_norm)
def vector_norm_jvp(t, ans, x, *, axis=None, keepdims=False, ord=2):
    """A norm's VJP is ``g`` times its slope, so its JVP sums the tangent times that slope."""
    slope = _vector_norm_vjp(np.ones(np.shape(ans)), ans, x, axis, keepdims, ord)
    return np.sum(t * slope, axis=reduced_axes(axis, np.ndim(x)), keepdims=keepdims)


@defvjp(np.linalg.matrix_norm)
def matrix_norm(g, ans, x, *, keepdims=False, ord="fro"):
    return (norm(g, ans, x, ord, (-2, -1), keepdims)[0],)


@defjvp(np.linalg.matrix_norm)
def matrix_norm_jvp(t, ans, x, *, keepdims=False, ord="fro"):
    (slope,) = matrix_norm(np.ones(np.shape(ans)), ans, x, keepdims=keepdims, ord=ord)
    return np.sum(t * slope, axis=(-2, -1), keepdims=keepdims)


# ---- matrix_power
def _powers(a, n):
    """``[I, A, A^2, ..., A^(n-1)]`` for each matrix of the stack."""
    out = [np.broadcast_to(np.eye(np.shape(a)[-1]), np.shape(a))]
    for _ in range(n - 1):
        out.append(out[-1] @ a)
    return out


@defvjp(np.linalg.matrix_power)
def matrix_power(g, ans, a, n):
    """``A^n``: each of the ``n`` factors in turn gets ``(A^T)^k G (A^T)^(n-1-k)``; a negative
    power is a power of ``inv(A)``, whose rule then applies."""
    if n == 0:
        return float_zeros(a, g), None
    base = a if n > 0 else np.linalg.inv(a)
    powers = _powers(T(base), abs(n))
    d_base = sum(powers[k] @ g @ powers[abs(n) - 1 - k] for k in range(abs(n)))
    if n > 0:
        return cast_like(d_base, a), None
    return cast_like(-T(base) @ d_base @ T(base), a), None


@defjvp(np.linalg.matrix_power)
def matrix_power_jvp(t, ans, a, n):
    if n == 0:
        return np.zeros(np.shape(ans))
    base = a if n > 0 else np.linalg.inv(a)
    moved = t if n > 0 else -base @ t @ base
    powers = _powers(base, abs(n))
    return sum(powers[k] @ moved @ powers[abs(n) - 1 - k] for k in range(abs(n)))


# ---- multi_dot
def _as_chain(arrays):
    """The operands as matrices: a 1-D first one is a row, a 1-D last one a column."""
    chain = [np.asarray(a) for a in arrays]
    if chain[0].ndim == 1:
        chain[0] = chain[0][None, :]
    if chain[-1].ndim == 1:
        chain[-1] = chain[-1][:, None]
    return chain


@defvjp(np.linalg.multi_dot)
def multi_dot(g, ans, arrays, *, out=None):
    """Operand ``i`` gets ``(A_0 ... A_(i-1))^T G (A_(i+1) ... A_k)^T``."""
    chain = _as_chain(arrays)
    g = np.reshape(g, (chain[0].shape[0], chain[-1].shape[1]))
    before = [np.eye(chain[0].shape[0])]
    for a in chain[:-1]:
        before.append(before[-1] @ a)
    after = [np.eye(chain[-1].shape[1])]
    for a in chain[:0:-1]:
        after.append(a @ after[-1])
    after = after[::-1]
    grads = [T(before[i]) @ g @ T(after[i]) for i in range(len(chain))]
    return (GradientList(cast_like(np.reshape(d, np.shape(a)), a) for d, a in zip(grads, arrays)),)


@defjvp(np.linalg.multi_dot)
def multi_dot_jvp(t, ans, arrays, *, out=None):
    """The product with one operand at a time replaced by its tangent, summed."""
    total = 0.0
    for i, tangent in enumerate(t):
        moved = list(arrays)
        moved[i] = tangent
        total = total + np.linalg.multi_dot(moved)
    return total
