"""Which arguments ``wrt`` designates, checked the same way in both modes."""

from srcdiff.errors import DifferentiationError


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
