"""Nested functions (``def`` inside the function, or ``f = lambda ...``), inlined where called.

A nested function reads the enclosing function's variables when it is
called (Python's closures bind late), so its body, put in place of the call,
computes the same values: the arguments are assigned to its parameters, its
``return e`` assigns the call's result.  Its own variables get names no other
code of the function uses (``own_local_names``), so an inlined body changes
nothing of its caller's.

Refused, with the function's name: a nested function used other than by
calling it (passed, stored, returned), defined twice or also assigned,
decorated, taking ``*args``/``**kwargs``, writing ``nonlocal``/``global``
names, calling itself, or returning from inside one of its loops.
"""

import collections

import gast

from srcdiff.static.comprehensions import name_counts, rename
from srcdiff.static.names import assign, clone, const
from srcdiff.static.nodes import walk
from srcdiff.static.statements import is_docstring, located


class NestedFunction:
    """A nested function: its name, parameters, defaults and body."""

    def __init__(self, node, lineno):
        self.node = node  # the FunctionDef or Lambda
        self.name = node.name if isinstance(node, gast.FunctionDef) else node.lambda_name
        self.lineno = lineno
        args = node.args
        self.positional = [a.id for a in args.posonlyargs + args.args]
        self.keyword_only = [a.id for a in args.kwonlyargs]
        self.defaults = dict(
            zip(self.positional[len(self.positional) - len(args.defaults) :], args.defaults)
        )
        for arg, default in zip(self.keyword_only, args.kw_defaults):
            if default is not None:
                self.defaults[arg] = default
        if isinstance(node, gast.FunctionDef):
            self.body = [s for s in node.body if not is_docstring(s)]
        else:
            self.body = [located(gast.Return(value=node.body), node)]

    def bind(self, call, error):
        """[(parameter, expression)] for ``call``, in the order Python binds them."""
        if any(isinstance(a, gast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        ):
            raise error(call, f"a call of the nested function '{self.name}' with *args or **kwargs")
        if len(call.args) > len(self.positional):
            raise error(call, f"a call of '{self.name}' with more arguments than it takes")
        given = dict(zip(self.positional, call.args))
        for keyword in call.keywords:
            if keyword.arg in given or keyword.arg not in self.positional + self.keyword_only:
                raise error(call, f"the keyword '{keyword.arg}' in this call of '{self.name}'")
            given[keyword.arg] = keyword.value
        for parameter in self.positional + self.keyword_only:
            if parameter not in given:
                if parameter not in self.defaults:
                    raise error(call, f"a call of '{self.name}' without its argument '{parameter}'")
                given[parameter] = clone(self.defaults[parameter])
        return [(p, given[p]) for p in self.positional + self.keyword_only]

    def expand(self, call, result, error):
        """The statements that compute ``call`` into the name ``result``."""
        out = [located(assign(p, value), call) for p, value in self.bind(call, error)]
        body = clone(self.body)
        returns = _returns(body)
        if len(returns) == 1 and body[-1] is returns[0]:
            value = body[-1].value
            return out + body[:-1] + [located(assign(result, value or const(None)), body[-1])]
        if _returns(body, loops=False) != returns:
            raise error(
                returns[0], f"a 'return' inside a loop of the nested function '{self.name}'"
            )
        # Returns in branches: the statements after a branch that may return go
        # into both arms, so that each return ends its path and assigns the result.
        return out + _assign_returns(_tail_form(body, self.lineno), result)


def nested_functions(tree, error):
    """The names of ``tree``'s nested functions, each checked to be inlinable.

    ``tree`` is the function's ``FunctionDef``; lambdas assigned to a name
    count when the name is only ever called.  Lambda assignments get a
    ``lambda_name`` attribute.
    """
    uses = _Uses(tree)
    found = {}
    for node in _walk_body(tree):
        if isinstance(node, gast.FunctionDef):
            _check_definition(node, error)
            found[node.name] = node
        elif _is_named_lambda(node) and not uses.other[node.targets[0].id]:
            node.value.lambda_name = node.targets[0].id
            found[node.targets[0].id] = node
    for fname, node in found.items():
        if uses.definitions[fname] > 1:
            raise error(node, f"the nested function '{fname}' defined or assigned more than once")
        if uses.other[fname]:
            raise error(
                uses.other[fname][0],
                f"the nested function '{fname}' used other than by calling it (passed, stored "
                "or returned; the static mode inlines a nested function where it is called)",
            )
    return set(found)


class _Uses:
    """For each name of a tree: how often it is bound, and its loads other than calls."""

    def __init__(self, tree):
        self.definitions = collections.Counter()
        self.other = collections.defaultdict(list)
        called = set()
        for node in walk(tree):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
                called.add(id(node.func))
        for node in walk(tree):
            if isinstance(node, gast.FunctionDef) and node is not tree:
                self.definitions[node.name] += 1
            elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                self.definitions[node.id] += 1
            elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                if id(node) not in called:
                    self.other[node.id].append(node)


def own_local_names(tree, functions, namer):
    """Rename each nested function's variables that other code of ``tree`` also uses."""
    total = name_counts(tree)  # kept up to date as names change
    for node in _walk_body(tree):
        function = node if isinstance(node, gast.FunctionDef) else getattr(node, "value", None)
        if not isinstance(function, (gast.FunctionDef, gast.Lambda)):
            continue
        if _function_name(node) not in functions:
            continue
        # Defaults are evaluated where the function is defined: they are the caller's.
        defaults = [d for d in function.args.defaults + function.args.kw_defaults if d]
        inside = name_counts(function)
        for default in defaults:
            inside.subtract(name_counts(default))
        renames = {}
        for local in _locals(function) - functions:
            if total[local] > inside[local]:
                renames[local] = namer.fresh(local)
                total[local] -= inside[local]
                total[renames[local]] += inside[local]
        rename(function, renames, skip=defaults)


def _walk_body(tree):
    """The nodes of ``tree``'s body (the function itself excluded)."""
    for stmt in tree.body:
        yield from walk(stmt)


def _function_name(node):
    if isinstance(node, gast.FunctionDef):
        return node.name
    return getattr(node.value, "lambda_name", None)


def _check_definition(node, error):
    fname = node.name
    if node.decorator_list:
        raise error(node, f"a decorated nested function ('{fname}')")
    if node.args.vararg is not None or node.args.kwarg is not None:
        raise error(node, f"a nested function taking *args or **kwargs ('{fname}')")
    for sub in walk(node):
        if isinstance(sub, (gast.Nonlocal, gast.Global)):
            kind = "nonlocal" if isinstance(sub, gast.Nonlocal) else "global"
            raise error(
                sub,
                f"'{kind}' in the nested function '{fname}' (a nested function may read the "
                "enclosing function's variables, not assign them)",
            )
        if isinstance(sub, (gast.Yield, gast.YieldFrom)):
            raise error(sub, f"a nested generator function ('{fname}')")


def _is_named_lambda(node):
    return (
        isinstance(node, gast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], gast.Name)
        and isinstance(node.value, gast.Lambda)
        and node.value.args.vararg is None
        and node.value.args.kwarg is None
    )


