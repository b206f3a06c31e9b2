"""The tangent of one operation: forward mode's counterpart of ``adjoints.py``.

Given a normalized operation (``z = y * w``, ``s = np.sum(x, axis=0)``,
``r = x[i]``) and which of its operands carry a tangent, build the expression
for the tangent of its result: the sum over those operands of their JVP rules
from the shared rule table, inlined when a rule's body is one ``return``
(a rule declared linear is the operation itself applied to the tangent).
An operand without a tangent contributes nothing (a symbolic zero).  A call
to a user function becomes one call of that function's own generated jvp,
which returns the value and its tangent together.
"""

import functools
import types
from dataclasses import dataclass

import gast

from srcdiff.errors import DifferentiationError
from srcdiff.rules import LINEAR, ZERO, is_elementwise, is_nondifferentiable, jvp_rule, vjp_rule
from srcdiff.rules.gradient_list import as_gradient
from srcdiff.rules.helpers import broadcast_like
from srcdiff.static.adjoints import (
    _RUNTIME,
    AdjointBuilder,
    _drop_defaults,
    _library_function,
    _same_name,
)
from srcdiff.static.calls import HelperJvp, call_jvp, is_user_function
from srcdiff.static.names import clone, const, name, names_in, runtime_name
from srcdiff.static.nodes import walk
from srcdiff.static.optimize import simplify
from srcdiff.static.templates import template

ANS = "<ans>"  # stands for the operation's result until the caller names it


@dataclass
class Tangent:
    """``expr`` is the tangent of the result; it reads the result where it names ``ANS``."""

    expr: gast.AST

    @property
    def reads_result(self):
        return ANS in names_in(self.expr)

    def naming_result(self, result):
        """The expression with the result read as ``result`` (a name or a tuple node)."""
        return clone(self.expr, {ANS: result})


@dataclass
class Joint:
    """A call that returns the result and its tangent together (a user function's jvp)."""

    call: gast.Call


