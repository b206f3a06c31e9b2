"""Stage 5, forward mode: write the jvp of a normalized function.

The generated function runs the user's statements in their order, each
followed (or, when it overwrites an operand its tangent reads, preceded) by
the statement computing its result's tangent: ``dz`` is the tangent of ``z``.
Branches and loops keep their shape, so forward mode keeps no stacks: the
tangents travel with the values.  A tangent known to be zero has no variable
(a symbolic zero): operations on it are not emitted.  Where paths meet (after
an ``if``, around a loop body) a tangent that is zero on one path only is
set to zeros there, in the value's shape.  An item assignment ``a[i] = v``
writes ``dv`` into ``da[i]``, after making ``da`` an array no other tangent
shares.

Invariant: the returned function computes the primal value and its
directional derivative along the given tangents of the ``wrt`` arguments.
"""

from dataclasses import dataclass, field

import gast

from srcdiff.static import runtime
from srcdiff.static.calls import _in_progress
from srcdiff.static.lists import is_list_pop
from srcdiff.static.names import assign, clone, const, name, names_in, runtime_name, store
from srcdiff.static.nodes import walk
from srcdiff.static.recursion import deep_expressions
from srcdiff.static.render import comment
from srcdiff.static.statements import is_loop_exit
from srcdiff.static.tangents import Joint, TangentBuilder
from srcdiff.static.transform import compile_generated, front_end, parameters, prepare

_COMPOUND = (gast.If, gast.For, gast.While)
# The gradient kinds forward mode computes, for one argument that is a number.
GRADIENTS = ("grad", "value_and_grad", "grad_and_value")


@dataclass
class State:
    """What the forward pass knows about tangents at one point."""

    zeros: set  # active names whose tangent is zero (no variable, or a stale one)
    bound: set  # names surely bound here
    owned: set = field(default_factory=set)  # tangents no other name shares

    def copy(self):
        return State(set(self.zeros), set(self.bound), set(self.owned))


