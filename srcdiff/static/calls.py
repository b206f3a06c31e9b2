"""Calls to user functions: their adjoints are generated too.

A call to a Python function that has no rule is differentiated by
transforming that function's source (recursively, in any module).  The
caller's adjoint calls the callee's vjp, which runs the callee forward again
and then backward: each helper's adjoint is compiled once and cached.  A
helper whose second run could differ from the first (random numbers, clocks,
shared state) is refused instead (``static/purity.py``).

When the callee is only known at run time (a function passed in as an
argument, a lambda bound to a local name, a ``functools.partial``),
``call_vjp`` finds its rule or compiles its adjoint on the spot.
"""

import functools
import inspect
import sys
import types

from srcdiff.errors import DifferentiationError
from srcdiff.rules import is_nondifferentiable, vjp_rule
from srcdiff.rules.gradient_list import as_gradient
from srcdiff.rules.helpers import zeros_like
from srcdiff.static.purity import check_arguments_run_the_same, check_runs_the_same

_in_progress = set()  # functions whose adjoint is being generated right now


def is_user_function(fn):
    """A Python function srcdiff can read: not a builtin, not NumPy's or srcdiff's own."""
    if isinstance(fn, functools.partial):
        return is_user_function(fn.func)
    if isinstance(fn, types.MethodType):
        fn = fn.__func__
    if not isinstance(fn, types.FunctionType):
        return False
    module = (getattr(fn, "__module__", None) or "").split(".")[0]
    return module not in ("numpy", "srcdiff")


def takes_variable_arguments(fn):
    """``def f(*args)`` or ``def f(**kwargs)``: its gradients are traced, not compiled."""
    code = getattr(fn, "__code__", None)
    return code is not None and bool(code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS))


class HelperVjp:
    """The vjp of a user function with respect to some of its arguments, compiled once.

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
        from srcdiff.api import vjp

        check_runs_the_same(self.fn)  # its vjp runs it again
        # ``*args`` forwarding is run by the tracing mode, which sees the real arguments.
        mode = "trace" if takes_variable_arguments(self.fn) else "static"
        self.compiled = vjp(self.fn, wrt=self.wrt, mode=mode)
        return self.compiled

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
            raise DifferentiationError(
                f"the recursion of {self.fn.__qualname__} is too deep for the static mode: its "
                "backward pass takes about three of Python's stack levels per level of "
                f"recursion, so about {sys.getrecursionlimit() // 3} levels fit; raise "
                'sys.setrecursionlimit or use mode="trace"'
            ) from None
        # A list argument's gradient comes back as a list: summed item by item from here on.
        return tuple(as_gradient(c) for c in cotangents)


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