class TangentBuilder(AdjointBuilder):
    """Builds tangents for one function; shares naming and rule binding with adjoints."""

    def __init__(self, front, tangent_name):
        super().__init__(front.source, front.active, front.namespace, front.namer, front.shapes)
        self.tangent_name = tangent_name  # name -> the name of its tangent
        self.live = set()  # names whose tangent is not zero at the statement being built

    def carries(self, node):
        return isinstance(node, gast.Name) and node.id in self.active and node.id in self.live

    def d(self, node):
        return name(self.tangent_name(node.id))

    def zero_of(self, node):
        return gast.Call(func=runtime_name("zeros_like"), args=[clone(node)], keywords=[])

    def tangent(self, value, stmt, live):
        """The :class:`Tangent` or :class:`Joint` of ``value``; None for a zero tangent."""
        self.live = live
        if not any(self.carries(n) for n in walk(value)):
            return None
        if isinstance(value, gast.Name):
            return Tangent(self.d(value))
        if isinstance(value, (gast.Tuple, gast.List)):
            items = [self.d(e) if self.carries(e) else self.zero_of(e) for e in value.elts]
            return Tangent(type(value)(elts=items, ctx=gast.Load()))
        if isinstance(value, gast.Subscript):
            if not self.carries(value.value):
                return None
            return Tangent(
                gast.Subscript(value=self.d(value.value), slice=clone(value.slice), ctx=gast.Load())
            )
        fn, args, kwargs = self.operation(value, stmt)
        self.current_call, self.current_stmt = value, stmt
        if fn is _RUNTIME or (is_user_function(fn) and not self.has_jvp(fn)):
            if fn is not _RUNTIME and vjp_rule(fn) is not None:
                raise self.no_rule(fn, 0, stmt)
            return self.call_function(fn, args, kwargs)
        if is_nondifferentiable(fn):
            return None
        signature_rule = next(
            (r for r in map(lambda i: jvp_rule(fn, i), range(len(args) + 2)) if callable(r)),
            vjp_rule(fn),
        )
        if signature_rule is not None:
            args, kwargs = self.positional(signature_rule, fn, args, kwargs, stmt)
        elif any(self.carries(v) for v in kwargs.values()):
            raise self.no_rule(fn, next(k for k, v in kwargs.items() if self.carries(v)), stmt)
        terms = [
            self.term(fn, i, value, args, kwargs, stmt)
            for i, a in enumerate(args)
            if self.carries(a) and jvp_rule(fn, i) is not ZERO
        ]
        if not terms:
            return None
        if len(terms) > 1 and isinstance(value, gast.Call) and not is_elementwise(fn):
            # Tangents of several results (np.atleast_2d(x, y)) add item by item.
            terms[0] = gast.Call(
                func=runtime_name("as_gradient", as_gradient), args=[terms[0]], keywords=[]
            )
        total = terms[0]
        for term in terms[1:]:
            if isinstance(term, gast.UnaryOp) and isinstance(term.op, gast.USub):
                total = gast.BinOp(left=total, op=gast.Sub(), right=term.operand)
            else:
                total = gast.BinOp(left=total, op=gast.Add(), right=term)
        total = simplify(total)
        if is_elementwise(fn) and not self.covers(args):
            total = gast.Call(
                func=runtime_name("broadcast_like", broadcast_like),
                args=[total, name(ANS)],
                keywords=[],
            )
        return Tangent(total)

    def has_jvp(self, fn):
        return any(jvp_rule(fn, i) is not None for i in range(8))

    def covers(self, args):
        """Do the operands that carry a tangent surely span the result's shape?"""
        carried = [a.id for a in args if self.carries(a)]
        if self.target in self.shapes.scalars:
            return True
        for other in args:
            if self.carries(other) or not isinstance(other, gast.Name):
                continue  # a constant operand is a number
            if not any(self.shapes.fits_into(other.id, c) for c in carried):
                return False
        return True

    def term(self, fn, i, value, args, kwargs, stmt):
        """The tangent of the result due to operand ``i``."""
        rule = jvp_rule(fn, i)
        if rule is None:
            raise self.no_rule(fn, i, stmt)
        t = self.d(args[i])
        if rule is LINEAR:
            return _substituted(value, args, kwargs, i, t)
        tmpl = template(rule)
        if tmpl is not None and all(
            self.namespace.get(k, v) is v for k, v in tmpl.namespace.items()
        ):
            mapping = tmpl.bind(t, name(ANS), args, kwargs)
            if mapping is not None:
                self.namespace.update(tmpl.namespace)
                return simplify(_drop_defaults(tmpl.instantiate(None, mapping), tmpl))
        base = rule.__name__.strip("_").removesuffix("_jvp")
        return gast.Call(
            func=name(self.bind(f"{base}_jvp", rule)),
            args=[t, name(ANS), *args],
            keywords=[gast.keyword(arg=k, value=v) for k, v in kwargs.items()],
        )

    def no_rule(self, fn, argnum, stmt):
        label = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))
        where = (
            f"argument {argnum}" if isinstance(argnum, int) else f"the keyword argument {argnum!r}"
        )
        way_out = "" if _library_function(fn) else ", or use srcdiff.vjp (reverse mode)"
        return self.source.error(
            stmt,
            f"no JVP rule for {where} of {label}; register one with "
            f"srcdiff.register_jvp({label}, rule, argnum={argnum if isinstance(argnum, int) else 0}){way_out}",
            DifferentiationError,
        )

    def call_function(self, fn, args, kwargs):
        """A call to a user function: its own jvp returns the value and the tangent."""
        if fn is _RUNTIME:
            callee, args = args[0], args[1:]
        positions = [i for i, arg in enumerate(args) if self.carries(arg)]
        keywords = [k for k, v in kwargs.items() if self.carries(v)]
        wrt = tuple(positions) + tuple(keywords)
        tangents = [self.d(args[p]) for p in positions] + [self.d(kwargs[k]) for k in keywords]
        tangent_tuple = gast.Tuple(elts=tangents, ctx=gast.Load())
        keyword_nodes = [gast.keyword(arg=k, value=v) for k, v in kwargs.items()]
        if fn is _RUNTIME or isinstance(fn, functools.partial):
            if fn is not _RUNTIME:
                callee = name(self.bind(f"{fn.func.__name__}_partial", fn))
            wrt_node = gast.Tuple(elts=[const(w) for w in wrt], ctx=gast.Load())
            func = name(self.bind("call_jvp", call_jvp))
            return Joint(
                gast.Call(
                    func=func, args=[callee, wrt_node, tangent_tuple, *args], keywords=keyword_nodes
                )
            )
        if isinstance(fn, types.MethodType):  # obj.method(x): the object is argument 0
            fn, args = fn.__func__, [clone(self.current_call.func.value), *args]
            wrt = tuple(w + 1 if isinstance(w, int) else w for w in wrt)
        func = name(self.bind(f"{fn.__name__}_jvp", self.helper(HelperJvp, fn, wrt)))
        keyword_nodes.append(gast.keyword(arg="tangent", value=tangent_tuple))
        return Joint(gast.Call(func=func, args=list(args), keywords=keyword_nodes))


def _substituted(value, args, kwargs, i, t):
    """``value`` (the operation) with its operand ``i`` replaced by the tangent ``t``."""
    operands = [t if j == i else clone(a) for j, a in enumerate(args)]
    if isinstance(value, gast.BinOp):
        return gast.BinOp(left=operands[0], op=clone(value.op), right=operands[1])
    if isinstance(value, gast.UnaryOp):
        return gast.UnaryOp(op=clone(value.op), operand=operands[0])
    if isinstance(value, gast.Attribute):  # x.T
        return gast.Attribute(value=operands[0], attr=value.attr, ctx=gast.Load())
    keywords = [gast.keyword(arg=k, value=clone(v)) for k, v in kwargs.items()]
    func = value.func
    if isinstance(func, gast.Attribute) and args and _same_name(args[0], func.value):
        if args[0] is func.value:  # x.reshape(2, 3): the receiver is operand 0
            method = gast.Attribute(value=operands[0], attr=func.attr, ctx=gast.Load())
            return gast.Call(func=method, args=operands[1:], keywords=keywords)
    return gast.Call(func=clone(func), args=operands, keywords=keywords)
