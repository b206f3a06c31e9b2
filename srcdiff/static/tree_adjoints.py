"""Adjoints of the operations that read and build trees (static mode).

``W = params.W`` (a field of a dataclass or namedtuple) sends its cotangent
to the field of ``dparams`` (``dparams.W += dW``); ``state = {"h": h, "c": c}``
sends each item of ``dstate`` to its value (``dh = dstate['h']``).  Reads by
key or position (``params["W"]``) are subscripts, handled with the others in
``adjoints.py``.  A call through an object that carries a gradient
(``model(x)``, ``model.forward(x)``) is refused with the way out: call the
method through its class, so ``model`` is an argument like any other.
"""

import gast

from srcdiff.errors import DifferentiationError


def container_adjoint(builder, value, g):
    """The ``Adjoint`` of ``ans = value`` for a dict literal or a field read; else None."""
    from srcdiff.static.adjoints import ARRAY_ATTRIBUTES, Adjoint, Contribution, _item

    if isinstance(value, gast.Dict):  # {"h": h, "c": c}: each value gets its item
        pairs = [(k, v.id) for k, v in zip(value.keys, value.values) if builder.is_active(v)]
        return Adjoint([Contribution(v, _item(g, k)) for k, v in pairs])
    if isinstance(value, gast.Attribute) and value.attr not in ARRAY_ATTRIBUTES:
        if not builder.is_active(value.value):
            return Adjoint([])
        return Adjoint([Contribution(value.value.id, g, field=value.attr)])
    return None


def method_way_out(builder, func):
    """How to differentiate ``obj.method(...)`` whose function is known only at run time."""
    owner = func.value.id if isinstance(func.value, gast.Name) else None
    if owner and func.attr in ("items", "values", "keys", "get"):  # a dict's methods
        return (
            f"walk the dict in a for loop (for key, value in {owner}.items():) or read its "
            f"items by key ({owner}[key])"
        )
    if builder.is_active(func.value):  # ``model.forward(x)``, model differentiated
        return f"call it through its class (Class.{func.attr}({owner}, ...))"
    return "register a rule with srcdiff.register_vjp"


def active_callee_error(builder, callee):
    """The refusal of ``model(x)`` where ``model`` itself carries a gradient."""
    return builder.source.error(
        builder.current_stmt,
        f"calling '{callee.id}', which carries a gradient, is not supported; call its "
        f"method through its class (Class.__call__({callee.id}, ...)), or use "
        'mode="trace"',
        DifferentiationError,
    )