class ForwardAD:
    """Builds the jvp of one normalized function (see ``transform.front_end``)."""

    def __init__(self, front, eager=frozenset()):
        self.front = front
        # Names whose zero tangent was once needed where they were not surely bound:
        # every assignment of a zero tangent to them writes zeros of their shape.
        self.eager = eager
        self.unbound_zeros = set()
        self.source = front.source
        self.active = front.active
        self.namer = front.namer
        self.tangent_names = {v: self.namer.fresh("d" + v) for v in sorted(front.active)}
        self.builder = TangentBuilder(front, self.d)
        self.loads = _loads(front.tree)

    def read_outside(self, var, stmt, exposed=()):
        """Might ``var`` be read outside ``stmt`` (or, in a loop, before it is written)?"""
        return var in exposed or self.loads.get(var, 0) > _loads(stmt).get(var, 0)

    def start(self):
        """The state at the top of the function: only the ``wrt`` arguments carry tangents."""
        _, every = parameters(self.front.source.tree)
        return State(self.active - set(self.front.wrt), set(every) | {"tangent"})

    def prologue(self, wrt, kind):
        """Bind each ``wrt`` argument's tangent from the ``tangent`` keyword."""
        names = self.front.wrt
        targets = [store(self.d(w)) for w in names]
        if kind in GRADIENTS:  # a gradient with respect to one number: its tangent is 1
            return [assign(targets[0], const(1.0))]
        if kind == "tangent":  # a helper's jvp: a tuple of tangents, from generated code
            return [assign(gast.Tuple(elts=targets, ctx=gast.Store()), name("tangent"))]
        if not isinstance(wrt, tuple):
            return [
                assign(targets[0], _runtime_call("tangent_in", name("tangent"), name(names[0])))
            ]
        unpacked = _runtime_call("tangents_in", name("tangent"), const(len(names)))
        code = [assign(gast.Tuple(elts=targets, ctx=gast.Store()), unpacked)]
        for w in names:
            code.append(assign(self.d(w), _runtime_call("tangent_in", name(self.d(w)), name(w))))
        return code

    def returned(self, result, kind):
        """``(result, its tangent)``: shaped like the result for the user, as is for a helper;
        the tangent alone for a ``"directional"`` derivative."""
        zero = result not in self.active or result in self.final_zeros
        tangent = const(0.0) if zero else name(self.d(result))
        if kind in GRADIENTS:
            gradient = _runtime_call("gradient_out", tangent, name(result))
            return gradient if kind == "grad" else _pair(result, gradient, kind)
        if kind == "jvp":
            tangent = _runtime_call("tangent_out", tangent, name(result))
        elif zero:
            tangent = _runtime_call("tangent_zeros", name(result))
        if kind == "directional":
            return tangent
        return gast.Tuple(elts=[name(result), tangent], ctx=gast.Load())

    def d(self, var):
        if var not in self.tangent_names:
            self.tangent_names[var] = self.namer.fresh("d" + var)
        return self.tangent_names[var]

    def block(self, body, state):
        """The code of ``body``; a comment quotes each user line whose statements gained
        tangent code, above the first of them."""
        out, line, start, commented = [], None, 0, None
        for stmt in body:
            if isinstance(stmt, _COMPOUND) or stmt.lineno != line:
                line, start = (None if isinstance(stmt, _COMPOUND) else stmt.lineno), len(out)
            code = self.statement(stmt, state)
            if line is not None and line != commented and any(c is not stmt for c in code):
                out.insert(start, comment(f"line {line}: {self.source.line(line)}"))
                commented = line
            out += code
        return out

    def statement(self, stmt, state):
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript):
                return self.setitem(stmt, state)
            if is_list_pop(stmt.value):
                return self.pop(stmt, state)
            return self.assign(stmt, state)
        if isinstance(stmt, gast.Expr):
            return self.append(stmt, state)
        if isinstance(stmt, gast.If):
            return [stmt] if is_loop_exit(stmt) else self.branch(stmt, state)
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt, state)
        return [stmt]

    def zero(self, var, state):
        """Set the tangent of ``var`` to zero where paths meet: ``[dvar = zeros]`` or ``[]``.

        Where ``var`` may be unbound its tangent is read only after ``var`` is
        assigned, which sets it, once ``var`` is ``eager``; until then it is 0.0.
        """
        value = self.zero_value(var, state)
        if isinstance(value, gast.Constant) and var in self.eager:
            return []
        return [assign(self.d(var), value)]

    def zero_value(self, var, state):
        """A zero tangent for ``var``: in its shape where it is surely bound."""
        if var in state.bound:
            state.owned.add(var)
            return gast.Call(func=runtime_name("zeros_like"), args=[name(var)], keywords=[])
        # Not surely bound: read only once bound, and then (see ``eager``) shaped.
        self.unbound_zeros.add(var)
        return const(0.0)

    def assign(self, stmt, state):
        target = stmt.targets[0]
        targets = [t.id for t in getattr(target, "elts", [target])]
        state.bound.update(targets)
        if not any(t in self.active for t in targets):
            return [stmt]
        self.builder.target = targets[0] if isinstance(target, gast.Name) else None
        live = self.active - state.zeros
        tangent = self.builder.tangent(stmt.value, stmt, live)
        state.owned.difference_update(targets)
        if tangent is None:
            return [stmt] + self.zero_result(targets, stmt, state)
        state.zeros.difference_update(targets)
        tangent_target = (
            store(self.d(target.id))
            if isinstance(target, gast.Name)
            else gast.Tuple(elts=[store(self.d(t)) for t in targets], ctx=gast.Store())
        )
        if isinstance(tangent, Joint):
            both = gast.Tuple(elts=[clone(target), tangent_target], ctx=gast.Store())
            return [_located(assign(both, tangent.call), stmt)]
        overwrites = bool(set(targets) & names_in(stmt.value))
        if not tangent.reads_result:
            code = [_located(assign(tangent_target, tangent.naming_result(name("_"))), stmt)]
            return code + [stmt] if overwrites else [stmt] + code
        if not overwrites:
            result = name(targets[0]) if isinstance(target, gast.Name) else _load(target)
            return [stmt, _located(assign(tangent_target, tangent.naming_result(result)), stmt)]
        # The tangent reads both the result and the operand it overwrites: keep both.
        new = self.namer.fresh(targets[0] + "_new")
        return [
            _located(assign(new, stmt.value), stmt),
            _located(assign(tangent_target, tangent.naming_result(name(new))), stmt),
            _located(assign(clone(target), name(new)), stmt),
        ]

    def zero_result(self, targets, stmt, state):
        """The results ``targets`` of ``stmt`` have a zero tangent: no variable, or
        zeros in their shape for the ``eager`` ones."""
        state.zeros.update(t for t in targets if t in self.active)
        shaped = [t for t in targets if t in self.eager]
        for t in shaped:
            state.zeros.discard(t)
            state.owned.add(t)
        zeros = [assign(self.d(t), _runtime_call("zeros_like", name(t))) for t in shaped]
        return [_located(z, stmt) for z in zeros]

    def pop(self, stmt, state):
        """``v = xs.pop()``: ``dv = dxs.pop()``, so ``dxs`` keeps one tangent per item of
        ``xs`` (a generated adjoint's save stacks are such lists)."""
        target, var = stmt.targets[0].id, stmt.value.func.value.id
        state.bound.add(target)
        state.owned.discard(target)
        if var not in self.active or var in state.zeros:
            return [stmt] + (
                self.zero_result([target], stmt, state) if target in self.active else []
            )
        popped = gast.Call(
            func=gast.Attribute(value=name(self.d(var)), attr="pop", ctx=gast.Load()),
            args=[],
            keywords=[],
        )
        if target not in self.active:
            return [stmt, _located(gast.Expr(value=popped), stmt)]
        state.zeros.discard(target)
        return [stmt, _located(assign(self.d(target), popped), stmt)]

    def setitem(self, stmt, state):
        """``a[i] = v``: ``da[i] = dv`` (or 0.0), in a tangent array ``da`` owns."""
        target = stmt.targets[0]
        var, value = target.value.id, stmt.value
        if var not in self.active:
            return [stmt]
        carries = isinstance(value, gast.Name) and value.id in self.active - state.zeros
        if var in state.zeros and not carries:
            return [stmt]
        code = [stmt] + self.own(var, state)
        item = gast.Subscript(value=name(self.d(var)), slice=clone(target.slice), ctx=gast.Store())
        code.append(_located(assign(item, name(self.d(value.id)) if carries else const(0.0)), stmt))
        return code

    def own(self, var, state):
        """Make the tangent of ``var`` an array of its own, ready to be written into."""
        call = None
        if var in state.zeros:
            call = gast.Call(func=runtime_name("zeros_for"), args=[name(var)], keywords=[])
        elif var not in state.owned:
            call = gast.Call(
                func=runtime_name("writable"), args=[name(self.d(var)), name(var)], keywords=[]
            )
        state.zeros.discard(var)
        state.owned.add(var)
        return [] if call is None else [assign(self.d(var), call)]

    def append(self, stmt, state):
        """``out.append(h)``: ``dout.append(dh)``, before the list grows."""
        call = stmt.value
        if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute)):
            return [stmt]
        owner = call.func.value
        if call.func.attr != "append" or not isinstance(owner, gast.Name):
            return [stmt]
        if owner.id not in self.active:
            return [stmt]
        item = call.args[0]
        carries = isinstance(item, gast.Name) and item.id in self.active - state.zeros
        if owner.id in state.zeros and not carries:
            return [stmt]
        code = self.own(owner.id, state)
        tangent = name(self.d(item.id)) if carries else self.builder.zero_of(item)
        method = gast.Attribute(value=name(self.d(owner.id)), attr="append", ctx=gast.Load())
        code.append(gast.Expr(value=gast.Call(func=method, args=[tangent], keywords=[])))
        return [_located(c, stmt) for c in code] + [stmt]

    def branch(self, stmt, state):
        left, right = state.copy(), state.copy()
        body = self.block(stmt.body, left)
        orelse = self.block(stmt.orelse, right)
        merged = left.zeros & right.zeros
        for code, branch_state in ((body, left), (orelse, right)):
            for var in sorted(branch_state.zeros - merged):
                if self.read_outside(var, stmt):
                    code += self.zero(var, branch_state)
        state.zeros = merged
        state.owned = left.owned & right.owned
        state.bound = left.bound & right.bound
        return [gast.If(test=stmt.test, body=body or [gast.Pass()], orelse=orelse)]

    def run_body(self, stmt, start):
        """The code of one trip through the loop body, from ``start`` (updated to its end)."""
        body = stmt.body
        exit_check = body[-1:] if body and is_loop_exit(body[-1]) else []
        if isinstance(stmt, gast.For):
            start.bound.update(n.id for n in walk(stmt.target) if isinstance(n, gast.Name))
        code = self.block(body[: len(body) - len(exit_check)], start)
        return code, exit_check

    def dry_run(self, stmt, start):
        """``run_body`` whose code and fresh names are thrown away."""
        taken, parts = set(self.namer.taken), dict(self.namer.next_part)
        names = dict(self.tangent_names)
        self.run_body(stmt, start)
        self.namer.taken, self.namer.next_part, self.tangent_names = taken, parts, names
        return start

    def loop(self, stmt, state):
        # Tangents zero at the start of a trip must still be zero at its end, and
        # tangents owned at the start must still be owned: the largest such sets.
        zeros = set(state.zeros)
        while not zeros <= (end := self.dry_run(stmt, State(set(zeros), set(state.bound)))).zeros:
            zeros &= end.zeros
        exposed = _exposed(stmt.body, set())
        needed = [v for v in sorted(state.zeros - zeros) if self.read_outside(v, stmt, exposed)]
        before = [z for var in needed for z in self.zero(var, state)]
        owned = set(state.owned)
        while True:
            end = self.dry_run(stmt, State(set(zeros), set(state.bound), set(owned)))
            self.close_trip(end, zeros, [], stmt, exposed)
            if owned <= end.owned:
                break
            owned &= end.owned
        inner = State(set(zeros), set(state.bound), set(owned))
        code, exit_check = self.run_body(stmt, inner)
        self.close_trip(inner, zeros, code, stmt, exposed)
        code += exit_check
        state.zeros, state.owned = zeros, owned
        if isinstance(stmt, gast.For):
            loop = gast.For(
                target=stmt.target, iter=stmt.iter, body=code, orelse=[], type_comment=None
            )
        else:
            loop = gast.While(test=stmt.test, body=code, orelse=[])
        return before + [loop]

    def close_trip(self, end, zeros, code, stmt, exposed):
        """Tangents that became zero during the trip are set to zeros for the next one."""
        for var in sorted(end.zeros - zeros):
            if self.read_outside(var, stmt, exposed):
                code += self.zero(var, end)
        end.zeros &= zeros


