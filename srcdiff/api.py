"""The public differentiation API: ``grad``, ``value_and_grad``, ``vjp``, ``jvp``.

Each function works bare (``@grad``), with options (``@grad(wrt=1)``) and as
a call (``grad(f)``).  ``mode="static"`` (the default) compiles the adjoint
at decoration time and returns it behind a thin check that compiles it again
when ``f``'s code, the helpers it calls or the rule table change
(``static/freshness.py``); ``mode="trace"`` returns a function that runs ``f``
on traced Tensors.  Compiled adjoints are cached per function and options.
A bound method is differentiated as its function with ``self`` bound.
"""

import functools
import inspect
import operator
import types
import weakref
from collections.abc import Callable

import numpy as np

from srcdiff import trees
from srcdiff.arguments import argument_value, basis, check_tree, resolve_wrt, wrt_items
from srcdiff.errors import DifferentiationError, SrcdiffError
from srcdiff.static.backends import check_backend, with_backend
from srcdiff.static.forward import forward_transform
from srcdiff.static.freshness import Compiled, fresh_adjoint
from srcdiff.static.higher import differentiate_again, made_by_srcdiff
from srcdiff.static.runtime import check_plain_array, unit_seed
from srcdiff.static.transform import reverse_transform

MODES = ("static", "trace")
METHODS = ("auto", "reverse", "forward")

# An argument to differentiate: a position, a name, or a tuple of them.
Wrt = int | str | tuple[int | str, ...]

# function -> {(wrt, kind, optimize): (Compiled record, weak reference to the function
# returned)}.  Neither refers to the function, so the entry lives as long as it does.
_compiled = weakref.WeakKeyDictionary()


def _options(f, builder, **options):
    """Apply ``builder`` now, or return a decorator that will (``@grad(wrt=1)``)."""
    if f is None:
        return lambda f: builder(f, **options)
    return builder(f, **options)


def grad(
    f: Callable | None = None,
    *,
    wrt: Wrt = 0,
    mode: str = "static",
    method: str = "auto",
    preserve_result: bool = False,
    optimize: bool = True,
    verbose: bool = False,
    backend: str = "python",
) -> Callable:
    """The gradient of scalar-valued ``f`` with respect to the argument(s) ``wrt``.

    ``wrt`` is a position, a name or a tuple of them (then a tuple of gradients
    comes back).  With ``preserve_result=True`` the function returns
    ``(gradient, value)``.  ``method="reverse"`` runs the adjoint;
    ``"forward"`` runs one jvp per element of the ``wrt`` arguments; ``"auto"``
    runs forward mode for a call whose one ``wrt`` argument is a Python number
    (no stacks to keep), the adjoint otherwise.  ``backend="numba"`` compiles
    the static code with numba (``static/backends.py``).
    """
    kind = "grad_and_value" if preserve_result else "grad"
    return _options(
        f,
        _build_gradient,
        wrt=wrt,
        mode=mode,
        method=method,
        kind=kind,
        optimize=optimize,
        verbose=verbose,
        backend=backend,
    )


def value_and_grad(
    f: Callable | None = None,
    *,
    wrt: Wrt = 0,
    mode: str = "static",
    method: str = "auto",
    optimize: bool = True,
    verbose: bool = False,
    backend: str = "python",
) -> Callable:
    """Like :func:`grad`, returning ``(value, gradient)``."""
    return _options(
        f,
        _build_gradient,
        wrt=wrt,
        mode=mode,
        method=method,
        kind="value_and_grad",
        optimize=optimize,
        verbose=verbose,
        backend=backend,
    )


def _build_gradient(f, *, method, **options):
    if method not in METHODS:
        raise DifferentiationError(f"method must be one of {METHODS}, not {method!r}")
    if method == "forward":
        return _forward_gradient(f, **options)
    return _build(f, **options, forward=method == "auto")


def vjp(
    f: Callable | None = None,
    *,
    wrt: Wrt = 0,
    mode: str = "static",
    optimize: bool = True,
    verbose: bool = False,
) -> Callable:
    """The vector-Jacobian product of ``f``: call it as ``vf(*args, seed=v)``.

    ``v`` has the shape of ``f``'s output (like ``y.backward(v)`` in PyTorch);
    without a seed the output must be a scalar.
    """
    return _options(f, _build, wrt=wrt, mode=mode, kind="vjp", optimize=optimize, verbose=verbose)


