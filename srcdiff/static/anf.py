"""Stage 4, normal form: one differentiable operation per statement.

Every assignment whose value depends on a ``wrt`` argument is split so that
its right-hand side is a single operation (a binary or unary operator, a
call, an attribute, a subscript, a tuple or list, or a copy) whose operands
are names or constants.  Parts of an expression become names derived from
the target (``z_1`` for the ``y * y`` in ``z = y * y * 3``).  Expressions that
carry no gradient (indices, shapes, conditions) stay as the user wrote them,
except where an operation's adjoint needs them: then they are computed once
into a name, so the backward pass never re-evaluates user code.

Invariant: every active statement is ``name = op(atoms)``, ``a, b = call(atoms)``,
``name[index] = atom``, ``name.append(atom)`` or ``return atom``.
"""

import gast

from srcdiff.errors import DifferentiationError
from srcdiff.static.activity import mark_varied, resolve
from srcdiff.static.constructs import describe
from srcdiff.static.desugar import ADVICE
from srcdiff.static.lists import is_list_pop
from srcdiff.static.names import assign, clone, is_runtime_check, name, runtime_name
from srcdiff.static.nodes import walk

_COMPREHENSIONS = (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)


def is_atom(node):
    """A name or a constant (a negative number literal counts as a constant)."""
    if isinstance(node, (gast.Name, gast.Constant)):
        return True
    return (
        isinstance(node, gast.UnaryOp)
        and isinstance(node.op, gast.USub)
        and isinstance(node.operand, gast.Constant)
    )


def is_simple_index(node):
    """An index that is cheap and pure to evaluate twice: names, constants, slices of them."""
    if is_atom(node):
        return True
    if isinstance(node, gast.Slice):
        return all(part is None or is_atom(part) for part in (node.lower, node.upper, node.step))
    if isinstance(node, gast.Tuple):
        return all(is_simple_index(elt) for elt in node.elts)
    if isinstance(node, gast.Attribute):  # np.newaxis
        return isinstance(node.value, gast.Name)
    return False


def _as_expression(index):
    """An index as an expression that can be assigned: slices become ``slice(...)`` calls."""
    if isinstance(index, gast.Slice):
        parts = [
            p if p is not None else gast.Constant(value=None, kind=None)
            for p in (index.lower, index.upper, index.step)
        ]
        return gast.Call(func=runtime_name("slice"), args=parts, keywords=[])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[_as_expression(e) for e in index.elts], ctx=gast.Load())
    return index


