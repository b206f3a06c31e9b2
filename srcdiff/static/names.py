"""Fresh, readable names for generated code.

``Namer`` hands out names that do not clash with any name the user's function
uses: ``dz`` for the gradient of ``z``, ``z_1`` for a part of ``z``'s
expression, ``z_stack`` for the values of ``z`` saved by a loop.
"""

import gast

# Attributes a copy keeps: positions, and marks later stages read.
_KEPT_ATTRIBUTES = (
    "lineno",
    "col_offset",
    "end_lineno",
    "end_col_offset",
    "synthetic",
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
    new = type(node)(**{f: clone(getattr(node, f, None), replace) for f in node._fields})
    for attr in _KEPT_ATTRIBUTES:
        if hasattr(node, attr):
            setattr(new, attr, getattr(node, attr))
    return new


def names_in(tree):
    """Every identifier that occurs in ``tree``."""
    found = set()
    for node in gast.walk(tree):
        if isinstance(node, gast.Name):
            found.add(node.id)
        elif isinstance(node, gast.FunctionDef):
            found.add(node.name)
    return found


def assigned_names(tree):
    """Names a function binds: its parameters and every assignment target."""
    found = set()
    for node in gast.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            found.add(node.id)
    return found


class Namer:
    """Hands out fresh names, never one already taken."""

    def __init__(self, taken=()):
        self.taken = set(taken)
        self.next_part = {}

    def fresh(self, base):
        """``base`` itself if free, else ``base_1``, ``base_2``, ..."""
        base = base.strip("_") or "t"
        if base not in self.taken:
            self.taken.add(base)
            return base
        return self.part(base)

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