def _forward_gradient(f, *, wrt, mode, kind, optimize, verbose, backend):
    """A gradient from one jvp per element of the ``wrt`` arguments (``method="forward"``)."""
    if backend != "python":
        raise DifferentiationError(
            f'backend="{backend}" compiles the adjoint: use method="reverse"'
        )
    forward = _build_jvp(f, wrt=wrt, mode=mode, optimize=optimize, verbose=verbose)
    single = not isinstance(wrt, tuple)
    items = wrt_items(wrt)

    @functools.wraps(f)
    def gradient(*args, **kwargs):
        values = [argument_value(f, item, args, kwargs) for item in items]
        zeros = [np.zeros_like(v, dtype=float) if np.ndim(v) else 0.0 for v in values]
        value, grads = None, []
        for i, x in enumerate(values):
            if not isinstance(x, (float, int, np.ndarray, np.generic)):
                raise DifferentiationError(
                    f'method="forward" differentiates with respect to numbers and arrays, '
                    f'not a {type(x).__name__}; use method="reverse"'
                )
            columns = []
            for e in basis(x):
                tangent = zeros[:i] + [e] + zeros[i + 1 :]
                value, t = forward(
                    *args, tangent=tangent[0] if single else tuple(tangent), **kwargs
                )
                unit_seed(value)  # a gradient needs a scalar output
                columns.append(float(t))
            grads.append(columns[0] if np.ndim(x) == 0 else np.reshape(columns, np.shape(x)))
        grads = grads[0] if single else tuple(grads)
        return _by_kind(kind, value, grads)

    gradient.source = forward.source
    return gradient


def forward_and_pullback(f, wrt):
    """``f`` compiled to return its value and its pullback (cached like the adjoints above).

    The static mode calls it for each helper (``static/pullbacks.py``).
    """
    return _build(f, wrt=wrt, mode="static", kind="split", optimize=True, verbose=False)


def _build(
    f, *, wrt, mode, kind, optimize, verbose, backend="python", split_helpers=True, forward=False
):
    if not callable(f):
        raise DifferentiationError(f"can only differentiate a function, not {type(f).__name__}")
    if mode not in MODES:
        raise DifferentiationError(f"mode must be one of {MODES}, not {mode!r}")
    wrt_items(wrt)  # before wrt becomes part of a cache key
    check_backend(backend)
    if mode == "trace":
        if backend != "python":
            raise DifferentiationError(
                f'backend="{backend}" compiles static adjoints, not mode="trace"'
            )
        return _traced(f, wrt, kind)
    if isinstance(f, types.MethodType):  # obj.method: differentiate the function, bind obj
        function = _build(
            f.__func__,
            wrt=_after_self(wrt),
            mode=mode,
            kind=kind,
            optimize=optimize,
            verbose=verbose,
            backend=backend,
            forward=forward,
        )
        return types.MethodType(function, f.__self__)
    key = (wrt, kind, optimize, backend, split_helpers, forward)
    try:
        cache = _compiled.setdefault(f, {})
    except TypeError:  # not weak-referenceable: compile without caching
        cache = {}
    compiled, wrapper = cache.get(key, (None, lambda: None))
    wrapper = wrapper()
    build = functools.partial(
        _build, wrt=wrt, mode=mode, kind=kind, optimize=optimize, verbose=False
    )
    if wrapper is None and made_by_srcdiff(f):  # a derivative of a derivative
        plain = functools.partial(build, split_helpers=False)
        wrapper = differentiate_again(f, functools.partial(build, backend=backend), plain)
        cache[key] = (None, weakref.ref(wrapper))
    elif wrapper is None:
        if compiled is None:
            options = dict(wrt=wrt, kind=kind, optimize=optimize, split_helpers=split_helpers)
            compiled = Compiled(f, functools.partial(_compile, **options, backend=backend))
        specialised = (
            functools.partial(_specialised, wrt=wrt, kind=kind, backend=backend, forward=forward)
            if optimize and split_helpers
            else None
        )
        wrapper = fresh_adjoint(f, compiled, _argument_check(f, wrt), specialised)
        # The form a second derivative differentiates: Python, helpers not split.
        plain = functools.partial(build, f, split_helpers=False)
        wrapper.differentiable_adjoint = lambda: plain().current()
        cache[key] = (compiled, weakref.ref(wrapper))
    if verbose:
        print(wrapper.source)
    return wrapper


