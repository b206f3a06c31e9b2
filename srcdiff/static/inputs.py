"""Fence: no write into an array that another name also shows.

``x[0] = 1.0`` on an argument, or on a view of one (``y = x``, ``y = x.T``,
``row = x[i]``, ``for row in x``), would change the caller's array.  And after
``w = v``, an in-place update ``v += x`` or ``v[0] = 0.0`` changes ``w`` too,
which the compiler (it reads ``v += x`` as ``v = v + x``) would miss.  Such a
statement raises ``UnsupportedSyntax`` at its line, with the way out: copy the
array first.  The check follows the function in order, so ``x = x.copy()``
before the write makes it fine.

Invariant: after this check, every in-place write goes to an array no other
name shows, and that the function created itself.
"""

import gast

from srcdiff.static.activity import resolve
from srcdiff.static.nodes import walk

# Methods and functions whose result shares memory with their argument.
VIEW_METHODS = frozenset({"reshape", "ravel", "transpose", "view", "swapaxes", "squeeze"})
VIEW_FUNCTIONS = (
    "reshape",
    "ravel",
    "transpose",
    "swapaxes",
    "squeeze",
    "asarray",
    "atleast_1d",
    "atleast_2d",
    "broadcast_to",
    "expand_dims",
    "moveaxis",
)
# Marks the names that show an array of the caller's (an argument, or a view of one).
_ARGUMENT = "<argument>"
# Marks a name read by indexing (``v = x[i]``): it may hold a number, not a view.
_ELEMENT = "[]"
# Methods that change their array in place.
MUTATING_METHODS = frozenset({"fill", "sort", "put", "itemset", "resize", "partition"})


def check_no_input_mutation(source):
    """Raise ``UnsupportedSyntax`` at the first write into a shared array.

    ``v += x`` where ``v = a[i]`` may be a number (a is a vector) or a view (a row
    of a matrix): such statements are listed in ``source.view_checks``, and the
    generated code checks, when it runs, that ``v`` is not a view.
    """
    source.view_checks = set()
    params = {a.id for a in walk(source.tree.args) if isinstance(a, gast.Name)}
    _Checker(source).block(source.tree.body, {p: frozenset({p, _ARGUMENT}) for p in params})


