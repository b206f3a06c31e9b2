"""Rules for the helpers that generated code calls, so that srcdiff differentiates its own output.

An adjoint is plain Python that calls a few helpers (``unbroadcast``,
``unreduce``, ``gradient_of`` ...).  Each helper that passes a gradient on is
linear in that gradient, so its VJP is the transposed operation (summing
where it broadcast, broadcasting where it summed) and its JVP is the helper
itself applied to the tangent (``deflinear``); the array it reads only for
its shape contributes no tangent (``shape_only``), so ``jvp(grad(f))``
differentiates an adjoint forward.  Helpers that only build
zeros, count, or check have no derivative.  With these rules,
``grad(grad(f))``, a Hessian-vector product and third derivatives are
generated like any first derivative (``static/higher.py``).
"""

import numpy as np

from srcdiff.rules.gradient_list import as_gradient
from srcdiff.rules.helpers import (
    broadcast_like,
    cast_like,
    diagonal_scatter,
    float_zeros,
    ndim,
    prod_of_others,
    reduced_axes,
    reduced_size,
    restore_reduced_axes,
    scatter_add,
    tie_share,
    unbroadcast,
    unreduce,
    zeros_like,
)
from srcdiff.rules.operators import matmul_left, matmul_right
from srcdiff.rules.registry import defjvp, deflinear, defvjp, nondifferentiable, shape_only
from srcdiff.static.runtime import (
    added_at,
    check_seed,
    gradient_of,
    tangent_in,
    tangent_out,
    tangents_in,
    unit_seed,
    writable,
    zeros_for,
)

# Zeros, counts and shares of ties: piecewise constant, so no gradient passes.
for _fn in (zeros_like, float_zeros, zeros_for, unit_seed, reduced_size, tie_share, ndim):
    nondifferentiable(_fn)
nondifferentiable(reduced_axes)


@defvjp(unbroadcast, gradient_of, writable)
def unbroadcast_vjp(g, ans, cotangent, x):
    """Summing over broadcast axes is undone by broadcasting, and the other way round."""
    return unbroadcast(g, cotangent), None


@defvjp(unreduce)
def unreduce_vjp(g, ans, cotangent, x, axis=None, keepdims=False):
    return unbroadcast(np.sum(g, axis=axis, keepdims=keepdims), cotangent), None


@defvjp(restore_reduced_axes)
def restore_reduced_axes_vjp(g, ans, cotangent, x, axis=None, keepdims=False):
    return np.reshape(g, np.shape(cotangent)), None


@defvjp(check_seed)
def check_seed_vjp(g, ans, seed, value):
    return g, None


@defvjp(scatter_add)
def scatter_add_vjp(g, ans, cotangent, x, index):
    return unbroadcast(g[index], cotangent), None, None


@defvjp(diagonal_scatter)
def diagonal_scatter_vjp(g, ans, cotangent, x, offset=0, axis1=0, axis2=1):
    return unbroadcast(np.diagonal(g, offset, axis1, axis2), cotangent), None


@defvjp(matmul_left)
def matmul_left_vjp(g, ans, cotangent, x, y):
    """``matmul_left(c, x, y)`` is ``c @ y.T`` shaped like ``x``: bilinear in ``c`` and ``y``."""
    return unbroadcast(np.matmul(g, y), cotangent), None, matmul_right(cotangent, g, y)


@defvjp(matmul_right)
def matmul_right_vjp(g, ans, cotangent, x, y):
    """``matmul_right(c, x, y)`` is ``x.T @ c`` shaped like ``y``: bilinear in ``c`` and ``x``."""
    return unbroadcast(np.matmul(x, g), cotangent), matmul_left(cotangent, x, g), None


deflinear(unbroadcast, gradient_of, writable, unreduce, restore_reduced_axes, check_seed)
deflinear(scatter_add, diagonal_scatter)
deflinear(matmul_left, argnums=(0, 2))
deflinear(matmul_right, argnums=(0, 1))
# The array each helper reads for its shape (or dtype) only: no tangent passes through it.
shape_only(
    unbroadcast, gradient_of, writable, unreduce, restore_reduced_axes, check_seed, argnums=(1,)
)
shape_only(scatter_add, diagonal_scatter, matmul_left, argnums=(1,))
shape_only(matmul_right, argnums=(2,))


@defvjp(cast_like)
def cast_like_vjp(g, ans, value, x):
    """A cotangent made in ``x``'s float dtype goes back in ``value``'s own."""
    return cast_like(g, value), None


deflinear(cast_like)
shape_only(cast_like, argnums=(1,))


# A jvp's own helpers: the tangents it takes in and gives out, spread to a result's
# shape, or made gradient containers; linear in the tangent, so ``grad(jvp(f))`` runs.
@defvjp(broadcast_like, tangent_in, tangent_out, tangents_in)
def broadcast_like_vjp(g, ans, t, like):
    return unbroadcast(g, t), None


@defvjp(as_gradient)
def as_gradient_vjp(g, ans, value):
    return (g,)


deflinear(broadcast_like, tangent_in, tangent_out, tangents_in, as_gradient)
shape_only(broadcast_like, tangent_in, tangent_out, argnums=(1,))


@defvjp(added_at)
def added_at_vjp(g, ans, cotangent, index, value):
    """What was added at ``index`` gets the cotangent read back there."""
    return g, None, unbroadcast(g[index], value)


@defjvp(added_at, argnum=0)
def added_at_jvp(t, ans, cotangent, index, value):
    return t


@defjvp(added_at, argnum=2)
def added_at_value_jvp(t, ans, cotangent, index, value):
    return added_at(zeros_like(ans), index, t)


def pair_products_times(v, x, axis=None):
    """``M v`` per reduction slice, where ``M[i, j]`` is the product of the slice of ``x``
    without elements ``i`` and ``j`` (zero for ``i == j``): the derivative of
    ``prod_of_others(x, axis)``, which is symmetric, applied to ``v``."""
    x, v = np.asarray(x), np.broadcast_to(v, np.shape(x))
    axes = reduced_axes(axis, x.ndim)
    ends = tuple(range(x.ndim - len(axes), x.ndim))
    moved = np.moveaxis(x, axes, ends)
    flat = moved.reshape(moved.shape[: x.ndim - len(axes)] + (-1,))
    n = flat.shape[-1]
    pairs = np.array(np.broadcast_to(flat[..., None, :], flat.shape + (n,)))
    diagonal = np.arange(n)
    pairs[..., diagonal, diagonal] = 1.0  # row i: the slice with element i left out
    products = prod_of_others(pairs, axis=-1)
    products[..., diagonal, diagonal] = 0.0
    v_flat = np.moveaxis(v, axes, ends).reshape(flat.shape)
    out = np.matmul(products, v_flat[..., None])[..., 0].reshape(moved.shape)
    return np.moveaxis(out, ends, axes)


@defvjp(prod_of_others)
def prod_of_others_vjp(g, ans, x, axis=None):
    return pair_products_times(g, x, axis), None


@defjvp(prod_of_others, argnum=0)
def prod_of_others_jvp(t, ans, x, axis=None):
    return pair_products_times(t, x, axis)
