"""Uniform cotangents: the gradient of a full reduction, kept as one number.

The cotangent of ``np.sum(x)`` or ``np.mean(x)`` (no ``axis``) is one value
repeated over ``x``'s shape.  The backward pass keeps that value as a scalar,
with the name of a value of that shape beside it (its *reference*), for as
long as that is provably right:

- through an elementwise adjoint whose cotangent stays a scalar expression
  (``g * 3``, ``-g``, ``g / c`` with ``c`` a proven scalar) into an operand of
  the reference's shape (``shapes.ShapeFacts.same_shape``);
- into an operand that is a proven scalar, the value times the number of
  elements it stood for: for ``z = y + c``, ``dc = dz * reduced_size(y)``;
- where the adjoint reads an array of the reference's shape (``g * w``), the
  result is an exact array of that shape and is no longer uniform.

Anything else that reads a uniform cotangent (``unbroadcast`` into a smaller
operand, a reduction, indexing, a rule called rather than inlined, a loop, a
branch, the returned gradient, a sum with an exact gradient) reads it spread
to the full shape first: ``dz = unreduce(dz, x)``, today's array.  Uniform
cotangents exist only at the function's top level, where every name that is
read keeps the one value it was given.

Invariant: a name ``dv`` recorded uniform over ``ref`` holds a scalar ``s``
such that the exact gradient of ``v`` is ``s`` broadcast to ``ref``'s shape,
and ``v`` and ``ref`` surely have one shape.
"""

from collections import Counter

import gast
import numpy as np

from srcdiff.rules import is_elementwise
from srcdiff.static.names import assign, name, runtime_name
from srcdiff.static.nodes import walk
from srcdiff.static.optimize import _constant, _number, simplify

# Full reductions whose adjoint spreads one value over the operand.
REDUCTIONS = (np.sum, np.mean, np.ndarray.sum, np.ndarray.mean)
_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div)


def spread(value, ref):
    """``unreduce(value, ref)``: the uniform value as an array of ``ref``'s shape."""
    return gast.Call(func=runtime_name("unreduce"), args=[value, name(ref)], keywords=[])


def spread_statement(dvar, ref):
    """``dv = unreduce(dv, ref)``: a uniform gradient becomes the array it stands for."""
    return assign(dvar, spread(name(dvar), ref))


def counted(value, ref):
    """``value * reduced_size(ref)``: a uniform value summed over ``ref``'s elements."""
    size = gast.Call(func=runtime_name("reduced_size"), args=[name(ref)], keywords=[])
    return gast.BinOp(left=value, op=gast.Mult(), right=size)


def classify(expr, g, full, scalar, callee):
    """How ``expr`` (an elementwise adjoint, its cotangent ``g`` a uniform scalar) behaves.

    ``"scalar"``: a number; the cotangent it stands for is that number spread.
    ``"full"``: reads a name of the full shape (``full(id)``) through elementwise
    operations only, so its value is the exact cotangent.  None: neither.
    ``scalar(id)`` says a name is a proven scalar, ``callee(call)`` gives the
    function a call reaches.
    """
    kinds = set()

    def visit(node):
        if isinstance(node, gast.Name):
            if node.id != g and not scalar(node.id):
                kinds.add("full" if full(node.id) else "other")
        elif isinstance(node, gast.Call):
            fn = callee(node)
            if node.keywords or not (isinstance(fn, np.ufunc) or _elementwise(fn)):
                kinds.add("other")
            for arg in node.args:
                visit(arg)
        elif isinstance(node, gast.BinOp) and not isinstance(node.op, gast.MatMult):
            visit(node.left)
            visit(node.right)
        elif isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            visit(node.operand)
        elif _number(node) is None:
            kinds.add("other")

    visit(expr)
    if "other" in kinds:
        return None
    return "full" if kinds else "scalar"


def _elementwise(fn):
    try:
        return fn is not None and is_elementwise(fn)
    except TypeError:
        return False


