"""The namespace a traced function runs in: NumPy and ``math`` as srcdiff facades.

``trace_vjp`` never patches a module.  It runs a copy of the user's function
(same code, defaults and closure) whose globals are a ``Globals`` overlay of
the function's module globals; reading a name through it gives a translated
value (``Namespace.value``):

- the ``numpy`` module and its factories (also bound as ``from numpy import
  zeros``) -> ``facades.NUMPY`` and its factories; ``math`` and its functions
  -> ``facades.math_facade()``;
- a function with a registered rule, or declared non-differentiable ->
  a stand-in that records it on Tensors (dispatch by identity, wherever it
  comes from: a global, a closure, a user module's attribute, an argument);
- another user function (``user_code.is_user_file``) -> its own traced copy,
  made once per call; closure cells holding such values get fresh cells;
- a user module -> a ``ModuleView`` translating its attributes the same way;
- anything else -> itself.

CPython reads globals through ``__getitem__`` when they are not an exact
dict, so a miss in the overlay reaches ``Globals.__missing__``.  Translated
modules and functions, and builtins, are kept in the overlay for the rest of
the call; other values are read from the real module each time.  The copy's
builtins (``Builtins``) hold an ``__import__`` that translates too, so
``import numpy as np`` inside the function binds the facade.  ``global``
writes land in the overlay and are written back to the module when the call
ends (``close``); until then, code outside the translation (a method reached
through an object) reads the module's old value.

What the translation cannot reach (methods of the user's objects, functions
inside containers) runs with NumPy itself; a Tensor stored into an ndarray
there raises the "drops its gradient" ``DifferentiationError``.
"""

import builtins
import functools
import sys
import types

import numpy as np

from srcdiff.rules import is_nondifferentiable, vjp_rule
from srcdiff.trace import facades
from srcdiff.trace.dispatch import apply_op
from srcdiff.trace.tensor import Tensor
from srcdiff.trace.user_code import is_user_file

# Values that are never translated (checked by exact type, before anything else).
_PLAIN = frozenset(
    {int, float, complex, bool, str, bytes, type(None), np.ndarray, tuple, list, dict, set, type}
)


_MISSING = object()


class Globals(dict):
    """A function's globals as the traced copy sees them: its own entries, then translations."""

    __slots__ = ("real", "namespace", "cached")

    def __init__(self, real, namespace):
        python = real.get("__builtins__", builtins)
        python = python if isinstance(python, dict) else vars(python)
        dict.__setitem__(self, "__builtins__", Builtins(python, namespace))
        self.real = real
        self.namespace = namespace
        self.cached = {}

    def __missing__(self, name):
        try:
            value = self.real[name]
        except KeyError:
            # A builtin (``len``, ``range``): kept for the call, so the next read is a plain hit.
            value = dict.__getitem__(self, "__builtins__")[name]
            dict.__setitem__(self, name, value)
            self.cached[name] = value
            return value
        translated = self.namespace.value(value)
        if translated is not value:
            # Modules and functions stay fixed for the call; data is read afresh each time.
            dict.__setitem__(self, name, translated)
            self.cached[name] = translated
        return translated

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name):
        return dict.__contains__(self, name) or name in self.real

    def written(self):
        """``(name, value)`` for each global the traced code assigned."""
        cached = self.cached
        for name, value in dict.items(self):
            if name != "__builtins__" and cached.get(name, self) is not value:
                yield name, value


class Builtins(dict):
    """The traced code's builtins: Python's, with an ``__import__`` that translates.

    ``import numpy as np`` or ``from math import exp`` inside the traced code
    binds the facades, as the same names read from the module's globals do.
    CPython looks ``__import__`` up in the dict itself; anything else is read
    from Python's builtins.
    """

    __slots__ = ("python",)

    def __init__(self, python, namespace):
        dict.__setitem__(self, "__import__", namespace.import_module)
        self.python = python

    def __missing__(self, name):
        return self.python[name]


class ModuleView:
    """A user module as the traced code sees it: attributes translated, writes forwarded."""

    __slots__ = ("_module", "_namespace")

    def __init__(self, module, namespace):
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_namespace", namespace)

    def __getattr__(self, name):
        return self._namespace.value(getattr(self._module, name))

    def __setattr__(self, name, value):
        setattr(self._module, name, self._namespace.original(value))

    def __delattr__(self, name):
        delattr(self._module, name)

    def __dir__(self):
        return dir(self._module)

    def __repr__(self):
        return repr(self._module)


def _recording(fn):
    """``fn`` recorded as one operation (its rule) when given a Tensor; itself otherwise."""

    @functools.wraps(fn)
    def recorded(*args, **kwargs):
        for a in args:
            if isinstance(a, Tensor) or (
                type(a) in (list, tuple) and any(isinstance(i, Tensor) for i in a)
            ):
                return apply_op(fn, args, kwargs)
        for a in kwargs.values():
            if isinstance(a, Tensor):
                return apply_op(fn, args, kwargs)
        return fn(*args, **kwargs)

    return recorded


def _is_numpy(value):
    module = getattr(value, "__module__", None) or ""
    return isinstance(value, np.ufunc) or module == "numpy" or module.startswith("numpy.")


def _is_user_module(module):
    filename = getattr(module, "__file__", None)
    if filename is not None:
        return is_user_file(filename)
    name = getattr(module, "__name__", "")
    return name not in sys.builtin_module_names and not name.startswith(("numpy", "srcdiff"))