def _loads(tree):
    """How many times each name is read in ``tree``."""
    counts = {}
    for node in walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _exposed(body, written):
    """Names ``body`` may read before writing them (``written``: surely written so far)."""
    exposed = set()
    for stmt in body:
        if isinstance(stmt, gast.If):
            exposed |= set(_loads(stmt.test)) - written
            left, right = set(written), set(written)
            exposed |= _exposed(stmt.body, left) | _exposed(stmt.orelse, right)
            written |= left & right
        elif isinstance(stmt, (gast.For, gast.While)):
            exposed |= _exposed(stmt.body, set(written)) | (set(_loads(stmt)) - written)
        else:
            exposed |= set(_loads(stmt)) - written
            if isinstance(stmt, gast.Assign):
                target = stmt.targets[0]
                written |= {
                    t.id for t in getattr(target, "elts", [target]) if isinstance(t, gast.Name)
                }
    return exposed


def _runtime_call(fn, *args):
    meaning = getattr(runtime, fn)
    return gast.Call(func=runtime_name(fn, meaning), args=list(args), keywords=[])


def _located(node, stmt):
    node.lineno = stmt.lineno
    return node


def _function_name(front, kind):
    """``f_jvp``; ``df`` for a gradient, as the reverse mode names it."""
    user = front.source.tree.name.strip("<>")
    return front.namer.gradient(user) if kind in GRADIENTS else front.namer.fresh(user + "_jvp")


