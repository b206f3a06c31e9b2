"""Pytrees: numbers and arrays nested in dicts, lists, tuples, namedtuples and dataclasses.

A differentiated argument may be such a tree; its gradient comes back in the
same structure, in both modes.  This module says what a container is and how
to take one apart and build it again; the public helpers ``tree_map``,
``tree_leaves`` and ``tree_flatten`` / ``tree_unflatten`` serve a training
loop (``params = tree_map(lambda p, g: p - lr * g, params, grads)``).

Containers: ``dict`` (and its subclasses; keys in the dict's order), ``list``,
``tuple``, namedtuples (by field) and dataclass instances (by field, every
field of ``dataclasses.fields``).  Everything else is a leaf.  Leaves that are
``None``, ``str``, ``bool`` or integer numbers (counts, flags, names, settings
kept with the parameters) carry no gradient: their gradient is ``None``.
Integer *arrays* are arrays: their gradient is a float array, as at the top
level.

Invariant: ``rebuild(x, [v for _, v in children(x)])`` is a container of
``x``'s kind equal to ``x``.
"""

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["tree_flatten", "tree_leaves", "tree_map", "tree_unflatten"]

# Leaves kept with the parameters that carry no gradient: their gradient is None.
STATIC_LEAVES = (str, bytes, bool, np.bool_, type(None), int, np.integer)


def is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_dataclass_instance(x):
    return dataclasses.is_dataclass(x) and not isinstance(x, type)


def is_container(x):
    """True for the containers a tree is made of (see the module docstring)."""
    return isinstance(x, (dict, list, tuple)) or is_dataclass_instance(x)


def kind(x):
    """The container's kind in a user's words: 'a dict', 'a namedtuple', ..."""
    if is_namedtuple(x):
        return "a namedtuple"
    if is_dataclass_instance(x):
        return "a dataclass"
    return f"a {type(x).__name__}"


def children(x):
    """The ``(key, value)`` pairs of container ``x``: dict keys, positions or field names."""
    if isinstance(x, dict):
        return list(x.items())
    if is_namedtuple(x):
        return list(zip(type(x)._fields, x))
    if isinstance(x, (list, tuple)):
        return list(enumerate(x))
    return [(f.name, getattr(x, f.name)) for f in dataclasses.fields(x)]


def rebuild(x, values):
    """A container of ``x``'s kind holding ``values``, in the order of ``children(x)``."""
    values = list(values)
    if isinstance(x, dict):
        pairs = zip(x.keys(), values)
        if type(x) is dict:
            return dict(pairs)
        out = copy.copy(x)  # an OrderedDict, a defaultdict: same kind, same settings
        out.clear()
        out.update(pairs)
        return out
    if is_namedtuple(x):
        return type(x)._make(values)
    if isinstance(x, tuple):
        return tuple(values) if type(x) is tuple else type(x)(values)
    if isinstance(x, list):
        return list(values) if type(x) is list else type(x)(values)
    out = copy.copy(x)  # a dataclass: frozen ones too, without calling __init__
    for f, value in zip(dataclasses.fields(x), values):
        object.__setattr__(out, f.name, value)
    return out


def path_text(label, key, x):
    """How the user writes the item ``key`` of ``x``, itself written ``label``."""
    if is_dataclass_instance(x) or is_namedtuple(x):
        return f"{label}.{key}"
    return f"{label}[{key!r}]"


@dataclasses.dataclass(frozen=True)
class TreeDef:
    """The structure of a tree without its leaves (from :func:`tree_flatten`)."""

    node: object  # the original tree: its containers are rebuilt, its leaves replaced
    count: int

    def __repr__(self):
        return f"TreeDef({_shape_text(self.node)})"


def _shape_text(x):
    if not is_container(x):
        return "*"
    inner = ", ".join(f"{k!r}: {_shape_text(v)}" for k, v in children(x))
    return f"{type(x).__name__}({inner})"


def tree_leaves(tree):
    """The leaves of ``tree``, depth first, in the containers' own order."""
    if not is_container(tree):
        return [tree]
    return [leaf for _, child in children(tree) for leaf in tree_leaves(child)]


def tree_flatten(tree):
    """``(leaves, treedef)``: ``tree_unflatten(treedef, leaves)`` gives the tree back."""
    leaves = tree_leaves(tree)
    return leaves, TreeDef(tree, len(leaves))


def tree_unflatten(treedef, leaves):
    """The tree of ``treedef``'s structure holding ``leaves`` (as many as it has)."""
    leaves = list(leaves)
    if len(leaves) != treedef.count:
        raise ValueError(f"{treedef!r} holds {treedef.count} leaves, not {len(leaves)}")
    return _fill(treedef.node, iter(leaves))


def _fill(node, leaves):
    if not is_container(node):
        return next(leaves)
    return rebuild(node, [_fill(child, leaves) for _, child in children(node)])


def tree_map(fn: Callable, tree: Any, *rest: Any) -> Any:
    """A tree of ``tree``'s structure holding ``fn(leaf, *same leaves of rest)``.

    The trees in ``rest`` have ``tree``'s structure (dicts are matched by key).
    Where a leaf, or the same leaf of one of ``rest``, is ``None`` (a leaf with
    no gradient), the leaf of ``tree`` is kept as it is.
    """
    return _map(fn, tree, rest, "tree")


def _map(fn, tree, rest, label):
    if not is_container(tree):
        if tree is None or any(other is None for other in rest):
            return tree
        return fn(tree, *rest)
    pairs = children(tree)
    columns = [[] for _ in pairs]
    for other in rest:
        if not _same_kind(tree, other):
            found = kind(other) if is_container(other) else f"a leaf {other!r}"
            raise ValueError(
                f"tree_map: {label} is {kind(tree)} in the first tree but {found} in another"
            )
        items = dict(children(other))
        if len(items) != len(pairs) or any(key not in items for key, _ in pairs):
            raise ValueError(
                f"tree_map: {label} has keys {[k for k, _ in pairs]} in the first tree but "
                f"{list(items)} in another"
            )
        for column, (key, _) in zip(columns, pairs):
            column.append(items[key])
    values = [
        _map(fn, child, column, path_text(label, key, tree))
        for (key, child), column in zip(pairs, columns)
    ]
    return rebuild(tree, values)


def _same_kind(tree, other):
    if isinstance(tree, dict):
        return isinstance(other, dict)
    if isinstance(tree, (list, tuple)):  # a gradient of a tuple may be a list
        return isinstance(other, (list, tuple))
    return is_dataclass_instance(other) or isinstance(other, dict)
