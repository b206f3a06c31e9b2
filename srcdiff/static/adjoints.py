"""The adjoint of one operation: which names receive which cotangents.

Given a normalized operation (``z = y * w``, ``s = np.sum(x, axis=0)``,
``r = x[i]``) and the name of its result's cotangent, build the expressions
that flow back to its active operands, by inlining or calling the operation's
rule from the shared rule table.  Copies, tuples and subscripts need no rule:
their adjoints are written here directly.
"""

import functools
import inspect
import types
from dataclasses import dataclass, field

import gast
import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules import (
    helpers,
    is_elementwise,
    is_nondifferentiable,
    registry,
    unbroadcast,
    vjp_rule,
)
from srcdiff.static.calls import HelperVjp, call_vjp, is_user_function
from srcdiff.static.names import assign, clone, const, name, runtime_name
from srcdiff.static.nodes import walk
from srcdiff.static.operations import (  # noqa: F401  (ARRAY_ATTRIBUTES: tree_adjoints)
    _RUNTIME,
    ARRAY_ATTRIBUTES,
    operation_of,
)
from srcdiff.static.optimize import simplify
from srcdiff.static.templates import template
from srcdiff.static.tree_adjoints import active_callee_error, container_adjoint
from srcdiff.static.uniform import REDUCTIONS, classify, counted, spread, spread_statement

# Helpers that read one argument only for its shape: that argument's position.
_SHAPE_ONLY = {unbroadcast: 1, helpers.unreduce: 1, helpers.reduced_size: 0}


@dataclass
class Contribution:
    """``value`` flows into the gradient of ``name`` (or ``name[index]``, ``name.field``)."""

    name: str
    value: gast.AST
    index: gast.AST = None
    field: str = None
    uniform: str = None  # ``value`` is a scalar spread over this name's shape (uniform.py)


@dataclass
class Adjoint:
    """Statements to run first (a rule call, if any), then the contributions."""

    contributions: list
    before: list = field(default_factory=list)  # statements to run first: a rule call


