"""Calls to user functions: their adjoints are generated too.

A call to a Python function that has no rule is differentiated by
transforming that function's source (recursively, in any module).  A callee
named in the caller's source runs once: the caller's forward pass calls its
``HelperForward``, which returns the value and a ``Pullback`` the caller's
backward pass calls with the cotangent (``static/pullbacks.py``).  Each
helper is compiled once and cached.

When the callee is only known at run time (a function passed in as an
argument, a lambda bound to a local name, a ``functools.partial``),
``call_vjp`` finds its rule or compiles its vjp on the spot; that vjp runs the
callee forward again and then backward, so a callee whose second run could
differ from the first (random numbers, clocks, shared state) is refused there
(``static/purity.py``).
"""

import functools
import inspect
import sys
import types

from srcdiff.errors import DifferentiationError, SrcdiffError
from srcdiff.rules import is_nondifferentiable, jvp_rule, registry, vjp_rule, windows
from srcdiff.rules.gradient_list import as_gradient
from srcdiff.rules.helpers import zeros_like
from srcdiff.rules.registry import apply_jvp
from srcdiff.static.purity import (
    check_arguments_run_the_same,
    check_leaves_outside_alone,
    check_runs_the_same,
)

_in_progress = set()  # functions whose adjoint is being generated right now


def is_user_function(fn):
    """A Python function srcdiff can read: not a builtin, not NumPy's or srcdiff's own."""
    if isinstance(fn, functools.partial):
        return is_user_function(fn.func)
    if isinstance(fn, types.MethodType):
        fn = fn.__func__
    if not isinstance(fn, types.FunctionType):
        return False
    module = getattr(fn, "__module__", None) or ""
    if module.startswith("srcdiff.rules."):  # a rule's own code, differentiated again
        return not is_nondifferentiable(fn)
    return module.split(".")[0] not in ("numpy", "srcdiff")


def takes_variable_arguments(fn):
    """``def f(*args)`` or ``def f(**kwargs)``: its gradients are traced, not compiled."""
    code = getattr(fn, "__code__", None)
    return code is not None and bool(code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS))


class _CompiledHelper:
    """Generated code for a user function and some of its arguments, compiled once.

    Compiled when the caller is compiled, so errors in the helper surface at
    decoration time; a recursive call is compiled on first use instead.
    """

    def __init__(self, fn, wrt):
        self.fn = fn
        self.wrt = wrt
        self.compiled = None
        if fn not in _in_progress:
            self.compile()

    def compile(self):
        if self.fn in _NOT_DIFFERENTIATED_AGAIN:
            raise _refusal(self.fn, _NOT_DIFFERENTIATED_AGAIN[self.fn])
        try:
            self.compiled = self.build()
        except Exception as error:  # in a rule's code: the rule is refused, whatever failed
            if not is_rule_code(self.fn) or isinstance(error, RecursionError):
                raise
            raise _refusal(self.fn, error) from None
        return self.compiled


# Rule code that treats exact values as constants, so that its derivative is wrong there.
_NOT_DIFFERENTIATED_AGAIN = {
    windows.exact_at_zeros: "at a zero of np.cumprod's input its rule is exact code for that zero",
}


def _refusal(rule, error):
    if not isinstance(error, (str, DifferentiationError, SrcdiffError)):  # the compiler's own
        error = f"its code uses what the static mode does not differentiate ({error!r})"
    return DifferentiationError(
        f"a second derivative through {rule_label(rule)} is not supported yet "
        f'(srcdiff cannot differentiate its rule: {error}); use mode="trace"'
    )


def is_rule_code(fn):
    """True for a function of srcdiff's rule table (a rule, or a helper rules call)."""
    return (getattr(fn, "__module__", None) or "").startswith("srcdiff.rules.")


def rule_label(fn):
    """``numpy.linalg.norm`` for the rule of ``np.linalg.norm``; a rule helper's own name."""
    for key, rule in registry._VJPS.items():
        if rule is fn:
            module = getattr(key, "__module__", None) or "numpy"
            return f"{module}.{getattr(key, '__qualname__', getattr(key, '__name__', key))}"
    return f"{fn.__name__} (a helper of srcdiff's rules)"


