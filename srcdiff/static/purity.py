"""Helpers whose changes to the world the static mode cannot follow.

A helper named in the caller's source runs once per call (``pullbacks.py``), so
random numbers, clocks and counters are fine there.  Its backward pass,
though, puts back the items it overwrote, to read their old values: in an
array the helper did not create (a module's array, say) that would undo the
helper's change in the user's object.  Such a helper is refused
(``check_leaves_outside_alone``).

A helper known only at run time (a function passed as an argument, a lambda,
a ``functools.partial``) is differentiated by ``call_vjp``, which runs it
forward again before its backward pass.  For a function that draws random
numbers, reads a clock or changes state outside itself, the second run
computes something else than the first (other samples, another time, a
counter one step further), and the gradient would belong to a program that
never ran; ``check_runs_the_same`` refuses it when the call happens.

Invariant: ``check_runs_the_same(fn)`` returns only if neither ``fn`` nor a
user function it calls (as far as the names can be resolved) draws random
numbers, reads a clock, declares ``global``/``nonlocal`` or changes an object
it did not create; ``check_leaves_outside_alone(fn)`` returns only if ``fn``
assigns no item of an object it did not create other than its arguments'
(those are the in-place fence's, ``static/inputs.py``).
"""

import random

import gast
import numpy as np

from srcdiff.errors import UnsupportedSyntax, located
from srcdiff.static.nodes import walk

_RANDOM_OWNERS = (np.random.RandomState, np.random.Generator, random.Random)
_IMPURE_MODULES = ("numpy.random", "random", "time", "secrets", "uuid")
_MUTATING_METHODS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "add"}
)
_WAY_OUT = (
    "the static mode runs a function known only when it is called (an argument, a "
    "lambda, a partial) or taking *args/**kwargs again in its backward pass, where this "
    'would give other values; use mode="trace" (it runs each function once), or call a '
    "function with named parameters by its own name"
)
_RESTORES = (
    "the static mode's backward pass puts back the items a function overwrote, which "
    "would undo this change; create the array in the function, pass it in as an "
    'argument, or use mode="trace"'
)


def is_random_source(obj):
    """A random number generator, one of its methods, or a function of ``numpy.random``."""
    if isinstance(obj, _RANDOM_OWNERS) or isinstance(
        getattr(obj, "__self__", None), _RANDOM_OWNERS
    ):
        return True
    module = getattr(obj, "__module__", None) or ""
    if isinstance(obj, type(random)):
        module = obj.__name__
    return any(module == m or module.startswith(m + ".") for m in _IMPURE_MODULES)


def check_arguments_run_the_same(fn, args, kwargs):
    """Refuse a call of helper ``fn`` that is handed a random number generator."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, _RANDOM_OWNERS):
            code = fn.__code__
            raise UnsupportedSyntax(
                located(
                    code.co_filename,
                    code.co_firstlineno,
                    f"{fn.__qualname__} is given a random number generator "
                    f"({type(value).__name__}); {_WAY_OUT}",
                )
            )


def check_leaves_outside_alone(fn):
    """Raise ``UnsupportedSyntax`` if ``fn`` assigns an item of an object it did not create."""
    from srcdiff.static.names import assigned_names
    from srcdiff.static.parse import parse_function

    if not hasattr(fn, "__code__"):
        return
    source = parse_function(fn)
    source.locals = assigned_names(source.tree)
    created = source.locals - _parameter_names(source)
    for node in walk(source.tree):
        if isinstance(node, (gast.Assign, gast.AugAssign)):
            problem = _outside_store(node, source, created)
            if problem is not None:
                raise UnsupportedSyntax(
                    located(source.filename, node.lineno, f"{problem}; {_RESTORES}")
                )


def check_runs_the_same(fn, seen=None):
    """Raise ``UnsupportedSyntax`` if running ``fn`` twice could give different results."""
    from srcdiff.static.calls import is_user_function
    from srcdiff.static.names import assigned_names
    from srcdiff.static.parse import parse_function

    seen = set() if seen is None else seen
    if fn in seen or not hasattr(fn, "__code__"):
        return
    seen.add(fn)
    source = parse_function(fn)
    source.locals = assigned_names(source.tree)
    parameters = {a.id for a in _parameters(source.tree)}
    created = source.locals - parameters  # names bound to values the function made itself
    for node in walk(source.tree):
        problem = _problem(node, source, created)
        if problem is not None:
            raise UnsupportedSyntax(
                located(source.filename, getattr(node, "lineno", 0), f"{problem}; {_WAY_OUT}")
            )
        if isinstance(node, gast.Call):
            callee = _resolve(node.func, source)
            if callee is not None and is_user_function(callee):
                try:
                    check_runs_the_same(getattr(callee, "__func__", callee), seen)
                except UnsupportedSyntax as error:
                    raise UnsupportedSyntax(
                        located(
                            source.filename,
                            node.lineno,
                            f"{fn.__qualname__} calls {callee.__qualname__}: {error}",
                        )
                    ) from None


def _problem(node, source, created):
    """What in ``node`` could make a second run differ from the first, or None."""
    name = source.tree.name
    if isinstance(node, (gast.Global, gast.Nonlocal)):
        kind = "global" if isinstance(node, gast.Global) else "nonlocal"
        return f"{name} declares '{kind} {', '.join(node.names)}' and changes it"
    if isinstance(node, gast.Call):
        callee = _resolve(node.func, source)
        if callee is not None and is_random_source(callee):
            return f"{name} calls {_text(node.func)}, which gives a new result on each call"
        func = node.func
        if isinstance(func, gast.Attribute) and func.attr in _MUTATING_METHODS:
            owner = _base(func.value)
            if owner is not None and owner not in created:
                return f"{name} changes {_text(func.value)} with .{func.attr}()"
    if isinstance(node, (gast.Assign, gast.AugAssign)):
        return _outside_store(node, source, created)
    return None


def _outside_store(node, source, created):
    """``G[0] = ...`` or ``obj.attr = ...`` into an object ``node``'s function did not create."""
    targets = node.targets if isinstance(node, gast.Assign) else [node.target]
    for target in targets:
        if not isinstance(target, (gast.Attribute, gast.Subscript)):
            continue
        owner = _base(target.value)
        if owner is None or owner in created:
            continue
        if (
            isinstance(target, gast.Subscript)
            and isinstance(target.value, gast.Name)
            and owner in _parameter_names(source)
        ):
            continue  # an argument's items: the in-place fence decides (static/inputs.py)
        return f"{source.tree.name} changes {_text(target)}, which it did not create"
    return None


def _parameters(tree):
    args = tree.args
    found = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return found + [a for a in (args.vararg, args.kwarg) if a is not None]


def _parameter_names(source):
    return {a.id for a in _parameters(source.tree)}


def _base(node):
    """The name at the root of ``a.b[c].d``, or None."""
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def _resolve(func, source):
    from srcdiff.static.activity import resolve

    return resolve(func, source)


def _text(node):
    from srcdiff.static.render import render

    return render(node).strip()
