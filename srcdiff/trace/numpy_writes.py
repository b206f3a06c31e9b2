"""NumPy's in-place semantics for ``trace_vjp``: copy-on-write and views that write through.

Inside ``trace_vjp`` (``GRAD_STATE.flags.strict``) the user's code is NumPy code and
gets NumPy's answers, where PyTorch would refuse (``v = x / 2; v += v`` raises
"modified by an inplace operation" in PyTorch when the node saved ``v``):

- Copy-on-write: an in-place update (``v += w``, ``v *= 2``, ``v[i] = ...``,
  ``np.add(a, b, out=v)``) never writes into ``v``'s array.  The new value is
  computed into a fresh array, recorded as usual, and ``v`` is rebound to it;
  arrays saved by graph nodes keep their old values, so no version check is
  needed (nodes recorded in strict mode skip them).  Aliases that are the same
  Tensor object see the update, as NumPy's ``w = v; v += x`` does.
- Views: a result that is a NumPy view of its first argument's array
  (``v[0]`` of a matrix, ``v[:, 1:]``, ``v.T``, ``v.reshape(...)``) is linked
  to that Tensor.  An update of the view writes through: the base gets a
  ``CopySlices`` node putting the new values in place (``row = v[0]; row += t``
  changes ``v``, gradient included), and every other live view of a Tensor
  that changed is re-derived from it, values and ``grad_fn``.  The
  ``v[i] += t`` statement (a view updated, then stored back) records the
  store once.
- Integer indexing down to one element (``x[0]`` of a vector, ``x[1, 2]``) is
  a new scalar in NumPy, not a view: updating it rebinds it only.
- Writing into a differentiated argument's array, directly (``x += 1``,
  ``x[0] = 0``) or through a view (``x[0:2] += 1``, ``r = x[0]; r *= 2``),
  would change the caller's array in NumPy; it raises a
  ``srcdiff.DifferentiationError`` (the static mode refuses it too), asking
  for a copy first (``x = x.copy()``).

- ``np.copyto``, ``np.put`` & co. and ``np.add.at`` (a ufunc's ``at``) on a
  Tensor that needs no gradient write into a copy of its array, as an
  in-place update does (``strict_write``).

- ``a -= t`` with ``a`` a NumPy array (not made by the facade's factories:
  a global, an argument that is not differentiated, ``np.random``'s result)
  would write into that array and drop the gradient: NumPy calls
  ``np.subtract(a, t, out=a)``, which raises (``operators.py``), as any
  explicit ``out=`` does.

Outside ``trace_vjp`` none of this applies: ``srcdiff.Tensor`` keeps PyTorch's
in-place rules and messages (``dispatch.py``).
"""

import operator
import weakref

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules import unbroadcast
from srcdiff.trace import dispatch


class ViewLink:
    """How a view Tensor derives from its base: ``fn(base, *rest, **kwargs)``."""

    __slots__ = ("base", "fn", "rest", "kwargs", "via")

    def __init__(self, base, fn, rest, kwargs, via):
        self.base = base
        self.fn = fn
        self.rest = rest
        self.kwargs = kwargs
        self.via = via

    def view_of(self, array):
        """The view of ``array`` this link describes."""
        return self.fn(array, *self.rest, **self.kwargs)


def link_if_view(out, fn, args, raw, raw_kwargs, via):
    """Link ``out`` to ``args[0]`` when its array is a NumPy view of that Tensor's array."""
    data = out._data
    base = args[0]
    if (
        data.base is None
        or not isinstance(base, dispatch.Tensor)
        or not np.may_share_memory(data, base._data)
    ):
        return
    out._view_link = ViewLink(base, fn, tuple(raw[1:]), raw_kwargs, via)
    views = base._views
    if views is None:
        base._views = [weakref.ref(out)]
        return
    if len(views) >= 16:
        views[:] = [ref for ref in views if ref() is not None]
    views.append(weakref.ref(out))


def refuse_argument_write(target):
    """Raise when writing into ``target`` would write into a differentiated argument."""
    root = target
    while root._view_link is not None:
        root = root._view_link.base
    if root._requires_grad and root.grad_fn is None:
        what = "a view of a differentiated argument" if root is not target else "an argument"
        raise DifferentiationError(
            f"an in-place update writes into {what} being differentiated, which in NumPy "
            "would change the caller's array; copy it first (x = x.copy()) and update the copy"
        )


