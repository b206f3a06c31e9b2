"""Recording one operation: unwrap Tensors, run NumPy, attach a node from the rule table.

``apply_op`` is the hot path every Tensor operation goes through, so it does
no signature binding and no introspection: it unwraps the arguments, calls
the NumPy function, and -- only when grad mode is on and an input requires
grad -- looks up the function's VJP rule in ``srcdiff.rules`` and records a
``Node``.  A function with no rule raises instead of silently dropping the
graph; one declared non-differentiable gives a result without grad.

``apply_inplace`` and ``apply_setitem`` give PyTorch's in-place semantics:
errors on leaves that require grad (and on their views), version bumps, and a
new ``grad_fn`` on the modified Tensor.  While this thread runs ``trace_vjp``
(``GRAD_STATE.flags.strict``, per thread) they give NumPy's instead (copy-on-write,
views that write through: ``numpy_writes.py``).
"""

import dis
import weakref

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules import is_nondifferentiable, to_positions, unbroadcast, vjp_rule
from srcdiff.trace import messages, numpy_writes
from srcdiff.trace.containers import TensorList, TensorTuple
from srcdiff.trace.grad_mode import GRAD_STATE
from srcdiff.trace.graph import node_class
from srcdiff.trace.names import SAVES_NO_TENSORS, VIEW_NAMES, grad_fn_name

# Set by tensor.py once the class exists (the two modules need each other).
Tensor = None
make_tensor = None

_EMPTY = {}
_SEQUENCES = (list, tuple, TensorList, TensorTuple)
_NUMBERS = (int, float, np.floating, np.integer)
_USES_ANS = {}
_NODE_KINDS = {}


def rule_uses_ans(rule):
    """Whether ``rule`` reads its ``ans`` argument (then the output is a saved tensor).

    Decided once per rule from its bytecode and cached; a rule whose code
    cannot be read is assumed to use ``ans``.
    """
    try:
        return _USES_ANS[rule]
    except KeyError:
        pass
    try:
        uses = False
        for instruction in dis.get_instructions(rule):
            value = instruction.argval
            if instruction.opname.startswith("LOAD") and (
                value == "ans" or (isinstance(value, tuple) and "ans" in value)
            ):
                uses = True
                break
    except TypeError:
        uses = True
    _USES_ANS[rule] = uses
    return uses


def _unwrap_sequence(items):
    needs = False
    out = []
    for item in items:
        if isinstance(item, Tensor):
            needs = needs or item._requires_grad
            out.append(item._data)
        else:
            out.append(item)
    # A differentiated list argument is handed to NumPy as a plain list of its items.
    return (tuple if isinstance(items, tuple) else list)(out), needs


def _function_name(fn):
    module = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__name__", repr(fn))
    if isinstance(fn, np.ufunc) or module.startswith("numpy"):
        prefix = "np.linalg." if "linalg" in module else "np."
        return prefix + name
    return f"{module}.{name}" if module else name


