"""Which arguments ``wrt`` designates, checked the same way in both modes."""

import inspect
import math
import numbers

import numpy as np

from srcdiff import trees
from srcdiff.errors import DifferentiationError
from srcdiff.rules.helpers import foreign


def wrt_items(wrt):
    """The items of ``wrt`` (ints and names), checked; a DifferentiationError otherwise."""
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    if not items:
        raise DifferentiationError("wrt is empty: name at least one argument to differentiate")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise DifferentiationError(
                f"wrt must be an int, an argument name or a tuple of them, not {wrt!r}"
            )
    return items


def resolve_wrt(wrt, positional, keyword_only=(), function="f", varargs=False):
    """``wrt`` (a position, a name, or a tuple of them) as a list of arguments.

    Each entry is a position among ``positional`` (an int, non-negative) or the
    name of a keyword-only parameter (a str).  With ``varargs``, positions past
    the named parameters are allowed: they land in ``*args``.
    """
    resolved = []
    for item in wrt_items(wrt):
        if isinstance(item, str):
            if item in positional:
                resolved.append(positional.index(item))
            elif item in keyword_only:
                resolved.append(item)
            else:
                names = ", ".join([*positional, *keyword_only]) or "none"
                raise DifferentiationError(
                    f"wrt={item!r} names no argument of {function}() (its arguments: {names})"
                )
        elif varargs and item >= 0:
            resolved.append(item)
        elif -len(positional) <= item < len(positional):
            resolved.append(item % len(positional))
        else:
            raise DifferentiationError(
                f"wrt={item} is out of range: {function}() takes {len(positional)} positional "
                f"argument(s) ({', '.join(positional) or 'none'})"
            )
    if len(set(resolved)) != len(resolved):
        raise DifferentiationError(f"wrt names an argument twice: {wrt!r}")
    return resolved


def check_tree(value, label, tensors=False):
    """Refuse a differentiated argument whose leaves cannot have gradients (both modes).

    ``value`` may be a tree (``trees.py``); its leaves must be numbers or arrays,
    or items that carry no gradient (None, strings, flags).  With ``tensors``
    (the tracing mode), Tensors are leaves too.
    """
    tensor = type(value).__module__.startswith("srcdiff.trace")
    if trees.is_container(value) and not tensor:
        for key, item in trees.children(value):
            check_tree(item, trees.path_text(label, key, value), tensors)
    elif tensor and tensors:
        return
    elif tensor:
        raise DifferentiationError(
            f"{label!r} is a srcdiff Tensor: this static gradient is itself being traced or "
            "differentiated, and higher-order gradients (a gradient of a gradient) are not "
            "supported yet; pass NumPy arrays or numbers"
        )
    elif not (
        isinstance(value, (numbers.Number, np.ndarray, np.generic, *trees.STATIC_LEAVES))
        or foreign(value)  # an array of another library NumPy dispatches to (Dask)
    ):
        raise DifferentiationError(
            f"cannot differentiate with respect to {label!r}, a {type(value).__name__}: "
            "differentiated arguments hold numbers and arrays, in dicts, lists, tuples, "
            "namedtuples and dataclasses; pass other values as arguments not in wrt"
        )


def argument_value(f, wrt, args, kwargs):
    """The value of the argument ``wrt`` designates in the call ``f(*args, **kwargs)``."""
    if isinstance(wrt, int) and 0 <= wrt < len(args):
        return args[wrt]
    try:
        call = inspect.signature(f).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return args[wrt] if isinstance(wrt, int) else kwargs[wrt]
    call.apply_defaults()
    if isinstance(wrt, str):
        return call.arguments[wrt]
    return call.args[wrt]


def basis(x):
    """Unit vectors of ``x``'s shape, one per element (a number for a scalar)."""
    shape = np.shape(x)
    if shape == ():
        return [1.0]
    basis = []
    for i in range(math.prod(shape)):
        e = np.zeros(math.prod(shape))
        e[i] = 1.0
        basis.append(e.reshape(shape))
    return basis
