"""Render a generated tree as Python source with astunparse.

astunparse is the renderer, with two faults fixed for the nodes srcdiff emits:
on Python >= 3.9 it writes ``x[1:3, ::2]`` as ``x[(1:3, ::2)]`` (a
SyntaxError), and it wraps every operation in parentheses.  ``Renderer``
prints parentheses only where precedence needs them, so the output re-parses
to the same tree, and prints :class:`Comment` statements as ``# ...`` lines.
A gast tree becomes an ast tree by ``static/nodes.py``'s :func:`to_ast`.

Invariant: ``ast.parse(render(tree))`` equals ``tree`` with comments removed.
"""

import ast
import io

import astunparse
import gast

from srcdiff.static.nodes import to_ast


class Comment(str):
    """Text of a ``# ...`` line; wrap it with :func:`comment` to make a statement."""


def comment(text, lineno=None):
    """A statement that renders as ``# text``.

    With ``lineno`` (the user's line it heads), the generated lines under it
    are traced back to that line (see ``Renderer.origins``).
    """
    node = gast.Expr(value=gast.Constant(value=Comment(text), kind=None))
    if lineno is not None:
        node.lineno = lineno
    return node


def is_comment(node):
    """True for a statement made by :func:`comment`."""
    return (
        isinstance(node, (gast.Expr, ast.Expr))
        and isinstance(node.value, (gast.Constant, ast.Constant))
        and isinstance(node.value.value, Comment)
    )


# Python's operator precedence, loosest first.
_LAMBDA, _IFEXP, _OR, _AND, _NOT, _COMPARE = 1, 2, 3, 4, 5, 6
_BITOR, _BITXOR, _BITAND, _SHIFT, _ARITH, _TERM, _UNARY, _POWER, _ATOM = range(7, 16)

_BINOP_PRECEDENCE = {
    "BitOr": _BITOR,
    "BitXor": _BITXOR,
    "BitAnd": _BITAND,
    "LShift": _SHIFT,
    "RShift": _SHIFT,
    "Add": _ARITH,
    "Sub": _ARITH,
    "Mult": _TERM,
    "MatMult": _TERM,
    "Div": _TERM,
    "FloorDiv": _TERM,
    "Mod": _TERM,
    "Pow": _POWER,
}


def _precedence(node):
    """How tightly ``node`` binds, as a number from the table above."""
    if isinstance(node, ast.BinOp):
        return _BINOP_PRECEDENCE[type(node.op).__name__]
    if isinstance(node, ast.UnaryOp):
        return _NOT if isinstance(node.op, ast.Not) else _UNARY
    if isinstance(node, ast.BoolOp):
        return _AND if isinstance(node.op, ast.And) else _OR
    if isinstance(node, ast.Compare):
        return _COMPARE
    if isinstance(node, ast.IfExp):
        return _IFEXP
    if isinstance(node, ast.Lambda):
        return _LAMBDA
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, complex)):
        if not isinstance(node.value, bool) and str(node.value).startswith("-"):
            return _UNARY
    return _ATOM