class _Checker:
    """Follows which names may show the same array: ``aliased`` maps a name to
    the names whose arrays it may share (itself included)."""

    def __init__(self, source):
        self.source = source

    def block(self, stmts, aliased):
        for stmt in stmts:
            aliased = self.statement(stmt, aliased)
        return aliased

    def statement(self, stmt, aliased):
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                aliased = self.assign(stmt, target, stmt.value, aliased)
            return aliased
        if isinstance(stmt, gast.AugAssign):
            self.check_write(stmt, stmt.target, aliased)
            return aliased
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            func = stmt.value.func
            if isinstance(func, gast.Attribute) and func.attr in MUTATING_METHODS:
                self.check_write(stmt, func.value, aliased, f"'.{func.attr}()' on")
            if isinstance(func, gast.Attribute) and func.attr == "append":
                aliased = self.holds(func.value, stmt.value.args, aliased)
            return aliased
        if isinstance(stmt, gast.If):
            return _merge(self.block(stmt.body, aliased), self.block(stmt.orelse, aliased))
        if isinstance(stmt, (gast.For, gast.While)):
            inside = aliased
            if isinstance(stmt, gast.For):
                inside = self.assign(stmt, stmt.target, stmt.iter, inside, loop=True)
            for _ in range(2):  # a second pass sees what the first made aliases
                inside = _merge(inside, self.block(stmt.body, inside))
            return _merge(aliased, inside)
        return aliased

    def assign(self, stmt, target, value, aliased, loop=False):
        if isinstance(target, gast.Subscript):
            self.check_write(stmt, target, aliased)
            return aliased
        if isinstance(target, gast.Name):
            name = target.id
            aliased = {k: v - {name} for k, v in aliased.items() if k != name}
            source = self.shares_memory(value, aliased, loop)
            if source is None:
                return aliased
            group = (aliased.get(source, frozenset({source})) | {name}) - {_ELEMENT}
            for member in group:
                aliased[member] = aliased.get(member, frozenset({member})) | group
            if isinstance(value, gast.Subscript):  # x[i] may be a number, not a view
                aliased[name] = aliased[name] | {_ELEMENT}
            return aliased
        if isinstance(target, (gast.Tuple, gast.List)):
            # Python reads every part before it binds any name (``x, t = t, x``):
            # hold each part under a name no user can write, then bind the targets.
            values = getattr(value, "elts", None)
            count = len(target.elts)
            parts = [values[i] if values and len(values) == count else value for i in range(count)]
            held = [f"<part {i}>" for i in range(count)]
            for part, hold in zip(parts, held):
                aliased = self.assign(
                    stmt, gast.Name(hold, gast.Store(), None, None), part, aliased
                )
            for elt, part, hold in zip(target.elts, parts, held):
                aliased = self.assign(stmt, elt, gast.Name(hold, gast.Load(), None, None), aliased)
                if isinstance(elt, gast.Name) and elt.id in aliased:
                    if isinstance(part, gast.Subscript):  # x[i] may be a number, not a view
                        aliased[elt.id] = aliased[elt.id] | {_ELEMENT}
            aliased = {k: v - set(held) for k, v in aliased.items() if k not in held}
        return aliased

    def holds(self, owner, args, aliased):
        """``owner.append(v)``: the list now shows v's array (a later ``v *= 2`` changes it)."""
        source = self.shares_memory(args[0], aliased, False) if len(args) == 1 else None
        if not isinstance(owner, gast.Name) or source is None:
            return aliased
        aliased = dict(aliased)
        group = aliased.get(source, frozenset({source})) | aliased.get(owner.id, {owner.id})
        group = group - {_ELEMENT}
        for member in group:
            aliased[member] = aliased.get(member, frozenset({member})) | group
        return aliased

    def shares_memory(self, value, aliased, loop):
        """The name whose array ``value`` (or, in a loop, each item of it) may show."""
        if isinstance(value, gast.Name):
            return value.id
        if loop and isinstance(value, gast.Call) and isinstance(value.func, gast.Name):
            if value.func.id in ("enumerate", "zip", "reversed"):
                for arg in value.args:
                    source = self.shares_memory(arg, aliased, False)
                    if source is not None:
                        return source
                return None
        if isinstance(value, gast.Attribute):
            return self.shares_memory(value.value, aliased, False) if value.attr == "T" else None
        if isinstance(value, gast.Subscript):
            if _is_list_index(value.slice):  # ``x[[1, 0]]`` copies
                return None
            return self.shares_memory(value.value, aliased, False)
        if isinstance(value, gast.Call):
            func = value.func
            if isinstance(func, gast.Attribute) and func.attr in VIEW_METHODS:
                if resolve(func, self.source) is None:  # a method of a local array
                    return self.shares_memory(func.value, aliased, False)
            fn = resolve(func, self.source)
            if getattr(fn, "__name__", None) in VIEW_FUNCTIONS and value.args:
                return self.shares_memory(value.args[0], aliased, False)
        return None

    def check_write(self, stmt, target, aliased, what=None):
        """Refuse an in-place write that another name (or the caller) would see."""
        base, through = target, None
        while isinstance(base, (gast.Subscript, gast.Attribute)):
            if isinstance(base, gast.Attribute):
                through = base.attr
            base = base.value
        if not isinstance(base, gast.Name):
            return
        if through is not None or base.id not in self.source.locals | set(aliased):
            # An array held by an object, a global or a closure variable: the forward
            # pass would change it and the backward pass put its old items back.
            if base.id in self.source.locals and _ARGUMENT not in aliased.get(base.id, ()):
                return  # an attribute of an object the function made itself
            where = f"'{base.id}.{through}'" if through else f"'{base.id}'"
            raise self.source.error(
                stmt,
                f"{what or 'assignment into'} {where}, an array from outside the function "
                "(an argument's attribute, a global or a closure variable), would change it "
                "for the caller; work on a copy made inside the function "
                f"(local = {base.id}{'.' + through if through else ''}.copy()) and return what "
                "the caller needs",
            )
        group = aliased.get(base.id, frozenset({base.id}))
        others = sorted(
            group - {base.id, _ELEMENT, _ARGUMENT} - getattr(self.source, "temporaries", set())
        )
        if isinstance(target, gast.Name) and not what:
            # ``v += x`` rebinds a number, and updates an array in place: only an
            # array another name shows is a problem, and ``v = x[i]`` may be a number.
            if others and _ELEMENT not in group:
                raise self.error(
                    stmt, base.id, "an in-place update of", f"shares its array with '{others[0]}'"
                )
            if others:  # a number, or a row of another array: the generated code checks
                self.source.view_checks.add((stmt.lineno, stmt.col_offset))
            return
        if _ARGUMENT in group:
            raise self.error(
                stmt, base.id, what or "assignment into", "is an argument or a view of one"
            )
        if others:
            raise self.error(
                stmt, base.id, what or "assignment into", f"shares its array with '{others[0]}'"
            )

    def error(self, stmt, name, what, which):
        return self.source.error(
            stmt,
            f"{what} '{name}', which {which}, would change that array too; copy it first "
            f'({name} = {name}.copy()), or use mode="trace"',
        )


def _is_list_index(index):
    """An index written with a list of integers: NumPy's fancy indexing, which copies."""
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    return any(isinstance(part, gast.List) for part in parts)


def _merge(left, right):
    """The sharing that holds after either of two branches."""
    merged = dict(left)
    for name, group in right.items():
        merged[name] = merged.get(name, frozenset()) | group
    return merged
