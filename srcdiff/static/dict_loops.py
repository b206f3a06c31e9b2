"""Loops over a dict's items, values or keys, as loops over its keys (before desugar).

    for k, v in params.items():      for k in list(params.keys()):
        ...                      ->      v = params[k]
                                         ...

``for v in params.values()`` reads each value the same way (under a fresh key
name) and ``for k in params.keys()`` walks a list of the keys, as does
``for k in params:`` when the body reads ``params[k]`` (the loop walks a
dict's keys: a list indexed by its own items would not be written so).  A value read
as ``params[k]`` is a subscript like any other: its gradient goes to
``dparams[k]``.  The keys carry no gradient (``keys`` is a method without one,
``activity.NONDIFFERENTIABLE_METHODS``).

Elsewhere (``zip(params.values(), ws)``, ``enumerate(params.items())``,
``list(params.values())``) a view of a local dict is read as
``dict_values(params)`` / ``dict_items(params)`` (``rules/dict_views.py``):
a list with a rule that sends its cotangent back to the dict, key by key.

Invariant: the returned tree computes what the user's does; only ``for``
statements over a name's ``.items()``, ``.values()`` or ``.keys()`` and the
views of local names change.
"""

import dataclasses

import gast

from srcdiff.rules.dict_views import dict_items, dict_values
from srcdiff.static.names import (
    Namer,
    assigned_names,
    clone,
    name,
    names_in,
    runtime_name,
    store,
)
from srcdiff.static.nodes import walk

_VIEWS = {"values": dict_values, "items": dict_items}


def rewrite_dict_loops(source):
    """``source``, or a copy whose tree walks dicts by key (see the module docstring)."""
    local = assigned_names(source.tree) | _parameters(source.tree)
    found = [n for n in walk(source.tree) if _dict_loop(n) or _view_call(n, local)]
    if not found:
        return source
    tree = clone(source.tree)  # the parsed tree stays as the user wrote it
    namer = Namer(names_in(tree))
    for node in walk(tree):
        method = _dict_loop(node)
        if method is not None:
            _rewrite(node, method, namer)
    for node in walk(tree):  # views elsewhere: ``zip(params.values(), ...)``
        for field, child in gast.iter_fields(node):
            if _view_call(_listed(child), local):
                setattr(node, field, _as_list(_listed(child)))
            elif isinstance(child, list):
                child[:] = [
                    _as_list(_listed(c)) if _view_call(_listed(c), local) else c for c in child
                ]
    out = dataclasses.replace(source, tree=tree)
    out.locals = assigned_names(tree)
    return out


def _view_call(node, local):
    """``params.values()`` or ``params.items()`` on a local name (not a module's)."""
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and isinstance(node.func.value, gast.Name)
        and node.func.value.id in local
        and node.func.attr in _VIEWS
        and not node.args
        and not node.keywords
    )


def _listed(node):
    """The view in ``list(params.values())`` (already a list), else ``node``."""
    if (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Name)
        and node.func.id == "list"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], gast.Call)
    ):
        return node.args[0]
    return node


def _as_list(call):
    """``params.values()`` as ``dict_values(params)`` (a list, with a rule)."""
    helper = _VIEWS[call.func.attr]
    func = runtime_name(helper.__name__, helper)
    return _located(gast.Call(func=func, args=[call.func.value], keywords=[]), call)


def _parameters(tree):
    return {a.id for a in walk(tree.args) if isinstance(a, gast.Name)}


def _dict_loop(node):
    """The method (items, values, keys) a ``for`` loop walks a name's dict by, else None."""
    if not isinstance(node, gast.For):
        return None
    if _walks_keys(node):
        return "keys"
    call = node.iter
    if not (
        isinstance(call, gast.Call)
        and isinstance(call.func, gast.Attribute)
        and isinstance(call.func.value, gast.Name)
        and call.func.attr in ("items", "values", "keys")
        and not call.args
        and not call.keywords
    ):
        return None
    target = node.target
    if call.func.attr == "items" and not (isinstance(target, gast.Tuple) and len(target.elts) == 2):
        return None
    return call.func.attr


def _walks_keys(loop):
    """``for k in params:`` whose body reads ``params[k]``."""
    owner, key = loop.iter, loop.target
    if not (isinstance(owner, gast.Name) and isinstance(key, gast.Name)):
        return False
    return any(
        isinstance(node, gast.Subscript)
        and isinstance(node.value, gast.Name)
        and node.value.id == owner.id
        and isinstance(node.slice, gast.Name)
        and node.slice.id == key.id
        for stmt in loop.body
        for node in walk(stmt)
    )


def _rewrite(loop, method, namer):
    owner = loop.iter.id if isinstance(loop.iter, gast.Name) else loop.iter.func.value.id
    keys = gast.Call(
        func=name("list"),
        args=[
            gast.Call(
                func=gast.Attribute(value=name(owner), attr="keys", ctx=gast.Load()),
                args=[],
                keywords=[],
            )
        ],
        keywords=[],
    )
    loop.iter = _located(keys, loop)
    if method == "keys":
        return
    if method == "items":
        key_target, value_target = loop.target.elts
    else:
        key_target, value_target = store(namer.fresh("key")), loop.target
    key = key_target.id if isinstance(key_target, gast.Name) else None
    if key is None:  # ``for (a, b), v in d.items()``: the key gets a name of its own
        key = namer.fresh("key")
        loop.body.insert(0, _located(gast.Assign(targets=[key_target], value=name(key)), loop))
    read = gast.Subscript(value=name(owner), slice=name(key), ctx=gast.Load())
    value_target = clone(value_target)
    loop.body.insert(0, _located(gast.Assign(targets=[value_target], value=read), loop))
    loop.target = store(key)


def _located(node, origin):
    for sub in walk(node):
        sub.lineno = origin.lineno
        sub.col_offset = origin.col_offset
    return node