class Renderer(astunparse.Unparser):
    """astunparse's Unparser with minimal parentheses and valid subscripts.

    ``origins`` maps each output line (counting the leading blank line
    ``render`` strips) to ``(user line, kind)``: ``"runs"`` for a statement
    that carries the user's line number (the forward pass), ``"differentiates"``
    for the statements under a ``# grad of line N`` comment.
    """

    def __init__(self, tree, file):
        self.newlines = 0
        self.origins = {}
        self.origin = None
        super().__init__(tree, file=file)

    def write(self, text):
        self.newlines += text.count("\n")
        super().write(text)

    def fill(self, text=""):
        self.write("\n" + "    " * self._indent + text)
        if self.origin is not None:
            self.origins[self.newlines] = self.origin

    def dispatch(self, tree):
        if isinstance(tree, ast.stmt) and getattr(tree, "lineno", None) is not None:
            self.origin = (tree.lineno, "differentiates" if is_comment(tree) else "runs")
        super().dispatch(tree)

    def _child(self, node, minimum):
        """Write ``node``, in parentheses if it binds looser than ``minimum``."""
        wrap = _precedence(node) < minimum
        if wrap:
            self.write("(")
        self.dispatch(node)
        if wrap:
            self.write(")")

    def _Expr(self, tree):
        if is_comment(tree):
            self.fill("# " + tree.value.value)
        else:
            super()._Expr(tree)

    def _Assign(self, t):
        self.fill()
        for target in t.targets:
            self._bare_tuple(target)
            self.write(" = ")
        self._bare_tuple(t.value)

    def _Return(self, t):
        self.fill("return")
        if t.value is not None:
            self.write(" ")
            self._bare_tuple(t.value)

    def _For(self, t):
        self.fill("for ")
        self._bare_tuple(t.target)
        self.write(" in ")
        self.dispatch(t.iter)
        self.enter()
        self.dispatch(t.body)
        self.leave()
        if t.orelse:
            self.fill("else")
            self.enter()
            self.dispatch(t.orelse)
            self.leave()

    def _bare_tuple(self, node):
        """A non-empty tuple without parentheses, as in ``a, b = b, a``."""
        if isinstance(node, ast.Tuple) and node.elts:
            for i, elt in enumerate(node.elts):
                if i:
                    self.write(", ")
                self._child(elt, _IFEXP if not isinstance(elt, ast.Starred) else _ATOM)
            if len(node.elts) == 1:
                self.write(",")
        else:
            self.dispatch(node)

    def _UnaryOp(self, t):
        self.write(self.unop[type(t.op).__name__])
        if isinstance(t.op, ast.Not):
            self.write(" ")
            self._child(t.operand, _NOT)
        else:
            self._child(t.operand, _UNARY)

    def _BinOp(self, t):
        precedence = _BINOP_PRECEDENCE[type(t.op).__name__]
        if isinstance(t.op, ast.Pow):  # right-associative; binds tighter than unary on its left
            self._child(t.left, _POWER + 1)
            self.write(" ** ")
            self._child(t.right, _UNARY)
            return
        self._child(t.left, precedence)
        self.write(" " + self.binop[type(t.op).__name__] + " ")
        self._child(t.right, precedence + 1)

    def _Compare(self, t):
        self._child(t.left, _COMPARE + 1)
        for op, right in zip(t.ops, t.comparators):
            self.write(" " + self.cmpops[type(op).__name__] + " ")
            self._child(right, _COMPARE + 1)

    def _BoolOp(self, t):
        precedence = _precedence(t)
        for i, value in enumerate(t.values):
            if i:
                self.write(f" {self.boolops[type(t.op)]} ")
            self._child(value, precedence + 1)

    def _IfExp(self, t):
        self._child(t.body, _OR)
        self.write(" if ")
        self._child(t.test, _OR)
        self.write(" else ")
        self._child(t.orelse, _IFEXP)

    def _Attribute(self, t):
        if isinstance(t.value, ast.Constant) and type(t.value.value) is int:
            self.write("(")
            self.dispatch(t.value)
            self.write(")")
        else:
            self._child(t.value, _ATOM)
        self.write("." + t.attr)

    def _Call(self, t):
        self._child(t.func, _ATOM)
        self.write("(")
        for i, arg in enumerate([*t.args, *t.keywords]):
            if i:
                self.write(", ")
            if isinstance(arg, ast.keyword):
                self.dispatch(arg)
            else:
                self._child(arg, _IFEXP)
        self.write(")")

    def _keyword(self, t):
        if t.arg is None:
            self.write("**")
        else:
            self.write(t.arg + "=")
        self._child(t.value, _IFEXP)

    def _Subscript(self, t):
        self._child(t.value, _ATOM)
        self.write("[")
        if isinstance(t.slice, ast.Tuple) and t.slice.elts:
            self._bare_tuple(t.slice)
        else:
            self.dispatch(t.slice)
        self.write("]")

    def _Slice(self, t):
        for i, part in enumerate((t.lower, t.upper, t.step)):
            if i:
                if i == 2 and part is None:
                    break
                self.write(":")
            if part is not None:
                self._child(part, _IFEXP)

    def _Lambda(self, t):
        self.write("lambda")
        if t.args.args or t.args.vararg or t.args.kwonlyargs or t.args.kwarg:
            self.write(" ")
        self.dispatch(t.args)
        self.write(": ")
        self._child(t.body, _LAMBDA)


def render(tree, origins=None):
    """Python source for a gast or ast tree (a module, statement or expression).

    ``origins``, a dict, receives ``{line of the output: (user line, kind)}``
    (see ``Renderer``).
    """
    if isinstance(tree, gast.AST):
        tree = to_ast(tree)
    out = io.StringIO()
    renderer = Renderer(tree, file=out)
    text = out.getvalue()
    if origins is not None:
        stripped = len(text) - len(text.lstrip("\n"))
        origins.update({n - stripped + 1: o for n, o in renderer.origins.items()})
    return text.strip("\n") + "\n"
