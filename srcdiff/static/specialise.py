"""Specialise an adjoint for arguments that are Python numbers.

When ``grad(f)`` is called with Python floats (or ints), most of what keeps
the generic adjoint right for arrays has nothing to do: ``unbroadcast`` of
two numbers is its first argument, ``zeros_like`` of a number is ``0.0``.
``specialise(fn, numbers)`` proves which names of the generated function
surely hold Python numbers, given that the parameters in ``numbers`` do, and
drops the runtime helpers that are identities on them, so a scalar loop
becomes plain float arithmetic.

The proof is a greatest fixed point over the function's assignments: a name
holds a number when every assignment to it (anywhere in the function) stores
a number, given the names assumed so far; a name assigned any other way
(unpacking, a subscript, ``with``) is not one.  Since the parameters hold
numbers on entry, every value stored while the function runs is then a
number, by induction over the run.  A list that only ever receives numbers
(a save stack: ``s = []``, ``s.append(v)``) gives numbers from ``s.pop()``.

Invariant: the specialised function computes what the generic one computes,
for every call whose arguments in ``numbers`` are Python ``float`` or
``int`` values (the caller guards this on each call).
"""

import gast

from srcdiff.rules.helpers import broadcast_like, unbroadcast, zeros_like
from srcdiff.static.names import const
from srcdiff.static.nodes import walk
from srcdiff.static.runtime import gradient_of, gradient_out, shaped_like, unit_seed

_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.FloorDiv, gast.Mod)


def specialise(fn, numbers, sees=lambda id: None):
    """Rewrite ``fn`` (a generated ``FunctionDef``) in place for parameters ``numbers``.

    ``sees(id)`` is the object a name of the user's code reads (to recognise
    the builtin ``range`` of a user's loop).
    """
    facts = _Facts(fn, set(numbers), sees)
    _rewrite_children(fn, facts)
    fn.body = _without_self_assignments(fn.body)
    return fn


def _rewrite_children(node, facts):
    for field, value in gast.iter_fields(node):
        if isinstance(value, list):
            setattr(node, field, [_rewritten(item, facts) for item in value])
        elif isinstance(value, gast.AST):
            setattr(node, field, _rewritten(value, facts))


def _rewritten(node, facts):
    if not isinstance(node, gast.AST):
        return node
    _rewrite_children(node, facts)
    return facts.rewrite(node) if isinstance(node, gast.expr) else node


