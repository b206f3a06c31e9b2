"""Stage 1b, lower: nested functions inlined, comprehensions written out as loops.

Invariant of the returned tree: no nested ``def``, no lambda assigned to a
name that is only called, no list comprehension, and no generator expression
handed to ``sum``, ``list``, ``tuple``, ``min``, ``max``, ``any``, ``all`` or
``sorted``.  Each call of a nested function became the statements of its body
(``static/inline.py``), each comprehension a ``for`` loop
(``static/comprehensions.py``), put before the statement that used them, in
the order Python evaluates them (the right side of ``and``/``or`` and the arms
of ``a if c else b`` under an ``if``, run only when Python would run them);
every statement made keeps the line of the user's code it came from.  The rest of the function is unchanged, for
``desugar`` to read.
"""

import builtins
import dataclasses

import gast

from srcdiff.static.activity import resolve
from srcdiff.static.comprehensions import (
    COMPREHENSIONS,
    LIST_CONSUMERS,
    comprehension_loop,
    own_loop_names,
    sum_start,
)
from srcdiff.static.constructs import describe
from srcdiff.static.inline import NestedFunction, nested_functions, own_local_names
from srcdiff.static.names import Namer, assign, assigned_names, clone, const, name, names_in
from srcdiff.static.nodes import walk
from srcdiff.static.statements import located

ADVICE = 'rewrite it, or differentiate with mode="trace"'