def strict_inplace(target, fn, args, kwargs, via, rule):
    """``target = fn(target, *args)`` with NumPy's semantics (see the module docstring)."""
    refuse_argument_write(target)
    source = dispatch.make_tensor(target._data, target._requires_grad, target.grad_fn)
    result = dispatch.apply_op(fn, (source, *args), kwargs, via=via, rule=rule)
    data = result._data
    old = target._data
    if data.shape != old.shape:
        raise ValueError(
            f"non-broadcastable output operand with shape {old.shape} doesn't match the "
            f"broadcast shape {data.shape}"
        )
    if data.dtype != old.dtype:
        data = data.astype(old.dtype)
    _assign(target, data, result.grad_fn, result._requires_grad, None)
    return target


# NumPy functions that write into their first argument's array.
WRITERS = frozenset({np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis})


def strict_write(target, write):
    """``write(array)`` writes into ``target``'s array in place (``np.copyto(t, v)``,
    ``np.add.at(t, i, v)``, on values that need no gradient): it writes into a copy,
    which ``target`` then holds, so the arrays graph nodes saved keep their values."""
    refuse_argument_write(target)
    data = target._data.copy()
    result = write(data)
    _assign(target, data, target.grad_fn, target._requires_grad, None)
    return result


def stores_itself(target, index, value):
    """Whether ``target[index] = value`` stores back the view ``value`` already is.

    Python runs ``v[i] += t`` as ``w = v[i]; w += t; v[i] = w``: the update of
    ``w`` wrote through to ``v`` already, so the store changes nothing.
    """
    link = getattr(value, "_view_link", None)
    if (
        link is None
        or link.base is not target
        or link.fn is not operator.getitem
        or len(link.rest) != 1
    ):
        return False
    return _same_index(link.rest[0], index)


def _same_index(a, b):
    if a is b:
        return True
    if type(a) is tuple and type(b) is tuple and len(a) == len(b):
        return all(_same_index(x, y) for x, y in zip(a, b))
    if type(a) in (int, slice) and type(a) is type(b):
        return a == b
    return False


def _assign(target, data, grad_fn, requires_grad, skip):
    """Give ``target`` its new value, write it through to its base, re-derive its views."""
    link = target._view_link
    if link is not None:
        value = dispatch.make_tensor(data, requires_grad, grad_fn)
        whole = dispatch.apply_op(
            _write_view,
            (link.base, value, link.view_of),
            via="setitem",
            rule=_write_view_rule,
        )
        _assign(link.base, whole._data, whole.grad_fn, whole._requires_grad, target)
    target._data = data
    target.grad_fn = grad_fn
    target._requires_grad = requires_grad
    target._version_box[0] += 1
    if target._retains_grad and grad_fn is not None:
        grad_fn._retained = weakref.ref(target)
    _rederive_views(target, skip)


def _rederive_views(base, skip):
    views = base._views
    if not views:
        return
    live = [view for view in (ref() for ref in views) if view is not None]
    base._views = [weakref.ref(view) for view in live]
    for view in live:
        if view is skip:
            continue
        link = view._view_link
        fresh = dispatch.apply_op(link.fn, (base, *link.rest), link.kwargs, via=link.via)
        view._data = fresh._data
        view.grad_fn = fresh.grad_fn
        view._requires_grad = fresh._requires_grad
        view._version_box[0] += 1
        _rederive_views(view, None)
    base._views = [ref for ref in base._views if ref() is not None]


def _write_view(base, value, view_of):
    """``base`` with its view ``view_of(base)`` set to ``value``, as a new array."""
    out = np.array(base, copy=True, order="K")
    window = view_of(out)
    if not np.may_share_memory(window, out):
        raise DifferentiationError(
            "an in-place update of a view could not be written back to its base array; "
            "assign the result to the base explicitly"
        )
    window[...] = value
    return out


def _write_view_rule(g, ans, base, value, view_of):
    """VJP of ``_write_view``: the overwritten window gets no gradient through ``base``."""
    g = np.asarray(g)
    dbase = np.zeros_like(base, dtype=g.dtype)
    dbase[...] = g
    view_of(dbase)[...] = 0
    return dbase, unbroadcast(np.asarray(view_of(g)), value), None