class Normalizer:
    """Splits active expressions of a desugared function (see module docstring)."""

    def __init__(self, source, varied, namer):
        self.source = source
        self.varied = varied
        self.namer = namer
        self.marks = {}  # id(expression) -> (expression, is it varied?)

    def is_varied(self, node):
        seen = self.marks.get(id(node))
        if seen is not None and seen[0] is node:
            return seen[1]
        return mark_varied(node, self.source, self.varied, self.marks)

    def run(self, tree):
        tree.body = self.block(tree.body)
        return tree

    def block(self, stmts):
        out = []
        for stmt in stmts:
            self.lineno = stmt.lineno
            out.extend(self.statement(stmt))
        return out

    def statement(self, stmt):
        if isinstance(stmt, (gast.Assign, gast.Expr, gast.Return)):
            self.check_no_lists_of_varied(stmt)
        if isinstance(stmt, (gast.If, gast.While)):
            stmt.body = self.block(stmt.body)
            stmt.orelse = self.block(stmt.orelse)
            return [stmt]
        if isinstance(stmt, gast.For):
            stmt.body = self.block(stmt.body)
            return [stmt]
        if isinstance(stmt, gast.Assign):
            return self.assignment(stmt)
        if (
            isinstance(stmt, gast.Expr)
            and self.is_varied(stmt.value)
            and not is_runtime_check(stmt)
        ):
            return self.mutation(stmt)
        if isinstance(stmt, gast.Return) and self.is_varied(stmt.value):
            before = []
            if not isinstance(stmt.value, gast.Name):
                result = self.namer.fresh("result")
                before.append(
                    self.located(assign(result, self.operation(stmt.value, result, before)))
                )
                stmt.value = name(result)
            return before + [stmt]
        return [stmt]

    def check_no_lists_of_varied(self, stmt):
        """``x.tolist()`` of a value that carries a gradient: refused (its lists have none);
        so is a call of a local function value that carries one (a partial of it)."""
        for node in walk(stmt.value):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
                callee = node.func  # a runtime helper's name may be spelled like a local
                if (
                    callee.id in self.varied
                    and callee.id in self.source.locals
                    and callee.id not in _parameters(self.source.tree)  # model(x): adjoints.py
                    and not hasattr(callee, "runtime")
                ):
                    raise self.source.error(
                        stmt,
                        f"'{node.func.id}' is a function built from values that carry a "
                        "gradient (a functools.partial of them), and the gradient cannot follow "
                        "a function value; pass those values to the call as arguments, or use "
                        'mode="trace"',
                        DifferentiationError,
                    )
            if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)):
                continue
            func = node.func
            if func.attr == "tolist" and resolve(func, self.source) is None:
                if self.is_varied(func.value):
                    raise self.source.error(
                        stmt,
                        f"'.tolist()' of {_text(func.value)}, which carries a gradient: the "
                        "gradient cannot follow it into Python lists; keep the array (index "
                        "it, or use np.sum instead of sum)",
                        DifferentiationError,
                    )

    def assignment(self, stmt):
        target, value = stmt.targets[0], stmt.value
        if isinstance(value, gast.Lambda):
            captured = {n.id for n in walk(value.body) if isinstance(n, gast.Name)}
            captured -= {a.id for a in value.args.args}
            if captured & self.varied:
                raise self.source.error(
                    stmt,
                    f"a lambda that reads {', '.join(sorted(captured & self.varied))}, which "
                    "carries a gradient; pass it to the lambda as an argument, or use "
                    'mode="trace"',
                )
        if not self.is_varied(value):
            return [stmt]
        before = []
        if isinstance(target, gast.Name):
            stmt.value = self.operation(value, target.id, before)
        elif isinstance(target, gast.Subscript):
            base = target.value.id
            target.slice = self.index(target.slice, before)
            stmt.value = self.atom(value, base, before)
        else:  # a tuple of names, from a call
            hint = target.elts[0].id
            if isinstance(value, gast.Subscript):  # ``a, b = pairs[i]``: the item gets a name
                value = self.atom(value, hint, before)
            if isinstance(value, gast.Name):
                return before + [
                    self.located(assign(elt.id, _item(value.id, i)))
                    for i, elt in enumerate(target.elts)
                ]
            if not isinstance(value, gast.Call):
                # ``W, b = params[i]``: the item gets a name, unpacked item by item.
                held = self.atom(value, hint, before)
                return before + [
                    self.located(assign(elt.id, _item(held.id, i)))
                    for i, elt in enumerate(target.elts)
                ]
            stmt.value = self.operation(value, hint, before)
        return before + [stmt]

    def mutation(self, stmt):
        """``out.append(h)``, and ``out.pop()`` (its value kept under a name for the backward pass)."""
        call = stmt.value
        if is_list_pop(call):
            return [self.located(assign(self.namer.fresh(call.func.value.id + "_popped"), call))]
        func = call.func
        if (
            isinstance(call, gast.Call)
            and isinstance(func, gast.Attribute)
            and isinstance(func.value, gast.Name)
            and func.attr == "append"
            and len(call.args) == 1
            and not call.keywords
        ):
            before = []
            call.args = [self.atom(call.args[0], func.value.id, before)]
            return before + [stmt]
        if (
            isinstance(call, gast.Call)
            and isinstance(func, gast.Attribute)
            and isinstance(func.value, gast.Name)
            and func.attr in ("sort", "partition")
        ):
            name = func.value.id
            raise self.source.error(
                stmt,
                f"'{name}.{func.attr}(...)' changes {name} in place, which the static mode does "
                f"not follow; write {name} = np.{func.attr}({name}, ...), or differentiate "
                'with mode="trace"',
            )
        raise self.source.error(
            stmt,
            "a call whose result is discarded but whose arguments carry a gradient "
            f"(only list.append is supported); {ADVICE}",
        )

    # -- expressions ------------------------------------------------------

    def located(self, stmt):
        stmt.lineno = self.lineno
        return stmt

    def atom(self, node, hint, before):
        """``node`` as a name or constant, emitting its computation into ``before``."""
        if is_atom(node):
            return node
        temp = self.namer.part(hint)
        value = self.operation(node, hint, before) if self.is_varied(node) else node
        before.append(self.located(assign(temp, value)))
        return name(temp)

    def argument(self, node, hint, before):
        """An operand of an active operation: active parts split, others computed once."""
        if isinstance(node, gast.Starred):
            raise self.source.error(node, f"starred arguments in a differentiated call; {ADVICE}")
        if is_atom(node) or (not self.is_varied(node) and _is_constant_tuple(node)):
            return node
        return self.atom(node, hint, before)

    def index(self, node, before):
        if is_simple_index(node) or self.is_varied(node):
            return node
        temp = self.namer.fresh("index")
        before.append(self.located(assign(temp, _as_expression(node))))
        return name(temp)

    def operation(self, node, hint, before):
        """``node`` rewritten as one operation over atoms."""
        if isinstance(node, (gast.Name, gast.Constant)):
            return node
        if isinstance(node, gast.BinOp):
            node.left = self.argument(node.left, hint, before)
            node.right = self.argument(node.right, hint, before)
            return node
        if isinstance(node, gast.UnaryOp):
            node.operand = self.argument(node.operand, hint, before)
            return node
        if isinstance(node, gast.Call):
            if isinstance(node.func, gast.Attribute) and self.is_varied(node.func.value):
                node.func.value = self.argument(node.func.value, hint, before)
            node.args = [self.argument(arg, hint, before) for arg in node.args]
            for keyword in node.keywords:
                if keyword.arg is None:
                    raise self.source.error(
                        node, f"'**' arguments in a differentiated call; {ADVICE}"
                    )
                keyword.value = self.argument(keyword.value, keyword.arg, before)
            return node
        if isinstance(node, gast.Attribute):
            node.value = self.argument(node.value, hint, before)
            return node
        if isinstance(node, gast.Subscript):
            node.value = self.argument(node.value, hint, before)
            node.slice = self.index(node.slice, before)
            return node
        if isinstance(node, (gast.Tuple, gast.List)):
            node.elts = [self.argument(elt, hint, before) for elt in node.elts]
            return node
        if isinstance(node, gast.Dict):
            if any(key is None for key in node.keys):
                raise self.source.error(node, f"'**' unpacking in a dict literal; {ADVICE}")
            node.keys = [self.argument(key, hint, before) for key in node.keys]
            node.values = [self.argument(value, hint, before) for value in node.values]
            return node
        if isinstance(node, gast.IfExp):
            return self.conditional(node, hint, before)
        if isinstance(node, _COMPREHENSIONS):
            raise self.source.error(
                node,
                f"a comprehension over values that carry a gradient; use a for loop, or {ADVICE}",
            )
        if isinstance(node, gast.Lambda):
            raise self.source.error(node, f"a lambda that carries a gradient here; {ADVICE}")
        raise self.source.error(
            node, f"{describe(node)} over values that carry a gradient is not supported; {ADVICE}"
        )

    def conditional(self, node, hint, before):
        """``a if c else b`` becomes an ``if`` statement assigning a new name."""
        temp = self.namer.part(hint)
        branches = []
        for branch in (node.body, node.orelse):
            inner = []
            value = self.operation(branch, hint, inner) if self.is_varied(branch) else branch
            branches.append(inner + [self.located(assign(temp, value))])
        before.append(self.located(gast.If(test=node.test, body=branches[0], orelse=branches[1])))
        return name(temp)


def normalize(tree, source, varied, namer):
    """Split the active expressions of a desugared tree (modifies and returns it)."""
    return Normalizer(source, varied, namer).run(clone(tree))


def _is_constant_tuple(node):
    return isinstance(node, gast.Tuple) and all(
        is_atom(e) or _is_constant_tuple(e) for e in node.elts
    )


def _item(sequence, i):
    return gast.Subscript(
        value=name(sequence), slice=gast.Constant(value=i, kind=None), ctx=gast.Load()
    )


def _text(node):
    """The user's spelling of a small expression, for messages."""
    return gast.unparse(node).strip()


def _parameters(tree):
    args = tree.args
    every = args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]
    return {a.id for a in every if a is not None}
