"""Jacobians and Hessians in the tracing mode: one traced run, one backward pass per row.

``trace_jacobian`` (shape ``out.shape + x.shape``) runs the function once and
backpropagates a unit seed per output element through the retained graph
(``method="reverse"``), or records one backward pass with a cotangent that
requires grad and differentiates it once per input element
(``method="forward"``, the double-VJP construction of ``forward.py``:
cheaper when the input is smaller than the output).  ``trace_hessian``
records the gradient once and differentiates each of its elements.

Arguments are numbers or arrays (``wrt`` a tuple of positions); with several
positions a tuple comes back, one Jacobian per argument, or for the Hessian
one row of blocks per argument (``H[i][j]`` has shape ``x_i.shape + x_j.shape``).
"""

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.trace.api import _node_of, _seeds, run_traced
from srcdiff.trace.forward import _differentiate, _finish
from srcdiff.trace.tensor import Tensor, make_tensor

METHODS = ("reverse", "forward")


def _array_leaves(run):
    for _, structure in run.structures:
        if isinstance(structure, (list, tuple)) and not isinstance(structure, Tensor):
            raise DifferentiationError(
                "Jacobians and Hessians take numbers and arrays; pass the items of a list "
                "as separate arguments"
            )
    return [structure for _, structure in run.structures]


def _unit(shape, dtype, index):
    seed = np.zeros(shape, dtype)
    seed[index] = 1
    return seed


def _assemble(rows, out_shape, leaf, nested):
    """Stack per-element rows (each shaped like ``leaf``) into ``out_shape + leaf.shape``."""
    rows = [_finish(r, leaf._data, nested) for r in rows]
    if nested:
        stacked = np.stack([r if isinstance(r, Tensor) else _plain(r) for r in rows])
        return np.reshape(stacked, out_shape + leaf.shape)
    return np.reshape(np.stack([np.asarray(r) for r in rows]), out_shape + leaf.shape)


def _plain(array):
    return make_tensor(np.asarray(array), False, None)


def trace_jacobian(f, args, kwargs, wrt, method="reverse"):
    """The Jacobian of ``f`` (one output) with respect to each position in ``wrt``."""
    if method not in METHODS:
        raise DifferentiationError(f"method must be one of {METHODS}, not {method!r}")
    run = run_traced(f, args, kwargs, wrt)
    if run.several:
        raise DifferentiationError(
            "the Jacobian takes a function with one output (an array or a number); "
            f"this one returned {len(run.outputs)} values"
        )
    leaves = _array_leaves(run)
    out = run.outputs[0]
    data = np.asarray(out._data if isinstance(out, Tensor) else out, dtype=float)
    if not (isinstance(out, Tensor) and out._requires_grad):
        return tuple(
            np.zeros(data.shape + leaf.shape, leaf.dtype) for leaf in leaves
        )  # nothing depends on the arguments
    if method == "reverse":
        rows = [[] for _ in leaves]
        for index in np.ndindex(data.shape):
            captured = run.backward(
                [_unit(data.shape, out.dtype, index)], create_graph=run.nested, retain_graph=True
            )
            for row, leaf in zip(rows, leaves):
                row.append(captured[_node_of(leaf)])
        return tuple(_assemble(r, data.shape, leaf, run.nested) for r, leaf in zip(rows, leaves))
    u = make_tensor(np.zeros(out.shape, out.dtype), True, None)
    captured = run.backward([u], create_graph=True, retain_graph=True)
    jacobians = []
    for leaf in leaves:
        g = captured[_node_of(leaf)]
        columns = []
        for index in np.ndindex(leaf.shape):
            element = g[index] if isinstance(g, Tensor) and g._requires_grad else None
            columns.append(_differentiate(element, [u], run.nested, True)[_node_of(u)])
        # columns are d(out)/d(x[index]): out-shaped, one per element of x
        stacked = _assemble(columns, leaf.shape, make_tensor(data, False, None), run.nested)
        axes = tuple(range(leaf.ndim, leaf.ndim + data.ndim)) + tuple(range(leaf.ndim))
        jacobians.append(np.transpose(stacked, axes))
    return tuple(jacobians)


def trace_hessian(f, args, kwargs, wrt):
    """The Hessian of scalar-valued ``f``: ``x.shape + x.shape`` per pair of positions."""
    run = run_traced(f, args, kwargs, wrt)
    leaves = _array_leaves(run)
    seeds = _seeds(run.outputs, None, run.several)
    captured = run.backward(seeds, create_graph=True, retain_graph=True)
    blocks = []
    for leaf in leaves:
        g = captured[_node_of(leaf)]
        rows = [[] for _ in leaves]
        for index in np.ndindex(leaf.shape):
            element = g[index] if isinstance(g, Tensor) and g._requires_grad else None
            second = _differentiate(element, leaves, run.nested, True)
            for row, other in zip(rows, leaves):
                row.append(second[_node_of(other)])
        blocks.append(
            tuple(_assemble(r, leaf.shape, other, run.nested) for r, other in zip(rows, leaves))
        )
    return tuple(blocks)