class _Facts:
    """Which names surely hold Python numbers, and which lists hold only numbers."""

    def __init__(self, fn, numbers, sees):
        self.sees = sees
        self.definitions = {}  # name -> stored expressions (None: stored some other way)
        self.appends = {}  # list name -> appended expressions
        arguments = fn.args.args + fn.args.posonlyargs + fn.args.kwonlyargs
        for arg in arguments + [a for a in (fn.args.vararg, fn.args.kwarg) if a is not None]:
            self.definitions[arg.id] = [const(0.0) if arg.id in numbers else None]
        self._collect(fn.body)
        for node in walk(fn):
            if _is_method(node, "append") and len(node.args) == 1:
                self.appends.setdefault(node.func.value.id, []).append(node.args[0])
        self.numbers = set(self.definitions)
        self.stacks = {
            name
            for name, stores in self.definitions.items()
            if name in self.appends and stores == stores[:1] and _is_empty_list(stores[0])
        } - _escaping_lists(fn)
        while True:  # the greatest fixed point: drop what an assignment disproves
            numbers = {
                name
                for name in self.numbers
                if all(
                    value is not None and self.is_number(value) for value in self.definitions[name]
                )
            }
            stacks = {s for s in self.stacks if all(self.is_number(v) for v in self.appends[s])}
            if numbers == self.numbers and stacks == self.stacks:
                return
            self.numbers, self.stacks = numbers, stacks

    def _collect(self, body):
        for stmt in body:
            if isinstance(stmt, gast.Assign):
                for target in stmt.targets:
                    self._store(target, stmt.value if len(stmt.targets) == 1 else None)
            elif isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
                value = gast.BinOp(left=_load(stmt.target), op=stmt.op, right=stmt.value)
                self._store(stmt.target, value)
            elif isinstance(stmt, gast.For):
                self._store(stmt.target, const(0) if self._is_range(stmt.iter) else None)
            elif not isinstance(stmt, (gast.If, gast.While)):
                for node in walk(stmt):
                    if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                        self.definitions.setdefault(node.id, []).append(None)
            for field in ("body", "orelse"):
                if isinstance(stmt, (gast.For, gast.While, gast.If)):
                    self._collect(getattr(stmt, field))

    def _is_range(self, iterable):
        """``range(...)`` or ``reversed(range(...))``: a loop over ints."""
        if not isinstance(iterable, gast.Call) or not isinstance(iterable.func, gast.Name):
            return False
        func = iterable.func
        meaning = func.runtime if hasattr(func, "runtime") else self.sees(func.id)
        if meaning is reversed and len(iterable.args) == 1:
            return self._is_range(iterable.args[0])
        return meaning is range

    def _store(self, target, value):
        if isinstance(target, gast.Name):
            self.definitions.setdefault(target.id, []).append(value)
            return
        for node in walk(target):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                self.definitions.setdefault(node.id, []).append(None)

    def is_number(self, expr):
        """Does ``expr`` surely evaluate to a Python int or float, given the facts?"""
        if isinstance(expr, gast.Constant):
            return type(expr.value) in (int, float)
        if isinstance(expr, gast.Name):
            return expr.id in self.numbers
        if isinstance(expr, gast.UnaryOp):
            return isinstance(expr.op, (gast.USub, gast.UAdd)) and self.is_number(expr.operand)
        if isinstance(expr, gast.BinOp):
            both = self.is_number(expr.left) and self.is_number(expr.right)
            if isinstance(expr.op, gast.Pow):  # a negative base to a fractional power is complex
                exponent = expr.right
                return both and isinstance(exponent, gast.Constant) and type(exponent.value) is int
            return both and isinstance(expr.op, _ARITHMETIC)
        if isinstance(expr, gast.IfExp):
            return self.is_number(expr.body) and self.is_number(expr.orelse)
        if isinstance(expr, gast.Call):
            if _is_method(expr, "pop") and not expr.args:
                return expr.func.value.id in self.stacks
            helper = _runtime(expr)
            arguments = all(self.is_number(a) for a in expr.args) and not expr.keywords
            if helper in (unbroadcast, broadcast_like, gradient_of, gradient_out):
                return arguments and len(expr.args) == 2
            if helper in (zeros_like, unit_seed, float, shaped_like):
                return arguments and len(expr.args) == 1
            return False
        return False

    def rewrite(self, expr):
        """``expr`` without the helpers that are identities on numbers."""
        if not isinstance(expr, gast.Call) or not self.is_number(expr):
            return expr
        helper = _runtime(expr)
        if helper in (unbroadcast, broadcast_like, shaped_like):
            return expr.args[0]
        if helper in (zeros_like, unit_seed):
            return const(0.0 if helper is zeros_like else 1.0)
        if helper in (gradient_of, gradient_out):
            return gast.Call(func=_builtin_float(), args=[expr.args[0]], keywords=[])
        return expr


def _is_empty_list(value):
    return isinstance(value, gast.List) and not value.elts


def _escaping_lists(fn):
    """Names read other than by ``.append(v)`` / ``.pop()``: other code may fill them."""
    used = set()
    for node in walk(fn):
        if isinstance(node, gast.Attribute) and node.attr in ("append", "pop"):
            continue
        for child in gast.iter_child_nodes(node):
            if isinstance(child, gast.Name) and isinstance(child.ctx, gast.Load):
                used.add(child.id)
    return used


def _runtime(call):
    """The runtime object a generated call reaches, or None for anything else."""
    func = call.func
    if isinstance(func, gast.Name):
        return getattr(func, "runtime", None)
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
        owner = getattr(func.value, "runtime", None)
        return getattr(owner, func.attr, None) if owner is not None else None
    return None


def _builtin_float():
    from srcdiff.static.names import runtime_name

    return runtime_name("float")


def _is_method(call, method):
    return (
        isinstance(call, gast.Call)
        and isinstance(call.func, gast.Attribute)
        and call.func.attr == method
        and isinstance(call.func.value, gast.Name)
    )


def _load(target):
    return gast.Name(id=target.id, ctx=gast.Load(), annotation=None, type_comment=None)


def _without_self_assignments(body):
    """Drop ``x = x``, which the rewriting leaves where ``x = unbroadcast(x, y)`` was."""
    kept = []
    for stmt in body:
        for field in ("body", "orelse"):
            if isinstance(stmt, (gast.For, gast.While, gast.If)):
                old = getattr(stmt, field)
                new = _without_self_assignments(old)
                setattr(stmt, field, new if new or not old else [gast.Pass()])
        if (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Name)
            and stmt.targets[0].id == stmt.value.id
        ):
            continue
        kept.append(stmt)
    return kept