class HelperVjp(_CompiledHelper):
    """The vjp of a user function: it runs the function forward again, then backward.

    Used for a function known only at run time and for one taking ``*args``/``**kwargs``.
    """

    def build(self):
        from srcdiff.api import vjp

        check_runs_the_same(self.fn)  # its vjp runs it again
        # ``*args`` forwarding is run by the tracing mode, which sees the real arguments.
        mode = "trace" if takes_variable_arguments(self.fn) else "static"
        return vjp(self.fn, wrt=self.wrt, mode=mode)

    @property
    def source(self):
        return (self.compiled or self.compile()).source

    def __call__(self, *args, seed, **kwargs):
        if _is_zero(seed):  # no gradient flows in: none flows out
            return tuple(zeros_like(args[w] if isinstance(w, int) else kwargs[w]) for w in self.wrt)
        check_arguments_run_the_same(self.fn, args, kwargs)
        vjp = self.compiled or self.compile()
        current = getattr(vjp, "current", None)  # the adjoint itself: one frame less per call
        try:
            cotangents = (current() if current is not None else vjp)(*args, seed=seed, **kwargs)
        except RecursionError:
            raise _too_deep(self.fn) from None
        except DifferentiationError as error:
            if not is_rule_code(self.fn):  # a rule's ``*args`` code traced: say which rule
                raise
            raise _refusal(self.fn, error) from None
        # A list argument's gradient comes back as a list: summed item by item from here on.
        return tuple(as_gradient(c) for c in cotangents)


class HelperForward(_CompiledHelper):
    """A user function run once, returning its value and its pullback.

    The caller's forward pass calls it in place of the function; the caller's
    backward pass calls the :class:`Pullback` it returned with the cotangent of
    the value.
    """

    def build(self):
        from srcdiff.api import forward_and_pullback

        check_leaves_outside_alone(self.fn)  # its backward pass restores what it overwrote
        return forward_and_pullback(self.fn, self.wrt)

    def __call__(self, *args, **kwargs):
        forward = (self.compiled or self.compile()).current()  # one frame less per call
        try:
            value, backward = forward(*args, **kwargs)
        except RecursionError:
            raise _too_deep(self.fn) from None
        return value, Pullback(self, backward, args, kwargs)


class HelperJvp(_CompiledHelper):
    """The forward-mode function of a user function: ``(value, tangent)`` in one run.

    Called as ``helper(*args, tangent=t, **kwargs)``, with ``t`` one tangent per
    argument of ``wrt`` (a tuple when there are several).
    """

    def build(self):
        from srcdiff.api import jvp, jvp_of_helper

        if takes_variable_arguments(self.fn):  # ``*args`` forwarding: as HelperVjp runs it
            return jvp(self.fn, wrt=self.wrt, mode="trace")
        return jvp_of_helper(self.fn, self.wrt)

    def __call__(self, *args, tangent, **kwargs):
        jvp = self.compiled or self.compile()
        current = getattr(jvp, "current", None)  # the jvp itself: one frame less per call
        try:
            return (current() if current is not None else jvp)(*args, tangent=tangent, **kwargs)
        except RecursionError:
            raise _too_deep(self.fn) from None
        except DifferentiationError as error:
            if current is not None or not is_rule_code(self.fn):
                raise
            raise _refusal(self.fn, error) from None  # a rule's ``*args`` code traced


class Pullback:
    """The backward pass of one call of a helper: cotangents of its arguments from a seed."""

    __slots__ = ("helper", "backward", "args", "kwargs")

    def __init__(self, helper, backward, args, kwargs):
        self.helper, self.backward, self.args, self.kwargs = helper, backward, args, kwargs

    def __call__(self, seed):
        try:
            return pull(self.backward, seed, self.args, self.kwargs, self.helper.wrt)
        except RecursionError:
            raise _too_deep(self.helper.fn) from None


