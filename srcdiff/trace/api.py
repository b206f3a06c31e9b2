"""``trace_vjp``: the entry point the public API calls for ``mode="trace"``.

It wraps the differentiated arguments as leaf Tensors (keeping the caller's
float dtype; integers become float64), runs the user's function -- any
Python: loops, closures, classes, ``with`` blocks, assignments into arrays
made with ``np.zeros`` and friends -- and backpropagates a seed through the
recorded graph.  Gradients are captured per leaf without touching ``.grad``,
and come back as plain NumPy values.

The function runs as a copy whose namespace sees NumPy and ``math`` as
srcdiff's facades (``namespace.py``, ``facades.py``): no module is ever
patched, and only the current thread records strictly (``grad_mode.tracing``).
Masked arrays are refused up front (their mask would be ignored).

Higher order: called while another ``trace_vjp`` runs (a gradient being
differentiated, ``grad(grad(f, mode="trace"), mode="trace")``) or on Tensors
that require grad, it records its own backward pass (``create_graph``) and
returns Tensors, so the caller can differentiate the gradient again.  A
differentiated argument that is such a Tensor enters as an alias
(``higher.alias``): the inner gradient is taken with respect to the alias,
the outer one flows through it to the Tensor.
"""

import numpy as np

from srcdiff import trees
from srcdiff.errors import DifferentiationError
from srcdiff.trace import higher
from srcdiff.trace.containers import container_like
from srcdiff.trace.grad_mode import GRAD_STATE, tracing
from srcdiff.trace.graph import run_backward
from srcdiff.trace.namespace import Namespace
from srcdiff.trace.tensor import Tensor, make_tensor


def _leaf_for(value, position, nested):
    if isinstance(value, Tensor):
        if nested and value._requires_grad:
            return higher.alias(value)
        array = value._data
    else:
        try:
            array = np.asarray(value)
        except Exception as error:  # noqa: BLE001 (report any conversion failure the same way)
            raise DifferentiationError(
                f"argument {position} cannot be differentiated: {error}"
            ) from None
    if array.dtype.kind not in "biufc":
        raise DifferentiationError(
            f"argument {position} is {type(value).__name__} of dtype {array.dtype}; "
            "only numbers and numeric arrays can be differentiated"
        )
    if array.dtype.kind not in "fc":
        array = array.astype(np.float64)
    return make_tensor(array, True, None)


def _masked(value):
    return isinstance(value, np.ma.MaskedArray)


def _refuse_arguments(args, kwargs):
    """Arguments the tracing mode would differentiate wrongly raise before the call."""
    for key, value in (*enumerate(args), *kwargs.items()):
        if isinstance(value, np.ndarray) and type(value) is not np.ndarray and _masked(value):
            raise DifferentiationError(
                f"{_argument(key)} is a masked array (np.ma): the tracing mode would ignore its "
                "mask; pass x.filled(value) or x.compressed(), or a plain array and a boolean "
                "mask used with np.where"
            )


def _argument(key):
    return f"argument {key}" if isinstance(key, int) else f"argument {key}="


def _refusal_behind(error):
    """The ``DifferentiationError`` NumPy turned into its own error, if any.

    Storing a Tensor into an ndarray (``a[0] = t``) calls ``float(t)``, whose
    refusal NumPy replaces by "setting an array element with a sequence".
    """
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, DifferentiationError):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def _requires_grad(value):
    if isinstance(value, (list, tuple)) and not isinstance(value, Tensor):
        return any(_requires_grad(item) for item in value)
    return isinstance(value, Tensor) and value._requires_grad


def _plain_value(value):
    if isinstance(value, Tensor):
        data = value._data
        return data[()] if data.ndim == 0 else data
    return value


def _seeds(outputs, seed, several):
    """One cotangent per output, checked against its shape."""
    if several:
        if seed is None:
            raise DifferentiationError(
                f"grad needs a scalar output, but the function returned {len(outputs)} values; "
                "use srcdiff.vjp with a tuple of seeds, one for each"
            )
        if not isinstance(seed, (tuple, list)) or len(seed) != len(outputs):
            raise DifferentiationError(
                f"the function returned {len(outputs)} values; the seed of its vjp must be a "
                "tuple with one cotangent for each"
            )
        return [_seed_for(o, s) for o, s in zip(outputs, seed)]
    return [_seed_for(outputs[0], seed)]


