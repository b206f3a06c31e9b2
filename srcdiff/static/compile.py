"""Stage 7, compile: turn the generated tree into a live function.

The adjoint is rendered to source, compiled in memory (no file is written)
and registered with ``linecache`` under a name like
``<srcdiff: grad of f at file.py:12>``, so tracebacks and
``inspect.getsource`` show the generated lines, and ``origins`` records the
user line each generated line comes from, for the notes an error raised in
it carries.  The function's globals are
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

import gast

from srcdiff.static import origins
from srcdiff.static import render as rendering
from srcdiff.static.render import comment, is_comment, render

_serial = itertools.count(1)


def compile_function(fn_tree, namespace, source, label):
    """Compile ``fn_tree`` (a gast FunctionDef) with ``namespace`` names in scope."""
    fn_tree.body = _quote_lines(fn_tree.body, source)
    lines = {}  # line of ``text`` -> (user line, kind)
    text = render(fn_tree, lines)
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
    offset = 2 if owner else 1
    shown = "\n" * offset + text
    lines = {line + offset: origin for line, origin in lines.items()}
    origins.record(code, source.filename, source.tree.name, lines)
    linecache.cache[filename] = (len(shown), None, shown.splitlines(True), filename)
    scope = {}
    exec(code, source.globals, scope)
    make = vars(scope[owner])["make"] if owner else scope["make"]
    fn = _with_live_cells(make(**{p: namespace[p] for p in params}), source)
    fn.__qualname__ = fn.__qualname__.replace("make.<locals>.", "")
    fn.source = text
    return fn


def _quote_lines(body, source, top=True):
    """Head the forward statements made from one user line with ``# line N: text``.

    Only where they do not read as that line already: several statements (the
    parts of a long expression, a value saved before it is overwritten), or one
    written differently (a helper call that also returns its pullback).  A
    statement without a line of its own (a save) joins the line that follows it,
    except at the top of a function (the set-up of saves and flags).
    """
    out, group, pending = [], [], []
    line = None

    def close():
        if group and line is None:
            out.extend(group)
            group.clear()
        elif group:
            text = source.line(line)
            heading = f"line {line}: {text}"
            quoted = out and is_comment(out[-1]) and str(out[-1].value.value) == heading
            if not quoted and (len(group) > 1 or rendering.render(group[0]).strip() != text):
                out.append(comment(heading))
            out.extend(group)
            group.clear()

    for stmt in body:
        compound = isinstance(stmt, (gast.For, gast.While, gast.If, gast.FunctionDef))
        if compound:
            nested = isinstance(stmt, gast.FunctionDef)
            for field in ("body", "orelse"):
                setattr(stmt, field, _quote_lines(getattr(stmt, field, []), source, nested))
        own = getattr(stmt, "lineno", None)
        if compound or is_comment(stmt) or isinstance(stmt, (gast.Break, gast.Continue)):
            close()
            out.extend(pending)
            pending.clear()
            line = None
            out.append(stmt)
        elif own is None:
            # A loop's trip counter (``trips += 1``) heads its body on its own.
            alone = top or (isinstance(stmt, gast.AugAssign) and not pending)
            (out if line is None and alone else pending).append(stmt)
        else:
            if own != line:
                close()
                line = own
            group.extend(pending)
            pending.clear()
            group.append(stmt)
    group.extend(pending)
    close()
    return out


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