def pull(backward, seed, args, kwargs, wrt):
    """The cotangents of a helper call's arguments ``wrt``, from its ``backward`` and ``seed``."""
    if _is_zero(seed):  # no gradient flows in: none flows out
        return tuple(zeros_like(args[w] if isinstance(w, int) else kwargs[w]) for w in wrt)
    # A list argument's gradient comes back as a list: summed item by item from here on.
    return tuple(as_gradient(c) for c in backward(seed))


def _too_deep(fn):
    return DifferentiationError(
        f"the recursion of {fn.__qualname__} is too deep for the static mode: each level "
        "of recursion takes about three of Python's stack levels, so about "
        f"{sys.getrecursionlimit() // 3} levels fit; raise sys.setrecursionlimit or use "
        'mode="trace"'
    )


def _is_zero(seed):
    """A gradient the caller's adjoint left as the number 0 (a zero it did not shape)."""
    return type(seed) is float and seed == 0.0


def call_vjp(fn, wrt, seed, ans, *args, **kwargs):
    """Cotangents of ``fn(*args, **kwargs)`` for the arguments ``wrt``, given ``seed``.

    ``fn`` is known only now: a rule, a non-differentiable function, a partial
    or a Python function whose adjoint is compiled here (and cached).
    """
    if _is_zero(seed):
        return tuple(zeros_like(args[w] if isinstance(w, int) else kwargs[w]) for w in wrt)
    if isinstance(fn, functools.partial):
        bound = len(fn.args)
        shifted = tuple(w + bound if isinstance(w, int) else w for w in wrt)
        merged = {**fn.keywords, **kwargs}
        return call_vjp(fn.func, shifted, seed, ans, *fn.args, *args, **merged)
    rule = vjp_rule(fn)
    if rule is not None:
        cotangents = rule(seed, ans, *args, **kwargs)
        return tuple(as_gradient(cotangents[w]) for w in wrt)
    if is_nondifferentiable(fn):
        return tuple(zeros_like(args[w] if isinstance(w, int) else kwargs[w]) for w in wrt)
    if is_user_function(fn):
        return HelperVjp(fn, tuple(wrt))(*args, seed=seed, **kwargs)
    label = getattr(fn, "__qualname__", None) or repr(fn)
    raise DifferentiationError(
        f"cannot differentiate a call to {label}: it has no rule and no Python source; "
        'register one with srcdiff.register_vjp, or use mode="trace"'
    )


def call_jvp(fn, wrt, tangents, *args, **kwargs):
    """``(value, tangent)`` of ``fn(*args, **kwargs)`` for the tangents of the arguments
    ``wrt``; ``fn`` is known only now (a rule, a partial, a Python function)."""
    if isinstance(fn, functools.partial):
        bound = len(fn.args)
        shifted = tuple(w + bound if isinstance(w, int) else w for w in wrt)
        merged = {**fn.keywords, **kwargs}
        return call_jvp(fn.func, shifted, tangents, *fn.args, *args, **merged)
    if isinstance(fn, types.MethodType):
        shifted = tuple(w + 1 if isinstance(w, int) else w for w in wrt)
        return call_jvp(fn.__func__, shifted, tangents, fn.__self__, *args, **kwargs)
    if is_user_function(fn) and not any(jvp_rule(fn, w) for w in wrt):
        if vjp_rule(fn) is None:
            return HelperJvp(fn, tuple(wrt))(*args, tangent=tangents, **kwargs)
    value = fn(*args, **kwargs)
    if is_nondifferentiable(fn):
        return value, zeros_like(value)
    total = 0.0
    for w, t in zip(wrt, tangents):
        if not isinstance(w, int):
            raise DifferentiationError(
                f"the keyword argument {w!r} of {_name(fn)} carries a tangent; pass it positionally"
            )
        total = total + apply_jvp(fn, w, t, value, args, kwargs)
    return value, total


def _name(fn):
    return getattr(fn, "__qualname__", None) or repr(fn)
