"""The adjoint of one operation: which names receive which cotangents.

Given a normalized operation (``z = y * w``, ``s = np.sum(x, axis=0)``,
``r = x[i]``) and the name of its result's cotangent, build the expressions
that flow back to its active operands, by inlining or calling the operation's
rule from the shared rule table.  Copies, tuples and subscripts need no rule:
their adjoints are written here directly.
"""

import operator
from dataclasses import dataclass, field

import gast
import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules import is_nondifferentiable, vjp_rule
from srcdiff.static.activity import resolve
from srcdiff.static.names import assign, const, name
from srcdiff.static.optimize import simplify
from srcdiff.static.templates import template

BINARY_OPERATORS = {
    gast.Add: operator.add,
    gast.Sub: operator.sub,
    gast.Mult: operator.mul,
    gast.Div: operator.truediv,
    gast.Pow: operator.pow,
    gast.MatMult: operator.matmul,
    gast.FloorDiv: operator.floordiv,
    gast.Mod: operator.mod,
}
UNARY_OPERATORS = {gast.USub: operator.neg, gast.UAdd: operator.pos}
# Elementwise binary operators: an operand paired with a constant, or with
# itself, already has the result's shape, so its cotangent needs no unbroadcast.
_ELEMENTWISE = {
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    operator.pow,
    np.add,
    np.subtract,
    np.multiply,
    np.true_divide,
    np.power,
}
ARRAY_ATTRIBUTES = {"T": np.transpose, "real": np.real}


@dataclass
class Contribution:
    """``value`` flows into the gradient of ``name`` (at ``name[index]`` if index is set)."""

    name: str
    value: gast.AST
    index: gast.AST = None


@dataclass
class Adjoint:
    """Statements to run first (a rule call, if any), then the contributions."""

    contributions: list
    before: list = field(default_factory=list)  # statements to run first: a rule call


