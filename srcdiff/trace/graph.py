"""The recorded graph and the backward engine.

Each recorded operation makes one ``Node`` (a ``grad_fn`` in PyTorch's words)
holding the rule-table entry that differentiates it, the plain NumPy values the
rule needs and one edge per input that requires grad.  A leaf that requires
grad is reached through its ``AccumulateGrad`` node.

``run_backward`` walks the graph in reverse topological order with Kahn's
algorithm -- an explicit work list, no recursion -- so a 100,000-op chain is
no harder than a short one.  After a backward without ``retain_graph`` the
nodes drop what they saved; a later backward that reaches one of them raises
PyTorch's "backward through the graph a second time" error, except for nodes
that never needed saved values (``names.SAVES_NO_TENSORS``).  Saved tensors
carry the version they had when saved, so an in-place change is caught at
backward time instead of giving a wrong gradient.
"""

import re
import weakref

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.trace import higher, messages
from srcdiff.trace.names import SAVES_NO_TENSORS

_NODE_CLASSES = {}
_SUFFIX = re.compile(r"Backward\d*$")


class Node:
    """A recorded operation: ``grad_fn`` of the Tensor it produced.

    ``next_functions`` is PyTorch's tuple of ``(node_or_None, 0)`` pairs, one
    per differentiable input in argument order (``None`` for an input that
    does not require grad, such as a Python number).
    """

    __slots__ = (
        "_rule",
        "_args",
        "_kwargs",
        "_ans",
        "_edges",
        "next_functions",
        "_saved",
        "_freed",
        "_retained",
        "__weakref__",
    )

    def __init__(self, rule, args, kwargs, ans, edges, next_functions, saved):
        self._rule = rule
        self._args = args
        self._kwargs = kwargs
        self._ans = ans
        self._edges = edges
        self.next_functions = next_functions
        self._saved = saved
        self._freed = False
        self._retained = None

    def name(self):
        """The node's PyTorch name, e.g. ``'AddBackward0'``."""
        return type(self).__name__

    @property
    def metadata(self):
        """PyTorch's per-node metadata dict; always empty here."""
        return {}

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def apply(self, g, create_graph=False):
        """Cotangents of the inputs, one per positional argument of the recorded call.

        With ``create_graph`` the rule runs on Tensors -- ``g``, the result as
        a Tensor whose ``grad_fn`` is this node, the inputs as they were when
        recorded -- so the operations it does are recorded in turn.
        """
        if self._freed and type(self).__name__ not in SAVES_NO_TENSORS:
            raise RuntimeError(messages.FREED)
        if self._saved:
            _check_versions(self)
        if create_graph:
            return higher.apply(self, g)
        return self._rule(g, self._ans, *self._args, **self._kwargs)

    def _release(self):
        """Drop saved values after a backward that did not ask to retain the graph."""
        self._freed = True
        if type(self).__name__ not in SAVES_NO_TENSORS:
            self._args = self._ans = self._saved = None
            self._kwargs = {}


def node_class(name):
    """The ``Node`` subclass called ``name``, so ``type(fn).__name__ == fn.name()``."""
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        cls = type(name, (Node,), {"__slots__": (), "__module__": __name__})
        _NODE_CLASSES[name] = cls
    return cls


class AccumulateGrad:
    """The node standing for a leaf Tensor that requires grad: backward adds into ``.grad``."""

    __slots__ = ("_variable", "next_functions", "__weakref__")

    def __init__(self, variable):
        self._variable = weakref.ref(variable)
        self.next_functions = ()

    @property
    def variable(self):
        """The leaf Tensor this node accumulates into."""
        return self._variable()

    def name(self):
        """``'torch::autograd::AccumulateGrad'`` in PyTorch; here the class name."""
        return "AccumulateGrad"

    @property
    def metadata(self):
        """PyTorch's per-node metadata dict; always empty here."""
        return {}

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


def _check_versions(node):
    for tensor, box, version, producer in node._saved:
        if box[0] != version:
            if tensor is not None:
                producer = tensor.grad_fn.name() if tensor.grad_fn is not None else None
            shape = node._ans.shape if tensor is None else tensor.shape
            dtype = node._ans.dtype if tensor is None else tensor.dtype
            which = ""
            if producer is not None:
                which = f", which is output 0 of {_SUFFIX.sub('', producer)},"
            raise RuntimeError(
                messages.MODIFIED.format(
                    dtype=dtype,
                    shape="[" + ", ".join(str(n) for n in shape) + "]",
                    which=which,
                    version=box[0],
                    expected=version,
                )
            )