class AdjointBuilder:
    """Builds adjoints for one function; owns the names rules bring into it."""

    def __init__(self, source, active, namespace, namer, shapes, lazy=frozenset()):
        self.source = source
        self.shapes = shapes  # what is known about shapes (shapes.ShapeFacts)
        self.twins = shapes.twins  # name -> an earlier name surely of the same shape
        self.active = active
        self.lazy = lazy  # names whose gradient may keep broadcast dimensions
        self.namespace = namespace
        self.namer = namer
        # (function, wrt) -> HelperForward; (function, wrt, class) -> HelperVjp or HelperJvp
        self.helpers = {}
        self.current_call = None
        self.target = None  # the name the statement being differentiated assigns
        self.lazy_now = set()  # lazy names whose gradient did keep broadcast dimensions
        self.uniform = {}  # name -> reference: its gradient is a uniform scalar (uniform.py)
        self.uniform_ref = None  # the reference of the cotangent being differentiated
        self.uniform_kept = False  # did that cotangent stay a scalar?
        self.uniform_origin = {}  # name -> the statement that gave its uniform gradient
        self.scalar_gradients = set()  # gradient names given uniform scalars only
        self.gradient_of_target = None  # its name
        self.nested = 0  # inside a branch or loop: no new uniform cotangents

    def is_active(self, node):
        return isinstance(node, gast.Name) and node.id in self.active

    def adjoint(self, value, ans, g, stmt):
        """The :class:`Adjoint` of ``ans = value`` given ``g``, the cotangent of ``ans``.

        A uniform ``g`` (see ``uniform.py``) stays a scalar where the adjoint allows;
        elsewhere it is spread to its full shape first.
        """
        ref = self.uniform.pop(self.target, None) if isinstance(g, gast.Name) else None
        self.uniform_ref, self.uniform_kept = ref, False
        self.gradient_of_target = g.id if ref is not None else None
        try:
            adjoint = self.exact_adjoint(value, ans, g, stmt)
        finally:
            self.uniform_ref = None
        if ref is not None and not self.uniform_kept:
            self.uniform[self.target] = ref
            if adjoint.contributions or adjoint.before:
                adjoint.before[:0] = self.spread(self.target, g.id)
            else:
                self.uniform.pop(self.target)
        return adjoint

    def spread(self, var, dvar):
        """Statements that make the uniform gradient ``dvar`` of ``var`` its full array.

        The statement that gave ``dvar`` its value spreads it in place when it has one
        (nothing read ``dvar`` since: a read of a uniform gradient ends its record).
        """
        ref = self.uniform.pop(var)
        origin = self.uniform_origin.pop(var, None)
        if origin is None:
            return [spread_statement(dvar, ref)]
        origin.value = spread(origin.value, ref)
        self.scalar_gradients.discard(dvar)
        return []

    def exact_adjoint(self, value, ans, g, stmt):
        if not any(isinstance(n, gast.Name) and n.id in self.active for n in walk(value)):
            return Adjoint([])
        if isinstance(value, gast.Name):
            if not self.is_active(value):
                return Adjoint([])
            if self.uniform_ref is not None and self.shapes.same_shape(value.id, self.target):
                self.uniform_kept = True
                return Adjoint([Contribution(value.id, g, uniform=self.uniform_ref)])
            return self.settle_shapes(Adjoint([Contribution(value.id, g)]))
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
        tree = container_adjoint(self, value, g)  # ``params.W``, ``{"h": h}``
        if tree is not None:
            return tree
        fn, args, kwargs = self.operation(value, stmt)
        self.current_call, self.current_stmt = value, stmt
        if not is_elementwise(fn):
            self.uniform_ref = None
        return self.settle_shapes(self.apply_rule(fn, args, kwargs, ans, g, stmt))

    def operation(self, value, stmt):
        """(function, positional operands, keyword operands) of an operation."""
        return operation_of(value, stmt, self.source, self)

    def apply_rule(self, fn, args, kwargs, ans, g, stmt):
        if fn is _RUNTIME or (is_user_function(fn) and vjp_rule(fn) is None):
            return self.call_function(fn, args, kwargs, ans, g)
        rule = vjp_rule(fn)
        if rule is None:
            if is_nondifferentiable(fn):
                return Adjoint([])
            label = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))
            if _library_function(fn):  # the tracing mode has no rule for it either
                way_out = "or write the computation with NumPy functions that have rules"
            else:
                way_out = 'or use mode="trace"'
            raise self.source.error(
                stmt,
                f"no VJP rule for {label}; register one with srcdiff.register_vjp, {way_out}",
                DifferentiationError,
            )
        args, kwargs = self.positional(rule, fn, args, kwargs, stmt)
        wanted = [i for i, arg in enumerate(args) if self.is_active(arg)]
        if not wanted:
            return Adjoint([])
        inlined = self.inline(rule, fn, args, kwargs, ans, g, wanted)
        if inlined is not None:
            return inlined
        base = rule.__name__.strip("_").removesuffix("_vjp")
        call_name = self.bind(f"{base}_vjp", rule)
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

    def positional(self, rule, fn, args, kwargs, stmt):
        """Keyword arguments that carry a gradient, moved into their positions."""
        active = [k for k, v in kwargs.items() if self.is_active(v)]
        args, kwargs = registry.to_positions(rule, args, kwargs, active)
        stuck = [k for k in active if k in kwargs]
        if stuck:
            label = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))
            raise self.source.error(
                stmt,
                f"the keyword argument '{stuck[0]}' of {label} carries a gradient, but its "
                "rule has no cotangent for it; pass it positionally",
                DifferentiationError,
            )
        return args, kwargs

    def call_function(self, fn, args, kwargs, ans, g):
        """The adjoint of a call to a user function: call its generated vjp."""
        if fn is _RUNTIME:
            callee, args = args[0], args[1:]
            if self.is_active(callee):  # ``model(x)``: the callee itself carries a gradient
                raise active_callee_error(self, callee)
        positions = [i for i, arg in enumerate(args) if self.is_active(arg)]
        keywords = [k for k, v in kwargs.items() if self.is_active(v)]
        if not positions and not keywords:
            return Adjoint([])
        wrt = tuple(positions) + tuple(keywords)
        keyword_nodes = [gast.keyword(arg=k, value=v) for k, v in kwargs.items()]
        if fn is _RUNTIME or isinstance(fn, functools.partial):
            if fn is not _RUNTIME:
                callee = name(self.bind(f"{fn.func.__name__}_partial", fn))
            func = name(self.bind("call_vjp", call_vjp))
            wrt_node = gast.Tuple(elts=[const(w) for w in wrt], ctx=gast.Load())
            call = gast.Call(
                func=func, args=[callee, wrt_node, g, ans, *args], keywords=keyword_nodes
            )
        else:
            if isinstance(fn, types.MethodType):  # obj.method(x): the object is argument 0
                receiver = clone(self.current_call.func.value)
                fn, args = fn.__func__, [receiver, *args]
                wrt = tuple(w + 1 if isinstance(w, int) else w for w in wrt)
                positions = [p + 1 for p in positions]
            func = name(self.bind(f"{fn.__name__}_vjp", self.helper(HelperVjp, fn, wrt)))
            keyword_nodes.append(gast.keyword(arg="seed", value=g))
            call = gast.Call(func=func, args=list(args), keywords=keyword_nodes)
        receivers = [args[p].id for p in positions] + [kwargs[k].id for k in keywords]
        if len(receivers) == 1:
            return Adjoint([Contribution(receivers[0], _item(call, 0))])
        cotangents = self.namer.fresh("cotangents")
        contributions = [
            Contribution(var, _item(name(cotangents), i)) for i, var in enumerate(receivers)
        ]
        return Adjoint(contributions, before=[assign(cotangents, call)])

    def helper(self, kind, fn, wrt):
        """The compiled helper of class ``kind`` (``HelperVjp``, ``HelperJvp``) for ``fn``."""
        helper = self.helpers.get((fn, wrt, kind))
        if helper is None:
            try:
                helper = self.helpers[(fn, wrt, kind)] = kind(fn, wrt)
            except DifferentiationError as error:
                raise self.source.error(
                    self.current_stmt,
                    f"cannot differentiate the call to {fn.__qualname__}: {error}",
                    DifferentiationError,
                ) from None
        return helper

    def inline(self, rule, fn, args, kwargs, ans, g, wanted):
        tmpl = template(rule)
        if tmpl is None or tmpl.returns is None or max(wanted) >= len(tmpl.returns):
            return None
        for free, obj in tmpl.namespace.items():
            if self.namespace.get(free, obj) is not obj:
                return None
        mapping = tmpl.bind(g, ans, args, kwargs)
        if mapping is None:
            return None
        for free, obj in tmpl.namespace.items():
            self.namespace[free] = obj
        if self.uniform_ref is not None:
            kept = self.uniform_contributions(tmpl, mapping, args, wanted)
            if kept is not None:
                self.uniform_kept = True
                return Adjoint(kept)
            self.uniform_ref = None  # spread to its full shape first
        contributions = []
        for i, expr, var in _instances(tmpl, mapping, args, wanted):
            uniform = self.uniform_reduction(fn, _drop_defaults(expr, tmpl), var)
            if uniform is not None:
                contributions.append(uniform)
                continue
            keeps_shape = not self.lazy_result and not _is_unbroadcast(expr)
            if is_elementwise(fn) and len(args) == 2 and not self.lazy_result:
                other = args[1 - i]
                keeps_shape = (
                    isinstance(other, gast.Constant)
                    or _same_name(other, args[i])
                    or (isinstance(other, gast.Name) and self.shapes.fits_into(other.id, var))
                )
            if keeps_shape or not self.needs_exact(var):
                expr = _strip_unbroadcast(expr)
                if not keeps_shape:
                    self.lazy_now.add(var)  # may now carry broadcast dimensions
            expr = simplify(_drop_defaults(expr, tmpl))
            expr = self.read_shapes_from_twins(expr)
            contributions.append(Contribution(var, expr))
        return Adjoint(contributions)

    def uniform_contributions(self, tmpl, mapping, args, wanted):
        """The contributions of an elementwise adjoint whose cotangent is uniform, or None
        where one of them needs the cotangent as an array (see ``uniform.py``)."""
        ref, target, g = self.uniform_ref, self.target, self.gradient_of_target
        contributions = []
        for _, expr, var in _instances(tmpl, mapping, args, wanted):
            inner = simplify(_drop_defaults(_strip_unbroadcast(expr), tmpl))
            kind = classify(
                inner,
                g,
                lambda id: id in self.shapes.arrays and self.shapes.same_shape(id, target),
                lambda id: id in self.shapes.scalars,
                self.callee,
            )
            same = self.shapes.same_shape(var, target)
            if kind == "scalar" and same:
                contributions.append(Contribution(var, inner, uniform=ref))
            elif kind == "scalar" and var in self.shapes.scalars:
                contributions.append(Contribution(var, simplify(counted(inner, ref))))
            elif kind == "full":
                value = inner if same else simplify(_drop_defaults(expr, tmpl))
                contributions.append(Contribution(var, self.read_shapes_from_twins(value)))
            else:
                return None
        return contributions

    def uniform_reduction(self, fn, expr, var):
        """``np.sum(x)``, ``np.mean(x)``: the uniform contribution to ``x``, or None."""
        if self.nested or self.lazy_result or var not in self.shapes.stable:
            return None
        if not (_is_call_to(expr, "unreduce", self.namespace) and len(expr.args) == 2):
            return None
        if not any(fn is r for r in REDUCTIONS):
            return None
        value = self.read_shapes_from_twins(simplify(expr.args[0]))
        return Contribution(var, value, uniform=self.shapes.root(var))

    def callee(self, call):
        """The object a call in an instantiated template reaches (None if unknown)."""
        func = call.func
        if isinstance(func, gast.Name):
            return getattr(func, "runtime", None) or self.namespace.get(func.id)
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
            owner = self.namespace.get(func.value.id)
            return getattr(owner, func.attr, None) if owner is not None else None
        return None

    def read_shapes_from_twins(self, expr):
        """Helpers that read an operand only for its shape read its earliest twin instead."""
        for node in walk(expr):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
                position = _SHAPE_ONLY.get(self.namespace.get(node.func.id))
                if position is not None and len(node.args) > position:
                    arg = node.args[position]
                    if isinstance(arg, gast.Name) and arg.id in self.twins:
                        node.args[position] = name(self.twins[arg.id])
        return expr

    @property
    def lazy_result(self):
        """Does the cotangent of the statement being differentiated keep broadcast dims?"""
        return self.target in self.lazy_now

    def settle_shapes(self, adjoint):
        """A lazy cotangent reaching a name that needs its exact shape is summed down."""
        if not self.lazy_result:
            return adjoint
        for c in adjoint.contributions:
            if c.field is not None:
                continue
            if c.index is None and not self.needs_exact(c.name):
                self.lazy_now.add(c.name)
            elif c.index is None and not _is_unbroadcast(c.value):
                shape_of = name(self.twins.get(c.name, c.name))
                c.value = gast.Call(
                    func=runtime_name("unbroadcast"), args=[c.value, shape_of], keywords=[]
                )
                self.namespace.setdefault("unbroadcast", unbroadcast)
        return adjoint

    def needs_exact(self, var):
        """Must the gradient of ``var`` have exactly ``var``'s shape?"""
        return var not in self.lazy

    def bind(self, preferred, obj):
        """A name under which generated code reaches ``obj``."""
        for id, value in self.namespace.items():
            if value is obj:
                return id
        words = "".join(c if c.isalnum() else " " for c in preferred).split()
        id = self.namer.fresh("_".join(words) or "rule")
        while id in self.namespace:  # bound by a trial pass whose names were given back
            id = self.namer.fresh(id)
        self.namespace[id] = obj
        return id


