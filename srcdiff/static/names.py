"""Fresh, readable names for generated code.

``Namer`` hands out names that do not clash with any name the user's function
uses: ``dz`` for the gradient of ``z``, ``z_1`` for a part of ``z``'s
expression, ``z_stack`` for the values of ``z`` saved by a loop.

Generated code also reads what the runtime provides (``unbroadcast``, ``np``,
``range``...).  Such a reference is made with :func:`runtime_name`, which
marks the node with the object it means; :func:`reserve_runtime_names` then
gives each one a name that hides none of the user's: the plain name in the
common case, ``unbroadcast_1`` where the user's function uses ``unbroadcast``
for something else.  Invariant: every user name in generated code means what
it means in the user's function, and every runtime reference reaches its object.
:func:`runtime_check` makes a check the generated code runs (a statement, not
an ``assert``, so ``python -O`` keeps it).
"""

import builtins

import gast
import numpy as np

from srcdiff.static.nodes import walk

# Attributes a copy keeps: positions, and marks later stages read.
_KEPT_ATTRIBUTES = (
    "lineno",
    "col_offset",
    "end_lineno",
    "end_col_offset",
    "synthetic",
    "runtime",
    "runtime_check",
)


def clone(node, replace=None):
    """A deep copy of a gast tree (much faster than ``copy.deepcopy``).

    ``replace`` maps names to trees copied in their place (template instantiation).
    """
    if isinstance(node, list):
        return [clone(item, replace) for item in node]
    if not isinstance(node, gast.AST):
        return node
    if replace and type(node) is gast.Name and node.id in replace:
        return clone(replace[node.id])
    fields = {}
    for field in node._fields:
        value = getattr(node, field, None)
        fields[field] = clone(value, replace) if isinstance(value, (list, gast.AST)) else value
    new = type(node)(**fields)
    for attr in _KEPT_ATTRIBUTES:
        value = getattr(node, attr, _ABSENT)
        if value is not _ABSENT:
            setattr(new, attr, value)
    return new


_ABSENT = object()


def names_in(tree):
    """Every identifier that occurs in ``tree``."""
    found = set()
    for node in walk(tree):
        if isinstance(node, gast.Name):
            found.add(node.id)
        elif isinstance(node, gast.FunctionDef):
            found.add(node.name)
    return found


def assigned_names(tree):
    """Names a function binds: its parameters and every assignment target."""
    found = set()
    for node in walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            found.add(node.id)
    return found


class Namer:
    """Hands out fresh names, never one already taken (nor one of ``read``)."""

    def __init__(self, taken=(), read=()):
        self.taken = set(taken) | set(read)
        self.read = set(read)  # names the user's function reads
        self.next_part = {}
        self.suffix = False  # gradient names: ``dx`` (False) or ``x_grad`` (True)

    def use_suffix_for(self, own_names):
        """Gradients are ``x_grad`` in a function that mentions a name ``d...``.

        ``dx`` reads as "the gradient of x" only where no name the function
        uses starts with ``d``; beside a user's ``dt``, ``dx`` or ``data`` the
        names ``ddt``, ``dx_1`` or ``ddata`` would read as the user's own.
        """
        self.suffix = any(n.startswith("d") for n in own_names)

    def gradient(self, var):
        """A fresh name for the gradient of ``var``: ``dvar`` or ``var_grad``."""
        return self.fresh(f"{var}_grad" if self.suffix else f"d{var}")

    def fresh(self, base):
        """``base`` itself if free, else ``base_1``, ``base_2``, ..."""
        base = base.strip("_") or "t"
        if base not in self.taken:
            self.taken.add(base)
            return base
        return self.part(base)

    def unused(self):
        """A loop target nobody reads: ``_``, unless the user's function reads ``_``."""
        return "_" if "_" not in self.read else self.fresh("trip")

    def part(self, base):
        """A name for a piece of ``base``'s expression: ``base_1``, ``base_2``, ..."""
        i = self.next_part.get(base, 1)  # parts below it are taken: ``taken`` only grows
        while f"{base}_{i}" in self.taken:
            i += 1
        self.next_part[base] = i + 1
        name = f"{base}_{i}"
        self.taken.add(name)
        return name


