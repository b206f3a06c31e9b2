"""The rule table: the only global state in srcdiff.

A vector-Jacobian-product (VJP) rule is plain NumPy Python::

    rule(g, ans, *args, **kwargs) -> tuple of cotangents

``g`` is the cotangent of the result, ``ans`` the result itself and ``args`` /
``kwargs`` the call's arguments.  The rule returns one cotangent per positional
argument, ``None`` where an argument is not differentiable.  Both modes read
this table: the static compiler inlines a rule whose body is one ``return``
(and calls any other), the tracing mode calls it.

A forward-mode (JVP) rule is written per argument, like autograd's::

    rule(t, ans, *args, **kwargs) -> the tangent of the result due to argument i

where ``t`` is the tangent of positional argument ``i`` (its ``argnum``).  The
result's tangent is the sum over the arguments that carry a tangent, so an
argument without one costs nothing.  A function linear in argument ``i``
(``sum``, ``reshape``, ``transpose`` ...) needs no written rule: ``deflinear``
records that its JVP is the function itself applied to the tangent.  An
argument read only for its shape or dtype (``unreduce(g, x)`` reads ``x``'s
shape) contributes no tangent: ``shape_only`` records a zero JVP for it.
"""

import functools
import inspect
from collections.abc import Callable

import numpy as np

_VJPS = {}
_JVPS = {}  # key -> {argnum: rule or LINEAR}
_NONDIFFERENTIABLE = set()
_ELEMENTWISE = set()  # rules linear and elementwise in g (see ``defvjp``)
_version = [0]  # bumped on every change, so caches of compiled adjoints can notice


def version():
    """A number that changes whenever the table changes."""
    return _version[0]


def _key(fn):
    """Bound methods of the same function compare equal; use the function."""
    return getattr(fn, "__func__", fn)


def register_vjp(fn: Callable, rule: Callable | None = None) -> Callable:
    """Make ``rule`` the VJP of ``fn``; as a decorator: ``@register_vjp(fn)``.

    A registered rule wins over source transformation of ``fn``.  Each call of
    the rule is checked: a rule that cannot take the call's arguments, or
    returns the wrong number or shapes of cotangents, raises
    ``DifferentiationError`` naming it.
    """
    if rule is None:
        return lambda rule: register_vjp(fn, rule)
    _check_signature(rule, "VJP", ("g", "ans"))
    _store_vjp(fn, _checked(fn, rule))
    return rule


def _store_vjp(fn, rule):
    _VJPS[_key(fn)] = rule
    _NONDIFFERENTIABLE.discard(_key(fn))
    _version[0] += 1
    return rule


def register_jvp(fn: Callable, rule: Callable | None = None, *, argnum: int = 0) -> Callable:
    """Make ``rule`` the JVP of ``fn`` in argument ``argnum``.

    ``rule(t, ans, *args, **kwargs)`` returns the tangent of ``fn``'s result
    caused by the tangent ``t`` of positional argument ``argnum``.  As a
    decorator: ``@register_jvp(fn)`` or ``@register_jvp(fn, argnum=1)``.
    """
    if rule is None:
        return lambda rule: register_jvp(fn, rule, argnum=argnum)
    _check_signature(rule, "JVP", ("t", "ans"))
    _store_jvp(fn, argnum, rule)
    return rule


LINEAR = "linear"  # a JVP entry meaning "fn itself, with the tangent in place of the argument"
ZERO = "zero"  # a JVP entry meaning "this argument contributes no tangent"


def _store_jvp(fn, argnum, rule):
    _JVPS.setdefault(_key(fn), {})[argnum] = rule
    _version[0] += 1
    return rule


def defjvp(*fns, argnum=0):
    """Decorator used by the built-in table: one JVP rule for argument ``argnum`` of several functions."""

    def register(rule):
        for fn in fns:
            _store_jvp(fn, argnum, rule)
        return rule

    return register


def deflinear(*fns, argnums=(0,)):
    """Declare each of ``fns`` linear in the arguments ``argnums``: its JVP is itself."""
    for fn in fns:
        for argnum in argnums:
            _store_jvp(fn, argnum, LINEAR)


def shape_only(*fns, argnums):
    """Declare that each of ``fns`` reads the arguments ``argnums`` only for their
    shape or dtype: a tangent there changes nothing, so its JVP is zero."""
    for fn in fns:
        for argnum in argnums:
            _store_jvp(fn, argnum, ZERO)


def nondifferentiable(fn: Callable) -> Callable:
    """Declare that ``fn``'s result carries no gradient; returns ``fn``.

    Usable as a decorator on a user function.
    """
    _NONDIFFERENTIABLE.add(_key(fn))
    _VJPS.pop(_key(fn), None)
    _version[0] += 1
    return fn


def defvjp(*fns, elementwise=False):
    """Decorator used by the built-in table: register one rule for several functions.

    ``elementwise=True`` promises that the rule only multiplies ``g`` elementwise
    (and undoes broadcasting of its operands itself), so a ``g`` that still has
    extra broadcast dimensions flows through it correctly: the static compiler
    then leaves unbroadcasting to the point where a shape is really needed.
    """

    def register(rule):
        for fn in fns:
            _store_vjp(fn, rule)
            if elementwise:
                _ELEMENTWISE.add(_key(fn))
        return rule

    return register


