"""Export a static gradient as a standalone module that imports only NumPy.

``export(df, path)`` writes the generated code of ``df`` and of the helpers
it calls, followed by the source of every function, class and constant that
code reads: srcdiff's runtime helpers (``unbroadcast``, ``gradient_of``...),
your own functions and constants it calls or reads, and NumPy and standard
library imports.  What has no source to copy (an array held in a global, a
C extension other than NumPy, an object of your own class) is refused with a
``DifferentiationError`` naming it.

Invariant: the written module computes what ``df`` computes now, and imports
nothing but NumPy and the standard library.
"""

import ast
import builtins
import dis
import functools
import importlib
import inspect
import os
import pathlib
import sys
import textwrap
import types
from collections.abc import Callable

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.static.calls import HelperForward, call_vjp, pull

_CONSTANTS = (int, float, complex, str, bytes, bool, type(None))


def run_helper(split, wrt, *args, **kwargs):
    """A helper called by an exported gradient: runs its generated forward code once and
    returns the value with its pullback."""
    value, backward = split(*args, **kwargs)
    return value, functools.partial(pull, backward, args=args, kwargs=kwargs, wrt=wrt)


def export(df: Callable, path: str | os.PathLike | None = None) -> str:
    """Write ``df`` (from ``srcdiff.grad``, ``value_and_grad`` or ``vjp``) as a module at
    ``path``; returns the module's text."""
    adjoint = _adjoint(df)
    module = _Module()
    module.need(adjoint.__name__, adjoint)
    module.finish()
    text = module.text(adjoint)
    if path is not None:
        pathlib.Path(path).write_text(text)
    return text


def _adjoint(df):
    generic = getattr(df, "generic", None)  # not one specialised for Python numbers
    if generic is None or not isinstance(getattr(df, "source", None), str):
        raise DifferentiationError(
            f"cannot export {df!r}: export takes a static gradient, such as srcdiff.grad(f) "
            "(the tracing mode generates no code; a bound method: export the gradient of its function)"
        )
    return generic()


def _generated(fn):
    return isinstance(fn, types.FunctionType) and fn.__code__.co_filename.startswith("<srcdiff:")