def run_backward(roots, grads, retain_graph=False, capture=None, create_graph=False):
    """Backpropagate ``grads`` from the ``roots`` (Tensors).

    Gradients reaching an ``AccumulateGrad`` are added into the leaf's
    ``.grad``, or, when ``capture`` is given (a dict keyed by nodes: leaves'
    ``AccumulateGrad`` or the ``grad_fn`` of non-leaf Tensors), summed into
    that dict instead (``.grad`` untouched, as ``autograd.grad`` does); only
    the nodes leading to a captured one then run.  ``grads`` are NumPy arrays, or
    Tensors with ``create_graph``, which records the backward pass itself
    (``higher.py``): every gradient computed is then a Tensor.
    """
    buffers = {}
    for root, g in zip(roots, grads):
        node = root.grad_fn if root.grad_fn is not None else root._accumulator()
        buffers[node] = buffers[node] + g if node in buffers else g
    dependencies = _count_dependencies(buffers)
    ready = [node for node in buffers if dependencies.get(node, 0) == 0]
    needed = None if capture is None else _leading_to(capture, dependencies, buffers)
    # Like PyTorch's, the backward pass does not warn about inf or nan: a rule may compute a
    # cotangent nobody asked for (the log of a negative base under a constant exponent).
    with np.errstate(divide="ignore", invalid="ignore"), higher.recording(create_graph):
        while ready:
            node = ready.pop()
            g = buffers.pop(node, None)
            if capture is not None and node in capture:
                if g is not None:
                    previous = capture[node]
                    capture[node] = g if previous is None else previous + g
                if node not in needed:
                    continue
            if type(node) is AccumulateGrad:
                if g is not None and capture is None:
                    _accumulate(node.variable, g, create_graph)
                continue
            if needed is not None and node not in needed:
                continue
            cotangents = None
            if g is not None:
                if node._retained is not None and capture is None:
                    _retain(node, g)
                cotangents = node.apply(g, create_graph)
            for position, sub, child, shape in node._edges:
                if cotangents is not None:
                    ct = cotangents[position]
                    if ct is not None and sub is not None:
                        ct = ct[sub]
                    if ct is not None:
                        if shape is None:  # a tuple of cotangents for a node with several results
                            previous = buffers.get(child)
                            if previous is not None:
                                ct = tuple(a + b for a, b in zip(previous, ct))
                            buffers[child] = ct
                        else:
                            if (ct.shape if type(ct) is np.ndarray else np.shape(ct)) != shape:
                                _bad_shape(node, position, ct, shape)
                            previous = buffers.get(child)
                            buffers[child] = ct if previous is None else previous + ct
                left = dependencies[child] - 1
                dependencies[child] = left
                if left == 0:
                    ready.append(child)
            if not retain_graph:
                node._release()


def _leading_to(targets, dependencies, roots):
    """The nodes with a path of one edge or more to one of ``targets`` (they must run)."""
    parents = {}
    for node in (*roots, *dependencies):
        if type(node) is not AccumulateGrad:
            for _, _, child, _ in node._edges:
                parents.setdefault(child, []).append(node)
    found = set()
    stack = [t for t in targets if t in parents]
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in found:
                found.add(parent)
                stack.append(parent)
    return found


def _count_dependencies(roots):
    """Number of edges into each node of the graph reachable from ``roots``; iterative."""
    dependencies = {}
    stack = list(roots)
    seen = set(stack)
    while stack:
        node = stack.pop()
        if type(node) is AccumulateGrad:
            continue
        for _, _, child, _ in node._edges:
            dependencies[child] = dependencies.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return dependencies


def _accumulate(leaf, g, create_graph=False):
    if leaf is None:
        return
    if create_graph:
        higher.accumulate(leaf, g)
        return
    existing = leaf._grad
    if existing is None:
        leaf._grad = leaf._new_plain(np.array(g, dtype=leaf._data.dtype, copy=True))
    else:
        existing._data += g
        existing._version_box[0] += 1


def _retain(node, g):
    tensor = node._retained()
    if tensor is not None and tensor.grad_fn is node:
        _retain_into(tensor, g)


def _retain_into(tensor, g):
    """Add ``g`` into the ``.grad`` of the non-leaf ``tensor``."""
    existing = tensor._grad
    if higher.is_tensor(g):
        tensor._grad = g if existing is None else existing + g
    elif existing is None:
        tensor._grad = tensor._new_plain(np.array(g, dtype=tensor._data.dtype, copy=True))
    else:
        existing._data = existing._data + g


def _bad_shape(node, position, ct, shape):
    rule = getattr(node._rule, "__name__", repr(node._rule))
    raise DifferentiationError(
        f"the VJP rule {rule} (for {node.name()}) returned a cotangent of shape "
        f"{np.shape(ct)} for argument {position}, whose shape is {shape}; "
        "the rule is wrong: a cotangent must have its argument's shape"
    )
