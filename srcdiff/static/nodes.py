"""Walking and converting trees, at the cost of the nodes they hold.

Every stage looks through trees for names and calls, so walking is most of
the time a transformation takes.  :func:`walk` yields exactly what
``ast.walk`` yields, in the same (breadth-first) order, about twice as fast:
it reads each node's fields directly instead of through two nested
generators.  :func:`to_gast` and :func:`to_ast` give what gast's
``ast_to_gast`` and ``gast_to_ast`` give, building the nodes whose class
has the same name and fields in both, and names and assignments as gast's
own methods do, directly instead of through gast's visitor; the others
(arguments, definitions' signatures) are handed to gast.

Invariants: ``list(walk(tree)) == list(ast.walk(tree))``; ``to_gast(tree)``
and ``to_ast(tree)`` equal gast's conversions of ``tree``.
"""

import ast
from collections import deque

import gast
from gast.ast3 import Ast3ToGAst, GAstToAst3

_AST = gast.AST  # gast's nodes derive from ``ast.AST``, like ast's own


def walk(node):
    """Every node under ``node`` (itself first), breadth-first, as ``ast.walk``."""
    todo = deque([node])
    take, add = todo.popleft, todo.append
    while todo:
        node = take()
        for field in node._fields:
            child = getattr(node, field, None)
            if isinstance(child, list):
                for item in child:
                    if isinstance(item, _AST):
                        add(item)
            elif isinstance(child, _AST):
                add(child)
        yield node


def _same(source, target, converter):
    """{class of ``source``: class of ``target``} where ``converter``'s generic visit
    converts one into the other (same name, same fields, no method of its own)."""
    legacy = ("Num", "Str", "Bytes", "NameConstant", "Ellipsis")  # visit_Constant's
    same = {}
    for name, cls in vars(source).items():
        other = getattr(target, name, None)
        if not (isinstance(cls, type) and issubclass(cls, _AST) and isinstance(other, type)):
            continue
        own = getattr(converter, "visit_" + name, None)
        if own is not getattr(ast.NodeVisitor, "visit_" + name, None):
            continue
        if name == "Constant" and any(hasattr(converter, "visit_" + n) for n in legacy):
            continue
        if cls._fields == other._fields and cls is not _AST:
            same[cls] = other
    return same


_TO_GAST = _same(ast, gast, Ast3ToGAst)
_TO_AST = _same(gast, ast, GAstToAst3)


def to_gast(node):
    """``gast.ast_to_gast(node)``."""
    return _convert(node, _TO_GAST, gast.ast_to_gast, _GAST_OWN, ast.FunctionDef)


def to_ast(node):
    """``gast.gast_to_ast(node)``."""
    return _convert(node, _TO_AST, gast.gast_to_ast, _AST_OWN, gast.FunctionDef)


def _gast_name(node, convert):
    return ast.copy_location(gast.Name(node.id, convert(node.ctx), None, None), node)


def _ast_name(node, convert):
    return ast.copy_location(ast.Name(node.id, convert(node.ctx)), node)


def _ast_assign(node, convert):
    return ast.copy_location(ast.Assign(convert(node.targets), convert(node.value)), node)


# Nodes gast converts with a method of its own, done here as that method does.
_GAST_OWN = {ast.Name: _gast_name}
_AST_OWN = {gast.Name: _ast_name}
if hasattr(GAstToAst3, "visit_Assign"):  # else its generic visit (``_TO_AST``) converts it
    _AST_OWN[gast.Assign] = _ast_assign


def _convert(node, same, slow, own, function_class):
    def convert(node):
        if isinstance(node, list):
            return [convert(item) for item in node]
        if not isinstance(node, _AST):
            return node
        kind = type(node)
        target = same.get(kind)
        if target is not None:  # what gast's generic visit does
            fields = {}
            for field in kind._fields:
                value = getattr(node, field, _ABSENT)
                if value is not _ABSENT:
                    fields[field] = convert(value)
            new = target(**fields)
            for attr in kind._attributes:
                value = getattr(node, attr, _ABSENT)
                if value is not _ABSENT:
                    setattr(new, attr, value)
            return new
        if kind in own:
            return own[kind](node, convert)
        if kind is function_class:  # its signature by gast, its body here
            body, node.body = node.body, []
            try:
                new = slow(node)
            finally:
                node.body = body
            new.body = convert(body)
            return new
        return slow(node)

    return convert(node)


_ABSENT = object()
