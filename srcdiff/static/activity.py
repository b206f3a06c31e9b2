"""Stage 3, activity: which names carry a gradient.

A name is *varied* when its value depends on a ``wrt`` argument through
differentiable operations, and *useful* when the returned value depends on it.
Only names that are both (*active*) get adjoint code; integers, indices,
shapes, flags and constants get none.  The analysis is flow-insensitive (a
name is varied if any assignment to it is), which is safe: it can only add
adjoint code, never drop a needed gradient.

Invariant: ``active`` contains every name whose gradient can be non-zero.
"""

import gast

from srcdiff.rules import is_nondifferentiable
from srcdiff.static.higher import generated_function

# Attributes of arrays that carry no gradient.
NONDIFFERENTIABLE_ATTRIBUTES = frozenset(
    {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides", "flags"}
)
# Array methods whose result carries no gradient.
NONDIFFERENTIABLE_METHODS = frozenset(
    {
        "argmax",
        "argmin",
        "argsort",
        "argpartition",
        "searchsorted",
        "nonzero",
        "all",
        "any",
        "__len__",
        "keys",
    }
)
# Methods that mutate their receiver with their arguments.
MUTATING_METHODS = frozenset({"append", "extend", "insert"})


def resolve(node, source):
    """The object a callee expression names, when it can be known now; else None."""
    if hasattr(node, "runtime"):  # a name the compiler wrote for a runtime helper
        return node.runtime
    if isinstance(node, gast.Name):
        if node.id in source.locals:
            return None  # a local variable: its value is known only when the function runs
        try:
            return generated_function(source.resolve(node.id))
        except KeyError:
            return None
    if isinstance(node, gast.Attribute):
        owner = resolve(node.value, source)
        if owner is not None and not _is_local(node.value, source):
            return source.attribute(owner, node.attr)
    return None


def _is_local(node, source):
    return isinstance(node, gast.Name) and node.id in source.locals


def differentiable_names(node, source):
    """Names read by ``node`` where their value can flow into its value."""
    found = set()
    stack = [node]
    while stack:
        sub = stack.pop()
        if isinstance(sub, gast.Name):
            found.add(sub.id)
        elif isinstance(sub, (gast.Compare, gast.BoolOp)):
            continue
        elif isinstance(sub, gast.UnaryOp) and isinstance(sub.op, (gast.Not, gast.Invert)):
            continue
        elif isinstance(sub, gast.Attribute):
            if sub.attr not in NONDIFFERENTIABLE_ATTRIBUTES:
                stack.append(sub.value)
        elif isinstance(sub, gast.Subscript):
            stack.append(sub.value)  # an index carries no gradient
        elif isinstance(sub, gast.IfExp):
            stack += [sub.body, sub.orelse]
        elif isinstance(sub, gast.Call):
            if _call_is_nondifferentiable(sub, source):
                continue
            if isinstance(sub.func, gast.Attribute) and resolve(sub.func, source) is None:
                stack.append(sub.func.value)  # a method: its receiver flows in
            if isinstance(sub.func, gast.Name) and sub.func.id in source.locals:
                stack.append(sub.func)  # ``model(x)``: a callable argument or local flows in
            stack += sub.args
            stack += [k.value for k in sub.keywords]
        elif isinstance(sub, (gast.Lambda, gast.Constant)):
            continue
        else:
            stack.extend(gast.iter_child_nodes(sub))
    return found


def _flowing_children(sub, source):
    """The children of ``sub`` whose values flow into its value (as ``differentiable_names``)."""
    if isinstance(sub, (gast.Name, gast.Compare, gast.BoolOp, gast.Lambda, gast.Constant)):
        return []
    if isinstance(sub, gast.UnaryOp) and isinstance(sub.op, (gast.Not, gast.Invert)):
        return []
    if isinstance(sub, gast.Attribute):
        return [] if sub.attr in NONDIFFERENTIABLE_ATTRIBUTES else [sub.value]
    if isinstance(sub, gast.Subscript):
        return [sub.value]
    if isinstance(sub, gast.IfExp):
        return [sub.body, sub.orelse]
    if isinstance(sub, gast.Call):
        if _call_is_nondifferentiable(sub, source):
            return []
        receiver = []
        if isinstance(sub.func, gast.Attribute) and resolve(sub.func, source) is None:
            receiver = [sub.func.value]
        if isinstance(sub.func, gast.Name) and sub.func.id in source.locals:
            receiver = [sub.func]
        return receiver + list(sub.args) + [k.value for k in sub.keywords]
    return list(gast.iter_child_nodes(sub))


def mark_varied(node, source, varied, memo):
    """Record in ``memo`` (``id`` -> (node, bool)) whether each part of ``node`` is varied.

    The same answer as ``differentiable_names(part) & varied`` for every part, in one
    pass: asking part by part would walk a long chain ``a + b + ...`` once per term.
    """
    order, stack = [], [node]
    while stack:
        sub = stack.pop()
        seen = memo.get(id(sub))
        if seen is not None and seen[0] is sub:
            continue
        order.append(sub)
        stack.extend(gast.iter_child_nodes(sub))
    for sub in reversed(order):  # children before their parents
        if isinstance(sub, gast.Name):
            result = sub.id in varied
        else:
            result = any(memo[id(child)][1] for child in _flowing_children(sub, source))
        memo[id(sub)] = (sub, result)
    return memo[id(node)][1]


def _call_is_nondifferentiable(call, source):
    func = call.func
    if isinstance(func, gast.Attribute) and func.attr in NONDIFFERENTIABLE_METHODS:
        if resolve(func, source) is None:
            return True
    target = resolve(func, source)
    return target is not None and is_nondifferentiable(target)


def _statements(body):
    for stmt in body:
        yield stmt
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            yield from _statements(stmt.body)
            yield from _statements(stmt.orelse)


def _targets(target):
    """The names an assignment target binds or mutates."""
    if isinstance(target, gast.Name):
        return [target.id]
    if isinstance(target, gast.Subscript):
        return _targets(target.value)
    if isinstance(target, (gast.Tuple, gast.List)):
        return [n for elt in target.elts for n in _targets(elt)]
    return []


def _flows(stmt, source):
    """(written names, names whose values flow into them) for one statement."""
    if isinstance(stmt, gast.Assign):
        reads = differentiable_names(stmt.value, source)
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript):
            reads = reads | {target.value.id}  # the rest of the array flows on
        return _targets(target), reads
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        func = stmt.value.func
        if (
            isinstance(func, gast.Attribute)
            and isinstance(func.value, gast.Name)
            and func.attr in MUTATING_METHODS
        ):
            reads = set().union(*(differentiable_names(a, source) for a in stmt.value.args))
            return [func.value.id], reads | {func.value.id}
    if isinstance(stmt, gast.Return):
        return ["<return>"], differentiable_names(stmt.value, source)
    return [], set()


def varied_names(tree, wrt, source):
    """Names that depend on the ``wrt`` argument names."""
    varied = set(wrt)
    flows = [_flows(stmt, source) for stmt in _statements(tree.body)]
    changed = True
    while changed:
        changed = False
        for written, reads in flows:
            if reads & varied:
                for target in written:
                    if target not in varied:
                        varied.add(target)
                        changed = True
    return varied


def useful_names(tree, source):
    """Names the returned value depends on."""
    useful = {"<return>"}
    flows = [_flows(stmt, source) for stmt in _statements(tree.body)]
    changed = True
    while changed:
        changed = False
        for written, reads in reversed(flows):  # usefulness flows backwards: one pass
            if useful.intersection(written) and not reads <= useful:
                useful |= reads
                changed = True
    return useful


def active_names(tree, wrt, source):
    """Names that need an adjoint: varied and useful."""
    return varied_names(tree, wrt, source) & useful_names(tree, source)
