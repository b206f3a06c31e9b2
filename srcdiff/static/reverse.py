"""Stage 5, reverse mode: write the adjoint of a normalized function.

The generated function runs the user's statements forward (the primal), then
their adjoints in reverse order.  Straight-line code keeps its shape; an
``if`` records its condition and the backward pass takes the same branch; a
loop counts its trips (or walks its ``range`` backwards) and the backward
loop runs the iterations in reverse.

Values: the backward pass reads the same names the forward pass wrote.  When a
statement overwrites a value that some adjoint reads, the forward pass saves
the old value (in a plain name at top level, on a stack named after the
variable inside loops) and the backward pass restores it right after that
statement's adjoint, so every adjoint sees the values of its own iteration.
Nothing else is saved.

Gradients: ``dz`` is the gradient of ``z``.  A gradient known to be zero has no
variable at all (a symbolic zero): the first contribution assigns it, later
ones add to it, and adjoints whose cotangent is zero are not emitted.

Invariant: the returned function computes the primal value and, for every
``wrt`` argument, its gradient (of the scalar output, or the vjp with a seed).
"""

import copy
import functools
from dataclasses import dataclass, field

import gast

from srcdiff.static.adjoints import Adjoint, AdjointBuilder, Contribution, _item
from srcdiff.static.lists import is_list_pop, reverse_append, reverse_pop
from srcdiff.static.names import assign, clone, const, name, runtime_name, store
from srcdiff.static.nodes import walk
from srcdiff.static.optimize import simplify
from srcdiff.static.render import comment
from srcdiff.static.saves import Recompute, Restore, SavePlan
from srcdiff.static.statements import is_loop_exit
from srcdiff.static.uniform import spread


@dataclass
class State:
    """What the backward pass knows about gradients at one point."""

    zeros: set  # names whose gradient is zero (its variable is unset or stale)
    owned: set = field(default_factory=set)  # gradients safe to update in place

    def copy(self):
        return State(set(self.zeros), set(self.owned))


