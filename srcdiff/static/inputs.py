"""Fence: no assignment into the caller's arrays.

``x[0] = 1.0`` on an argument, or on a view of one (``y = x``, ``y = x.T``,
``row = x[i]``, ``for row in x``), would change the caller's array, and the
adjoint would have to undo it.  Such a statement raises ``UnsupportedSyntax``
at its line, with the way out: copy the array first.  The check follows the
function in order, so ``x = x.copy()`` before the assignment makes it fine.

Invariant: after this check, every item assignment writes into an array the
function created itself.
"""

import gast

from srcdiff.static.activity import resolve

# Methods and functions whose result shares memory with their argument.
VIEW_METHODS = frozenset({"reshape", "ravel", "transpose", "view", "swapaxes", "squeeze"})
VIEW_FUNCTIONS = ("reshape", "ravel", "transpose", "swapaxes", "squeeze", "asarray", "atleast_1d")
# Methods that change their array in place.
MUTATING_METHODS = frozenset({"fill", "sort", "put", "itemset", "resize", "partition"})


def check_no_input_mutation(source):
    """Raise ``UnsupportedSyntax`` at the first write into an argument's array."""
    params = {a.id for a in gast.walk(source.tree.args) if isinstance(a, gast.Name)}
    _Checker(source).block(source.tree.body, params)


class _Checker:
    def __init__(self, source):
        self.source = source

    def block(self, stmts, aliased):
        """The names that may share memory with an argument after ``stmts``."""
        for stmt in stmts:
            aliased = self.statement(stmt, aliased)
        return aliased

    def statement(self, stmt, aliased):
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                aliased = self.assign(stmt, target, stmt.value, aliased)
            return aliased
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Subscript):
            self.check_write(stmt, stmt.target, aliased)
            return aliased
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            func = stmt.value.func
            if isinstance(func, gast.Attribute) and func.attr in MUTATING_METHODS:
                if isinstance(func.value, gast.Name) and func.value.id in aliased:
                    raise self.error(stmt, func.value.id, f"'.{func.attr}()' on")
            return aliased
        if isinstance(stmt, gast.If):
            return self.block(stmt.body, set(aliased)) | self.block(stmt.orelse, set(aliased))
        if isinstance(stmt, (gast.For, gast.While)):
            inside = set(aliased)
            if isinstance(stmt, gast.For):
                inside = self.assign(stmt, stmt.target, stmt.iter, inside, loop=True)
            for _ in range(2):  # a second pass sees what the first made aliases
                inside |= self.block(stmt.body, set(inside))
            return aliased | inside
        return aliased

    def assign(self, stmt, target, value, aliased, loop=False):
        if isinstance(target, gast.Subscript):
            self.check_write(stmt, target, aliased)
            return aliased
        if isinstance(target, gast.Name):
            shares = self.shares_memory(value, aliased, loop)
            return aliased | {target.id} if shares else aliased - {target.id}
        if isinstance(target, (gast.Tuple, gast.List)):
            values = getattr(value, "elts", None)
            for i, elt in enumerate(target.elts):
                part = values[i] if values and len(values) == len(target.elts) else value
                aliased = self.assign(stmt, elt, part, aliased, loop)
        return aliased

    def shares_memory(self, value, aliased, loop):
        """May ``value`` (or, for a loop, each item of it) be a view of an argument?"""
        if isinstance(value, gast.Name):
            return value.id in aliased
        if loop and isinstance(value, gast.Call) and isinstance(value.func, gast.Name):
            if value.func.id in ("enumerate", "zip", "reversed"):
                return any(self.shares_memory(a, aliased, False) for a in value.args)
        if isinstance(value, gast.Attribute):
            return value.attr == "T" and self.shares_memory(value.value, aliased, False)
        if isinstance(value, gast.Subscript):
            return self.shares_memory(value.value, aliased, False)
        if isinstance(value, gast.Call):
            func = value.func
            if isinstance(func, gast.Attribute) and func.attr in VIEW_METHODS:
                if resolve(func, self.source) is None:  # a method of a local array
                    return self.shares_memory(func.value, aliased, False)
            fn = resolve(func, self.source)
            if getattr(fn, "__name__", None) in VIEW_FUNCTIONS and value.args:
                return self.shares_memory(value.args[0], aliased, False)
        return False

    def check_write(self, stmt, target, aliased):
        base = target.value
        while isinstance(base, gast.Subscript):
            base = base.value
        if isinstance(base, gast.Name) and base.id in aliased:
            raise self.error(stmt, base.id, "assignment into")

    def error(self, stmt, name, what):
        return self.source.error(
            stmt,
            f"{what} '{name}', which is an argument or a view of one, would change the "
            f"caller's array; copy it first ({name} = {name}.copy()), or use "
            'mode="trace"',
        )