def _global_names(code):
    """Names ``code`` (and the functions defined in it) reads as globals."""
    names = {i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL"}
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


class _Module:
    """The exported module's definitions, each written once under the name the code reads."""

    def __init__(self):
        self.imports = {}  # name -> import statement
        self.meaning = {}  # name -> object
        self.blocks = {"generated": [], "constant": [], "runtime": [], "alias": []}
        self.deferred = []  # (name, value, reader): read by methods, so defined after classes

    def finish(self):
        """Define what the classes' methods read, once every class statement has its place."""
        while self.deferred:
            self.need(*self.deferred.pop(0))

    def need(self, name, value, reader="the gradient"):
        if name in self.meaning:
            if self.meaning[name] is value or (
                type(value) in _CONSTANTS and self.meaning[name] == value
            ):
                return
            raise DifferentiationError(
                f"cannot export: the name {name!r} means two things ({self.meaning[name]!r} "
                f"and {value!r}); rename one of them"
            )
        if getattr(builtins, name, _MISSING) is value:
            return
        self.meaning[name] = value
        self.define(name, value, reader)

    def define(self, name, value, reader):
        if value is call_vjp:
            raise DifferentiationError(
                f"cannot export: {reader} calls a function known only when it runs (an "
                "argument, a lambda or a functools.partial), whose gradient srcdiff compiles "
                "then; call a function defined in a file by its name"
            )
        if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] == "srcdiff":
            self.embed(name, value, reader)
        elif isinstance(value, types.ModuleType):
            self.imports[name] = _import(name, value, reader)
        elif isinstance(value, HelperForward):
            split = (value.compiled or value.compile()).current()
            self.need(f"{name}_split", split, reader)
            self.imports.setdefault("functools", "import functools")
            self.need("run_helper", run_helper, reader)
            self.blocks["alias"].append(
                f"{name} = functools.partial(run_helper, {name}_split, {value.wrt!r})\n"
            )
        elif _generated(value):
            self.function(name, value, value.source, "generated")
        elif hasattr(value, "dispatch") and hasattr(value, "registry"):  # functools.singledispatch
            self.imports.setdefault("functools", "import functools")
            default = value.dispatch(object)
            self.function(
                name, default, "@functools.singledispatch\n" + _source(default, reader), "runtime"
            )
        elif isinstance(value, types.FunctionType) and value.__name__ != "<lambda>":
            self.function(name, value, _source(value, reader), "runtime")
        elif isinstance(value, type) and value.__module__.split(".")[0] == "srcdiff":
            self.klass(name, value, reader)
        else:
            text = f"{name} = {self.expression(value, name, reader)}\n"
            srcdiffs = type(value).__module__.split(".")[0] == "srcdiff"  # after its class
            self.blocks["alias" if srcdiffs else "constant"].append(text)

    def function(self, name, fn, text, kind):
        for var, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
            self.need(var, cell.cell_contents, fn.__name__)
        for var in sorted(_global_names(fn.__code__)):
            if var in fn.__globals__:
                self.need(var, fn.__globals__[var], fn.__name__)
        if name != fn.__name__:
            text = text.replace(f"def {fn.__name__}(", f"def {name}(", 1)
        self.blocks[kind].append(text)

    def embed(self, name, module, reader):
        """A module of srcdiff's runtime (``srcdiff.trees``), copied whole into the export.

        Only one that itself imports nothing but NumPy and the standard library.
        """
        text = inspect.getsource(module)
        for node in ast.parse(text).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    imported = node.module if isinstance(node, ast.ImportFrom) else alias.name
                    _import(alias.asname or alias.name, importlib.import_module(imported), reader)
        self.imports.setdefault("types", "import types")
        self.blocks["runtime"].append(
            f"{name} = types.ModuleType({module.__name__!r})  # srcdiff's own module, whole\n"
            f"exec(\n    {text!r},\n    {name}.__dict__,\n)\n"
        )

    def klass(self, name, cls, reader):
        text = _source(cls, reader)
        scope = sys.modules[cls.__module__].__dict__
        tree = ast.parse(text).body[0]
        # What the class statement itself runs (its bases, its body outside methods) is
        # defined before it; names its methods read are looked up when they run.
        now = [*tree.bases, *(s for s in tree.body if not isinstance(s, ast.FunctionDef))]
        first = {n.id for node in now for n in ast.walk(node) if isinstance(n, ast.Name)}
        for var in sorted(first - {name}):
            if var in scope:
                self.need(var, scope[var], cls.__name__)
        self.blocks["runtime"].append(text)
        loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        for var in sorted(loaded - first - {name}):
            if var in scope:
                self.deferred.append((var, scope[var], cls.__name__))

    def expression(self, value, name, reader):
        """Source text for a constant, a tuple of them, or a NumPy object."""
        if type(value) in _CONSTANTS:
            return repr(value)
        if type(value) in (tuple, frozenset, list):
            items = ", ".join(self.expression(v, name, reader) for v in value)
            if type(value) is tuple:
                return f"({items}{',' if len(value) == 1 else ''})"
            return f"frozenset({{{items}}})" if type(value) is frozenset else f"[{items}]"
        if getattr(builtins, getattr(value, "__name__", ""), _MISSING) is value:
            return value.__name__
        kind = type(value)
        if kind.__module__.split(".")[0] == "srcdiff" and not getattr(value, "__dict__", None):
            # a marker of srcdiff's runtime (``NO_GRADIENT``): one instance of its class
            self.need(kind.__name__, kind, reader)
            return f"{kind.__name__}()"
        attribute = getattr(value, "__name__", None)
        if attribute and getattr(np, attribute, _MISSING) is value:
            self.imports.setdefault("numpy", "import numpy")
            return f"numpy.{attribute}"
        raise DifferentiationError(
            f"cannot export {name!r}, which {reader} reads: it is {_kind(value)}, which has no "
            "source to copy; pass it as an argument instead, or compute it inside the function"
        )

    def text(self, adjoint):
        imports = sorted(
            set(self.imports.values()), key=lambda line: (line != "import numpy", line)
        )
        origin = adjoint.__code__.co_filename.removeprefix("<srcdiff: ").rpartition(" #")[0]
        header = (
            f'"""{adjoint.__name__}: the {origin}, generated by srcdiff.\n\n'
            "Exported with the runtime helpers it calls: needs only NumPy.  The comments\n"
            'name lines of that file.\n"""\n\n'
        )
        return (
            header
            + "\n".join(imports)
            + "\n\n\n"
            + "\n\n".join(block.rstrip("\n") + "\n" for block in self._ordered())
        )

    def _ordered(self):
        """The gradient first (the caller before its helpers), then what it reads."""
        blocks = self.blocks
        return [
            *blocks["generated"][::-1],
            *blocks["constant"],
            *blocks["runtime"],
            *blocks["alias"],
        ]


_MISSING = object()


def _import(name, module, reader):
    top = module.__name__.split(".")[0]
    if top != "numpy" and top not in sys.stdlib_module_names:
        raise DifferentiationError(
            f"cannot export: {reader} reads the module {module.__name__} (as {name!r}), and the "
            "exported module imports only NumPy and the standard library; register a rule "
            "written with NumPy, or call it outside the differentiated function"
        )
    if name == module.__name__:
        return f"import {name}"
    if "." in module.__name__ and name == module.__name__.rsplit(".", 1)[1]:
        parent, _, child = module.__name__.rpartition(".")
        return f"from {parent} import {child}"
    return f"import {module.__name__} as {name}"


def _source(value, reader):
    try:
        text = textwrap.dedent(inspect.getsource(value))
    except (OSError, TypeError):
        raise DifferentiationError(
            f"cannot export {value.__qualname__}, which {reader} calls: its source cannot be "
            "read; define it in a file"
        ) from None
    tree = ast.parse(text).body[0]
    if getattr(tree, "decorator_list", None):
        # srcdiff's own decorators register rules and return the function unchanged.
        if value.__module__.split(".")[0] != "srcdiff" or hasattr(value, "__wrapped__"):
            raise DifferentiationError(
                f"cannot export {value.__qualname__}, which {reader} calls: it is decorated, "
                "and the exported module could not rebuild what the decorator made"
            )
        lines = text.splitlines(True)
        text = "".join(lines[tree.decorator_list[-1].end_lineno :])
    return text


def _kind(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"
