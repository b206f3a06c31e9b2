"""``srcdiff.autograd``: PyTorch's ``torch.autograd.grad`` and ``torch.autograd.backward``.

``grad(outputs, inputs)`` returns the gradients as a tuple, one per input,
without touching any ``.grad``; ``backward(tensors)`` adds them into the
leaves' ``.grad`` (``Tensor.backward`` is ``backward(self, ...)``).  With
``create_graph=True`` the backward pass is itself recorded (``higher.py``), so
the gradients have a ``grad_fn`` and can be differentiated again.  The graph is
freed after the pass unless ``retain_graph`` (default: ``create_graph``).

Arguments, seeds and errors follow PyTorch 2.13 word for word: the implicit
seed exists only for one-element outputs, a ``grad_outputs`` entry must have
its output's shape, every output must require grad ("element i of tensors does
not require grad ..."), every input too, and an input the outputs do not
depend on is an error unless ``allow_unused=True`` (then its gradient is
``None``, or zeros with ``materialize_grads=True``).
"""

import warnings

import numpy as np

from srcdiff.trace import dispatch, messages
from srcdiff.trace.graph import _accumulate, _retain_into, run_backward

UNUSED = (
    "The differentiated Tensor at index {index} appears to not have been used in the graph. "
    "Set allow_unused=True if this is the desired behavior."
)
INPUT_NO_GRAD = "One of the differentiated Tensors does not require grad"
EMPTY_INPUTS = "`inputs` argument to `grad()` cannot be empty."
INPUT_TYPE = "all inputs have to be Tensors or GradientEdges, but got {type}"
COUNT = "got {tensors} tensors and {gradients} gradients"
MATERIALIZE = (
    "Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
    "allow_unused=False."
)


def _tensors(value):
    """A Tensor or a sequence of Tensors as a tuple (PyTorch iterates anything else)."""
    if isinstance(value, dispatch.Tensor):
        return (value,)
    if isinstance(value, float):
        raise TypeError(messages.GRADIENT_FLOAT)
    return tuple(value)


def _node_of(tensor):
    return tensor.grad_fn if tensor.grad_fn is not None else tensor._accumulator()


def seeds(outputs, grad_outputs, create_graph):
    """One cotangent per output that requires grad, checked as PyTorch checks them.

    Returns ``(roots, cotangents)``: NumPy arrays, or Tensors when the pass is
    recorded (a ``grad_outputs`` Tensor that requires grad then takes part).
    """
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else _tensors(grad_outputs)
    if len(grad_outputs) < len(outputs):
        raise RuntimeError(COUNT.format(tensors=len(outputs), gradients=len(grad_outputs)))
    cotangents = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out._requires_grad and out._data.size != 1:
                raise RuntimeError(messages.NOT_SCALAR)
            seed = np.ones(out._data.shape, out._data.dtype)
            cotangents.append(dispatch.make_tensor(seed, False, None) if create_graph else seed)
            continue
        if not isinstance(g, dispatch.Tensor):
            raise TypeError(messages.GRADIENT_TYPE.format(type=type(g).__name__))
        if g.shape != out.shape:
            raise RuntimeError(
                messages.SHAPE_MISMATCH.format(got=g.shape, want=out.shape).replace("[0]", f"[{i}]")
            )
        cotangents.append(g if create_graph else g._data)
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(messages.NO_GRAD.replace("element 0", f"element {i}"))
    return list(outputs), cotangents


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    allow_unused=None,
    materialize_grads=False,
):
    """The gradients of ``outputs`` with respect to each of ``inputs``, as a tuple.

    ``outputs`` and ``inputs`` are a Tensor or a sequence of Tensors; inputs
    may be leaves or results of other operations.  ``grad_outputs`` holds one
    cotangent per output (``None`` for the implicit 1 of a one-element output).
    """
    if materialize_grads and allow_unused is False:
        raise ValueError(MATERIALIZE)
    allow_unused = bool(allow_unused) or materialize_grads
    outputs = _tensors(outputs)
    inputs = _tensors(inputs)
    if not inputs:
        raise RuntimeError(EMPTY_INPUTS)
    for item in inputs:
        if not isinstance(item, dispatch.Tensor):
            raise RuntimeError(INPUT_TYPE.format(type=type(item).__name__))
    roots, cotangents = seeds(outputs, grad_outputs, create_graph)
    if not all(item._requires_grad for item in inputs):
        raise RuntimeError(INPUT_NO_GRAD)
    if retain_graph is None:
        retain_graph = create_graph
    captured = {_node_of(item): None for item in inputs}
    run_backward(roots, cotangents, retain_graph, capture=captured, create_graph=create_graph)
    results = []
    for index, item in enumerate(inputs):
        g = captured[_node_of(item)]
        if g is None:
            if not allow_unused:
                raise RuntimeError(UNUSED.format(index=index))
            if materialize_grads:
                g = np.zeros_like(item._data)
        results.append(None if g is None else _as_gradient(g, item))
    return tuple(results)


def _as_gradient(g, item):
    if isinstance(g, dispatch.Tensor):
        return g
    return dispatch.make_tensor(np.array(g, dtype=item._data.dtype, copy=True), False, None)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Add the gradients of ``tensors`` into the ``.grad`` of the leaves (or of ``inputs``).

    ``inputs`` (a Tensor or a sequence) restricts the pass to those Tensors;
    a non-leaf among them gets its ``.grad`` too, as in PyTorch.
    """
    if create_graph:
        warnings.warn(messages.CREATE_GRAPH_WARNING, UserWarning, stacklevel=2)
    run(tensors, grad_tensors, retain_graph, create_graph, inputs)


def run(tensors, grad_tensors, retain_graph, create_graph, inputs):
    """``backward`` without its warning (``Tensor.backward`` warns at its own caller)."""
    if retain_graph is None:
        retain_graph = create_graph
    roots, cotangents = seeds(_tensors(tensors), grad_tensors, create_graph)
    if inputs is None:
        run_backward(roots, cotangents, retain_graph, create_graph=create_graph)
        return
    inputs = _tensors(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    for item in inputs:
        item.retain_grad()  # as PyTorch: a non-leaf input keeps its gradient
    captured = {_node_of(item): None for item in inputs}
    run_backward(roots, cotangents, retain_graph, capture=captured, create_graph=create_graph)
    for item in inputs:
        g = captured[_node_of(item)]
        if g is not None:
            if item.grad_fn is None:
                _accumulate(item, g, create_graph)
            else:
                _retain_into(item, g)
