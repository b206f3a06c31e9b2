"""The forward sweep: the user's statements plus what the backward sweep needs.

Once the backward sweep is written, the names it reads are known.  This module
turns each ``Restore`` placeholder into code where the value is really needed
(and overwritten), emits the matching saves in the forward sweep, records
branch conditions and loop trip counts, and drops everything else.
"""

import gast

from srcdiff.rules.helpers import reduced_size, unbroadcast, unreduce, zeros_like
from srcdiff.rules.operators import matmul_left, matmul_right
from srcdiff.static.names import assign, clone, const, name, runtime_name, store
from srcdiff.static.nodes import walk
from srcdiff.static.runtime import zeros_for
from srcdiff.static.saves import Recompute, Restore

# Helpers that read one argument only for its shape and dtype: that argument's position.
# A value the backward sweep reads only there is saved as ``shaped_like(value)``.
_LAYOUT_ONLY = {
    unbroadcast: 1,
    unreduce: 1,
    reduced_size: 0,
    zeros_like: 0,
    zeros_for: 0,
    matmul_left: 1,
    matmul_right: 2,
}


def _call(func, *args):
    return gast.Call(func=func, args=list(args), keywords=[])


def _method(owner, attr, *args):
    return _call(gast.Attribute(value=name(owner), attr=attr, ctx=gast.Load()), *args)


def _copy_of(var, index, lists, dicts=()):
    """The old ``var[index]``: a copy of an array's item, the item itself of a list's.

    Assigning into a Python list replaces the item without changing it, and
    ``np.copy`` would make an array of it (or fail, for items of different shapes).
    A dict's item may not be there yet: ``saved_item`` marks it missing.
    """
    item = gast.Subscript(value=name(var), slice=clone(index), ctx=gast.Load())
    if var in dicts:
        return _call(runtime_name("saved_item"), name(var), clone(index))
    if var in lists:
        return item
    return _call(gast.Attribute(value=runtime_name("np"), attr="copy", ctx=gast.Load()), item)


def _list_names(tree, display=gast.List):
    """Names bound only to list displays (``ys = [a, b]``): Python lists, never arrays
    (with ``display=gast.Dict``, names bound only to dict displays)."""
    displays = set()  # the target nodes of ``name = [...]``
    for node in walk(tree):
        if isinstance(node, gast.Assign) and isinstance(node.value, display):
            displays |= {id(t) for t in node.targets if isinstance(t, gast.Name)}
    lists, others = set(), {a.id for a in walk(tree.args) if isinstance(a, gast.Name)}
    for node in walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            (lists if id(node) in displays else others).add(node.id)
    return lists - others


