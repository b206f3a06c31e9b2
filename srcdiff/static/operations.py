"""What an operation in normal form is: the function it applies and its operands.

``operation_of`` reads a statement's value (``a + b``, ``-a``, ``x.T``,
``np.sum(x, axis=0)``, ``x.sum()``) as ``(function, positional operands,
keyword operands)``: the function whose rules both back ends look up.  A call
of a name known only when the code runs gives ``_RUNTIME`` for its function.
"""

import operator

import gast
import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules import vjp_rule
from srcdiff.static.activity import resolve
from srcdiff.static.constructs import describe
from srcdiff.static.tree_adjoints import method_way_out

BINARY_OPERATORS = {
    gast.Add: operator.add,
    gast.Sub: operator.sub,
    gast.Mult: operator.mul,
    gast.Div: operator.truediv,
    gast.Pow: operator.pow,
    gast.MatMult: operator.matmul,
    gast.FloorDiv: operator.floordiv,
    gast.Mod: operator.mod,
}
UNARY_OPERATORS = {gast.USub: operator.neg, gast.UAdd: operator.pos}
ARRAY_ATTRIBUTES = {"T": np.transpose, "real": np.real, "imag": np.imag}
_RUNTIME = object()  # marks a callee known only at run time


def operation_of(value, stmt, source, builder=None):
    """(function, positional operands, keyword operands) of an operation.

    ``builder`` (an ``AdjointBuilder``) tailors the way out of a call it cannot resolve.
    """
    if isinstance(value, gast.BinOp):
        return BINARY_OPERATORS[type(value.op)], [value.left, value.right], {}
    if isinstance(value, gast.UnaryOp) and type(value.op) in UNARY_OPERATORS:
        return UNARY_OPERATORS[type(value.op)], [value.operand], {}
    if isinstance(value, gast.Attribute):
        if value.attr in ARRAY_ATTRIBUTES:
            return ARRAY_ATTRIBUTES[value.attr], [value.value], {}
        raise source.error(
            stmt,
            f"the attribute '.{value.attr}' of a value that carries a gradient has no rule; "
            'use a NumPy function, or mode="trace"',
            DifferentiationError,
        )
    if isinstance(value, gast.Call):
        kwargs = {k.arg: k.value for k in value.keywords}
        func = value.func
        fn = resolve(func, source)
        if fn is None and isinstance(func, gast.Attribute):
            method = getattr(np.ndarray, func.attr, None)
            if method is not None and vjp_rule(method) is not None:
                return method, [func.value, *value.args], kwargs
        if fn is None and isinstance(func, gast.Name):
            return _RUNTIME, [func, *value.args], kwargs  # known only when called
        if fn is None:
            way_out = (
                method_way_out(builder, func)
                if builder is not None
                else "register a rule with srcdiff.register_vjp"
            )
            raise source.error(
                stmt,
                f"cannot tell which function '{_text(func)}' calls; "
                f'{way_out}, or use mode="trace"',
                DifferentiationError,
            )
        return fn, list(value.args), kwargs
    raise source.error(stmt, f"no rule for {describe(value)}", DifferentiationError)


def _text(node):
    from srcdiff.static.render import render

    return render(node).strip()
