"""Stage 1, source: read a function's source and parse it with gast.

Invariant: the returned ``gast.FunctionDef`` has no decorators, its line
numbers are line numbers of the user's file, and the ``Source`` that comes
with it can quote any of those lines and resolve the names the function reads.
"""

import ast
import builtins
import inspect
import linecache
import textwrap
import threading
from dataclasses import dataclass, field

import gast

from srcdiff.errors import DifferentiationError, UnsupportedSyntax, located

# CPython 3.11's ``ast.parse`` keeps its recursion count in state shared by all
# threads, so two parses at once can fail with "SystemError: AST constructor
# recursion depth mismatch" (python/cpython#106905): parse one at a time.
_PARSE_LOCK = threading.Lock()


def python_tree(text):
    """``ast.parse(text)``, one thread at a time."""
    with _PARSE_LOCK:
        return ast.parse(text)


def parse_text(text):
    """``gast.parse(text)``, parsing one thread at a time."""
    return gast.ast_to_gast(python_tree(text))


@dataclass
class Source:
    """Where a function came from: its file, its lines and its namespaces."""

    fn: object
    filename: str
    tree: gast.FunctionDef
    globals: dict
    closure: dict = field(default_factory=dict)

    def line(self, lineno):
        """The user's source line ``lineno``, stripped."""
        return linecache.getline(self.filename, lineno).strip()

    def error(self, node, message, kind=UnsupportedSyntax):
        """An exception whose message starts with ``FILE:LINE:`` of ``node``."""
        return kind(located(self.filename, getattr(node, "lineno", 0), message))

    def resolve(self, name):
        """The object ``name`` refers to in the function's closure, globals or builtins."""
        for scope in (self.closure, self.globals, vars(builtins)):
            if name in scope:
                return scope[name]
        raise KeyError(name)


def parse_function(fn):
    """Parse ``fn`` into a :class:`Source`; raise ``DifferentiationError`` if impossible."""
    name = getattr(fn, "__name__", repr(fn))
    code = getattr(fn, "__code__", None)
    if code is None:
        raise DifferentiationError(
            f"cannot differentiate {name!r}: it is not a Python function with source code; "
            'register a rule with srcdiff.register_vjp or use mode="trace"'
        )
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError) as e:
        raise DifferentiationError(
            f"cannot read the source of {name!r} ({e}); define it in a file, "
            'register a rule with srcdiff.register_vjp, or use mode="trace"'
        ) from None
    filename = code.co_filename
    source = textwrap.dedent("".join(lines))
    if name == "<lambda>":
        tree = _lambda_tree(fn, source, filename, first)
    else:
        module = parse_text(source)
        tree = module.body[0]
        if not isinstance(tree, gast.FunctionDef):
            raise DifferentiationError(f"{filename}:{first}: {name!r} is not a plain function")
        ast.increment_lineno(tree, first - 1)
        tree.decorator_list = []
    closure = {}
    if fn.__closure__:
        for var, cell in zip(code.co_freevars, fn.__closure__):
            try:
                closure[var] = cell.cell_contents
            except ValueError:  # an empty cell: the variable is not bound yet
                pass
    return Source(fn=fn, filename=filename, tree=tree, globals=fn.__globals__, closure=closure)


def _lambda_tree(fn, source, filename, first):
    """Find the lambda on its line(s) and turn it into ``def <lambda>(...): return ...``."""
    code = fn.__code__
    try:
        module = parse_text(source)
    except SyntaxError:
        # A lambda inside a larger expression: parse its first line as an expression.
        try:
            module = parse_text("(" + source.strip().rstrip(",\\") + ")")
        except SyntaxError:
            raise UnsupportedSyntax(
                located(filename, first, "cannot isolate this lambda's source; use a def")
            ) from None
    lambdas = [
        node
        for node in gast.walk(module)
        if isinstance(node, gast.Lambda)
        and [a.id for a in node.args.args] == list(code.co_varnames[: code.co_argcount])
    ]
    if len(lambdas) != 1:
        raise UnsupportedSyntax(
            located(
                filename,
                first,
                "cannot tell which lambda on this line to differentiate; use a def",
            )
        )
    node = lambdas[0]
    tree = gast.FunctionDef(
        name="<lambda>",
        args=node.args,
        body=[gast.Return(value=node.body)],
        decorator_list=[],
        returns=None,
        type_comment=None,
        type_params=[],
    )
    gast.copy_location(tree, node)
    gast.copy_location(tree.body[0], node.body)
    ast.increment_lineno(tree, first - 1)
    return tree
