"""Rules for products and contractions: dot outer inner tensordot einsum trace diag.

``tensordot`` is the general case: the cotangent of one operand contracts
``g`` with the other operand over the free axes, then its axes are put back
in the operand's order.  ``dot`` and ``inner`` reduce to it.  ``einsum``
swaps the operand's subscripts with the output's.
"""

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules.helpers import (
    diagonal_scatter,
    float_zeros,
    foreign,
    ndim,
    refuse_scatter,
    unbroadcast,
)
from srcdiff.rules.registry import deflinear, defvjp


def tensordot_axes(axes, a_ndim, b_ndim):
    """``np.tensordot``'s ``axes`` (an int or a pair) as two lists of non-negative axes."""
    if ndim(axes) == 0:
        return list(range(a_ndim - axes, a_ndim)), list(range(axes))
    a_axes, b_axes = axes
    a_axes = [a % a_ndim for a in np.atleast_1d(a_axes)]
    b_axes = [b % b_ndim for b in np.atleast_1d(b_axes)]
    return a_axes, b_axes


def tensordot_vjp(g, a, b, a_axes, b_axes):
    """Cotangents of ``np.tensordot(a, b, (a_axes, b_axes))`` for the result's cotangent ``g``."""
    a_free = [i for i in range(ndim(a)) if i not in a_axes]
    b_free = [i for i in range(ndim(b)) if i not in b_axes]
    n_a_free = len(a_free)
    g_b_free = list(range(n_a_free, n_a_free + len(b_free)))
    # da's axes: a's free axes, then b's contracted axes (ascending), named by their a partner.
    da = np.tensordot(g, b, (g_b_free, b_free))
    da_order = a_free + [a_axes[b_axes.index(j)] for j in sorted(b_axes)]
    # db's axes: a's contracted axes (ascending), named by their b partner, then b's free axes.
    db = np.tensordot(a, g, (a_free, list(range(n_a_free))))
    db_order = [b_axes[a_axes.index(i)] for i in sorted(a_axes)] + b_free
    # axes as a list: Dask's transpose takes no array of axes
    da_axes, db_axes = np.argsort(da_order).tolist(), np.argsort(db_order).tolist()
    return np.transpose(da, da_axes), np.transpose(db, db_axes)


@defvjp(np.tensordot)
def tensordot(g, ans, a, b, axes=2):
    a_axes, b_axes = tensordot_axes(axes, ndim(a), ndim(b))
    da, db = tensordot_vjp(g, a, b, a_axes, b_axes)
    return da, db, None


@defvjp(np.dot, np.ndarray.dot)
def dot(g, ans, a, b, out=None):
    if ndim(a) == 0 or ndim(b) == 0:  # np.dot with a scalar multiplies
        return unbroadcast(g * b, a), unbroadcast(g * a, b)
    b_axis = 0 if ndim(b) == 1 else ndim(b) - 2
    return tensordot_vjp(g, a, b, [ndim(a) - 1], [b_axis])


@defvjp(np.inner)
def inner(g, ans, a, b):
    if ndim(a) == 0 or ndim(b) == 0:
        return unbroadcast(g * b, a), unbroadcast(g * a, b)
    return tensordot_vjp(g, a, b, [ndim(a) - 1], [ndim(b) - 1])


@defvjp(np.outer)
def outer(g, ans, a, b, out=None):
    return (
        np.reshape(g @ np.ravel(b), np.shape(a)),
        np.reshape(np.ravel(a) @ g, np.shape(b)),
    )


deflinear(np.tensordot, np.dot, np.ndarray.dot, np.inner, np.outer, argnums=(0, 1))


