"""Recording the backward pass: what ``create_graph=True`` changes in the engine.

Without ``create_graph`` the engine (``graph.py``) calls each VJP rule on
plain NumPy values.  With it, the rule runs on Tensors: the cotangent, the
node's result as a Tensor whose ``grad_fn`` is the node itself, and the
inputs as they were recorded.  The rules are plain NumPy, and Tensors answer
NumPy's protocols (``__array_ufunc__``, ``__array_function__``), so every
operation of the rule is recorded like the user's own and the gradients that
come out have a ``grad_fn``: they can be differentiated again, to any order.

Grad mode is on while the rules run (PyTorch's engine sets it to
``create_graph``), strictly: the rules are NumPy code, so an in-place update
in one follows NumPy's semantics (``numpy_writes.py``), and a conversion that
would drop a gradient (``float(t)``) raises instead of warning.  A rule that
cannot run on Tensors (it converts its arguments to ndarrays) raises a
``DifferentiationError`` naming the node.  A leaf's first recorded gradient is
a ``CopyBackwards`` node, a later one is added out of place
(``AddBackward0``), as PyTorch's ``AccumulateGrad`` does.
"""

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules import unbroadcast
from srcdiff.trace import messages
from srcdiff.trace.grad_mode import GRAD_STATE

# The graph module needs this one and dispatch needs the graph: the Tensor side comes later.
dispatch = None


class recording:
    """Grad mode on, strictly, while a recorded backward runs."""

    __slots__ = ("_create_graph", "_saved")

    def __init__(self, create_graph):
        self._create_graph = create_graph

    def __enter__(self):
        if self._create_graph:
            flags = GRAD_STATE.flags
            self._saved = (flags.enabled, flags.strict)
            flags.enabled, flags.strict = True, True

    def __exit__(self, *exc):
        if self._create_graph:
            GRAD_STATE.flags.enabled, GRAD_STATE.flags.strict = self._saved
        return False


def apply(node, g):
    """Run ``node``'s rule on Tensors, naming the node when the rule cannot."""
    try:
        return node._rule(g, result_of(node), *inputs_of(node), **node._kwargs)
    except (DifferentiationError, RuntimeError) as error:
        text = str(error)
        if text.startswith(_REFUSAL) or not (
            isinstance(error, DifferentiationError) or text == messages.NUMPY_WITH_GRAD
        ):
            raise
        raise DifferentiationError(
            f"{_REFUSAL}{node.name()} cannot be recorded for a higher-order derivative "
            "(create_graph=True, or a trace-mode gradient differentiated again): its VJP rule "
            f"failed on Tensors: {text}"
        ) from error


_REFUSAL = "the gradient of "


def is_tensor(value):
    """Whether ``value`` is a ``srcdiff.Tensor``."""
    return isinstance(value, dispatch.Tensor)


def as_tensor(value):
    """``value`` as a Tensor: a NumPy cotangent becomes one that does not require grad."""
    if isinstance(value, dispatch.Tensor):
        return value
    return dispatch.make_tensor(np.asarray(value), False, None)


def result_of(node):
    """The node's result as a Tensor whose ``grad_fn`` is the node (its rule's ``ans``).

    A node with several results gives a tuple, each through its own selector.
    """
    ans = node._ans
    if ans is None:  # a selector of one of several results keeps none
        return None
    if isinstance(ans, tuple):
        return dispatch.selected_results(node, ans)
    return dispatch.make_tensor(ans, True, node)


def inputs_of(node):
    """The node's arguments as recorded: each one that required grad as a Tensor again.

    A leaf is the leaf itself; any other input is a new Tensor holding the
    values the node saw and the ``grad_fn`` it had then, so a later in-place
    update of the Python object (rebinding, in ``trace_vjp``) changes nothing.
    """
    args = list(node._args)
    copied = set()
    for position, sub, child, shape in node._edges:
        if shape is None:  # a selector's edge to the node of several results: no argument
            continue
        if sub is None:
            args[position] = _input(child, args[position])
        else:  # an item of a list argument: the node's own list stays as it is
            if position not in copied:
                copied.add(position)
                args[position] = list(args[position])
            args[position][sub] = _input(child, args[position][sub])
    return args


def _input(child, data):
    if type(child).__name__ == "AccumulateGrad":
        leaf = child.variable
        if leaf is not None:
            return leaf
    return dispatch.make_tensor(data, True, child)


def _copy_into(destination, source):
    """An array of ``destination``'s dtype holding ``source`` (forward of ``CopyBackwards``)."""
    out = np.empty_like(destination)
    out[...] = source
    return out


def _copy_rule(g, ans, destination, source):
    """VJP of ``_copy_into``: the copied values get the gradient; the overwritten zeros none."""
    return None, unbroadcast(g, source)


def accumulate(leaf, g):
    """Add the recorded gradient ``g`` into ``leaf.grad``, out of place, as PyTorch does."""
    g = as_tensor(g)
    existing = leaf._grad
    if existing is not None:
        leaf._grad = existing + g
    elif g._requires_grad:
        zeros = dispatch.make_tensor(np.zeros_like(leaf._data), False, None)
        leaf._grad = dispatch.apply_op(_copy_into, (zeros, g), via="copy_grad", rule=_copy_rule)
    else:
        leaf._grad = leaf._new_plain(np.array(g._data, dtype=leaf._data.dtype, copy=True))


def alias(tensor):
    """A new Tensor standing for ``tensor`` (``AliasBackward0``): the same values, its own node.

    A nested trace-mode gradient differentiates with respect to the alias, so
    the outer function's own uses of ``tensor`` stay apart from the inner ones.
    """
    return dispatch.apply_op(np.positive, (tensor,), via="alias")
