"""Adjoints of ``xs.append(v)`` and ``v = xs.pop()`` on a list that carries a gradient.

The gradient of such a list is a list of gradients, one per item, that the
backward pass keeps in step with the list.  ``xs.append(v)`` reads back the
last gradient of ``dxs`` into ``dv`` (and takes ``v`` off ``xs`` again when a
later adjoint reads the list); ``v = xs.pop()`` appends ``dv`` to ``dxs`` and
puts ``v`` back on ``xs``.  A value appended and popped later is so passed
through unchanged: a generated adjoint's save stacks are such lists, which
is what lets srcdiff differentiate its own output.

Invariant: in the backward pass, ``dxs`` has one item per item of ``xs``.
"""

import gast

from srcdiff.static.names import name
from srcdiff.static.saves import Restore, Save


def is_list_pop(value):
    """``xs.pop()``: a call of ``pop`` on a name, without arguments."""
    return (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute)
        and value.func.attr == "pop"
        and isinstance(value.func.value, gast.Name)
        and not value.args
        and not value.keywords
    )


def _method(var, method, *args):
    func = gast.Attribute(value=name(var), attr=method, ctx=gast.Load())
    return gast.Call(func=func, args=list(args), keywords=[])


def reverse_append(reverse, stmt, state):
    """``out.append(h)``: the last cotangent of ``dout`` flows to ``h``."""
    call = stmt.value
    if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute)):
        return []
    if call.func.attr != "append" or not isinstance(call.func.value, gast.Name):
        return []
    var = call.func.value.id
    restore = Restore(Save(var, False, True, index="append"))
    if var not in reverse.active or var in state.zeros:
        return [restore]
    popped = _method(reverse.d(var), "pop")
    arg = call.args[0]
    if isinstance(arg, gast.Name) and arg.id in reverse.active:
        return reverse.accumulate(arg.id, popped, state) + [restore]
    return [gast.Expr(value=popped), restore]


def reverse_pop(reverse, stmt, state, zeros_like, zeros_for):
    """``v = xs.pop()``: ``dv`` goes back on ``dxs``, ``v`` back on ``xs``.

    ``zeros_like(node)`` and ``zeros_for(node)`` build the calls that make zero
    gradients of a value and of a list.
    """
    target, var = stmt.targets[0].id, stmt.value.func.value.id
    out = []
    live = target in reverse.active and target not in state.zeros
    if var in reverse.active:
        dvar = reverse.d(var)
        if var in state.zeros and live:
            out.append(gast.Assign(targets=[name(dvar, gast.Store())], value=zeros_for(name(var))))
            state.zeros.discard(var)
        if var not in state.zeros:
            value = name(reverse.d(target)) if live else zeros_like(name(target))
            out.append(gast.Expr(value=_method(dvar, "append", value)))
    out.append(gast.Expr(value=_method(var, "append", name(target))))
    if target in reverse.active:
        state.zeros.add(target)
    return out + [Restore(s) for s in reverse.saves[id(stmt)]]
