"""List comprehensions and generator expressions, written out as ``for`` loops.

``[e for x in xs if c]`` becomes ``items = []``, ``for x in xs: if c:
items.append(e)``; ``sum(e for x in xs)`` becomes ``total = 0``, ``for x in
xs: total = total + e`` (builtin ``sum`` adds from 0 in the same order).  A
generator expression handed to ``list``, ``tuple``, ``min``, ``max``, ``any``,
``all`` or ``sorted`` is made a list first: those builtins iterate it once, to
the end, and give the same result for the list.

Each comprehension's loop variables are its own (Python scopes them to the
comprehension): ``own_loop_names`` renames those that the rest of the
function also uses, before any comprehension is written out.
"""

import builtins
import collections

import gast

from srcdiff.static.names import assign, const, name, store
from srcdiff.static.nodes import walk

COMPREHENSIONS = (gast.ListComp, gast.GeneratorExp, gast.SetComp, gast.DictComp)

# Builtins that iterate a generator expression to its end and give the same
# result for a list of its items.
LIST_CONSUMERS = frozenset(
    {builtins.list, builtins.tuple, builtins.min, builtins.max, builtins.any, builtins.all}
    | {builtins.sorted}
)


def name_counts(tree):
    """How often each identifier occurs in ``tree`` (names and function names)."""
    counts = collections.Counter()
    for node in walk(tree):
        if isinstance(node, gast.Name):
            counts[node.id] += 1
        elif isinstance(node, gast.FunctionDef):
            counts[node.name] += 1
    return counts


def rename(tree, renames, skip=()):
    """Replace the identifiers of ``renames`` in ``tree``, in place, outside the nodes of ``skip``."""
    skipped = {id(node) for node in skip}
    stack = [tree]
    while stack:
        node = stack.pop()
        if id(node) in skipped:
            continue
        if isinstance(node, gast.Name) and node.id in renames:
            node.id = renames[node.id]
        stack.extend(gast.iter_child_nodes(node))


def own_loop_names(tree, namer):
    """Give each comprehension's loop variables names no other code of ``tree`` uses; returns them."""
    names = set()
    total = name_counts(tree)  # kept up to date as names change
    for node in walk(tree):
        if not isinstance(node, COMPREHENSIONS):
            continue
        inside = name_counts(node)
        # The first iterable is evaluated outside the comprehension.
        outer = node.generators[0].iter
        inside.subtract(name_counts(outer))
        renames = {}
        for generator in node.generators:
            for target in walk(generator.target):
                if isinstance(target, gast.Name) and total[target.id] > inside[target.id]:
                    renames.setdefault(target.id, namer.fresh(target.id))
        for old, new in renames.items():
            total[old] -= inside[old]
            total[new] += inside[old]
        rename(node, renames, skip=[outer])
        for generator in node.generators:
            names |= {t.id for t in walk(generator.target) if isinstance(t, gast.Name)}
    return names


def comprehension_loop(node, result, start, lineno):
    """Statements that compute comprehension ``node`` into the name ``result``.

    ``start`` is None for a list, else the expression a sum starts from.
    """
    if start is None:
        first = assign(result, gast.List(elts=[], ctx=gast.Load()), lineno)
        step = gast.Expr(
            value=gast.Call(
                func=gast.Attribute(value=name(result), attr="append", ctx=gast.Load()),
                args=[node.elt],
                keywords=[],
            )
        )
    else:
        first = assign(result, start, lineno)
        step = assign(result, gast.BinOp(left=name(result), op=gast.Add(), right=node.elt))
    body = [_at(step, lineno)]
    for generator in reversed(node.generators):
        for condition in reversed(generator.ifs):
            body = [_at(gast.If(test=condition, body=body, orelse=[]), lineno)]
        loop = gast.For(
            target=_stored(generator.target),
            iter=generator.iter,
            body=body,
            orelse=[],
            type_comment=None,
        )
        body = [_at(loop, lineno)]
    return [first] + body


def sum_start(call):
    """The start value of ``sum(generator)`` or ``sum(generator, start)``."""
    return call.args[1] if len(call.args) > 1 else const(0)


def _stored(target):
    if isinstance(target, gast.Name):
        return store(target.id)
    target.ctx = gast.Store()
    return target


def _at(node, lineno):
    node.lineno = lineno
    node.col_offset = 0
    return node