class Sweeps:
    """Finishes the backward sweep and writes the forward sweep."""

    def __init__(self, reverse):
        self.reverse = reverse
        self.namer = reverse.namer
        self.needed = set()
        self.restored = set()  # variables some restore writes
        self.layout_only = set()  # variables the backward sweep reads only for shape and dtype
        self.stack_names = {}
        self.lists = _list_names(reverse.tree)
        self.dicts = _list_names(reverse.tree, gast.Dict)

    # -- which saved values are read --------------------------------------

    def settle(self, seed, backward):
        """Decide which restores ``backward`` needs (a fixed point: restores read indices too).

        ``seed`` runs first and reads only final values, which need no restore.
        """
        restores = list(_restores(backward))
        live = set()  # branches and loops that only restore, and whose restores are used
        while True:
            self.needed = _reads(backward, live)
            while True:
                extra = set()
                for r in restores:
                    if self.is_used(r.save) and r.save.index not in (None, "append"):
                        extra |= _names(r.save.index) | {r.save.var}
                    if self.is_used(r.save) and r.save.recompute is not None:
                        extra |= _names(r.save.recompute.value)
                if extra <= self.needed:
                    break
                self.needed |= extra
            for r in restores:
                r.save.used = self.is_used(r.save)
            now_live = {
                id(stmt)
                for stmt in _compounds(backward)
                if not _has_code(stmt) and any(r.save.used for r in _restores([stmt]))
            }
            if now_live <= live:
                break
            live |= now_live
        self.restored = {r.save.var for r in restores if r.save.used}
        values = _reads(backward, live, self.layout_position)
        for r in restores:
            if r.save.used and r.save.index not in (None, "append"):
                values |= _names(r.save.index) | {r.save.var}
            if r.save.used and r.save.recompute is not None:
                values |= _names(r.save.recompute.value)
        self.layout_only = self.needed - values
        self.needed |= _reads(seed, live)
        return seed + self.materialize(backward)

    def layout_position(self, call):
        """The position of the argument ``call`` reads only for its shape and dtype, or None."""
        func = call.func
        if not isinstance(func, gast.Name):
            return None
        meaning = getattr(func, "runtime", None) or self.reverse.builder.namespace.get(func.id)
        try:
            return _LAYOUT_ONLY.get(meaning)
        except TypeError:  # an object that cannot be hashed
            return None

    def is_used(self, save):
        if save.index == "append":
            return save.var in self.needed
        return save.overwrite and save.var in self.needed

    def slot(self, save):
        if save.slot is None:
            if save.in_loop:
                if save.var not in self.stack_names:
                    self.stack_names[save.var] = self.namer.fresh(save.var + "_stack")
                save.slot = self.stack_names[save.var]
            else:
                save.slot = self.namer.fresh(save.var + "_old")
        return save.slot

    def materialize(self, body):
        out = []
        for stmt in body:
            if isinstance(stmt, Recompute):
                if stmt.save.used:  # headed by ``# line N: ...``, as in the forward sweep
                    value = clone(stmt.save.recompute.value)
                    out.append(assign(stmt.save.var, value, stmt.save.recompute.lineno))
                continue
            if isinstance(stmt, Restore):
                out += self.restore_code(stmt.save)
                continue
            for field in ("body", "orelse"):
                if getattr(stmt, field, None):
                    setattr(stmt, field, self.materialize(getattr(stmt, field)) or [gast.Pass()])
            out.append(stmt)
        return out

    def restore_code(self, save):
        if not save.used or save.recompute is not None:
            return []
        if save.index == "append":
            return [gast.Expr(value=_method(save.var, "pop"))]
        slot = self.slot(save)
        value = _method(slot, "pop") if save.in_loop else name(slot)
        if save.index is None:
            return [assign(save.var, value)]
        if save.var in self.dicts:  # a key the forward sweep added goes again
            index = clone(save.index)
            return [
                gast.Expr(value=_call(runtime_name("restore_item"), name(save.var), index, value))
            ]
        item = gast.Subscript(value=name(save.var), slice=clone(save.index), ctx=gast.Store())
        return [gast.Assign(targets=[item], value=value, type_comment=None)]

    def save_code(self, save):
        if not save.used or save.index == "append" or save.recompute is not None:
            return []
        slot = self.slot(save)
        value = name(save.var)
        if save.index is not None:
            value = _copy_of(save.var, save.index, self.lists, self.dicts)
        elif save.var in self.layout_only and save.var not in self.reverse.builder.shapes.scalars:
            value = _call(runtime_name("shaped_like"), value)
        if save.in_loop:
            return [gast.Expr(value=_method(slot, "append", value))]
        return [assign(slot, value)]

    # -- forward sweep ------------------------------------------------------

    def forward(self, body):
        out = []
        for stmt in body:
            saves = self.reverse.saves.get(id(stmt), [])
            if isinstance(stmt, gast.If) and id(stmt) in self.reverse.plan.conditions:
                cond = self.reverse.plan.conditions[id(stmt)]
                stmt.body = self.forward(stmt.body) or [gast.Pass()]
                stmt.orelse = self.forward(stmt.orelse)
                if cond in self.needed:
                    out += [c for s in saves for c in self.save_code(s)]
                    out.append(assign(cond, stmt.test, stmt.lineno))
                    stmt.test = name(cond)
                out.append(stmt)
            elif isinstance(stmt, (gast.For, gast.While)):
                out += self.forward_loop(stmt, saves)
            else:
                out += [c for s in saves for c in self.save_code(s)]
                out.append(stmt)
        return out

    def forward_loop(self, stmt, saves):
        plan = self.reverse.plan.loops[id(stmt)]
        head = []
        out = [c for s in saves for c in self.save_code(s)]
        if plan.trips and plan.trips in self.needed:
            out.append(assign(plan.trips, const(0), stmt.lineno))
            count = gast.AugAssign(target=store(plan.trips), op=gast.Add(), value=const(1))
            head.append(count)
        for save in self.reverse.saves.get(("target", id(stmt)), []):
            head += self.save_code(save)
        stmt.body = head + self.forward(stmt.body)
        out.append(stmt)
        return out

    def prologue(self):
        """Stacks and names that must exist before the forward sweep starts."""
        out = []
        plan = self.reverse.plan
        recomputed = {s.var for saves in plan.recomputes.values() for s in saves}
        for var in sorted(plan.preinit - recomputed):
            if var in self.needed:
                out.append(assign(var, const(None)))
        for stack in sorted(self.stack_names.values()):
            out.append(assign(stack, gast.List(elts=[], ctx=gast.Load())))
        return out


def _restores(body):
    for stmt in body:
        if isinstance(stmt, Restore):
            yield stmt
        else:
            for field in ("body", "orelse"):
                yield from _restores(getattr(stmt, field, None) or [])


def _names(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name)}


def _compounds(body):
    """Every ``if`` and loop in ``body``, nested ones included."""
    for stmt in body:
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            yield stmt
            for field in ("body", "orelse"):
                yield from _compounds(getattr(stmt, field))


def _has_code(stmt):
    """Does a branch or loop do anything but restore values?"""
    for field in ("body", "orelse"):
        for inner in getattr(stmt, field, None) or []:
            if isinstance(inner, Restore) or isinstance(inner, gast.Pass):
                continue
            if not isinstance(inner, (gast.If, gast.For, gast.While)) or _has_code(inner):
                return True
    return False


def _reads(body, live, layout_position=None):
    """Names the backward code reads; the header of a branch or loop that only
    restores counts only once one of its restores is used (it is in ``live``).

    With ``layout_position`` (a call -> the position of an argument it reads only for
    its shape, or None), names read only there are left out."""
    found = set()
    for stmt in body:
        if isinstance(stmt, Restore):
            continue
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            if _has_code(stmt) or id(stmt) in live:
                header = stmt.test if isinstance(stmt, (gast.If, gast.While)) else stmt.iter
                found |= {n.id for n in walk(header) if isinstance(n, gast.Name)}
            for field in ("body", "orelse"):
                found |= _reads(getattr(stmt, field) or [], live, layout_position)
            continue
        nodes = list(walk(stmt))
        layout = set()  # the Name nodes read only for their shape
        if layout_position is not None:
            for node in nodes:
                if isinstance(node, gast.Call):
                    position = layout_position(node)
                    if position is not None and position < len(node.args):
                        layout.add(id(node.args[position]))
        for node in nodes:
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                if id(node) not in layout:
                    found.add(node.id)
            if isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Subscript):
                found |= _names(node.target.slice)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
            found |= _names(stmt.targets[0].slice)
    return found
