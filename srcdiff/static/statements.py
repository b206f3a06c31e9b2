"""Small facts about statements and the nodes desugaring builds, shared by the front-end passes."""

import gast

from srcdiff.static.names import clone, name, runtime_name
from srcdiff.static.nodes import walk


def is_loop_exit(stmt):
    """True for the ``if <flag>: break`` that closes a desugared loop body."""
    return (
        isinstance(stmt, gast.If) and len(stmt.body) == 1 and isinstance(stmt.body[0], gast.Break)
    )


def is_docstring(stmt):
    return (
        isinstance(stmt, gast.Expr)
        and isinstance(stmt.value, gast.Constant)
        and isinstance(stmt.value.value, str)
    )


def is_call_to(node, fname):
    return (
        isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == fname
    )


def range_len(sequences):
    lengths = [gast.Call(func=runtime_name("len"), args=[name(s)], keywords=[]) for s in sequences]
    if len(lengths) > 1:
        lengths = [gast.Call(func=runtime_name("min"), args=lengths, keywords=[])]
    return gast.Call(func=runtime_name("range"), args=lengths, keywords=[])


def contains(node, kind, loops=True):
    """Does ``node`` (a statement or list) contain ``kind``, outside nested loops unless ``loops``?"""
    stack = list(node) if isinstance(node, list) else [node]
    while stack:
        sub = stack.pop()
        if isinstance(sub, kind):
            return True
        if not loops and isinstance(sub, (gast.For, gast.While)):
            continue
        stack.extend(gast.iter_child_nodes(sub))
    return False


def contains_return(stmts):
    return contains(stmts, gast.Return)


def any_flag(flags):
    if len(flags) == 1:
        return name(flags[0])
    return gast.BoolOp(op=gast.Or(), values=[name(f) for f in flags])


def not_any(flags):
    return gast.UnaryOp(op=gast.Not(), operand=any_flag(flags))


def load(node):
    node = clone(node)
    for sub in walk(node):
        if hasattr(sub, "ctx"):
            sub.ctx = gast.Load()
    return node


def located(node, origin):
    node.lineno = getattr(origin, "lineno", None)
    node.col_offset = getattr(origin, "col_offset", 0)
    return node
