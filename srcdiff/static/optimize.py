"""Stage 6, optimize: fold constants in adjoint expressions, drop dead statements.

``simplify`` folds what rule templates leave behind once constants are
substituted (``2 - 1``, ``x ** 1``, ``g * 1``); it never folds away a
multiplication by zero or an array operand, so shapes stay exact.
``eliminate_dead_code`` removes assignments whose names are never read
(the forward value of the output under ``grad``, parts that only fed it).

Invariant: the optimized function computes the same values as before.
"""

import operator
from collections import Counter

import gast

from srcdiff.static.names import clone
from srcdiff.static.nodes import walk
from srcdiff.static.render import is_comment

_FOLD = {
    gast.Add: operator.add,
    gast.Sub: operator.sub,
    gast.Mult: operator.mul,
    gast.Div: operator.truediv,
    gast.Pow: operator.pow,
}


def _number(node):
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    if (
        isinstance(node, gast.UnaryOp)
        and isinstance(node.op, gast.USub)
        and isinstance(node.operand, gast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -node.operand.value
    return None


def _constant(value):
    if value < 0:
        return gast.UnaryOp(op=gast.USub(), operand=gast.Constant(value=-value, kind=None))
    return gast.Constant(value=value, kind=None)


# Nodes with nothing to simplify inside: contexts and operators.
_LEAVES = (gast.expr_context, gast.operator, gast.unaryop, gast.cmpop, gast.boolop)


def _fold(node):
    """One simplification step at ``node``, whose children are already simplified."""
    if isinstance(node, gast.BinOp):
        left, right = _number(node.left), _number(node.right)
        fold = _FOLD.get(type(node.op))
        if fold and left is not None and right is not None:
            try:
                return _constant(fold(left, right))
            except (ZeroDivisionError, OverflowError):
                return node
        if isinstance(node.op, gast.Add) and gast.dump(node.left) == gast.dump(node.right):
            return gast.BinOp(left=_constant(2), op=gast.Mult(), right=node.left)
        # ``1 * E`` is ``E`` only when ``E`` is computed here: ``1.0 * x`` stays, so a
        # gradient never aliases an array the program owns (and may overwrite).
        if isinstance(node.op, gast.Mult) and right == 1 and not isinstance(node.left, gast.Name):
            return node.left
        if isinstance(node.op, gast.Mult) and left == 1 and not isinstance(node.right, gast.Name):
            return node.right
        if isinstance(node.op, (gast.Pow, gast.Div)) and right == 1:
            return node.left
    elif isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = node.operand
        if isinstance(inner, gast.UnaryOp) and isinstance(inner.op, gast.USub):
            return inner.operand
    return node


def simplify(expr, replace=None):
    """``expr`` with constant arithmetic folded (and names in ``replace`` substituted)."""
    if isinstance(expr, list):
        return [simplify(item, replace) for item in expr]
    if not isinstance(expr, gast.AST) or isinstance(expr, _LEAVES):
        return expr
    if replace and type(expr) is gast.Name and expr.id in replace:
        if isinstance(expr.ctx, gast.Load):
            return clone(_resolve(expr.id, replace))
    for field in expr._fields:
        child = getattr(expr, field)
        if isinstance(child, (list, gast.AST)):
            setattr(expr, field, simplify(child, replace))
    return _fold(expr)


def _is_pure(value, pure):
    """Can this assigned value be dropped if unused?  Only if every call in it is pure."""
    for node in walk(value):
        if isinstance(node, gast.Call):
            func = node.func
            if isinstance(func, gast.Attribute) and func.attr in ("pop", "append"):
                return False
            if not pure(node):
                return False
    return True


def propagate_copies(fn, keep=()):
    """``da = db`` or ``dr = 1.0`` at the top of the function: use ``db`` (``1.0``) directly.

    Only where both names are assigned once, so the value is the same at every
    use, and never for the names in ``keep`` (read by code added later).  One
    pass in order: each statement is simplified with the copies seen so far, so
    ``dr = 1.0; ds = -dr`` folds ``ds`` to ``-1.0`` too.
    """
    stores = Counter()
    for node in walk(fn):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            stores[node.id] += 1  # assignments, loop targets and augmented assignments
    params = {a.id for a in walk(fn.args) if isinstance(a, gast.Name)}
    replace, body = {}, []
    for stmt in fn.body:
        stmt = simplify(stmt, replace)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target, value = stmt.targets[0].id, stmt.value
            if stores[target] == 1 and target not in params and target not in keep:
                if isinstance(value, gast.Name) and stores[value.id] + (value.id in params) <= 1:
                    replace[target] = value
                    continue
                if _number(value) is not None:
                    replace[target] = value
                    continue
        body.append(stmt)
    fn.body = body
    return fn


def forward_copies(fn, keep=()):
    """``a = b`` inside a block: later statements of the block read ``b``, and the copy goes.

    ``propagate_copies`` handles the top of the function; inside a loop the
    gradient of an operand is often copied (``dx_1 = dx``) just before ``dx``
    is given a new value.  Reads of ``a`` in the statements after the copy
    become reads of ``b`` until ``b`` is assigned again (or the block's next
    compound statement); ``a`` must be assigned once in the whole function.
    The copy is removed once nothing reads ``a``.
    """
    stores = Counter(
        n.id for n in walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    )
    params = {a.id for a in walk(fn.args) if isinstance(a, gast.Name)}
    copies = []
    for block in _blocks(fn.body):
        # One pass over the block: ``active`` maps each copy still in force to the name it
        # copies, and each statement is renamed once, whatever the number of copies.
        active = {}
        for stmt in block:
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                active.clear()
                continue
            if active:
                stored = _rename_loads(stmt, active)
                for copy in [copy for copy, original in active.items() if original in stored]:
                    del active[copy]
            if not _is_copy(stmt):
                continue
            copy, original = stmt.targets[0].id, stmt.value.id
            if stores[copy] != 1 or copy in params or copy in keep or copy == original:
                continue
            active[copy] = original
            copies.append(stmt)
    reads = Counter(_loads(fn))
    dropped = {id(stmt) for stmt in copies if reads[stmt.targets[0].id] == 0}
    if dropped:
        _drop(fn, dropped)
    return fn


def _blocks(body):
    yield body
    for stmt in body:
        for field in ("body", "orelse"):
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                yield from _blocks(getattr(stmt, field))


def _is_copy(stmt):
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and type(stmt.value) is gast.Name
    )


def _rename_loads(stmt, renames):
    """Rename the reads in ``stmt`` by ``renames``; the names it stores."""
    stored = set()
    for node in walk(stmt):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load):
                node.id = renames.get(node.id, node.id)
            elif isinstance(node.ctx, gast.Store):
                stored.add(node.id)
    return stored


