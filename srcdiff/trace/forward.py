"""Forward mode and second order in the tracing mode, built on the recorded backward pass.

``trace_jvp`` uses the double-VJP construction: with a cotangent ``u`` that
requires grad, the recorded backward pass gives ``g(u) = J^T u``, linear in
``u``; differentiating ``<g(u), t>`` with respect to ``u`` gives ``J t``, the
directional derivative along the tangent ``t`` -- three passes over the
function's graph, whatever its size.  ``trace_hvp`` differentiates
``<grad f, v>`` once more (forward-over-reverse's result by
reverse-over-reverse).  ``trace_jacobian`` and ``trace_hessian`` run the
function once and backpropagate one unit seed per row (or, forward, per
column) through the retained graph.

All take ``wrt`` as a tuple of argument positions and return one entry per
position, in the argument's structure, like ``trace_vjp``.  Called while
another trace-mode derivative runs, their results are Tensors that can be
differentiated again.
"""

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.trace import higher
from srcdiff.trace.api import _node_of, _seeds, run_traced
from srcdiff.trace.graph import run_backward
from srcdiff.trace.tensor import Tensor, make_tensor


def _flat_leaves(structure):
    """The leaf Tensors of a differentiated argument, in order."""
    if isinstance(structure, (list, tuple)) and not isinstance(structure, Tensor):
        return [leaf for item in structure for leaf in _flat_leaves(item)]
    return [structure]


def _flat_like(structure, value, what):
    """``value`` (one array per leaf, in ``structure``'s shape) as a list of arrays."""
    if isinstance(structure, (list, tuple)) and not isinstance(structure, Tensor):
        if not isinstance(value, (list, tuple)) or len(value) != len(structure):
            raise DifferentiationError(
                f"the {what} of a list argument must be a list of the same length"
            )
        return [a for s, v in zip(structure, value) for a in _flat_like(s, v, what)]
    array = value if isinstance(value, Tensor) else np.asarray(value, dtype=structure.dtype)
    if array.shape != structure.shape:
        raise DifferentiationError(
            f"the {what} has shape {array.shape} but its argument has shape {structure.shape}"
        )
    return [array]


def _per_position(run, values, what):
    """One ``values`` entry per differentiated argument, flattened to one per leaf."""
    if len(run.structures) == 1 and not isinstance(values, tuple):
        values = (values,)
    if not isinstance(values, tuple) or len(values) != len(run.structures):
        raise DifferentiationError(
            f"with wrt={len(run.structures)} arguments, the {what} must be a tuple of "
            f"{len(run.structures)}, one for each"
        )
    flat = []
    for (_, structure), value in zip(run.structures, values):
        flat += _flat_like(structure, value, what)
    return flat


def _contract(captured, leaves, directions):
    """``sum_i <g_i, d_i>`` over the leaves' captured gradients (None: nothing depends on them)."""
    total = None
    for leaf, direction in zip(leaves, directions):
        g = captured[_node_of(leaf)]
        if isinstance(g, Tensor) and g._requires_grad:
            term = np.sum(g * direction)
            total = term if total is None else total + term
    return total


def _differentiate(scalar, at, nested, retain=False):
    """Gradient of the recorded ``scalar`` at each Tensor of ``at`` (None where unused).

    ``retain`` keeps the graph for another pass (it is kept anyway when nested).
    """
    captured = {_node_of(t): None for t in at}
    if scalar is not None:
        seed = higher.as_tensor(np.ones((), scalar.dtype)) if nested else np.ones((), scalar.dtype)
        run_backward([scalar], [seed], nested or retain, capture=captured, create_graph=nested)
    return captured


def _finish(g, like, nested):
    """A gradient as the caller gets it: a Tensor when nested, else a NumPy value."""
    if g is None:
        g = np.zeros(like.shape, like.dtype)
    if isinstance(g, Tensor):
        if nested:
            return g
        g = g._data
    g = np.array(g, dtype=like.dtype)
    return g if like.ndim else g[()]


def trace_jvp(f, args, kwargs, wrt, tangents):
    """``(value, tangent of the value)``: f's derivative along ``tangents`` at ``args``.

    ``tangents`` has one entry per position in ``wrt`` (a bare array when
    there is one), each shaped like its argument.  A function with several
    outputs gets a tuple of output tangents.
    """
    run = run_traced(f, args, kwargs, wrt)
    directions = _per_position(run, tangents, "tangent")
    cotangents = []
    for out in run.outputs:
        if isinstance(out, Tensor) and out._requires_grad:
            cotangents.append(make_tensor(np.zeros(out.shape, out.dtype), True, None))
        else:
            cotangents.append(None)
    captured = run.backward(cotangents, create_graph=True, retain_graph=True)
    dummies = [u for u in cotangents if u is not None]
    second = _differentiate(_contract(captured, run.leaves, directions), dummies, run.nested)
    results = []
    for out, u in zip(run.outputs, cotangents):
        like = np.asarray(out._data if isinstance(out, Tensor) else out, dtype=float)
        g = None if u is None else second[_node_of(u)]
        results.append(_finish(g, like, run.nested))
    tangent = type(run.out)(results) if run.several else results[0]
    return run.value(), tangent


def trace_hvp(f, args, kwargs, wrt, vectors):
    """The Hessian of scalar-valued ``f`` times ``vectors``: one entry per position in ``wrt``.

    ``vectors`` has one entry per position (a bare array when there is one),
    shaped like its argument.  Two backward passes, the first recorded.
    """
    run = run_traced(f, args, kwargs, wrt)
    directions = _per_position(run, vectors, "vector")
    seeds = _seeds(run.outputs, None, run.several)
    captured = run.backward(seeds, create_graph=True, retain_graph=True)
    second = _differentiate(_contract(captured, run.leaves, directions), run.leaves, run.nested)
    return _structured(run, {k: v for k, v in second.items()})


def _structured(run, captured):
    """Per differentiated argument, its leaves' values from ``captured``, in its structure."""
    out = []
    for original, structure in run.structures:
        out.append(_rebuild(original, structure, captured, run.nested))
    return tuple(out)


def _rebuild(original, structure, captured, nested):
    if isinstance(structure, (list, tuple)) and not isinstance(structure, Tensor):
        return type(original)(_rebuild(o, s, captured, nested) for o, s in zip(original, structure))
    value = _finish(captured[_node_of(structure)], structure._data, nested)
    if not nested and not isinstance(original, (np.ndarray, Tensor)):
        return float(value) if np.ndim(value) == 0 else value
    return value