def _locals(function):
    """Names ``function`` binds: parameters and assignment targets, not those of functions within."""
    found = set()
    stack = [function.args] + (
        list(function.body) if isinstance(function, gast.FunctionDef) else [function.body]
    )
    while stack:
        node = stack.pop()
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            found.add(node.id)
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            continue
        stack.extend(gast.iter_child_nodes(node))
    return found


def _returns(body, loops=True):
    """The ``return`` statements of ``body``, not those of functions within; outside loops unless ``loops``."""
    found = []
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, gast.Return):
            found.append(node)
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            continue
        if not loops and isinstance(node, (gast.For, gast.While)):
            continue
        stack.extend(reversed(list(gast.iter_child_nodes(node))))
    return found


def _tail_form(block, lineno):
    """``block`` rewritten so that every path ends in its one ``return`` (None added where missing)."""
    out = []
    for i, stmt in enumerate(block):
        if isinstance(stmt, gast.Return):
            return out + [stmt]  # what follows never runs
        if isinstance(stmt, gast.If) and _returns([stmt]):
            rest = block[i + 1 :]
            stmt.body = _tail_form(stmt.body + clone(rest), lineno)
            stmt.orelse = _tail_form(stmt.orelse + rest, lineno)
            return out + [stmt]
        out.append(stmt)
    end = gast.Return(value=None)
    end.lineno, end.col_offset = (out[-1].lineno if out else lineno), 0
    return out + [end]


def _assign_returns(block, result):
    """Each ``return e`` at the end of a path of ``block`` becomes ``result = e``."""
    last = block[-1]
    if isinstance(last, gast.Return):
        block[-1] = located(assign(result, last.value or const(None)), last)
    else:  # an if statement whose arms end in returns
        _assign_returns(last.body, result)
        _assign_returns(last.orelse, result)
    return block
