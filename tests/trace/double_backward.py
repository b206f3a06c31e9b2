"""Second derivatives of one recorded operation, computed by double backward.

``hessian_vector(fn, args, kwargs, wrt, w, vectors)`` records ``fn`` on leaf
Tensors (the ``wrt`` arguments; a list argument gets one leaf per item),
takes the gradient of ``sum(fn(...) * w)`` with ``create_graph=True``, and
differentiates ``<gradient, vectors>`` again: the Hessian of the weighted
output times ``vectors``.  ``gradient`` is the first derivative alone, for
finite differences of the gradient.
"""

import copy

import numpy as np

import srcdiff.trace as st
from srcdiff import autograd
from srcdiff.trace.dispatch import apply_op


def leaves_for(args, wrt):
    """``args`` with leaf Tensors at the ``wrt`` positions, and the leaves in order."""
    out, leaves = [], []
    for i, a in enumerate(copy.deepcopy(list(args))):
        if i not in wrt:
            out.append(a)
        elif isinstance(a, (list, tuple)):
            items = [st.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for v in a]
            leaves += items
            out.append(type(a)(items))
        else:
            leaf = st.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
            leaves.append(leaf)
            out.append(leaf)
    return out, leaves


def outputs(fn, args, kwargs):
    """The recorded results of ``fn`` as a list (a function may return several)."""
    y = apply_op(fn, tuple(args), kwargs)
    return list(y) if isinstance(y, (list, tuple)) else [y]


def weights(fn, args, kwargs, wrt, rng):
    """One random weight array per output of ``fn``."""
    recorded, _ = leaves_for(args, wrt)
    return [rng.standard_normal(np.shape(y._data)) for y in outputs(fn, recorded, kwargs)]


def _loss(fn, args, kwargs, w):
    total = 0.0
    for y, weight in zip(outputs(fn, args, kwargs), w):
        if y.dtype.kind == "f":
            total = total + (y * weight).sum()
    return total


def gradient(fn, args, kwargs, wrt, w):
    """The first derivative of ``sum(fn(*args) * w)`` per leaf, as arrays (zeros if unused)."""
    recorded, leaves = leaves_for(args, wrt)
    grads = autograd.grad(_loss(fn, recorded, kwargs, w), leaves, materialize_grads=True)
    return [g.detach().numpy().copy() for g in grads]


def hessian_vector(fn, args, kwargs, wrt, w, vectors):
    """H v of ``sum(fn(*args) * w)`` per leaf, by double backward."""
    recorded, leaves = leaves_for(args, wrt)
    grads = autograd.grad(
        _loss(fn, recorded, kwargs, w), leaves, create_graph=True, materialize_grads=True
    )
    total = sum((g * v).sum() for g, v in zip(grads, vectors))
    if not total.requires_grad:  # the gradient is constant: the Hessian is zero
        return [np.zeros(leaf.shape) for leaf in leaves]
    second = autograd.grad(total, leaves, materialize_grads=True)
    return [h.detach().numpy() for h in second]


def moved(args, wrt, vectors, step):
    """``args`` with each ``wrt`` leaf moved by ``step * vector``."""
    args = copy.deepcopy(list(args))
    k = 0
    for i in wrt:
        if isinstance(args[i], (list, tuple)):
            items = []
            for item in args[i]:
                items.append(np.asarray(item, dtype=np.float64) + step * vectors[k])
                k += 1
            args[i] = type(args[i])(items)
        else:
            args[i] = np.asarray(args[i], dtype=np.float64) + step * vectors[k]
            k += 1
    return args