def _pair(result, gradient, kind):
    items = [name(result), gradient] if kind == "value_and_grad" else [gradient, name(result)]
    return gast.Tuple(elts=items, ctx=gast.Load())


def _load(target):
    return gast.Tuple(elts=[name(t.id) for t in target.elts], ctx=gast.Load())


def forward_transform(fn, wrt=0, kind="jvp", optimize=True, numbers=()):
    """Compile the jvp of ``fn``: ``f_jvp(*args, tangent=t) -> (value, tangent of value)``.

    ``kind="jvp"`` checks the tangents it is given and shapes the one it returns;
    ``kind="tangent"`` (a helper's jvp, called by generated code) takes a tuple of
    tangents, one per ``wrt`` argument, unchecked; ``kind="directional"`` returns the
    tangent alone, so that code computing only the value is dropped (a Hessian-vector
    product: the jvp of a gradient, whose ``gradient_of`` calls shape its tangent).
    A gradient kind (``"grad"``, ``"value_and_grad"``, ``"grad_and_value"``)
    differentiates a scalar function with respect to one argument that is a number:
    its tangent is 1.0 and the result's tangent is the derivative, as
    ``grad(f, method="auto")`` returns it.  ``numbers``: positions of
    arguments it may assume are Python numbers (``static/specialise.py``).
    """
    _in_progress.add(fn)
    try:
        with deep_expressions(fn):
            eager = set()
            while True:
                keyword = None if kind in GRADIENTS else "tangent"
                front = front_end(fn, wrt, keyword, "jvp", numbers=numbers)
                forward = ForwardAD(front, frozenset(eager))
                *body, final = front.tree.body
                state = forward.start()
                code = forward.prologue(wrt, kind) + forward.block(body, state)
                if forward.unbound_zeros <= eager:
                    break
                eager |= forward.unbound_zeros
            forward.final_zeros = state.zeros
            result = final.value
            if not isinstance(result, gast.Name):
                result = name(front.namer.fresh("result"))
                code.append(assign(result.id, final.value, final.lineno))
            code.append(gast.Return(value=forward.returned(result.id, kind)))
            generated = gast.FunctionDef(
                name=_function_name(front, kind),
                args=clone(front.source.tree.args),
                body=code,
                decorator_list=[],
                returns=None,
                type_comment=None,
                **({"type_params": []} if "type_params" in gast.FunctionDef._fields else {}),
            )
            if kind not in GRADIENTS:
                generated.args.kwonlyargs.append(
                    gast.Name(id="tangent", ctx=gast.Param(), annotation=None, type_comment=None)
                )
                generated.args.kw_defaults.append(None)
            # The user's tangents are checked even where nothing reads them.
            given = kind not in ("tangent", *GRADIENTS)
            checked = [forward.d(w) for w in front.wrt] if given else []
            prepare(generated, front, optimize, live=checked, numbers=numbers)
            return compile_generated(fn, generated, front, kind, forward.builder.helpers.values())
    finally:
        _in_progress.discard(fn)
