"""Stage 1, source: read a function's source and parse it with gast.

Invariant: the returned ``gast.FunctionDef`` has no decorators, its line
numbers are line numbers of the user's file, it is the text the function's own
code object (``fn.__code__``, never what ``__wrapped__`` points to) was compiled
from, and the ``Source`` that comes with it can quote any of those lines and
resolve the names the function reads.  Every name resolved is recorded in
``Source.reads``, so that a compiled adjoint can check later that the names
still mean what they meant (see ``static/freshness.py``).
"""

import __future__

import ast
import builtins
import dis
import inspect
import linecache
import pathlib
import textwrap
import threading
import types
from dataclasses import dataclass, field

import gast

from srcdiff.errors import DifferentiationError, UnsupportedSyntax, located
from srcdiff.static.nodes import to_gast, walk

# Packages whose attributes do not change while a program runs.
_LIBRARIES = frozenset({"numpy", "math", "builtins", "srcdiff", "scipy", "operator", "functools"})

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
    return to_gast(python_tree(text))


@dataclass
class Source:
    """Where a function came from: its file, its lines and its namespaces."""

    fn: object
    filename: str
    tree: gast.FunctionDef
    globals: dict
    closure: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)  # closure variable -> its cell
    reads: dict = field(default_factory=dict)  # name -> (scope, object) it resolved to
    attributes: dict = field(default_factory=dict)  # (module or class, name) -> object

    def line(self, lineno):
        """The user's source line ``lineno``, stripped."""
        return linecache.getline(self.filename, lineno).strip()

    def error(self, node, message, kind=UnsupportedSyntax):
        """An exception whose message starts with ``FILE:LINE:`` of ``node``."""
        return kind(located(self.filename, getattr(node, "lineno", 0), message))

    def resolve(self, name):
        """The object ``name`` refers to in the function's closure, globals or builtins.

        Each name found is recorded in ``reads`` with the scope it came from.
        """
        for kind, scope in (("closure", self.closure), ("global", self.globals)):
            if name in scope:
                self.reads[name] = (kind, scope[name])
                return scope[name]
        if name in vars(builtins):
            self.reads[name] = ("builtin", vars(builtins)[name])
            return vars(builtins)[name]
        raise KeyError(name)

    def attribute(self, owner, name):
        """``owner.name`` (None if missing); recorded when ``owner`` is a user's module or class."""
        value = getattr(owner, name, None)
        if isinstance(owner, types.ModuleType):
            package = owner.__name__
        elif isinstance(owner, type):
            package = owner.__module__ or ""
        else:
            return value
        if value is not None and package.split(".")[0] not in _LIBRARIES:
            self.attributes[(owner, name)] = value
        return value


def parse_function(fn):
    """Parse ``fn`` into a :class:`Source`; raise ``DifferentiationError`` if impossible."""
    name = getattr(fn, "__name__", repr(fn))
    code = getattr(fn, "__code__", None)
    if code is None:
        raise DifferentiationError(
            f"cannot differentiate {name!r}: it is not a Python function with source code; "
            'register a rule with srcdiff.register_vjp or use mode="trace"'
        )
    where = pathlib.Path(code.co_filename).resolve().parents
    if _PACKAGE in where and _PACKAGE / "rules" not in where:  # rules are plain NumPy code
        raise DifferentiationError(
            f"cannot differentiate {name!r} in static mode: it is a function made by srcdiff "
            '(a gradient such as grad(f, mode="trace")), whose code is srcdiff\'s own; a '
            "static second derivative differentiates a static gradient (grad(grad(f))), "
            "or differentiate the original function"
        )
    try:
        # The code object's own lines: ``inspect.getsourcelines(fn)`` would follow
        # ``__wrapped__`` to the function a decorator wraps.
        lines, first = inspect.getsourcelines(code)
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
    check_text_matches_code(fn, source if name != "<lambda>" else tree, filename)
    closure, cells = {}, {}
    if fn.__closure__:
        for var, cell in zip(code.co_freevars, fn.__closure__):
            cells[var] = cell
            try:
                closure[var] = cell.cell_contents
            except ValueError:  # an empty cell: the variable is not bound yet
                pass
    return Source(
        fn=fn, filename=filename, tree=tree, globals=fn.__globals__, closure=closure, cells=cells
    )