def fold_scalar_factors(expr, scalar):
    """Multiply numbers and scalars (``scalar(id)``) first: ``2 * (dz * 3 * y)`` -> ``6 * dz * y``.

    Only a product that has an array factor changes; its array factors keep
    their order, so only how many array passes it makes does.
    """
    for field in expr._fields:
        child = getattr(expr, field)
        if isinstance(child, gast.expr):
            setattr(expr, field, fold_scalar_factors(child, scalar))
        elif isinstance(child, list):
            setattr(
                expr,
                field,
                [fold_scalar_factors(c, scalar) if isinstance(c, gast.expr) else c for c in child],
            )
    if not (isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Mult)):
        return expr
    factors = _factors(expr)
    coefficient, scalars, arrays = 1, [], []
    for factor in factors:
        number = _number(factor)
        if number is not None:
            coefficient *= number
        elif _is_scalar_expr(factor, scalar):
            scalars.append(factor)
        else:
            arrays.append(factor)
    if not arrays or (coefficient == 1 and not scalars) or len(factors) - len(arrays) < 2:
        return expr
    if coefficient == -1 and scalars:
        head = gast.UnaryOp(op=gast.USub(), operand=scalars[0])
        prefix = [head, *scalars[1:]]
    else:
        prefix = ([_constant(coefficient)] if coefficient != 1 else []) + scalars
    out = prefix[0]
    for factor in prefix[1:] + arrays:
        out = gast.BinOp(left=out, op=gast.Mult(), right=factor)
    return out


def _factors(expr):
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Mult):
        return _factors(expr.left) + _factors(expr.right)
    return [expr]


def _is_scalar_expr(expr, scalar):
    """Numbers and scalar names combined by arithmetic."""
    if isinstance(expr, gast.Name):
        return scalar(expr.id)
    if _number(expr) is not None:
        return True
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, _ARITHMETIC):
        return _is_scalar_expr(expr.left, scalar) and _is_scalar_expr(expr.right, scalar)
    if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.USub):
        return _is_scalar_expr(expr.operand, scalar)
    return False


def fold_scalar_gradients(fn, uniform):
    """Inline scaled copies of uniform gradients and multiply scalars first.

    ``uniform`` names gradients assigned a uniform scalar; those assigned once
    hold a scalar at every read.  ``dz_1 = dz * 3`` read once goes into its
    reader, and in each top-level statement that reads one of them the scalar
    factors of a product are multiplied before any array: ``dy = 6 * dz * y``
    makes one pass.  The user's own statements never read a gradient, so they
    keep their order of operations.
    """
    stores = Counter(
        n.id for n in walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    )
    reads = Counter(
        n.id for n in walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
    )
    scalars = {v for v in uniform if stores[v] == 1}
    replace, body = {}, []
    for stmt in fn.body:
        if replace:
            stmt = simplify(stmt, replace)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = stmt.targets[0].id
            if any(isinstance(n, gast.Name) and n.id in scalars for n in walk(stmt.value)):
                stmt.value = fold_scalar_factors(stmt.value, scalars.__contains__)
            if target in scalars and reads[target] == 1 and _is_scaled_copy(stmt.value, scalars):
                replace[target] = stmt.value
                continue
        body.append(stmt)
    fn.body = body
    return fn


def _is_scaled_copy(value, scalars):
    """``dz * 3``, ``3 * dz``, ``dz / 2`` or ``-dz`` of a scalar gradient ``dz``."""
    if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
        return isinstance(value.operand, gast.Name) and value.operand.id in scalars
    if not (isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Mult, gast.Div))):
        return False
    left, right = value.left, value.right
    if isinstance(left, gast.Name) and left.id in scalars:
        return _number(right) is not None
    return (
        isinstance(value.op, gast.Mult)
        and isinstance(right, gast.Name)
        and right.id in scalars
        and _number(left) is not None
    )