class Lower:
    """Rewrites one function; see the module docstring for what it guarantees."""

    def __init__(self, source):
        self.source = source
        source.locals = assigned_names(source.tree)  # what ``resolve`` leaves to the function
        self.namer = Namer(names_in(source.tree))
        self.functions = set()  # every nested function's name
        self.expanding = []  # the nested functions being inlined, innermost last
        # Names made for a value the expression that held it reads once (a list or sum
        # of a comprehension, a call's result) and a comprehension's own loop
        # names: a later in-place update of an array they show changes nothing read.
        self.temporaries = set()

    def error(self, node, what):
        return self.source.error(node, f"{what} is not supported; {ADVICE}")

    def run(self):
        tree = clone(self.source.tree)
        if not any(
            isinstance(n, (*COMPREHENSIONS, gast.FunctionDef, gast.Lambda))
            for n in _body_nodes(tree)
        ):
            return None
        self.temporaries |= own_loop_names(tree, self.namer)
        self.functions = nested_functions(tree, self.error)
        own_local_names(tree, self.functions, self.namer)
        tree.body = self.block(tree.body, {})
        return tree

    # -- statements ---------------------------------------------------------

    def block(self, stmts, visible):
        """Lower a list of statements; ``visible`` maps the nested functions defined so far."""
        visible = dict(visible)
        out = []
        for stmt in stmts:
            out.extend(self.statement(stmt, visible))
        return out

    def statement(self, stmt, visible):
        if isinstance(stmt, gast.FunctionDef):
            return self.define(NestedFunction(stmt, stmt.lineno), stmt, visible)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Lambda):
            if hasattr(stmt.value, "lambda_name"):
                return self.define(NestedFunction(stmt.value, stmt.lineno), stmt.value, visible)
        before = []
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if len(stmt.targets) == 1 and isinstance(target, gast.Name):
                done = self.into_name(stmt.value, target.id, before, visible, stmt)
                if done:
                    return before
            stmt.value = self.expression(stmt.value, before, visible, stmt)
            stmt.targets = [self.expression(t, before, visible, stmt) for t in stmt.targets]
        elif isinstance(stmt, gast.AugAssign):
            stmt.value = self.expression(stmt.value, before, visible, stmt)
            stmt.target = self.expression(stmt.target, before, visible, stmt)
        elif isinstance(stmt, (gast.Expr, gast.Return)):
            if stmt.value is not None:
                stmt.value = self.expression(stmt.value, before, visible, stmt)
        elif isinstance(stmt, (gast.If, gast.Assert)):
            stmt.test = self.expression(stmt.test, before, visible, stmt)
        elif isinstance(stmt, gast.While) and self.has_work(stmt.test, visible):
            # The condition runs before each trip: ``while True:`` that computes it
            # first and leaves when it is false.
            test = gast.UnaryOp(op=gast.Not(), operand=stmt.test)
            leave = located(gast.If(test=test, body=[located(gast.Break(), stmt)], orelse=[]), stmt)
            stmt.test = const(True)
            stmt.body = [leave] + stmt.body
        elif isinstance(stmt, gast.For):
            stmt.iter = self.expression(stmt.iter, before, visible, stmt)
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and not isinstance(stmt, gast.FunctionDef):
                setattr(stmt, field, self.block(inner, visible))
        return before + [stmt]

    def define(self, function, node, visible):
        """A nested function's definition: evaluate its defaults now, inline it later."""
        out = []
        for parameter, default in list(function.defaults.items()):
            if not isinstance(default, gast.Constant):
                # Defaults are evaluated where the function is defined.
                held = self.namer.fresh(f"{function.name}_{parameter}")
                out += self.statement(located(assign(held, default), node), visible)
                function.defaults[parameter] = name(held)
        visible[function.name] = function
        return out

    def into_name(self, value, target, before, visible, stmt):
        """``target = <comprehension or nested call>``: compute it into ``target`` itself.

        A nested call assigns its result last, after its arguments and body read
        every value they need; a comprehension fills its list while it reads.
        """
        if not self.is_work(value, visible):
            return False
        if not _is_function(value, visible) and target in names_in(value):
            return False
        self.work(value, target, before, visible, stmt)
        return True

    # -- expressions --------------------------------------------------------

    def is_work(self, node, visible):
        """Is ``node`` itself a comprehension or nested call to put in statements?"""
        if isinstance(node, gast.ListComp):
            return True
        if isinstance(node, gast.Call):
            return _is_function(node, visible) or self.consumer(node) is not None
        return False

    def has_work(self, node, visible):
        return any(
            self.is_work(sub, visible)
            or isinstance(sub, COMPREHENSIONS)
            or (isinstance(sub, gast.Call) and _names_function(sub, self.functions))
            for sub in walk(node)
        )

    def consumer(self, call):
        """``sum`` or a list consumer, for a call of one on a generator expression; else None."""
        if not (call.args and isinstance(call.args[0], gast.GeneratorExp)) or call.keywords:
            return None
        fn = resolve(call.func, self.source)
        if fn is builtins.sum and len(call.args) <= 2:
            return fn
        if fn in LIST_CONSUMERS and len(call.args) == 1:
            return fn
        return None

    def work(self, node, result, before, visible, stmt):
        """Statements computing ``node`` (see ``is_work``) into ``result``, appended to ``before``."""
        lineno = stmt.lineno
        if isinstance(node, gast.ListComp):
            made = comprehension_loop(node, result, None, lineno)
        elif _is_function(node, visible):
            node.args = [self.expression(a, before, visible, stmt) for a in node.args]
            for keyword in node.keywords:
                keyword.value = self.expression(keyword.value, before, visible, stmt)
            function = visible[node.func.id]
            if function.name in self.expanding:
                raise self.error(node, f"the nested function '{function.name}' calling itself")
            self.expanding.append(function.name)
            try:
                made = self.block(function.expand(node, result, self.error), visible)
            finally:
                self.expanding.pop()
            before.extend(made)
            return
        elif self.consumer(node) is builtins.sum:
            start = self.expression(sum_start(node), before, visible, stmt)
            made = comprehension_loop(node.args[0], result, start, lineno)
        else:  # list(...), min(...): of a list of the items
            items = self.namer.fresh("items")
            self.temporaries.add(items)
            before.extend(
                self.block(comprehension_loop(node.args[0], items, None, lineno), visible)
            )
            node.args = [name(items)]
            before.append(located(assign(result, node), stmt))
            return
        before.extend(self.block(made, visible))

    def expression(self, node, before, visible, stmt, conditional=False):
        """``node`` with its comprehensions and nested calls replaced by names."""
        if isinstance(node, gast.Lambda):
            if self.has_work(node.body, visible):
                raise self.error(
                    node, "a comprehension or a call of a nested function inside a lambda"
                )
            return node
        if isinstance(node, gast.IfExp) and (
            self.has_work(node.body, visible) or self.has_work(node.orelse, visible)
        ):
            return self.conditional(node, before, visible, stmt)
        if isinstance(node, gast.BoolOp) and any(
            self.has_work(v, visible) for v in node.values[1:]
        ):
            return self.short_circuit(node, before, visible, stmt)
        if (
            isinstance(node, gast.Call)
            and _names_function(node, self.functions)
            and not _is_function(node, visible)
        ):
            raise self.error(
                node,
                f"a call of the nested function '{node.func.id}' where its 'def' may not have run "
                "(call it after the 'def', in the same block or one inside it)",
            )
        if self.is_work(node, visible):
            result = self.namer.fresh(_hint(node, visible))
            self.temporaries.add(result)
            self.work(node, result, before, visible, stmt)
            return name(result)
        if isinstance(node, COMPREHENSIONS):
            what = describe(node)
            if isinstance(node, gast.GeneratorExp):
                what += " other than the argument of sum(), list(), tuple(), min(), max(), any(), all() or sorted()"
            raise self.error(node, what)
        for field, value in gast.iter_fields(node):
            if isinstance(value, list):
                setattr(
                    node,
                    field,
                    [
                        self.expression(v, before, visible, stmt) if isinstance(v, gast.AST) else v
                        for v in value
                    ],
                )
            elif isinstance(value, gast.AST):
                setattr(node, field, self.expression(value, before, visible, stmt))
        return node

    def short_circuit(self, node, before, visible, stmt):
        """``a and b`` (``a or b``) whose right side holds work: ``b`` runs only if ``a`` is
        true (false), as Python evaluates it."""
        result = self.namer.fresh("either" if isinstance(node.op, gast.Or) else "both")
        first = self.expression(node.values[0], before, visible, stmt)
        before.append(located(assign(result, first), stmt))
        for value in node.values[1:]:
            inner = []
            value = self.expression(value, inner, visible, stmt)
            test = name(result)
            if isinstance(node.op, gast.Or):
                test = gast.UnaryOp(op=gast.Not(), operand=test)
            body = inner + [located(assign(result, value), stmt)]
            before.append(located(gast.If(test=test, body=body, orelse=[]), stmt))
        return name(result)

    def conditional(self, node, before, visible, stmt):
        """``a if c else b`` whose branches hold work: an ``if`` statement assigning a name."""
        test = self.expression(node.test, before, visible, stmt)
        result = self.namer.fresh("chosen")
        branches = []
        for branch in (node.body, node.orelse):
            inner = []
            value = self.expression(branch, inner, visible, stmt)
            branches.append(inner + [located(assign(result, value), stmt)])
        before.append(located(gast.If(test=test, body=branches[0], orelse=branches[1]), stmt))
        return name(result)


def lower(source):
    """``source`` with its tree lowered (see the module docstring); ``source`` if nothing to do."""
    lowering = Lower(source)
    tree = lowering.run()
    if tree is None:
        return source
    lowered = dataclasses.replace(source, tree=tree)
    lowered.temporaries = frozenset(lowering.temporaries)  # for the fence, static/inputs.py
    return lowered


def _body_nodes(tree):
    for stmt in tree.body:
        yield from walk(stmt)


def _is_function(call, visible):
    return (
        isinstance(call, gast.Call) and isinstance(call.func, gast.Name) and call.func.id in visible
    )


def _names_function(call, functions):
    return isinstance(call.func, gast.Name) and call.func.id in functions


def _hint(node, visible):
    if isinstance(node, gast.ListComp):
        return "items"
    if _is_function(node, visible):
        return node.func.id
    if isinstance(node.func, gast.Name) and node.func.id == "sum":
        return "total"
    return "value"