class Namespace:
    """One ``trace_vjp`` call's translation of the user's values (memoised for the call)."""

    __slots__ = ("_memo", "_originals", "_keep", "_globals", "_pending", "_math")

    def __init__(self):
        self._memo = {}  # id(original) -> translated
        self._originals = {}  # id(translated) -> original
        self._keep = []  # the originals, alive while their ids are keys
        self._globals = {}  # id(module globals) -> Globals
        self._pending = []  # (fresh cell, function) filled once the function's copy exists
        self._math = None  # (facade, {math function: replacement}), made when first needed

    def value(self, value):
        """What ``value`` is inside the traced code (itself when nothing changes)."""
        if type(value) in _PLAIN:
            return value
        key = id(value)
        translated = self._memo.get(key, _MISSING)
        if translated is not _MISSING:
            return value if translated is None else translated  # None: being translated
        translated = self._translate(value)
        self._memo[key] = translated
        self._keep.append(value)
        if translated is not value:
            self._originals[id(translated)] = value
            self._keep.append(translated)
        return translated

    def import_module(self, name, globals=None, locals=None, fromlist=(), level=0):
        """``__import__`` for the traced code: the module imported, translated."""
        if type(globals) is Globals:
            globals = globals.real  # relative imports read __package__ from the real module
        return self.value(builtins.__import__(name, globals, locals, fromlist, level))

    def original(self, value):
        """The user's object behind a translated value (for writes back to modules)."""
        return self._originals.get(id(value), value)

    def _translate(self, value):
        if isinstance(value, types.FunctionType):
            if vjp_rule(value) is not None or is_nondifferentiable(value):
                return value if _is_numpy(value) else _recording(value)
            return self._function(value)
        if value is np:
            return facades.NUMPY
        if isinstance(value, types.ModuleType):
            if value.__name__ == "math":
                return self._math_facade()[0]
            return ModuleView(value, self) if _is_user_module(value) else value
        if not callable(value) or isinstance(value, type):
            return value
        try:
            replacement = facades.FACTORIES.get(value) or self._math_facade()[1].get(value)
        except TypeError:  # unhashable callables
            return value
        if replacement is not None:
            return replacement
        if _is_numpy(value):
            return value
        if vjp_rule(value) is not None or is_nondifferentiable(value):
            return _recording(value)
        if isinstance(value, types.MethodType):
            function = self.value(value.__func__)
            if function is value.__func__:
                return value
            return types.MethodType(function, value.__self__)
        if isinstance(value, functools.partial):
            function = self.value(value.func)
            if function is value.func:
                return value
            return functools.partial(function, *value.args, **value.keywords)
        return value

    def _math_facade(self):
        if self._math is None:
            self._math = facades.math_facade()
        return self._math

    def function(self, f):
        """The callable ``trace_vjp`` runs for ``f`` (a callable object runs its ``__call__``)."""
        translated = self.value(f)
        if translated is f and not isinstance(f, (types.FunctionType, types.MethodType)):
            call = type(f).__call__
            if isinstance(call, types.FunctionType):
                copy = self.value(call)
                if copy is not call:
                    return types.MethodType(copy, f)
        return translated

    def _function(self, fn):
        """``fn``'s traced copy, or ``fn`` itself when it is not the user's."""
        if type(fn.__globals__) is Globals or not is_user_file(fn.__code__.co_filename):
            return fn
        self._memo[id(fn)] = None  # in progress: a closure that refers back gets a fresh cell
        closure = fn.__closure__
        if closure:
            closure = tuple(self._cell(cell) for cell in closure)
        defaults = fn.__defaults__
        if defaults:
            defaults = tuple(self.value(d) for d in defaults)
        copy = types.FunctionType(
            fn.__code__, self._module_globals(fn.__globals__), fn.__name__, defaults, closure
        )
        if fn.__kwdefaults__:
            copy.__kwdefaults__ = {k: self.value(v) for k, v in fn.__kwdefaults__.items()}
        copy.__qualname__ = fn.__qualname__
        copy.__module__ = fn.__module__
        copy.__doc__ = fn.__doc__
        if fn.__dict__:
            copy.__dict__.update(fn.__dict__)
        self._memo[id(fn)] = copy
        if self._pending:
            for cell, target in self._pending:
                if target is fn:
                    cell.cell_contents = copy
            self._pending = [p for p in self._pending if p[1] is not fn]
        return copy

    def _cell(self, cell):
        try:
            contents = cell.cell_contents
        except ValueError:  # not yet assigned
            return cell
        if self._memo.get(id(contents), _MISSING) is None:  # a function being translated
            fresh = types.CellType()
            self._pending.append((fresh, contents))
            return fresh
        translated = self.value(contents)
        return cell if translated is contents else types.CellType(translated)

    def _module_globals(self, real):
        overlay = self._globals.get(id(real))
        if overlay is None:
            overlay = self._globals[id(real)] = Globals(real, self)
        return overlay

    def close(self):
        """Copy the globals the traced code assigned into their modules; forget the call.

        Dropping the memo breaks the reference cycles between the overlays
        and this object, so a call leaves no garbage for the cycle collector.
        """
        for overlay in self._globals.values():
            for name, value in list(overlay.written()):
                overlay.real[name] = self.original(value)
        self._memo.clear()
        self._originals.clear()
        self._keep.clear()
        self._globals.clear()
