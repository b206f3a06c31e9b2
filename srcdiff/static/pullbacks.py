"""Helpers run once: the caller keeps each call's pullback for its backward pass.

A call ``y = softplus(x)`` to a user function with a gradient to pass on
becomes ``y, softplus_backward = softplus_forward(x)`` in the caller's
forward pass: ``softplus_forward`` runs the helper's generated forward code
once and returns its value with a pullback, which the caller keeps like any
other value it may need (on a stack inside loops) and calls with the
cotangent of ``y`` in its backward pass.  The helper's own code, compiled with
``kind="split"``, ends with ``def backward(seed): ...`` and
``return result, backward``.

Invariant: a helper whose call is split runs exactly once per call of the caller's adjoint.
"""

import functools
import types
from dataclasses import dataclass

import gast

from srcdiff.errors import DifferentiationError
from srcdiff.rules import vjp_rule
from srcdiff.static.activity import resolve
from srcdiff.static.calls import HelperForward, is_user_function, takes_variable_arguments
from srcdiff.static.names import clone, name
from srcdiff.static.nodes import walk


@dataclass
class SplitCall:
    """One call made in two halves: ``backward`` names its pullback in the caller."""

    backward: str
    receivers: list  # the names receiving the cotangents, in the pullback's order


def split_helper_calls(tree, source, active, namer, builder, statements=None):
    """Rewrite each call to a user function in ``tree`` into its forward half.

    Returns ``{id(statement): SplitCall}`` for the rewritten statements.
    """
    statements = {} if statements is None else statements
    for stmt in tree.body if isinstance(tree, gast.FunctionDef) else tree:
        for field in ("body", "orelse"):
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                split_helper_calls(getattr(stmt, field), source, active, namer, builder, statements)
        if not (
            isinstance(stmt, gast.Assign)
            and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Call)
        ):
            continue
        call = stmt.value
        fn = resolve(call.func, source)
        if not _splittable(fn):
            continue
        args = list(call.args)
        positions = [i for i, a in enumerate(args) if _active(a, active)]
        keywords = [k.arg for k in call.keywords if _active(k.value, active)]
        if not positions and not keywords:
            continue
        if isinstance(fn, types.MethodType):  # obj.method(x): the object is argument 0
            args = [clone(call.func.value), *args]
            positions = [p + 1 for p in positions]
            fn = fn.__func__
        wrt = tuple(positions) + tuple(keywords)
        helper = builder.helpers.get((fn, wrt))
        if helper is None:
            try:
                helper = builder.helpers[(fn, wrt)] = HelperForward(fn, wrt)
            except DifferentiationError as error:
                raise source.error(
                    stmt,
                    f"cannot differentiate the call to {fn.__qualname__}: {error}",
                    DifferentiationError,
                ) from None
        backward = namer.fresh(f"{fn.__name__}_backward")
        target = stmt.targets[0]
        stmt.targets = [
            gast.Tuple(
                elts=[target, gast.Name(backward, gast.Store(), None, None)], ctx=gast.Store()
            )
        ]
        stmt.value = gast.Call(
            func=name(builder.bind(f"{fn.__name__}_forward", helper)),
            args=args,
            keywords=call.keywords,
        )
        receivers = [args[p].id for p in positions]
        receivers += [k.value.id for k in call.keywords if k.arg in keywords]
        statements[id(stmt)] = SplitCall(backward, receivers)
    return statements


def _active(node, active):
    return isinstance(node, gast.Name) and node.id in active


def _splittable(fn):
    if fn is None or isinstance(fn, functools.partial) or not is_user_function(fn):
        return False
    plain = getattr(fn, "__func__", fn)
    return vjp_rule(fn) is None and vjp_rule(plain) is None and not takes_variable_arguments(plain)


def split_function(adjoint, backward_part, result, namer, seed="seed"):
    """Turn the flat ``adjoint`` into ``forward...; def backward(seed): ...; return result, backward``.

    ``backward_part`` holds the ids of the top-level statements of the backward sweep.
    """
    body = adjoint.body
    forward = [s for s in body if id(s) not in backward_part]
    backward = [s for s in body if id(s) in backward_part]
    stored_forward = _stored(forward) | {
        a.id for a in walk(adjoint.args) if isinstance(a, gast.Name)
    }
    shared = sorted(_stored(backward) & stored_forward)
    closure = namer.fresh("backward")
    inner_args = gast.arguments(
        args=[gast.Name(seed, gast.Param(), None, None)],
        posonlyargs=[],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=[],
    )
    inner = gast.FunctionDef(
        name=closure,
        args=inner_args,
        body=([gast.Nonlocal(names=shared)] if shared else []) + backward,
        decorator_list=[],
        returns=None,
        type_comment=None,
        **({"type_params": []} if "type_params" in gast.FunctionDef._fields else {}),
    )
    result_node = name(result)
    adjoint.body = forward + [
        inner,
        gast.Return(value=gast.Tuple(elts=[result_node, name(closure)], ctx=gast.Load())),
    ]
    return adjoint


def _stored(statements):
    return {
        n.id
        for s in statements
        for n in walk(s)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    }
