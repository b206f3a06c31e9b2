"""Stage 2, desugar: rewrite the function into the small language later stages read.

Invariants of the returned tree:

* statements are ``Assign`` (one target: a name, a tuple of names, or a
  subscript of a name), ``Expr``, ``If``, ``For`` over ``range(...)``,
  ``While``, ``Pass``, ``Assert``, and one final ``Return``;
* ``break`` appears only as the last statement of a loop body, inside
  ``if <flag>: break``; there is no ``continue`` and no early ``return``
  (flags record them and guard the statements they skip);
* augmented assignments are plain assignments, loops over arrays, lists,
  ``enumerate`` and ``zip`` are loops over an index;
* every statement keeps the line number of the user's statement it came from.

Python outside this subset raises ``UnsupportedSyntax`` here, with the line.
"""

import gast

from srcdiff.static.constructs import describe
from srcdiff.static.names import (
    Namer,
    assign,
    assigned_names,
    clone,
    const,
    indexable,
    name,
    names_in,
    runtime_check,
    runtime_name,
    store,
)
from srcdiff.static.nodes import walk
from srcdiff.static.sight import check_in_sight
from srcdiff.static.statements import (
    any_flag,
    contains,
    contains_return,
    is_call_to,
    is_docstring,
    load,
    located,
    not_any,
    range_len,
)

# Statements and expressions outside the small language (their words: static/constructs.py).
_UNSUPPORTED = frozenset(
    {gast.With, gast.AsyncWith, gast.Try, gast.Raise, gast.ClassDef, gast.FunctionDef}
    | {gast.AsyncFunctionDef, gast.AsyncFor, gast.Global, gast.Nonlocal, gast.Delete}
    | {gast.Import, gast.ImportFrom, gast.AnnAssign}
)
_UNSUPPORTED_EXPRESSIONS = frozenset({gast.Yield, gast.YieldFrom, gast.Await, gast.NamedExpr})

ADVICE = 'rewrite it, or differentiate with mode="trace"'


class Flags:
    """The flag names of the jumps one loop (or the function) may take."""

    def __init__(self):
        self.brk = None
        self.cont = None


