"""Which gradients may still carry broadcast dimensions.

Every binary rule undoes broadcasting with ``unbroadcast``, which reads the
operand (for its shape) in the backward pass; inside a loop, that read alone
would force the forward pass to save the operand every iteration.  For most
parts of an expression it is not needed: a cotangent with extra broadcast
dimensions flows correctly through an elementwise rule (elementwise rules are
linear in ``g``), and is summed down where it meets a value whose shape is
known.  The same holds for a value stored into a slice (``z[:] = 2.0 * y``):
its cotangent is the slice's, with the dimensions the store broadcast it to.
Such a *lazy* cotangent must never be added to another one (the sum
would count the smaller one several times), so only a name with a single
use, defined only by elementwise operations, qualifies: the parts ``z_1`` of
``z = x * y + b``.  Parameters, loop-carried values and anything indexed,
assigned into or appended to keep exact gradients.

Invariant: a lazy name's gradient is assigned from exactly one contribution,
and summing it down to the name's shape gives the exact gradient.
"""

from collections import Counter

import gast

from srcdiff.rules import is_elementwise
from srcdiff.static.activity import resolve
from srcdiff.static.nodes import walk

_ELEMENTWISE_OPERATORS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


def lazy_names(tree, source, active):
    """Active names whose gradient may keep broadcast dimensions (see module docstring)."""
    params = {a.id for a in walk(tree.args) if isinstance(a, gast.Name)}
    uses, definitions, barred = Counter(), {}, set()
    for node in walk(tree):
        if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name):
            barred.add(node.value.id)  # gradients of indexed arrays are scattered in place
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
            if isinstance(node.func.value, gast.Name):
                barred.add(node.func.value.id)  # list.append and array methods
        if isinstance(node, gast.Assign):
            target = node.targets[0]
            if isinstance(target, gast.Name):
                definitions.setdefault(target.id, []).append(node.value)
            else:
                barred.update(n.id for n in walk(target) if isinstance(n, gast.Name))
            uses.update(_operands(node.value))
        elif isinstance(node, gast.Return):
            barred.update(_operands(node.value))  # the output's cotangent is the seed: exact
        elif isinstance(node, (gast.For, gast.AugAssign)):
            barred.update(n.id for n in walk(node.target) if isinstance(n, gast.Name))
    return {
        var
        for var, values in definitions.items()
        if var in active
        and var not in params
        and var not in barred
        and uses[var] == 1
        and len(values) == 1
        and _is_elementwise(values[0], source)
    }


def _operands(value):
    """Names whose gradient ``value``'s adjoint contributes to, with multiplicity."""
    if isinstance(value, gast.Name):
        return [value.id]
    if isinstance(value, gast.BinOp):
        return _operands(value.left) + _operands(value.right)
    if isinstance(value, gast.UnaryOp):
        return _operands(value.operand)
    if isinstance(value, (gast.Tuple, gast.List)):
        return [n for elt in value.elts for n in _operands(elt)]
    if isinstance(value, gast.Dict):
        return [n for elt in value.values for n in _operands(elt)]
    if isinstance(value, gast.Call):
        names = [n for arg in value.args for n in _operands(arg)]
        names += [n for k in value.keywords for n in _operands(k.value)]
        if isinstance(value.func, gast.Attribute):
            names += _operands(value.func.value)
        return names
    if isinstance(value, (gast.Attribute, gast.Subscript)):
        return _operands(value.value)
    return []


def _is_elementwise(value, source):
    if isinstance(value, gast.BinOp):
        return isinstance(value.op, _ELEMENTWISE_OPERATORS)
    if isinstance(value, gast.UnaryOp):
        return isinstance(value.op, (gast.USub, gast.UAdd))
    if isinstance(value, gast.Call) and not value.keywords:
        fn = resolve(value.func, source)
        return fn is not None and is_elementwise(fn)
    return False
