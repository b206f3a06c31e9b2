"""Stage 7, compile: turn the generated tree into a live function.

The adjoint is rendered to source, compiled in memory (no file is written)
and registered with ``linecache`` under a name like
``<srcdiff: grad of f at file.py:12>``, so tracebacks and
``inspect.getsource`` show the generated lines.  The function's globals are
the user's module globals (read live, as the original function reads them);
the names rules bring in (``unbroadcast``, ``np``, ...) and the user's closure
variables reach it as closure cells, so nothing is added to the user's module.

Invariant: the returned function's ``source`` attribute is exactly the code it runs.
"""

import itertools
import linecache

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
    where = f"{source.filename}:{source.tree.lineno}"
    filename = f"<srcdiff: {label} of {source.tree.name} at {where} #{next(_serial)}>"
    code = compile(factory, filename, "exec")
    # The text registered for the file is the unindented adjoint, placed so that
    # its line numbers are the ones the compiled code carries.
    shown = "\n" + text
    linecache.cache[filename] = (len(shown), None, shown.splitlines(True), filename)
    scope = {}
    exec(code, source.globals, scope)
    fn = scope["make"](**{p: namespace[p] for p in params})
    fn.source = text
    return fn