def apply_op(fn, args, kwargs=_EMPTY, via=None, rule=None):
    """Call NumPy's ``fn`` on ``args`` (Tensors unwrapped) and record it when needed.

    ``via`` names the Tensor method used, for the grad_fn name; ``rule``
    overrides the rule-table lookup (used for ``__setitem__``).
    """
    flags = GRAD_STATE.flags  # this thread's: read once per operation
    enabled = flags.enabled
    if fn is np.copyto and flags.strict and len(args) == 2 and not kwargs:
        if isinstance(args[0], Tensor):  # NumPy's meaning: a[...] = v
            args[0][...] = args[1]
            return None
    if kwargs and enabled:
        args, kwargs = _keywords_to_positions(fn, args, kwargs, rule)
    raw = []
    needs = False
    for arg in args:
        if isinstance(arg, Tensor):
            raw.append(arg._data)
            if arg._requires_grad:
                needs = True
        elif type(arg) in _SEQUENCES and arg and any(isinstance(a, Tensor) for a in arg):
            items, item_needs = _unwrap_sequence(arg)
            raw.append(items)
            needs = needs or item_needs
        else:
            raw.append(arg)
    raw_kwargs = _unwrap_kwargs(fn, kwargs) if kwargs else kwargs
    if not (needs and enabled):
        if flags.strict and fn in numpy_writes.WRITERS and args and isinstance(args[0], Tensor):
            write = lambda data: wrap_plain(fn(data, *raw[1:], **raw_kwargs))  # noqa: E731
            return numpy_writes.strict_write(args[0], write)
        out = wrap_plain(fn(*raw, **raw_kwargs))
        if flags.strict and type(out) is Tensor and args:
            numpy_writes.link_if_view(out, fn, args, raw, raw_kwargs, via)
        return out
    if rule is None:
        rule = vjp_rule(fn)
        if rule is None:
            if is_nondifferentiable(fn):
                return wrap_plain(fn(*raw, **raw_kwargs))
            raise DifferentiationError(
                f"{_function_name(fn)} has no VJP rule, so it cannot be applied to a "
                "Tensor that requires grad; register one with srcdiff.register_vjp, "
                "declare it with srcdiff.nondifferentiable, or call it on t.detach()"
            )
    out = fn(*raw, **raw_kwargs)
    if type(out) is not np.ndarray:
        if isinstance(out, (tuple, list)):
            return _record_several(fn, via, args, raw, raw_kwargs, kwargs, rule, out, flags.strict)
        if isinstance(out, np.ndarray) and isinstance(out, np.ma.MaskedArray):
            raise DifferentiationError(
                f"{_function_name(fn)} gave a masked array (np.ma): the tracing mode would "
                "ignore its mask; use plain arrays and np.where with a boolean mask"
            )
        out = np.asarray(out)
    if out.dtype.kind not in "fc":
        return make_tensor(out, False, None)
    return _record(fn, via, args, raw, raw_kwargs, kwargs, rule, out, flags.strict)


def _keywords_to_positions(fn, args, kwargs, rule):
    """``np.clip(t, a_min=lo)`` with ``lo`` requiring grad is recorded as ``np.clip(t, lo)``."""
    wanted = [k for k, v in kwargs.items() if isinstance(v, Tensor) and v._requires_grad]
    if not wanted:
        return args, kwargs
    rule = rule or vjp_rule(fn)
    if rule is None:
        return args, kwargs
    args, kwargs = to_positions(rule, args, kwargs, wanted)
    return tuple(args), kwargs


def _unwrap_kwargs(fn, kwargs):
    raw_kwargs = {}
    for key, value in kwargs.items():
        if isinstance(value, Tensor):
            if value._requires_grad and GRAD_STATE.flags.enabled:
                raise DifferentiationError(
                    f"{_function_name(fn)}: keyword argument {key}= is a Tensor that "
                    "requires grad; gradients flow only through positional arguments, "
                    "so pass it positionally"
                )
            value = value._data
        raw_kwargs[key] = value
    return raw_kwargs


def _node_kind(name):
    """``(Node class, saves tensors, is a view)`` for a grad_fn name; cached per name."""
    kind = _NODE_KINDS.get(name)
    if kind is None:
        kind = _NODE_KINDS[name] = (
            node_class(name),
            name not in SAVES_NO_TENSORS,
            name in VIEW_NAMES,
        )
    return kind


def _unchanging(arg, value):
    """What a node keeps of an operand under ``trace_vjp``: a NumPy array that is no
    Tensor's (from ``np.random``, a global, an argument not differentiated) as a copy.

    A Tensor's array is never written into there (copy-on-write, ``numpy_writes.py``),
    but the user's code may write into such an array in place (``noise *= 2``) after
    this operation read it: the backward pass must see the values it read.
    """
    if isinstance(arg, Tensor):
        return value
    if type(value) is np.ndarray and value.flags.writeable:
        return value.copy()
    if type(arg) in _SEQUENCES and value is not arg:  # Tensors and arrays, unwrapped
        return type(value)(map(_unchanging, arg, value))
    return value