class AdjointBuilder:
    """Builds adjoints for one function; owns the names rules bring into it."""

    def __init__(self, source, active, namespace, namer):
        self.source = source
        self.active = active
        self.namespace = namespace
        self.namer = namer

    def is_active(self, node):
        return isinstance(node, gast.Name) and node.id in self.active

    def adjoint(self, value, ans, g, stmt):
        """The :class:`Adjoint` of ``ans = value`` given ``g``, the cotangent of ``ans``."""
        if not any(isinstance(n, gast.Name) and n.id in self.active for n in gast.walk(value)):
            return Adjoint([])
        if isinstance(value, gast.Name):
            return Adjoint([Contribution(value.id, g)] if self.is_active(value) else [])
        if isinstance(value, (gast.Tuple, gast.List)):
            return Adjoint(
                [
                    Contribution(elt.id, _item(g, i))
                    for i, elt in enumerate(value.elts)
                    if self.is_active(elt)
                ]
            )
        if isinstance(value, gast.Subscript):
            if not self.is_active(value.value):
                return Adjoint([])
            return Adjoint([Contribution(value.value.id, g, index=value.slice)])
        fn, args, kwargs = self.describe(value, stmt)
        return self.apply_rule(fn, args, kwargs, ans, g, stmt)

    def describe(self, value, stmt):
        """(function, positional operands, keyword operands) of an operation."""
        if isinstance(value, gast.BinOp):
            return BINARY_OPERATORS[type(value.op)], [value.left, value.right], {}
        if isinstance(value, gast.UnaryOp) and type(value.op) in UNARY_OPERATORS:
            return UNARY_OPERATORS[type(value.op)], [value.operand], {}
        if isinstance(value, gast.Attribute):
            if value.attr in ARRAY_ATTRIBUTES:
                return ARRAY_ATTRIBUTES[value.attr], [value.value], {}
            raise self.source.error(
                stmt,
                f"the attribute '.{value.attr}' of a value that carries a gradient has no rule; "
                'use a NumPy function, or mode="trace"',
                DifferentiationError,
            )
        if isinstance(value, gast.Call):
            kwargs = {k.arg: k.value for k in value.keywords}
            func = value.func
            fn = resolve(func, self.source)
            if fn is None and isinstance(func, gast.Attribute):
                method = getattr(np.ndarray, func.attr, None)
                if method is not None and vjp_rule(method) is not None:
                    return method, [func.value, *value.args], kwargs
            if fn is None:
                raise self.source.error(
                    stmt,
                    f"cannot tell which function '{_text(func)}' calls; "
                    'register a rule with srcdiff.register_vjp, or use mode="trace"',
                    DifferentiationError,
                )
            return fn, list(value.args), kwargs
        raise self.source.error(stmt, f"no rule for {type(value).__name__}", DifferentiationError)

    def apply_rule(self, fn, args, kwargs, ans, g, stmt):
        rule = vjp_rule(fn)
        if rule is None:
            if is_nondifferentiable(fn):
                return Adjoint([])
            label = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))
            raise self.source.error(
                stmt,
                f"no VJP rule for {label}; register one with srcdiff.register_vjp, "
                'or use mode="trace"',
                DifferentiationError,
            )
        wanted = [i for i, arg in enumerate(args) if self.is_active(arg)]
        if not wanted:
            return Adjoint([])
        inlined = self.inline(rule, fn, args, kwargs, ans, g, wanted)
        if inlined is not None:
            return inlined
        call_name = self.bind(f"{rule.__name__.strip('_')}_vjp", rule)
        call = gast.Call(
            func=name(call_name),
            args=[g, ans, *args],
            keywords=[gast.keyword(arg=k, value=v) for k, v in kwargs.items()],
        )
        if len(wanted) == 1:
            return Adjoint([Contribution(args[wanted[0]].id, _item(call, wanted[0]))])
        cotangents = self.namer.fresh("cotangents")
        contributions = [Contribution(args[i].id, _item(name(cotangents), i)) for i in wanted]
        return Adjoint(contributions, before=[assign(cotangents, call)])

    def inline(self, rule, fn, args, kwargs, ans, g, wanted):
        tmpl = template(rule)
        if tmpl is None or max(wanted) >= len(tmpl.returns):
            return None
        for free, obj in tmpl.namespace.items():
            if self.namespace.get(free, obj) is not obj or not self.can_bind(free, obj):
                return None
        mapping = tmpl.bind(g, ans, args, kwargs)
        if mapping is None:
            return None
        for free, obj in tmpl.namespace.items():
            self.namespace[free] = obj
        contributions = []
        for i in wanted:
            expr = tmpl.instantiate(i, mapping)
            if isinstance(expr, gast.Constant) and expr.value is None:
                continue
            if fn in _ELEMENTWISE and len(args) == 2:
                other = args[1 - i]
                if isinstance(other, gast.Constant) or _same_name(other, args[i]):
                    expr = _strip_unbroadcast(expr)
            contributions.append(Contribution(args[i].id, simplify(expr)))
        return Adjoint(contributions)

    def can_bind(self, id, obj):
        """May the generated function see ``obj`` under ``id`` without hiding a user name?"""
        if id in self.source.locals:
            return False
        try:
            return self.source.resolve(id) is obj
        except KeyError:
            return True

    def bind(self, preferred, obj):
        """A name under which generated code reaches ``obj``."""
        for id, value in self.namespace.items():
            if value is obj and id.startswith(preferred.split("_vjp")[0]):
                return id
        id = self.namer.fresh(preferred)
        self.namespace[id] = obj
        return id


def _item(node, i):
    return gast.Subscript(value=node, slice=const(i), ctx=gast.Load())


def _same_name(a, b):
    return isinstance(a, gast.Name) and isinstance(b, gast.Name) and a.id == b.id


def _strip_unbroadcast(expr):
    if (
        isinstance(expr, gast.Call)
        and isinstance(expr.func, gast.Name)
        and expr.func.id == "unbroadcast"
        and len(expr.args) == 2
    ):
        return expr.args[0]
    return expr


def _text(node):
    from srcdiff.static.render import render

    return render(node).strip()