def _seed_for(out, seed):
    value = _plain_value(out)
    shape = np.shape(value)
    if seed is None:
        if shape != ():
            raise DifferentiationError(
                f"grad needs a scalar output, but the function returned an array of shape "
                f"{shape}; use srcdiff.vjp with a seed of that shape"
            )
        if np.iscomplexobj(value):
            raise DifferentiationError(
                "grad of a complex output is not supported; differentiate a real number made "
                "from it (np.real, np.imag, np.abs), or use srcdiff.vjp with a seed"
            )
        return np.ones((), dtype=np.result_type(value, np.float32))
    seed_array = np.asarray(seed._data if isinstance(seed, Tensor) else seed)
    if seed_array.shape != shape:
        raise DifferentiationError(
            f"the seed has shape {seed_array.shape} but the output has shape {shape}; "
            "a seed (cotangent) must have the output's shape"
        )
    return seed_array


def trace_vjp(f, args, kwargs, wrt, seed):
    """Run ``f(*args, **kwargs)`` on Tensors; return ``(value, gradients)``.

    ``gradients`` holds one NumPy value per index in ``wrt``, shaped like that
    argument: d(output)/d(argument) contracted with ``seed``.  ``seed`` None
    means the output must be a scalar, with implicit seed 1; a function that
    returns a tuple of values takes a tuple of seeds.
    """
    run = run_traced(f, args, kwargs, wrt)
    seeds = _seeds(run.outputs, seed, run.several)
    captured = run.backward(seeds, create_graph=run.nested)
    return run.value(), run.gradients(captured)


class Traced:
    """One run of a function on Tensors: its outputs and the leaves it was differentiated at.

    ``nested`` is True when the run is itself being differentiated (called
    inside another ``trace_vjp``, or on Tensors that require grad): its
    backward passes are then recorded and its results stay Tensors.
    """

    __slots__ = ("out", "outputs", "several", "leaves", "structures", "nested")

    def __init__(self, out, leaves, structures, nested):
        self.out = out
        self.several = isinstance(out, (tuple, list))
        self.outputs = list(out) if self.several else [out]
        self.leaves = leaves
        self.structures = structures
        self.nested = nested

    def backward(self, seeds, create_graph=False, retain_graph=None, at=None):
        """Backpropagate ``seeds`` (one per output); the captured gradients, keyed by node.

        ``at`` lists the Tensors to capture at (the leaves by default).
        """
        captured = {_node_of(leaf): None for leaf in (self.leaves if at is None else at)}
        roots = [
            (o, s)
            for o, s in zip(self.outputs, seeds)
            if isinstance(o, Tensor) and o._requires_grad and s is not None
        ]
        if roots:
            tensors, cotangents = [o for o, _ in roots], [s for _, s in roots]
            if create_graph:
                cotangents = [higher.as_tensor(s) for s in cotangents]
            retain = create_graph if retain_graph is None else retain_graph
            run_backward(tensors, cotangents, retain, capture=captured, create_graph=create_graph)
        return captured

    def value(self):
        """The function's value: plain NumPy, or the Tensors themselves when nested."""
        if self.nested:
            return self.out
        if self.several:
            return type(self.out)(_plain_value(o) for o in self.outputs)
        return _plain_value(self.out)

    def gradients(self, captured):
        """One gradient per differentiated argument, in the argument's structure."""
        return tuple(_gradients_in(o, leaf, captured) for o, leaf in self.structures)


def _given(namespace, value):
    """A NumPy array argument not differentiated, as a read-only view: an operation on it
    keeps the array itself (``dispatch._unchanging``), so nothing may write into it."""
    if type(value) is np.ndarray and value.flags.writeable:
        value = value.view()
        value.flags.writeable = False
        return value
    return namespace.value(value)