def _compile(
    f, *, wrt, kind, optimize, numbers=(), backend="python", split_helpers=True, forward=False
):
    """The adjoint (or jvp, or with ``forward`` the gradient in forward mode) of ``f`` and
    what it was compiled against."""
    if kind in ("jvp", "tangent", "directional") or forward:
        generated = forward_transform(f, wrt=wrt, kind=kind, optimize=optimize, numbers=numbers)
    else:
        generated = reverse_transform(
            f, wrt=wrt, kind=kind, optimize=optimize, numbers=numbers, split_helpers=split_helpers
        )
    return with_backend(generated, backend), generated.dependencies


def _specialised(f, numbers, *, wrt, kind, backend, forward=False):
    """The record of ``f``'s adjoint for calls whose arguments at ``numbers`` are numbers.

    With ``forward``, a gradient with respect to one argument that is a number is
    computed in forward mode where the function allows it: one pass, no stacks.
    """
    options = dict(wrt=wrt, kind=kind, optimize=True, numbers=numbers, backend=backend)
    if forward and _position(f, wrt) in numbers:
        return Compiled(f, functools.partial(_forward_or_reverse, **options))
    return Compiled(f, functools.partial(_compile, **options))


def _forward_or_reverse(f, **options):
    """The gradient compiled in forward mode; in reverse mode if forward mode refuses ``f``."""
    try:
        return _compile(f, **options, forward=True)
    except SrcdiffError:
        return _compile(f, **options)


def _position(f, wrt):
    """The position of the one argument ``wrt`` names; None for a tuple or an unknown name."""
    if isinstance(wrt, tuple):
        return None
    position, name = _located(f, wrt)
    return position if name is not None else None


def _located(f, item):
    """``(position, name)`` of the parameter of ``f`` that ``item`` (a position or a name)
    designates; None for what ``f``'s positional parameters do not tell."""
    code = getattr(f, "__code__", None)
    positional = code.co_varnames[: code.co_argcount] if code is not None else ()
    if isinstance(item, str):
        return (positional.index(item) if item in positional else None, item)
    if -len(positional) <= item < len(positional):
        return (item % len(positional), positional[item])
    return (item, None)


def _by_kind(kind, value, grads):
    """What a gradient of ``kind`` returns: the gradients, with the value first or last."""
    if kind == "grad_and_value":
        return grads, value
    if kind == "value_and_grad":
        return value, grads
    return grads


def _after_self(wrt):
    """``wrt`` of a bound method as positions of its function: position 0 is ``self``."""
    if isinstance(wrt, tuple):
        return tuple(_after_self(item) for item in wrt)
    return wrt + 1 if isinstance(wrt, int) and wrt >= 0 else wrt


def _argument_check(f, wrt):
    """A check, run on each call, that the ``wrt`` arguments are numbers or arrays."""
    # (position or None, name or None) of each differentiated argument
    where = tuple(_located(f, item) for item in wrt_items(wrt))
    positions = [position for position, _ in where]
    if None in positions or not positions:
        return functools.partial(_check_arguments, where)
    take, last = operator.itemgetter(*positions), max(positions)
    single = len(positions) == 1

    def check(args, kwargs):
        # The common case, arrays and floats passed by position, in a few C calls.
        if len(args) > last and not kwargs and _SIMPLE.issuperset(map(type, args)):
            values = take(args)
            if type(values) in _PLAIN if single else _PLAIN.issuperset(map(type, values)):
                return
        _check_arguments(where, args, kwargs)

    return check


_PLAIN = frozenset({np.ndarray, float, np.float64})
# Argument types that are surely no NumPy array subclass (np.ma, np.matrix).
_SIMPLE = _PLAIN | {int, bool, str, type(None), np.int64}


def _check_arguments(where, args, kwargs):
    for value in (*args, *kwargs.values()):
        if type(value) not in _SIMPLE:
            _refuse_array_subclasses(value)
    for position, name in where:
        if position is not None and position < len(args):
            value = args[position]
        elif name in kwargs:
            value = kwargs[name]
        else:
            continue
        if type(value) not in _PLAIN:
            check_tree(value, name or f"argument {position}")


def _refuse_array_subclasses(value):
    """Masked arrays and ``np.matrix`` anywhere among the arguments change what NumPy
    computes in ways the rules do not follow (a masked sum, a matrix ``*``)."""
    if trees.is_container(value):
        for _, item in trees.children(value):
            _refuse_array_subclasses(item)
    elif isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        check_plain_array(value)