def _item(node, i):
    """``node[i]``: ``i`` a number, or a node (a dict literal's key)."""
    i = clone(i) if isinstance(i, gast.AST) else const(i)
    return gast.Subscript(value=node, slice=i, ctx=gast.Load())


def _instances(tmpl, mapping, args, wanted):
    """(position, cotangent expression, operand name) for each wanted operand with one."""
    for i in wanted:
        expr = tmpl.instantiate(i, mapping)
        if not (isinstance(expr, gast.Constant) and expr.value is None):
            yield i, expr, args[i].id


def _is_call_to(expr, id, namespace):
    return (
        isinstance(expr, gast.Call)
        and isinstance(expr.func, gast.Name)
        and expr.func.id == id
        and namespace.get(id) is getattr(helpers, id)
    )


def _same_name(a, b):
    return isinstance(a, gast.Name) and isinstance(b, gast.Name) and a.id == b.id


def _is_unbroadcast(expr):
    return (
        isinstance(expr, gast.Call)
        and isinstance(expr.func, gast.Name)
        and expr.func.id == "unbroadcast"
        and len(expr.args) == 2
    )


def _strip_unbroadcast(expr):
    return expr.args[0] if _is_unbroadcast(expr) else expr


@functools.cache
def _parameters(helper):
    try:
        return list(inspect.signature(helper).parameters.values())
    except (TypeError, ValueError):
        return None


def _drop_defaults(expr, tmpl):
    """``unreduce(g, x, None, False)`` -> ``unreduce(g, x)``: trailing default arguments go."""
    for node in walk(expr):
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)):
            continue
        params = _parameters(tmpl.namespace.get(node.func.id))
        if params is None:
            continue
        while node.args and len(node.args) <= len(params):
            param, last = params[len(node.args) - 1], node.args[-1]
            if not (isinstance(last, gast.Constant) and param.default is not param.empty):
                break
            if last.value is not param.default and last.value != param.default:
                break
            node.args.pop()
    return expr


def _library_function(fn):
    """A NumPy or math function: the tracing mode reaches it through the same rule table."""
    module = getattr(fn, "__module__", None) or ""
    if isinstance(fn, (type, np.ndarray)) or not hasattr(fn, "__name__"):
        return False  # a class, or an object such as np.poly1d(...) that may be traced
    return module.split(".")[0] in ("numpy", "math")