@defvjp(np.trace, np.ndarray.trace)
def trace(g, ans, x, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return (diagonal_scatter(np.expand_dims(g, -1), x, offset, axis1, axis2),)


@defvjp(np.diagonal, np.ndarray.diagonal)
def diagonal(g, ans, x, offset=0, axis1=0, axis2=1):
    return (diagonal_scatter(g, x, offset, axis1, axis2),)


@defvjp(np.diag)
def diag(g, ans, v, k=0):
    if ndim(v) == 1:  # builds a matrix with v on diagonal k
        return (np.diagonal(g, k).copy(),)
    return (diagonal_scatter(g, v, k),)


deflinear(np.trace, np.ndarray.trace, np.diagonal, np.ndarray.diagonal, np.diag)


def _subscript_tokens(subscripts):
    """``'...ij'`` -> ``['...', 'i', 'j']``: one token per axis group."""
    tokens = []
    rest = subscripts.strip()
    while rest:
        if rest.startswith("..."):
            tokens.append("...")
            rest = rest[3:]
        else:
            tokens.append(rest[0])
            rest = rest[1:]
    return tokens


def _einsum_operand_vjp(g, output, inputs, operands, k, optimize):
    """Cotangent of operand ``k`` of ``np.einsum('inputs->output', *operands)``.

    Contract ``g`` with the other operands onto operand ``k``'s subscripts.  A
    letter only operand ``k`` has is summed away in the forward pass, so its
    cotangent is copied along it; a repeated letter (a diagonal) is written on
    the diagonal; ellipsis axes broadcast are summed back.
    """
    target = inputs[k]
    others = [(s, op) for i, (s, op) in enumerate(zip(inputs, operands)) if i != k]
    available = set(output).union(*[set(s) for s, _ in others])
    unique = list(dict.fromkeys(target))
    present = [t for t in unique if t in available]
    spec = ",".join(["".join(output)] + ["".join(s) for s, _ in others])
    summed_ellipsis = "..." in available and "..." not in target
    result = (["..."] if summed_ellipsis else []) + present
    partial = np.einsum(
        f"{spec}->{''.join(result)}", g, *[op for _, op in others], optimize=optimize
    )
    if summed_ellipsis:  # einsum keeps ellipsis axes; operand k has none, so sum them
        partial = np.sum(partial, axis=tuple(range(partial.ndim - len(present))))
    x = operands[k]
    sizes = {}
    ellipsis_shape = ()
    n_ellipsis = ndim(x) - sum(1 for t in target if t != "...")
    position = 0
    for t in target:
        if t == "...":
            ellipsis_shape = np.shape(x)[position : position + n_ellipsis]
            position += n_ellipsis
        else:
            sizes[t] = np.shape(x)[position]
            position += 1
    if "..." in present:  # sum ellipsis axes broadcast against other operands
        at = sum(len(ellipsis_shape) if t == "..." else 1 for t in present[: present.index("...")])
        extra = partial.ndim - (len(present) - 1) - len(ellipsis_shape)
        partial = np.sum(partial, axis=tuple(range(at, at + extra)))
        ones = [
            at + i for i, n in enumerate(ellipsis_shape) if n == 1 and partial.shape[at + i] != 1
        ]
        partial = np.sum(partial, axis=tuple(ones), keepdims=True)
    # letters summed away in the forward pass: copy the cotangent along them
    for t in unique:
        if t not in available:
            position = unique.index(t) + (
                len(ellipsis_shape) - 1 if "..." in unique[: unique.index(t)] else 0
            )
            partial = np.expand_dims(partial, position)
    unique_shape = [n for t in unique for n in (ellipsis_shape if t == "..." else (sizes[t],))]
    partial = np.broadcast_to(partial, unique_shape)
    if len(unique) == len(target):
        return partial if foreign(partial) else np.array(partial)
    out = float_zeros(x, partial)
    refuse_scatter(out, "a letter repeated in one operand of np.einsum (a diagonal)", True)
    np.einsum(f"{''.join(target)}->{''.join(unique)}", out)[...] = partial
    return out


@defvjp(np.einsum)
def einsum(g, ans, subscripts, *operands, out=None, optimize=False, **kwargs):
    """``np.einsum('ij,jk->ik', a, b)``: explicit ``->`` subscripts only."""
    if not isinstance(subscripts, str) or "->" not in subscripts:
        raise DifferentiationError(
            "np.einsum is differentiated only with explicit subscripts, e.g. 'ij,jk->ik'"
        )
    left, output = subscripts.replace(" ", "").split("->")
    inputs = [_subscript_tokens(s) for s in left.split(",")]
    output = _subscript_tokens(output)
    cotangents = [
        _einsum_operand_vjp(g, output, inputs, operands, k, optimize) for k in range(len(operands))
    ]
    return (None, *cotangents)


# einsum is linear in each operand; NumPy takes at most 64 of them.
deflinear(np.einsum, argnums=range(1, 65))