class Desugar:
    """Rewrites one function; see the module docstring for what it guarantees."""

    def __init__(self, source):
        self.source = source
        self.namer = Namer(names_in(source.tree))
        self.returned = None  # flag set by an early return
        self.result = None  # the name an early return stores its value in

    def error(self, node, what):
        return self.source.error(node, f"{what} is not supported; {ADVICE}")

    def run(self):
        check_in_sight(self.source)
        tree = clone(self.source.tree)
        body = tree.body
        if body and is_docstring(body[0]):
            body = body[1:]
        last = body[-1] if body else None
        if isinstance(last, gast.Return) and not contains_return(body[:-1]):
            final = last
            body = self.block(body[:-1], None) + [self.final_return(last.value, last)]
        else:
            self.returned = self.namer.fresh("returned")
            self.result = self.namer.fresh("result")
            lineno = tree.lineno
            final = last if isinstance(last, gast.Return) else tree
            body = (
                [
                    assign(self.returned, const(False), lineno),
                    assign(self.result, const(None), lineno),
                ]
                + self.block(body, None)
                + [located(gast.Return(value=name(self.result)), final)]
            )
        tree.body = body
        return tree

    def final_return(self, value, node):
        value = const(None) if value is None else value
        self.check_expression(value)
        return located(gast.Return(value=value), node)

    # -- blocks and jumps -------------------------------------------------

    def block(self, stmts, loop):
        """Desugar a list of statements; statements after a possible jump get a guard."""
        out = []
        for i, stmt in enumerate(stmts):
            flags = self.jump_flags(stmt, loop)
            out.extend(self.statement(stmt, loop))
            rest = stmts[i + 1 :]
            if flags and rest:
                guard = not_any(flags)
                guarded = gast.If(test=guard, body=self.block(rest, loop), orelse=[])
                guarded.synthetic = True  # not the user's: its adjoint gets no comment
                out.append(located(guarded, rest[0]))
                break
        return out

    def jump_flags(self, stmt, loop):
        """Names of the flags ``stmt`` may set to skip the statements after it."""
        flags = []
        if loop is not None:
            if contains(stmt, gast.Break, loops=False):
                flags.append(loop.brk)
            if contains(stmt, gast.Continue, loops=False):
                flags.append(loop.cont)
        if contains_return([stmt]):
            flags.append(self.returned)
        return flags

    def statement(self, stmt, loop):
        kind = type(stmt)
        if kind in _UNSUPPORTED:
            raise self.error(stmt, describe(stmt))
        if kind is gast.Expr:
            if is_docstring(stmt):
                return []
            self.check_expression(stmt.value)
            return [stmt]
        if kind is gast.Pass:
            return []
        if kind is gast.Assert:
            return [stmt]
        if kind is gast.Assign:
            return self.assignment(stmt)
        if kind is gast.AugAssign:
            return self.augmented(stmt)
        if kind is gast.Return:
            value = const(None) if stmt.value is None else stmt.value
            self.check_expression(value)
            out = [
                assign(self.result, value, stmt.lineno),
                assign(self.returned, const(True), stmt.lineno),
            ]
            return out
        if kind is gast.Break:
            return [assign(loop.brk, const(True), stmt.lineno)]
        if kind is gast.Continue:
            return [assign(loop.cont, const(True), stmt.lineno)]
        if kind is gast.If:
            self.check_expression(stmt.test)
            stmt.body = self.block(stmt.body, loop) or [located(gast.Pass(), stmt)]
            stmt.orelse = self.block(stmt.orelse, loop)
            return [stmt]
        if kind is gast.For:
            return self.for_loop(stmt)
        if kind is gast.While:
            return self.while_loop(stmt)
        raise self.error(stmt, describe(stmt))

    def check_expression(self, node):
        for sub in walk(node):
            if type(sub) in _UNSUPPORTED_EXPRESSIONS:
                raise self.error(sub, describe(sub))

    # -- assignments ------------------------------------------------------

    def assignment(self, stmt):
        self.check_expression(stmt.value)
        if len(stmt.targets) > 1:  # a = b = value
            first, *others = reversed(stmt.targets)
            out = self.assignment(located(gast.Assign(targets=[first], value=stmt.value), stmt))
            source = first
            for target in others:
                out += self.assignment(
                    located(gast.Assign(targets=[target], value=load(source)), stmt)
                )
            return out
        target = stmt.targets[0]
        if isinstance(target, gast.Name):
            return [stmt]
        if isinstance(target, gast.Subscript):
            if not isinstance(target.value, gast.Name):
                raise self.error(stmt, "assignment into a nested subscript or attribute")
            return [stmt]
        if isinstance(target, (gast.Tuple, gast.List)):
            return self.unpack(stmt, target)
        raise self.error(stmt, "assignment to an attribute")

    def unpack(self, stmt, target):
        """``a, b = ...``: one assignment per name, through temporaries if they overlap."""
        if not all(isinstance(t, gast.Name) for t in target.elts):
            raise self.error(stmt, "nested or starred unpacking")
        value = stmt.value
        if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(target.elts):
            if any(isinstance(v, gast.Starred) for v in value.elts):
                raise self.error(stmt, "starred expressions")
            written = {t.id for t in target.elts}
            read = set().union(*(names_in(v) for v in value.elts))
            if not written & read:
                return [located(assign(t.id, v), stmt) for t, v in zip(target.elts, value.elts)]
            temps = [self.namer.fresh(t.id + "_new") for t in target.elts]
            return [located(assign(n, v), stmt) for n, v in zip(temps, value.elts)] + [
                located(assign(t.id, name(n)), stmt) for t, n in zip(target.elts, temps)
            ]
        stmt.targets = [gast.Tuple(elts=[store(t.id) for t in target.elts], ctx=gast.Store())]
        return [stmt]

    def augmented(self, stmt):
        """``t op= v`` becomes ``t = t op v``."""
        self.check_expression(stmt.value)
        target = stmt.target
        if isinstance(target, gast.Subscript) and not isinstance(target.value, gast.Name):
            raise self.error(stmt, "augmented assignment into a nested subscript")
        if not isinstance(target, (gast.Name, gast.Subscript)):
            raise self.error(stmt, "augmented assignment to an attribute")
        value = gast.BinOp(left=load(target), op=stmt.op, right=stmt.value)
        out = [located(gast.Assign(targets=[target], value=value, type_comment=None), stmt)]
        if (stmt.lineno, stmt.col_offset) in getattr(self.source, "view_checks", ()):
            # ``v = a[i]; v += x``: fine for a number, an in-place update for a row.
            check = gast.Call(
                func=runtime_name("check_not_a_view"),
                args=[name(target.id), const(target.id)],
                keywords=[],
            )
            out.insert(0, located(runtime_check(check), stmt))
        return out

    # -- loops ------------------------------------------------------------

    def for_loop(self, stmt):
        if stmt.orelse:
            raise self.error(stmt, "a for-else clause")
        self.check_expression(stmt.iter)
        prologue, index, binds = self.index_loop(stmt)
        head = []
        target = stmt.target.id
        if any(target in assigned_names(body_stmt) for body_stmt in stmt.body):
            # The body rebinds the loop's name: the loop walks a name of its own
            # (which the backward pass can walk in reverse) and copies it first.
            walked = self.namer.fresh(target + "_index")
            stmt.target = store(walked)
            head = [located(assign(target, name(walked)), stmt)]
            index = walked if index == target else index
        return prologue + self.loop(stmt, binds, index, head)

    def index_loop(self, stmt):
        """Rewrite the loop header into ``for index in range(...)`` plus bindings."""
        iterable, target = stmt.iter, stmt.target
        if is_call_to(iterable, "range") and isinstance(target, gast.Name):
            return [], None, []
        if is_call_to(iterable, "enumerate") and len(iterable.args) == 1 and not iterable.keywords:
            if not (isinstance(target, gast.Tuple) and len(target.elts) == 2):
                raise self.error(stmt, "this enumerate() loop target")
            counter, item = target.elts
            if not isinstance(counter, gast.Name):
                raise self.error(stmt, "this enumerate() loop target")
            walked = iterable.args[0]
            if _zip_into(walked, item):  # ``for i, (a, b) in enumerate(zip(as, bs))``
                prologue, sequences = self.sequences(walked.args, stmt)
                binds = list(zip(item.elts, sequences))
            else:
                prologue, sequence = self.sequence(walked, stmt)
                sequences, binds = [sequence], [(item, sequence)]
            stmt.target = store(counter.id)
            stmt.iter = range_len(sequences)
            return prologue, counter.id, binds
        if is_call_to(iterable, "zip") and not iterable.keywords:
            if not _zip_into(iterable, target):
                raise self.error(stmt, "this zip() loop target")
            prologue, sequences = self.sequences(iterable.args, stmt)
            index = self.namer.fresh("i")
            stmt.target = store(index)
            stmt.iter = range_len(sequences)
            return prologue, index, list(zip(target.elts, sequences))
        if isinstance(target, (gast.Tuple, gast.Name)):
            prologue, sequence = self.sequence(iterable, stmt)
            index = self.namer.fresh("i")
            stmt.target = store(index)
            stmt.iter = range_len([sequence])
            return prologue, index, [(target, sequence)]
        raise self.error(stmt, "this loop target")

    def sequences(self, nodes, stmt):
        """(prologue, names) for several sequences walked in step."""
        prologue, names = [], []
        for node in nodes:
            more, sequence = self.sequence(node, stmt)
            prologue += more
            names.append(sequence)
        return prologue, names

    def sequence(self, node, stmt):
        """A name for the sequence a loop walks, assigned once before the loop."""
        if isinstance(node, gast.Name):
            return [], node.id
        seq = self.namer.fresh("sequence")
        return [located(assign(seq, indexable(node)), stmt)], seq

    def loop(self, stmt, binds, index, head=()):
        flags = Flags()
        body = stmt.body
        if contains(body, gast.Break, loops=False):
            flags.brk = self.namer.fresh("break_loop")
        if contains(body, gast.Continue, loops=False):
            flags.cont = self.namer.fresh("continue_loop")
        head = list(head)
        for target, sequence in binds:
            item = gast.Subscript(value=name(sequence), slice=name(index), ctx=gast.Load())
            head += self.assignment(located(gast.Assign(targets=[target], value=item), stmt))
        if flags.cont:
            head.append(located(assign(flags.cont, const(False)), stmt))
        exits = [f for f in (flags.brk, self.returned if contains_return(body) else None) if f]
        new_body = head + self.block(body, flags)
        if exits:
            new_body.append(
                located(
                    gast.If(test=any_flag(exits), body=[located(gast.Break(), stmt)], orelse=[]),
                    stmt,
                )
            )
        stmt.body = new_body or [located(gast.Pass(), stmt)]
        before = [located(assign(flags.brk, const(False)), stmt)] if flags.brk else []
        return before + [stmt]

    def while_loop(self, stmt):
        if stmt.orelse:
            raise self.error(stmt, "a while-else clause")
        self.check_expression(stmt.test)
        return self.loop(stmt, [], None)


def _zip_into(iterable, target):
    """Is ``iterable`` a ``zip(...)`` call that ``target`` unpacks one name per sequence?"""
    return (
        is_call_to(iterable, "zip")
        and not iterable.keywords
        and not any(isinstance(a, gast.Starred) for a in iterable.args)
        and isinstance(target, gast.Tuple)
        and len(target.elts) == len(iterable.args)
    )


def desugar(source):
    """Rewrite ``source.tree`` into the desugared subset (a new tree)."""
    return Desugar(source).run()