def _record(fn, via, args, raw, raw_kwargs, kwargs, rule, out, strict):
    name = grad_fn_name(fn, via, args, kwargs)
    cls, saves, is_view = _node_kind(name)
    edges = []
    next_functions = []
    # Saved tensors as (tensor, its version box, the version now, producer name), checked at
    # backward.  CopySlices' rule reads only the value's shape, as PyTorch's copy_ saves no
    # tensor: a later write into the value (``a[:, j] += t`` writes back through a view) is fine.
    saved = [] if saves else None
    checks = saves and name != "CopySlices" and not strict
    # A Python number is an input (None, 0) only as a ufunc's "other" operand, as in
    # PyTorch (``a + 2`` has two next_functions, ``2 - a`` and ``a.clamp(0, 1)`` one).
    numbers_count = via is None and isinstance(fn, np.ufunc)
    for i, arg in enumerate(args):
        if isinstance(arg, Tensor):
            _edge(arg, i, None, edges, next_functions)
            if checks:
                box = arg._version_box
                saved.append((arg, box, box[0], None))
        elif type(arg) in _SEQUENCES and raw[i] is not arg:
            for j, item in enumerate(arg):
                if isinstance(item, Tensor):
                    _edge(item, i, j, edges, next_functions)
                    if checks:
                        box = item._version_box
                        saved.append((item, box, box[0], None))
        elif numbers_count and next_functions and isinstance(arg, _NUMBERS):
            next_functions.append((None, 0))
        elif type(arg) is np.ndarray and arg.dtype.kind in "fc":
            next_functions.append((None, 0))
    box = [0]
    if checks and type(out) is np.ndarray and rule_uses_ans(rule):
        saved.append((None, box, 0, name))
    if strict:
        raw = list(map(_unchanging, args, raw))
        raw_kwargs = {key: _unchanging(kwargs.get(key), value) for key, value in raw_kwargs.items()}
    node = cls(rule, tuple(raw), raw_kwargs, out, tuple(edges), tuple(next_functions), saved)
    result = make_tensor(out, True, node)
    result._version_box = box
    if strict:
        # NumPy's views (numpy_writes.py): what matters is sharing memory, not the node's name.
        if args and type(out) is np.ndarray:
            numpy_writes.link_if_view(result, fn, args, raw, raw_kwargs, via)
    elif is_view and isinstance(args[0], Tensor):
        source = args[0]
        if out.base is not None:
            result._version_box = source._version_box
        if source.grad_fn is None:
            result._view_of_leaf = source
        else:
            result._view_of_leaf = source._view_of_leaf
    return result


def _record_several(fn, via, args, raw, raw_kwargs, kwargs, rule, outs, strict):
    """A function with several results (``slogdet``, ``np.split``): one node, one selector per
    result, returned in the function's own kind of tuple or list.

    The rule receives the tuple of results and a tuple of their cotangents
    (zeros for results that got none).
    """
    kind = type(outs)
    outs = tuple(np.asarray(o) for o in outs)
    whole = _record(fn, via, args, raw, raw_kwargs, kwargs, rule, outs, strict)
    results = selected_results(whole.grad_fn, outs)
    return kind(*results) if hasattr(kind, "_fields") else kind(results)


def selected_results(node, outs):
    """One Tensor per result of ``node``, each with a selector node passing its cotangent on."""
    cls = type(node)
    results = []
    for i, out in enumerate(outs):
        if out.dtype.kind not in "fc":
            results.append(make_tensor(out, False, None))
            continue
        selector = cls(
            _select_rule(i, outs), (), {}, None, ((0, None, node, None),), ((node, 0),), None
        )
        results.append(make_tensor(out, True, selector))
    return tuple(results)


def _select_rule(index, outs):
    shapes = [(o.shape, o.dtype) for o in outs]

    def select(g, ans):
        return (tuple(g if i == index else np.zeros(s, d) for i, (s, d) in enumerate(shapes)),)

    return select


def _edge(tensor, position, sub, edges, next_functions):
    if tensor._requires_grad:
        child = tensor.grad_fn
        if child is None:
            child = tensor._accumulator()
        edges.append((position, sub, child, tensor._data.shape))
        next_functions.append((child, 0))
    elif tensor._data.dtype.kind in "fc":
        next_functions.append((None, 0))


def wrap_plain(out):
    """Wrap a result computed without a graph: arrays become plain Tensors."""
    if type(out) is np.ndarray:
        return make_tensor(out, False, None)
    if isinstance(out, np.generic):
        return make_tensor(np.asarray(out), False, None)
    if isinstance(out, tuple) and any(type(o) is np.ndarray for o in out):
        return (
            type(out)(*(wrap_plain(o) for o in out))
            if hasattr(out, "_fields")
            else tuple(wrap_plain(o) for o in out)
        )
    if isinstance(out, list) and out and type(out[0]) is np.ndarray:
        return [wrap_plain(o) for o in out]
    return out


