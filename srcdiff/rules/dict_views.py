"""A dict's values and items as lists, with rules: ``params.values()`` in static mode.

The static compiler reads ``params.values()`` and ``params.items()`` (where no
loop of their own walks them, ``static/dict_loops.py``) as
``dict_values(params)`` and ``dict_items(params)``: lists it can index, zip and
enumerate like any other.  The cotangent of the list goes back to the dict,
key by key; the keys carry none.
"""

from srcdiff.rules.gradient_list import GradientDict, as_gradient
from srcdiff.rules.registry import deflinear, defvjp


def dict_values(d):
    """``list(d.values())``."""
    return list(d.values())


def dict_items(d):
    """``list(d.items())``: ``(key, value)`` pairs."""
    return list(d.items())


@defvjp(dict_values)
def _dict_values_vjp(g, ans, d):
    return (_by_key(d, as_gradient(g)),)


@defvjp(dict_items)
def _dict_items_vjp(g, ans, d):
    pairs = as_gradient(g)
    return (_by_key(d, [pair[1] for pair in pairs]),)


def _by_key(d, values):
    """The gradient of dict ``d`` from one cotangent per value, in ``d``'s order."""
    out = GradientDict()
    for key, value in zip(d, values):
        dict.__setitem__(out, key, value)
    return out


deflinear(dict_values, dict_items)