def name(id, ctx=None):
    """A gast Name node (load context by default)."""
    return gast.Name(id=id, ctx=ctx or gast.Load(), annotation=None, type_comment=None)


def runtime_name(id, meaning=None):
    """A Name node that reads an object the runtime provides, marked with it.

    The object is ``meaning``, or by default the runtime helper, NumPy
    (``np``) or the builtin called ``id``.
    """
    node = name(id)
    node.runtime = _default_meaning(id) if meaning is None else meaning
    return node


def _default_meaning(id):
    from srcdiff.static import runtime

    if id in runtime.__all__:
        return getattr(runtime, id)
    if id == "np":
        return np
    return getattr(builtins, id)


def reserve_runtime_names(tree, user_names, sees, namer, namespace):
    """Name every runtime reference in ``tree`` so that no user name is hidden.

    ``user_names`` are the names the user's function mentions, and ``sees(id)``
    the object it reads under ``id`` (None for a local or an unbound name).  A
    reference keeps its plain name where the user's function does not use that
    name, or uses it for the same object (a shared global, read live); else it
    gets a fresh one.  ``namespace`` (generated name -> object, bound around
    the generated function) receives every reference not shared with the user.
    """
    references, unmarked, every = {}, set(), set()  # one walk for the three
    for node in walk(tree):
        marked = hasattr(node, "runtime")
        if marked:
            references[id(node)] = node
        if isinstance(node, (gast.Name, gast.FunctionDef)):
            named = node.id if isinstance(node, gast.Name) else node.name
            every.add(named)
            if not marked:
                unmarked.add(named)
    references = list(references.values())  # each node once, even if shared
    for node in references:  # bound under its plain name while the tree was built
        stale = node.id in user_names or node.id not in unmarked
        if stale and namespace.get(node.id) is node.runtime:
            del namespace[node.id]
    namer.taken |= every | set(namespace) | set(user_names)
    chosen = {}  # (plain name, id of the object) -> generated name
    for node in references:
        key = (node.id, id(node.runtime))
        if key not in chosen:
            chosen[key] = _choose(node, user_names, sees, namer, namespace, unmarked, chosen)
        node.id = chosen[key]
    return namespace


def _choose(node, user_names, sees, namer, namespace, unmarked, chosen):
    plain, meaning = node.id, node.runtime
    if plain in user_names:
        if sees(plain) is meaning:
            return plain  # the user reads the same object under this name
    elif plain not in unmarked and plain not in chosen.values():
        if namespace.get(plain, meaning) is meaning:
            namespace[plain] = meaning
            return plain
    fresh = namer.fresh(plain)
    namespace[fresh] = meaning
    return fresh


def store(id):
    """A gast Name node in store context."""
    return name(id, gast.Store())


def const(value):
    """A gast Constant node."""
    return gast.Constant(value=value, kind=None)


def assign(target, value, lineno=None):
    """``target = value`` with ``target`` a name string or a node."""
    if isinstance(target, str):
        target = store(target)
    node = gast.Assign(targets=[target], value=value, type_comment=None)
    if lineno is not None:
        node.lineno = lineno
    return node


def runtime_check(call):
    """``call`` as a statement of its own: a check the generated code makes when it runs.

    Not an ``assert``, which ``python -O`` would drop.  Later stages carry it
    through unchanged: it reads values but passes no gradient.
    """
    stmt = gast.Expr(value=call)
    stmt.runtime_check = True
    return stmt


def is_runtime_check(stmt):
    """True for a statement made by ``runtime_check``."""
    return getattr(stmt, "runtime_check", False)


def indexable(node):
    """``reversed(range(...))`` as ``range(...)[::-1]``, which has a length and items."""
    if (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Name)
        and node.func.id == "reversed"
        and len(node.args) == 1
        and isinstance(node.args[0], gast.Call)
        and isinstance(node.args[0].func, gast.Name)
        and node.args[0].func.id == "range"
    ):
        backwards = gast.Slice(lower=None, upper=None, step=const(-1))
        return gast.Subscript(value=node.args[0], slice=backwards, ctx=gast.Load())
    return node