def _positions(f, wrt):
    """``wrt`` as positions of ``f``'s positional arguments (the tracing mode's view)."""
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = [
        p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    varargs = any(p.kind == p.VAR_POSITIONAL for p in parameters) or not parameters
    keyword_only = [p.name for p in parameters if p.kind == p.KEYWORD_ONLY]
    name = getattr(f, "__name__", "f")
    return tuple(resolve_wrt(wrt, positional, keyword_only, name, varargs))


def _label(f, position):
    """The name of ``f``'s parameter at ``position``, for messages."""
    try:
        names = list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        names = []
    return names[position] if position < len(names) else f"argument {position}"


def _traced(f, wrt, kind):
    """The tracing mode's counterpart of a compiled adjoint."""
    from srcdiff.trace import trace_vjp

    positions = _positions(f, wrt)
    single = not isinstance(wrt, tuple)
    by_name = any(isinstance(p, str) for p in positions)
    last = max((p for p in positions if isinstance(p, int)), default=-1)

    def bound(args, kwargs):
        """A differentiated argument passed by keyword, or left to its default, moves to
        its position (a keyword-only one to the keywords), as the static mode reads it."""
        if last < len(args) and not kwargs and not by_name:
            checked(args, kwargs)
            return args, kwargs
        try:
            call = inspect.signature(f).bind(*args, **kwargs)
        except (TypeError, ValueError):
            if by_name:
                raise  # Python's own error for the call, e.g. too many positional arguments
            return args, kwargs  # the call itself raises Python's own error
        call.apply_defaults()
        checked(call.args, call.kwargs)
        return call.args, call.kwargs

    def checked(args, kwargs):
        for p in positions:
            held = kwargs if isinstance(p, str) else args
            if (p in held) if isinstance(p, str) else (p < len(args)):
                value = held[p]
                if trees.is_container(value):  # a leaf: trace_vjp's own checks
                    check_tree(value, p if isinstance(p, str) else _label(f, p), True)

    def shaped(value, gradients):
        return _by_kind(kind, value, gradients[0] if single else gradients)

    if kind == "vjp":

        @functools.wraps(f)
        def traced_vjp(*args, seed=None, **kwargs):
            return shaped(*trace_vjp(f, *bound(args, kwargs), positions, seed))

        traced_vjp.source = None
        return traced_vjp

    @functools.wraps(f)
    def traced(*args, **kwargs):
        return shaped(*trace_vjp(f, *bound(args, kwargs), positions, None))

    traced.source = None
    return traced


def jvp(
    f: Callable | None = None,
    *,
    wrt: Wrt = 0,
    mode: str = "static",
    optimize: bool = True,
    verbose: bool = False,
) -> Callable:
    """The Jacobian-vector product of ``f``: call it as ``jf(*args, tangent=t)``.

    Returns ``(value, directional derivative)``; ``t`` has the shape of the
    ``wrt`` argument (a tuple of tangents for a tuple ``wrt``).  The static
    mode generates forward-mode source (``jf.source``) that carries each
    value's tangent along with it.
    """
    return _options(f, _build_jvp, wrt=wrt, mode=mode, optimize=optimize, verbose=verbose)


def jvp_of_helper(f, wrt):
    """The jvp generated code calls for a helper: a tuple of tangents in, unchecked."""
    return _build_jvp(f, wrt=wrt, mode="static", optimize=True, verbose=False, kind="tangent")


def directional_derivative(f, wrt):
    """``df(*args, tangent=t)``: the tangent alone of ``jvp(f)``, so that the code that only
    computes ``f``'s value is dropped.  ``f`` is a static gradient (a Hessian-vector
    product), whose ``gradient_of`` calls give the tangent the argument's shape."""
    return _build(f, wrt=wrt, mode="static", kind="directional", optimize=True, verbose=False)


def _build_jvp(f, *, wrt, mode, optimize, verbose, kind="jvp"):
    if mode != "trace":
        return _build(f, wrt=wrt, mode=mode, kind=kind, optimize=optimize, verbose=verbose)
    from srcdiff.trace import trace_jvp

    if not callable(f):
        raise DifferentiationError(f"can only differentiate a function, not {type(f).__name__}")
    wrt_items(wrt)
    positions = _positions(f, wrt)

    @functools.wraps(f)
    def traced_jvp(*args, tangent, **kwargs):
        return trace_jvp(f, args, kwargs, positions, tangent)

    traced_jvp.source = None
    return traced_jvp
