"""Rules as templates: inline a one-``return`` rule into generated code.

A rule whose body is a single ``return (e1, e2, ...)`` (a VJP) or ``return e``
(a JVP) is read once, and each ``e_i`` (or ``e``) becomes a template: its parameters are replaced by the caller's
names (``g`` by ``dz``, ``x`` by ``y``), its free names (``np``,
``unbroadcast``) are made available to the generated function, marked as
runtime references (see ``names.reserve_runtime_names``) so that they never
hide a user name of the same spelling.  Any other
rule is called by name instead.
"""

import builtins
import functools
import inspect
import textwrap

import gast

from srcdiff.static.names import clone
from srcdiff.static.nodes import walk
from srcdiff.static.parse import parse_text

_LITERALS = (type(None), bool, int, float, str)


@functools.cache
def template(rule):
    """The rule's return expressions and free names, or None when it must be called."""
    try:
        source = textwrap.dedent(inspect.getsource(rule))
        tree = parse_text(source).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return None
    if not isinstance(tree, gast.FunctionDef):
        return None
    body = [s for s in tree.body if not _is_docstring(s)]
    if len(body) != 1 or not isinstance(body[0], gast.Return):
        return None
    value = body[0].value
    returns = value.elts if isinstance(value, gast.Tuple) else None
    args = tree.args
    if args.vararg or args.kwarg or args.posonlyargs:
        return None
    params = [a.id for a in args.args + args.kwonlyargs]
    free = set()
    for node in walk(value):
        if isinstance(node, gast.Name) and node.id not in params:
            free.add(node.id)
        if isinstance(node, (gast.Lambda, gast.ListComp, gast.GeneratorExp, gast.NamedExpr)):
            return None
    namespace = {}
    for free_name in free:
        if free_name in rule.__globals__:
            namespace[free_name] = rule.__globals__[free_name]
        elif not hasattr(builtins, free_name):
            return None
    for node in walk(value):
        if isinstance(node, gast.Name) and node.id in free:
            # A runtime reference: renamed where it would hide a user name.
            node.runtime = namespace.get(node.id, getattr(builtins, node.id, None))
    return Template(rule, value, returns, namespace)


class Template:
    """The return expression of a one-``return`` rule, ready to be instantiated.

    ``returns`` lists the items when it returns a tuple (a VJP rule), else None.
    """

    def __init__(self, rule, value, returns, namespace):
        self.rule = rule
        self.value = value
        self.returns = returns
        self.namespace = namespace
        self.signature = inspect.signature(rule)

    def bind(self, g, ans, args, kwargs):
        """Map each parameter name to an expression node, or None if a default is not a literal."""
        try:
            bound = self.signature.bind(g, ans, *args, **kwargs)
        except TypeError:
            return None
        mapping = dict(bound.arguments)
        for param in self.signature.parameters.values():
            if param.name not in mapping:
                if not isinstance(param.default, _LITERALS):
                    return None
                mapping[param.name] = gast.Constant(value=param.default, kind=None)
        return mapping

    def instantiate(self, index, mapping):
        """Expression ``index`` of the return tuple (the whole value for None) with
        parameters replaced."""
        return clone(self.value if index is None else self.returns[index], mapping)


def _is_docstring(stmt):
    return (
        isinstance(stmt, gast.Expr)
        and isinstance(stmt.value, gast.Constant)
        and isinstance(stmt.value.value, str)
    )