def check_inplace(target):
    """Raise PyTorch's error when ``target`` may not be modified in place under grad mode."""
    if not GRAD_STATE.flags.enabled:
        return
    if GRAD_STATE.flags.strict:
        numpy_writes.refuse_argument_write(target)
        return
    if target._requires_grad and target.grad_fn is None:
        raise RuntimeError(messages.LEAF_INPLACE)
    if target._view_of_leaf is not None and target._view_of_leaf._requires_grad:
        raise RuntimeError(messages.VIEW_INPLACE)


def apply_inplace(target, fn, args, kwargs=_EMPTY, via=None, rule=None):
    """Run ``fn(target, *args)`` and write the result into ``target``; returns ``target``.

    When the operation is recorded, ``target`` gets the new node as its
    ``grad_fn`` and the node keeps (a copy of, when it needs values) the old
    data, as PyTorch's in-place autograd does.
    """
    if GRAD_STATE.flags.strict and GRAD_STATE.flags.enabled:
        return numpy_writes.strict_inplace(target, fn, args, kwargs, via, rule)
    check_inplace(target)
    others_need = any(isinstance(a, Tensor) and a._requires_grad for a in args)
    if not (GRAD_STATE.flags.enabled and (target._requires_grad or others_need)):
        raw = [a._data if isinstance(a, Tensor) else a for a in args]
        target._data[...] = fn(target._data, *raw, **kwargs)
        target._version_box[0] += 1
        return target
    name = grad_fn_name(fn, via, (target, *args), kwargs)
    # The old data is copied only for rules that read it (``_setitem`` copies by itself).
    keeps = name in SAVES_NO_TENSORS or name == "CopySlices"
    old = target._data if keeps else target._data.copy()
    source = make_tensor(old, target._requires_grad, target.grad_fn)
    source._version_box = [0]
    result = apply_op(fn, (source, *args), kwargs, via=via, rule=rule)
    target._data[...] = result._data
    target._version_box[0] += 1
    target.grad_fn = result.grad_fn
    target._requires_grad = result._requires_grad
    if target._retains_grad and target.grad_fn is not None:
        target.grad_fn._retained = weakref.ref(target)
    return target


def _setitem(x, value, index):
    """``x`` with ``x[index] = value``, as a new array (the forward of ``CopySlices``)."""
    out = np.array(x, copy=True)
    out[index] = value
    return out


def _setitem_rule(g, ans, x, value, index):
    """VJP of ``_setitem``: the overwritten part of ``x`` gets no gradient.

    Written here because the rule table has no rule for item assignment.  On a
    Tensor cotangent (a recorded backward pass) it masks instead of writing.
    """
    if isinstance(g, Tensor):
        keep = np.ones(g.shape, dtype=bool)
        keep[index] = False
        return np.where(keep, g, 0.0), unbroadcast(g[index], value), None
    dx = np.array(g, copy=True)
    dx[index] = 0
    return dx, unbroadcast(np.asarray(g)[index], value), None


def apply_setitem(target, index, value):
    """``target[index] = value`` with PyTorch's semantics (``CopySlices`` node)."""
    if GRAD_STATE.flags.strict and GRAD_STATE.flags.enabled:
        if not numpy_writes.stores_itself(target, unwrap_index(index), value):
            numpy_writes.strict_inplace(
                target, _setitem, (value, unwrap_index(index)), _EMPTY, "setitem", _setitem_rule
            )
        return
    if GRAD_STATE.flags.enabled and target._requires_grad and target.grad_fn is None:
        raise RuntimeError(messages.VIEW_INPLACE)
    apply_inplace(target, _setitem, (value, unwrap_index(index)), via="setitem", rule=_setitem_rule)


def unwrap_index(index):
    """An index with its Tensors replaced by their arrays (indices carry no gradient)."""
    if isinstance(index, Tensor):
        return index._data
    if type(index) is tuple:
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    if type(index) is list and any(isinstance(i, Tensor) for i in index):
        return [i._data if isinstance(i, Tensor) else i for i in index]
    return index