def is_elementwise(fn):
    """True when ``fn``'s rule was registered with ``elementwise=True``."""
    try:
        return _key(fn) in _ELEMENTWISE and _key(fn) in _VJPS
    except TypeError:
        return False


def _label(fn):
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def _checked(fn, rule):
    """``rule`` with its arguments and results checked on every call."""
    signature = _signature(rule)

    @functools.wraps(rule)
    def checked_rule(g, ans, *args, **kwargs):
        from srcdiff.errors import DifferentiationError
        from srcdiff.rules.gradient_list import as_gradient

        if signature is not None:
            try:
                signature.bind(g, ans, *args, **kwargs)
            except TypeError as error:
                raise DifferentiationError(
                    f"the VJP rule {_label(rule)} registered for {_label(fn)} cannot take "
                    f"(g, ans) and the call's {len(args)} argument(s): {error}"
                ) from None
        cotangents = rule(g, ans, *args, **kwargs)
        if not isinstance(cotangents, (tuple, list)) or len(cotangents) != len(args):
            raise DifferentiationError(
                f"the VJP rule {_label(rule)} registered for {_label(fn)} must return a tuple of "
                f"one cotangent per positional argument ({len(args)}), not {cotangents!r:.80}"
            )
        for i, (cotangent, arg) in enumerate(zip(cotangents, args)):
            if cotangent is None or isinstance(arg, (list, tuple)):
                continue
            if np.shape(cotangent) != np.shape(arg):
                raise DifferentiationError(
                    f"the VJP rule {_label(rule)} registered for {_label(fn)} returned a "
                    f"cotangent of shape {np.shape(cotangent)} for argument {i} of shape "
                    f"{np.shape(arg)}"
                )
        return tuple(as_gradient(c) for c in cotangents)

    del checked_rule.__wrapped__  # its source is the check, not the user's rule
    return checked_rule


def _signature(rule):
    try:
        return inspect.signature(rule)
    except (TypeError, ValueError):
        return None


def to_positions(rule, args, kwargs, wanted):
    """Move the keyword arguments named in ``wanted`` into their positions.

    A rule returns one cotangent per positional argument, so a keyword argument
    that needs a gradient (``np.clip(x, a_min=lo)``) must become positional
    (``np.clip(x, lo)``).  Keywords before it in the rule's signature move too.
    Returns ``(args, kwargs)``; a wanted keyword that cannot move stays in kwargs.
    """
    if not any(k in kwargs for k in wanted):
        return args, kwargs
    signature = _signature(rule)
    if signature is None:
        return args, kwargs
    params = [
        p.name
        for p in list(signature.parameters.values())[2:]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    args, kwargs = list(args), dict(kwargs)
    last = max((params.index(k) for k in wanted if k in kwargs and k in params), default=-1)
    while len(args) <= last and params[len(args)] in kwargs:
        args.append(kwargs.pop(params[len(args)]))
    return args, kwargs


def vjp_rule(fn):
    """The VJP rule registered for ``fn``, or None."""
    try:
        return _VJPS.get(_key(fn))
    except TypeError:  # unhashable callables have no rule
        return None


def jvp_rule(fn, argnum=0):
    """The JVP rule of ``fn`` for argument ``argnum``: a function, ``LINEAR``, ``ZERO``
    or None."""
    try:
        return _JVPS.get(_key(fn), {}).get(argnum)
    except TypeError:
        return None


def apply_jvp(fn, argnum, t, ans, args, kwargs):
    """The tangent of ``ans = fn(*args, **kwargs)`` caused by the tangent ``t`` of argument
    ``argnum``, from ``fn``'s JVP rule (a ``DifferentiationError`` naming ``fn`` without one)."""
    rule = jvp_rule(fn, argnum)
    if rule is None:
        from srcdiff.errors import DifferentiationError

        raise DifferentiationError(
            f"no JVP rule for argument {argnum} of {_label(fn)}; register one with "
            f"srcdiff.register_jvp({_label(fn)}, rule, argnum={argnum})"
        )
    if rule is ZERO:
        from srcdiff.rules.helpers import zeros_like

        return zeros_like(ans)
    if rule is not LINEAR:
        return rule(t, ans, *args, **kwargs)
    args = list(args)
    args[argnum] = t
    if argnum == 0 and _is_array_method(fn) and not isinstance(t, np.ndarray):
        args[0] = np.asarray(t)  # the tangent of a 0-d array may be a NumPy scalar
    return fn(*args, **kwargs)


def _is_array_method(fn):
    return getattr(fn, "__objclass__", None) is np.ndarray


def is_nondifferentiable(fn):
    """True when ``fn`` was declared to carry no gradient."""
    try:
        return _key(fn) in _NONDIFFERENTIABLE
    except TypeError:
        return False


def _check_signature(rule, kind, leading):
    if not callable(rule):
        raise TypeError(f"a {kind} rule must be callable, got {rule!r}")
    try:
        params = list(inspect.signature(rule).parameters.values())
    except (TypeError, ValueError):
        return
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) < len(leading) and not any(p.kind == p.VAR_POSITIONAL for p in params):
        from srcdiff.errors import DifferentiationError

        raise DifferentiationError(
            f"a {kind} rule takes ({', '.join(leading)}, *args, **kwargs); "
            f"{getattr(rule, '__name__', rule)} takes {len(positional)} positional parameters"
        )