class ReverseAD:
    """Builds the adjoint of one normalized function."""

    def __init__(self, source, tree, wrt, active, namer, namespace, shapes, lazy=frozenset()):
        self.source = source
        self.tree = tree
        self.wrt = wrt
        self.active = active
        self.namer = namer
        self.builder = AdjointBuilder(source, active, namespace, namer, shapes, lazy)
        self.gradient_names = {v: namer.gradient(v) for v in sorted(active)}
        self.plan = SavePlan(tree, namer, shapes.scalars, source)
        self.saves = self.plan.saves
        self.split_calls = {}  # id(statement) -> pullbacks.SplitCall
        self.functional_scatter = False  # ``dx = added_at(dx, i, v)`` for ``add_at(dx, i, v)``

    def d(self, var):
        return self.gradient_names[var]

    # -- backward code -----------------------------------------------------

    def reverse_block(self, body, state):
        out, line = [], None
        for stmt in reversed(body):
            code = self.reverse_statement(stmt, state)
            if any(not isinstance(c, Restore) for c in code) and stmt.lineno != line:
                if not isinstance(stmt, (gast.If, gast.For, gast.While)):
                    code.insert(0, self.comment(stmt))
                    line = stmt.lineno
                else:
                    line = None
            out += code
        return out

    def comment(self, stmt):
        return comment(f"grad of line {stmt.lineno}: {self.source.line(stmt.lineno)}", stmt.lineno)

    def reverse_statement(self, stmt, state):
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        simple = isinstance(target, gast.Name) and id(stmt) not in self.split_calls
        if simple and not is_list_pop(stmt.value):
            return self.reverse_assign(stmt, state)
        # Only a plain assignment reads a uniform gradient as a scalar (uniform.py).
        out = self.spread_uniform()
        self.builder.nested += 1
        try:
            return out + self.reverse_compound(stmt, state)
        finally:
            self.builder.nested -= 1

    def reverse_compound(self, stmt, state):
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript):
                return self.reverse_setitem(stmt, state)
            if isinstance(target, gast.Name) and is_list_pop(stmt.value):
                zeros = (
                    functools.partial(_call, "zeros_like"),
                    functools.partial(_call, "zeros_for"),
                )
                return reverse_pop(self, stmt, state, *zeros)
            return self.reverse_assign(stmt, state)
        if isinstance(stmt, gast.Expr):
            return reverse_append(self, stmt, state)
        if isinstance(stmt, gast.If):
            if is_loop_exit(stmt):
                return []
            return self.reverse_if(stmt, state)
        if isinstance(stmt, (gast.For, gast.While)):
            return self.reverse_loop(stmt, state)
        return []

    def spread_uniform(self):
        """Uniform gradients become the arrays they stand for (``dz = unreduce(dz, x)``)."""
        out = []
        for var in sorted(self.builder.uniform):
            out += self.builder.spread(var, self.d(var))
        return out

    def gradient_value(self, var):
        """The gradient of ``var`` as a value of its shape, at the end of the backward pass."""
        dvar = self.d(var)
        if var in self.builder.uniform_origin:
            self.builder.spread(var, dvar)  # spread where it was assigned
        elif var in self.builder.uniform:
            return spread(name(dvar), self.builder.uniform.pop(var))
        return name(dvar)

    def accumulate(self, var, value, state, uniform=None):
        """Add ``value`` into the gradient of ``var`` (``uniform``: a uniform value's reference)."""
        dvar = self.d(var)
        state.owned.discard(var)
        if var in state.zeros:
            state.zeros.discard(var)
            if isinstance(value, gast.Name) and value.id == dvar:
                if uniform is not None:
                    self.builder.uniform[var] = uniform
                return []  # the gradient passes through unchanged
            return self.uniform_assign(var, value, uniform)
        held = self.builder.uniform.get(var)
        if held is not None and uniform is not None:  # a sum of uniform values is uniform
            total = gast.BinOp(left=name(dvar), op=gast.Add(), right=value)
            return self.uniform_assign(var, total, held)
        if uniform is not None:
            value = spread(value, uniform)
        elif held is not None:
            out = self.builder.spread(var, dvar)
            return out + [assign(dvar, gast.BinOp(left=name(dvar), op=gast.Add(), right=value))]
        if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
            return [assign(dvar, gast.BinOp(left=name(dvar), op=gast.Sub(), right=value.operand))]
        return [assign(dvar, gast.BinOp(left=name(dvar), op=gast.Add(), right=value))]

    def uniform_assign(self, var, value, uniform):
        """``dvar = value``, recorded as uniform over ``uniform`` unless that is None."""
        stmt = assign(self.d(var), value)
        if uniform is not None:
            self.builder.uniform[var] = uniform
            self.builder.uniform_origin[var] = stmt
            self.builder.scalar_gradients.add(self.d(var))
        return [stmt]

    def scatter(self, var, index, value, state, attr=None):
        """Add ``value`` into ``d var[index]`` (or ``d var.attr``), accumulating repeats."""
        dvar = self.d(var)
        out = []
        self.builder.uniform.pop(var, None)  # ``writable`` spreads it
        self.builder.uniform_origin.pop(var, None)
        if var in state.zeros:
            out.append(assign(dvar, _call("zeros_for", name(var))))
        elif var not in state.owned:
            out.append(assign(dvar, _call("writable", name(dvar), name(var))))
        state.zeros.discard(var)
        state.owned.add(var)
        if attr is not None or _is_static_basic(index):
            # ``d[i] = d[i] + v`` (or ``d.W = d.W + v``): a NumPy row adds no Dask array in place
            if attr is not None:
                item = gast.Attribute(value=name(dvar), attr=attr, ctx=gast.Store())
                read = gast.Attribute(value=name(dvar), attr=attr, ctx=gast.Load())
            else:
                item = gast.Subscript(value=name(dvar), slice=clone(index), ctx=gast.Store())
                read = gast.Subscript(value=name(dvar), slice=clone(index), ctx=gast.Load())
            out.append(assign(item, gast.BinOp(left=read, op=gast.Add(), right=value)))
        elif self.functional_scatter:  # a new array: the form differentiated again
            out.append(assign(dvar, _call("added_at", name(dvar), _as_value(index), value)))
        else:
            out.append(gast.Expr(value=_call("add_at", name(dvar), _as_value(index), value)))
        return out

    def contribute(self, contributions, state, captured):
        """Emit contributions, one sum per name; names also read as ``g`` come last."""
        out, sums = [], {}
        for c in contributions:
            if c.index is not None or c.field is not None:
                value = c.value
                if c.name in captured:  # ``x = x[i]``: read dx before dx starts over
                    held = self.namer.fresh(self.d(c.name) + "_item")
                    out.append(assign(held, value))
                    value = name(held)
                out += self.scatter(c.name, c.index, value, state, c.field)
            else:
                sums.setdefault(c.name, []).append(c)
        ordered = sorted(sums.items(), key=lambda item: item[0] in captured)
        for var, parts in ordered:
            refs = {c.uniform for c in parts}
            uniform = parts[0].uniform if len(refs) == 1 else None
            # Uniform values of different references, or with an exact one: spread each.
            values = [
                c.value if uniform or not c.uniform else spread(c.value, c.uniform) for c in parts
            ]
            total = values[0]
            for v in values[1:]:
                total = gast.BinOp(left=total, op=gast.Add(), right=v)
            out += self.accumulate(var, simplify(total), state, uniform)
        return out

    def reverse_assign(self, stmt, state):
        target = stmt.targets[0]
        targets = [t.id for t in getattr(target, "elts", [target])]
        saves = self.saves[id(stmt)]
        restores = [Restore(s) for s in saves]
        live = [t for t in targets if t in self.active and t not in state.zeros]
        if not live:
            for t in targets:
                if t in self.active:
                    state.zeros.add(t)
            return restores
        if isinstance(target, gast.Name):
            ans, g = name(target.id), name(self.d(target.id))
        else:
            ans = gast.Tuple(elts=[name(t) for t in targets], ctx=gast.Load())
            g = gast.Tuple(
                elts=[
                    name(self.d(t)) if t in live else _call("zeros_like", name(t)) for t in targets
                ],
                ctx=gast.Load(),
            )
        split = self.split_calls.get(id(stmt))
        if split is not None:
            return self.reverse_split_call(stmt, split, state) + restores
        reads_old = {a.id for a in walk(stmt.value) if isinstance(a, gast.Name)} & set(targets)
        out = []
        if reads_old:
            # The operation reads the value its target overwrites: restore first,
            # keeping the new value under another name for the rule's ``ans``.
            new_names = {}
            for t in targets:
                if t in reads_old:
                    new_names[t] = self.namer.fresh(t + "_new")
                    out.append(assign(new_names[t], name(t)))
            ans = _rename(ans, new_names)
            out += restores
            restores = []
        self.builder.target = target.id if isinstance(target, gast.Name) else None
        adjoint = self.builder.adjoint(stmt.value, ans, g, stmt)
        for t in targets:
            if t in self.active:
                state.zeros.add(t)
                self.builder.uniform.pop(t, None)
                self.builder.uniform_origin.pop(t, None)
        out += adjoint.before
        out += self.contribute(adjoint.contributions, state, set(targets))
        return out + restores

    def reverse_split_call(self, stmt, split, state):
        """``y, f_backward = f_forward(x)``: the pullback kept by the forward pass gives dx."""
        result = stmt.targets[0].elts[0].id
        call = gast.Call(func=name(split.backward), args=[name(self.d(result))], keywords=[])
        self.builder.target = result
        if len(split.receivers) == 1:
            adjoint = Adjoint([Contribution(split.receivers[0], _item(call, 0))])
        else:
            cotangents = self.namer.fresh("cotangents")
            contributions = [
                Contribution(var, _item(name(cotangents), i))
                for i, var in enumerate(split.receivers)
            ]
            adjoint = Adjoint(contributions, before=[assign(cotangents, call)])
        adjoint = self.builder.settle_shapes(adjoint)
        state.zeros.add(result)
        return adjoint.before + self.contribute(adjoint.contributions, state, {result})

    def reverse_setitem(self, stmt, state):
        target = stmt.targets[0]
        var, index, value = target.value.id, target.slice, stmt.value
        restores = [Restore(s) for s in self.saves[id(stmt)]]
        if var not in self.active or var in state.zeros:
            return restores
        dvar = self.d(var)
        out = []
        if var not in state.owned:  # it is read by index, then cleared in place
            out.append(assign(dvar, _call("writable", name(dvar), name(var))))
            state.owned.add(var)
        item = gast.Subscript(value=name(dvar), slice=clone(index), ctx=gast.Load())
        if isinstance(value, gast.Name) and value.id in self.active:
            taken = _call("np.copy", item) if value.id in state.zeros else item
            # The slice has the shape of the value broadcast into it.
            if self.builder.needs_exact(value.id):
                taken = _call("unbroadcast", taken, name(value.id))
            else:
                self.builder.lazy_now.add(value.id)  # summed down where its shape is needed
            out += self.accumulate(value.id, taken, state)
            self.builder.namespace.setdefault("np", __import__("numpy"))
        cleared = gast.Subscript(value=name(dvar), slice=clone(index), ctx=gast.Store())
        out.append(gast.Assign(targets=[cleared], value=const(0.0), type_comment=None))
        return out + restores

    def reverse_if(self, stmt, state):
        cond = self.plan.conditions[id(stmt)]
        left, right = state.copy(), state.copy()
        body = self.reverse_block(stmt.body, left)
        orelse = self.reverse_block(stmt.orelse, right)
        merged_zeros = left.zeros & right.zeros
        bound = self.plan.defined_before[id(stmt)] | self.plan.preinit
        for branch, branch_state in ((body, left), (orelse, right)):
            for var in sorted(branch_state.zeros - merged_zeros):
                # A zero of the variable's shape before the branch, when it had one.
                zero = _call("zeros_like", name(var)) if var in bound else const(0.0)
                branch.append(assign(self.d(var), zero))
        state.zeros = merged_zeros
        state.owned = (left.owned & right.owned) - (left.zeros ^ right.zeros)
        restores = [Restore(s) for s in self.saves[id(stmt)]]
        if not body and not orelse:
            return restores
        # A branch with restores only is kept: a value it overwrote may be read later.
        node = gast.If(test=name(cond), body=body or [gast.Pass()], orelse=orelse)
        quiet = getattr(stmt, "synthetic", False) or not (_has_code(body) or _has_code(orelse))
        heading = [] if quiet else [self.comment(stmt)]
        return heading + [node] + restores

    def loop_fixed_point(self, body, zeros, owned):
        """Shrink ``zeros`` (or ``owned``, when given) until one backward pass keeps it."""
        while True:
            trial = State(set(zeros), set(owned if owned is not None else ()))
            dry = copy.copy(self)
            dry.namer = copy.deepcopy(self.namer)
            dry.reverse_block(body, trial)
            if owned is None:
                if zeros <= trial.zeros:
                    return zeros
                zeros = zeros & trial.zeros
            else:
                if owned <= trial.owned:
                    return owned
                owned = owned & trial.owned

    def reverse_loop(self, stmt, state):
        plan = self.plan.loops[id(stmt)]
        body = stmt.body
        # Gradients zero at the start of each backward iteration must also be
        # zero at its end, and gradients owned at the start must stay owned:
        # find the largest such sets (a few passes at most).
        zeros = self.loop_fixed_point(body, set(state.zeros), None)
        materialized = state.zeros - zeros
        bound = self.plan.defined_before[id(stmt)] | self.plan.preinit
        arrays = materialized & bound  # the others start at 0.0: not updatable in place
        owned = self.loop_fixed_point(body, zeros, state.owned | arrays)
        start = State(zeros, owned)
        before = [  # a zero of the variable's shape after the loop, when it surely has one
            assign(self.d(var), _call("zeros_like", name(var)) if var in bound else const(0.0))
            for var in sorted(materialized)
        ]
        inner = start.copy()
        target_restores = [Restore(s) for s in self.saves.get(("target", id(stmt)), [])]
        recomputes = [Recompute(s) for s in self.plan.recomputes.get(id(stmt), [])]
        code = target_restores + recomputes + self.reverse_block(body, inner)
        for var in sorted(inner.zeros - start.zeros):
            # Zero, in the shape the variable has for the previous trip.
            code.append(assign(self.d(var), _call("zeros_like", name(var))))
        state.zeros, state.owned = set(start.zeros), set(start.owned)
        restores = [Restore(s) for s in self.saves[id(stmt)]]
        if not code:
            return restores
        target_read = isinstance(stmt, gast.For) and any(
            isinstance(n, gast.Name) and n.id == stmt.target.id
            for c in code
            if not isinstance(c, Restore) or isinstance(c, Recompute)
            for n in walk(c.save.recompute.value if isinstance(c, Recompute) else c)
        )
        if plan.reverse_range and not target_read and plan.trips is None:
            count = clone(stmt.iter)
            if not (len(count.args) == 1 and not count.keywords):
                count = _call("range", _call("len", count))
            loop_target, iterable = store(self.namer.unused()), count
        elif plan.reverse_range and not target_read:
            loop_target, iterable = store(self.namer.unused()), _call("range", name(plan.trips))
        elif plan.reverse_range:
            iterable = clone(stmt.iter)
            if plan.trips:
                iterable = gast.Subscript(
                    value=iterable,
                    slice=gast.Slice(lower=None, upper=name(plan.trips), step=None),
                    ctx=gast.Load(),
                )
            loop_target = store(stmt.target.id)
            iterable = _call("reversed", iterable)
        else:
            loop_target, iterable = store(self.namer.unused()), _call("range", name(plan.trips))
        loop = gast.For(target=loop_target, iter=iterable, body=code, orelse=[], type_comment=None)
        heading = [self.comment(stmt)] if _has_code(code) else []
        return heading + before + [loop] + restores


def _call(func, *args):
    if "." in func:
        owner, attr = func.split(".")
        func_node = gast.Attribute(value=runtime_name(owner), attr=attr, ctx=gast.Load())
    else:
        func_node = runtime_name(func)
    return gast.Call(func=func_node, args=list(args), keywords=[])


def _is_static_basic(index):
    """Int constants, dict keys and forward slices: no repeats (None, ::-1 go to add_at, as
    Dask needs)."""
    if isinstance(index, gast.Constant):  # a position, or a key of a dict
        return isinstance(index.value, (int, str))
    if isinstance(index, gast.Slice):
        return _is_static_basic(index.step or const(1))  # a constant step, not -1
    if isinstance(index, gast.Tuple):
        return all(_is_static_basic(e) for e in index.elts)
    return False


def _as_value(index):
    from srcdiff.static.anf import _as_expression

    return _as_expression(clone(index))


def _rename(node, mapping):
    if not mapping:
        return node
    node = clone(node)
    for sub in walk(node):
        if isinstance(sub, gast.Name) and sub.id in mapping:
            sub.id = mapping[sub.id]
    return node


def _has_code(body):
    return any(not isinstance(s, Restore) for s in body)