def check_text_matches_code(fn, text, filename):
    """Refuse when the file's ``text`` of ``fn`` is not what ``fn.__code__`` was compiled from.

    The text (a def's source, or a lambda's tree) is compiled again, in a
    scope with the same free variables, imported modules and class (for
    private names), and the two code objects are compared: an edited file that
    was not imported again gives different code.
    """
    code = fn.__code__
    if filename.startswith("<srcdiff:"):
        return  # generated code: its text is registered with the code, never edited
    if isinstance(text, str):
        node = python_tree(text).body[0]
    else:
        lambda_tree = gast.gast_to_ast(text)
        node = ast.Expr(value=ast.Lambda(args=lambda_tree.args, body=lambda_tree.body[0].value))
    imports = [
        ast.Import(names=[ast.alias(name="sys", asname=name)])
        for name in code.co_names
        if isinstance(fn.__globals__.get(name), types.ModuleType)
    ]
    scope = [python_tree(f"{var} = None").body[0] for var in code.co_freevars if var != "__class__"]
    parts = fn.__qualname__.split(".")
    if len(parts) > 1 and parts[-2] != "<locals>":  # a method: names mangled by its class
        node = ast.ClassDef(name=parts[-2], bases=[], keywords=[], body=[node], decorator_list=[])
        if "type_params" in ast.ClassDef._fields:
            node.type_params = []
    bound = [getattr(node, "name", None)] + [parts[-1]]  # what the scope would define
    outside = [b for b in bound if b and b != "<lambda>" and b not in code.co_freevars]
    if outside:  # names the function reads from its module, not from the scope
        scope.insert(0, ast.Global(names=sorted(set(outside))))
    outer = python_tree("def srcdiff_scope():\n    pass").body[0]
    outer.body = [*scope, node]
    module = ast.fix_missing_locations(ast.Module(body=[*imports, outer], type_ignores=[]))
    try:
        compiled = compile(
            module, filename, "exec", flags=code.co_flags & _FUTURE, dont_inherit=True
        )
    except (SyntaxError, ValueError, TypeError):
        compiled = None
    if compiled is None or not any(_same_code(c, code) for c in _code_objects(compiled)):
        raise DifferentiationError(
            f"{filename}:{code.co_firstlineno}: the source of {fn.__qualname__!r} in {filename} "
            "is not the code that runs: the file was edited after it was imported; "
            "import it again (importlib.reload) and differentiate the new function"
        )


_PACKAGE = pathlib.Path(__file__).resolve().parents[1]  # srcdiff's own functions live here
_FUTURE = 0  # the code flags that are ``from __future__`` imports
for _feature in __future__.all_feature_names:
    _FUTURE |= getattr(__future__, _feature).compiler_flag


def _code_objects(code):
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield const
            yield from _code_objects(const)


_COMPARED = (
    "co_name",
    "co_names",
    "co_varnames",
    "co_freevars",
    "co_cellvars",
    "co_argcount",
    "co_posonlyargcount",
    "co_kwonlyargcount",
)


def _instructions(code):
    """The code's instructions as (operation, argument), free of compilation context.

    Jumps name the index of their target and argument prefixes are dropped; a
    method load reads as an attribute load (CPython picks one or the other
    depending on whether the owner was imported in the module, which a
    recompiled function cannot know, and the two differ in size).
    """
    instructions, index, waiting = [], {}, []
    for instruction in dis.get_instructions(code):
        waiting.append(instruction.offset)  # a jump to a prefix lands on what follows it
        if instruction.opname not in ("EXTENDED_ARG", "NOP", "CACHE"):
            index.update((offset, len(instructions)) for offset in waiting)
            instructions.append(instruction)
            waiting = []
    shown = []
    for instruction in instructions:
        operation = instruction.opname.replace("LOAD_METHOD", "LOAD_ATTR")
        argument = instruction.argval
        if instruction.opcode in dis.hasjrel or instruction.opcode in dis.hasjabs:
            argument = index.get(argument, argument)
        elif isinstance(argument, types.CodeType):
            argument = argument.co_name  # compared with the constants
        shown.append((operation, type(argument).__name__, repr(argument)))
    return shown


def _same_code(a, b):
    if any(getattr(a, f) != getattr(b, f) for f in _COMPARED):
        return False
    if a.co_code != b.co_code and _instructions(a) != _instructions(b):
        return False
    if len(a.co_consts) != len(b.co_consts):
        return False
    for x, y in zip(a.co_consts, b.co_consts):
        if isinstance(x, types.CodeType) and isinstance(y, types.CodeType):
            if not _same_code(x, y):
                return False
        elif type(x) is not type(y) or repr(x) != repr(y):
            return False
    return True


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
        for node in walk(module)
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
