"""Stage 7, compile: turn the generated tree into a live function.

The adjoint is rendered to source, compiled in memory (no file is written)
and registered with ``linecache`` under a name like
``<srcdiff: grad of f at file.py:12>``, so tracebacks and
``inspect.getsource`` show the generated lines.  The function's globals are
the user's module globals (read live, as the original function reads them);
the names rules bring in (``unbroadcast``, ``np``, ...) reach it as closure
cells, so nothing is added to the user's module, and the user's closure
variables are read through the user's own cells (a ``nonlocal`` rebinding is
seen).

Invariant: the returned function's ``source`` attribute is exactly the code it runs.
"""

import itertools
import linecache
import types

from srcdiff.static.render import render

_serial = itertools.count(1)


def compile_function(fn_tree, namespace, source, label):
    """Compile ``fn_tree`` (a gast FunctionDef) with ``namespace`` names in scope."""
    text = render(fn_tree)
    params = sorted(namespace)
    # The factory ``make`` receives the rules' names and returns the adjoint,
    # which reaches them as closure cells.
    factory = (
        f"def make({', '.join(params)}):\n"
        + "".join("    " + line if line.strip() else line for line in text.splitlines(True))
        + f"    return {fn_tree.name}\n"
    )
    # A method's private names (``self.__x``) are mangled by its class, as in the original.
    owner = _owner_class(source.fn)
    if owner:
        factory = f"class {owner}:\n" + "".join("    " + line for line in factory.splitlines(True))
    where = f"{source.filename}:{source.tree.lineno}"
    filename = f"<srcdiff: {label} of {source.tree.name} at {where} #{next(_serial)}>"
    code = compile(factory, filename, "exec")
    # The text registered for the file is the unindented adjoint, placed so that
    # its line numbers are the ones the compiled code carries.
    shown = "\n" * (2 if owner else 1) + text
    linecache.cache[filename] = (len(shown), None, shown.splitlines(True), filename)
    scope = {}
    exec(code, source.globals, scope)
    make = vars(scope[owner])["make"] if owner else scope["make"]
    fn = _with_live_cells(make(**{p: namespace[p] for p in params}), source)
    fn.__qualname__ = fn.__qualname__.replace("make.<locals>.", "")
    fn.source = text
    return fn


def _owner_class(fn):
    """The name of the class ``fn`` was defined in, or None."""
    parts = getattr(fn, "__qualname__", "").split(".")
    return parts[-2] if len(parts) > 1 and parts[-2] != "<locals>" else None


def _with_live_cells(fn, source):
    """``fn`` reading the user's closure variables through the user's own cells.

    A variable rebound with ``nonlocal`` after compilation is then seen by the
    next call, as the original function sees it.
    """
    if not fn.__closure__ or not source.cells:
        return fn
    cells = tuple(
        source.cells[var]
        if var in source.cells and source.closure.get(var, cell) is cell.cell_contents
        else cell
        for var, cell in zip(fn.__code__.co_freevars, fn.__closure__)
    )
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, cells)