def _drop(fn, dropped):
    for block in _blocks(fn.body):
        block[:] = [stmt for stmt in block if id(stmt) not in dropped]
    for block in _blocks(fn.body):
        for stmt in block:
            for field in ("body", "orelse"):
                if isinstance(stmt, (gast.If, gast.For, gast.While)) and field == "body":
                    if not stmt.body:
                        stmt.body = [gast.Pass()]


def _resolve(id, replace):
    value = replace[id]
    while isinstance(value, gast.Name) and value.id in replace:
        value = replace[value.id]
    return value


def eliminate_dead_code(fn, pure=lambda call: False, live=()):
    """Remove assignments to names never read (to a fixed point).

    ``pure(call)`` says whether a call may be dropped with its unused result;
    the names in ``live`` are read after ``fn``'s body (code added later).
    Reads are counted once; removing a statement releases the names it read.
    """
    reads = Counter(_loads(fn))
    reads.update(live)
    while True:
        removed = []
        fn.body = _prune(fn.body, reads, pure, removed)
        if not removed:
            return fn
        for stmt in removed:
            reads.subtract(_loads(stmt))


def _loads(node):
    return [n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)]


def _is_dead(stmt, reads, pure):
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        # Reads of the target by the statement itself (``s = s + x``) keep nothing alive.
        return (
            isinstance(target, gast.Name)
            and reads[target.id] <= _loads(stmt.value).count(target.id)
            and _is_pure(stmt.value, pure)
        )
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        return reads[stmt.target.id] <= 0
    if isinstance(stmt, (gast.If, gast.For)):
        return all(isinstance(s, gast.Pass) for s in stmt.body + stmt.orelse)
    return False


def _prune(body, reads, pure, removed):
    out = []
    for stmt in body:
        for field in ("body", "orelse"):
            if getattr(stmt, field, None):
                setattr(stmt, field, _prune(getattr(stmt, field), reads, pure, removed))
        if isinstance(stmt, (gast.If, gast.For, gast.While)) and not stmt.body:
            stmt.body = [gast.Pass()]
        if _is_dead(stmt, reads, pure):
            removed.append(stmt)
        else:
            out.append(stmt)
    return _drop_orphan_comments(out)


def _drop_orphan_comments(body):
    """A comment followed by no code (or by another comment) describes nothing."""
    out = []
    for i, stmt in enumerate(body):
        if is_comment(stmt):
            nxt = body[i + 1] if i + 1 < len(body) else None
            if nxt is None or is_comment(nxt):
                continue
        out.append(stmt)
    return out