def run_traced(f, args, kwargs, wrt):
    """Run ``f(*args, **kwargs)`` with leaf Tensors at the positions ``wrt``: a ``Traced``."""
    kwargs = kwargs or {}
    _refuse_arguments(args, kwargs)
    flags = GRAD_STATE.flags
    nested = flags.enabled and (
        flags.strict or any(_requires_grad(a) for a in (*args, *kwargs.values()))
    )
    args = list(args)
    leaves = []  # every leaf Tensor, in order
    structures = []  # per wrt argument: its leaves in the argument's own shape (lists stay lists)
    kwargs = dict(kwargs)
    for position in wrt:
        held = kwargs if isinstance(position, str) else args  # a keyword-only argument by name
        if isinstance(position, str) and position not in kwargs:
            raise DifferentiationError(f"wrt={position!r}: the call passes no argument {position}")
        if isinstance(position, int) and not -len(args) <= position < len(args):
            raise DifferentiationError(
                f"wrt={position} is out of range for a call with {len(args)} positional arguments"
            )
        original = held[position]
        held[position] = _leaves_in(original, position, leaves, nested)
        structures.append((original, held[position]))
    # In the copy, np.zeros & co. give Tensors (so `a[i] = t` records) and math.exp(t) records.
    namespace = Namespace()
    function = namespace.function(f)
    differentiated = {p % len(args) if isinstance(p, int) else p for p in wrt}
    args = [a if p in differentiated else _given(namespace, a) for p, a in enumerate(args)]
    kwargs = {k: v if k in differentiated else _given(namespace, v) for k, v in kwargs.items()}
    try:
        with tracing():
            out = function(*args, **kwargs)
    except (ValueError, TypeError) as error:
        refusal = _refusal_behind(error)
        if refusal is None and "read-only" in str(error):
            refusal = DifferentiationError(
                "the function writes in place into an array it was given and does not "
                "differentiate, which the tracing mode does not follow (an operation may have "
                "read its old values); copy it first (data = data.copy()) and write into the copy"
            )
            raise refusal from error
        if refusal is None:
            raise
        raise refusal from None
    finally:
        namespace.close()
    if isinstance(out, dict):
        raise DifferentiationError(
            "the function returned a dict; the tracing mode differentiates functions that "
            "return an array, a number, or a tuple or list of them"
        )
    return Traced(out, leaves, structures, nested)


def _node_of(leaf):
    return leaf.grad_fn if leaf.grad_fn is not None else leaf._accumulator()


def _leaves_in(value, position, leaves, nested):
    """``value`` with a leaf Tensor for each number or array, in the same tree (``trees.py``).

    A list or tuple keeps its type and length, so that ``xs + ys`` still joins
    lists and each item gets its gradient; items that carry no gradient (None,
    strings, flags, integers) stay as they are.
    """
    if isinstance(value, Tensor) or not trees.is_container(value):
        leaf = _leaf_for(value, position, nested)
        leaves.append(leaf)
        return leaf
    items = [
        item
        if isinstance(item, trees.STATIC_LEAVES)
        else _leaves_in(item, position, leaves, nested)
        for _, item in trees.children(value)
    ]
    if type(value) in (list, tuple):
        return container_like(value, items)
    return trees.rebuild(value, items)


def _gradients_in(original, leaf, captured, item=False):
    """The gradient of ``original`` (its structure), read from the captured leaf gradients."""
    if isinstance(original, trees.STATIC_LEAVES) and item:
        return None
    if trees.is_container(original) and not isinstance(original, Tensor):
        leaves = [value for _, value in trees.children(leaf)]
        items = [
            _gradients_in(o, i, captured, True)
            for (_, o), i in zip(trees.children(original), leaves)
        ]
        return trees.rebuild(original, items)
    g = captured[_node_of(leaf)]
    if isinstance(g, Tensor):  # a recorded gradient, to be differentiated again
        return g
    if g is None:
        g = np.zeros(leaf._data.shape, leaf._data.dtype)
    else:
        g = np.array(g, dtype=leaf._data.dtype)
    if isinstance(original, (np.ndarray, Tensor)):
        return g  # arrays, 0-d ones too, get arrays
    if item and type(original) in (float, int):
        return float(g)  # an item of a list of Python numbers, as in the static mode
    return g[()]
