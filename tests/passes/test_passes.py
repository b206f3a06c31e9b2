"""Each pass of the static compiler, checked on the tree it returns.

End-to-end tests check gradients; these check the invariant each module's
docstring states, on small functions, so a regression points at its pass.
"""

import ast

import gast
import numpy as np

from srcdiff.static.activity import active_names, varied_names
from srcdiff.static.anf import is_atom, normalize
from srcdiff.static.broadcast import lazy_names
from srcdiff.static.desugar import desugar
from srcdiff.static.names import Namer, assigned_names, names_in
from srcdiff.static.optimize import (
    eliminate_dead_code,
    forward_copies,
    propagate_copies,
    simplify,
)
from srcdiff.static.parse import parse_function
from srcdiff.static.render import render
from srcdiff.static.saves import SavePlan
from srcdiff.static.shapes import reduced_parents, scalar_names, shape_twins
from srcdiff.static.statements import is_loop_exit


def source_of(fn):
    source = parse_function(fn)
    source.locals = assigned_names(source.tree)
    return source


def normalized(fn, wrt=("x",)):
    source = source_of(fn)
    tree = desugar(source)
    namer = Namer(names_in(tree))
    tree = normalize(tree, source, varied_names(tree, wrt, source), namer)
    return source, tree


def statements(tree):
    for node in gast.walk(tree):
        if isinstance(node, gast.stmt) and not isinstance(node, gast.FunctionDef):
            yield node


# ---- parse


def decorated(x):
    return x * 2.0


def test_parse_gives_file_line_numbers_and_no_decorators():
    source = parse_function(decorated)
    assert source.tree.decorator_list == []
    assert source.line(source.tree.body[0].lineno) == "return x * 2.0"


# ---- desugar


def early_exit(x, n):
    total = 0.0
    for i in range(n):
        if i > 2:
            break
        if x > 1.0:
            continue
        total = total + x
    return total


def test_desugar_leaves_break_only_as_the_loop_exit_and_no_continue():
    tree = desugar(source_of(early_exit))
    loop = next(n for n in gast.walk(tree) if isinstance(n, gast.For))
    assert is_loop_exit(loop.body[-1])
    breaks = [n for n in gast.walk(loop) if isinstance(n, gast.Break)]
    assert breaks == [loop.body[-1].body[0]]
    assert not any(isinstance(n, gast.Continue) for n in gast.walk(tree))


def augmented(x):
    y = x * 1.0
    y += x
    a, b = y, x
    return a * b


def test_desugar_rewrites_augmented_assignment_and_unpacking():
    tree = desugar(source_of(augmented))
    assert not any(isinstance(n, gast.AugAssign) for n in gast.walk(tree))
    targets = [s.targets[0] for s in tree.body if isinstance(s, gast.Assign)]
    assert all(isinstance(t, gast.Name) for t in targets)


# ---- activity


def integers_and_flags(x, n, flag):
    k = n + 1
    y = x * k
    if flag:
        y = y * 2.0
    unused = x * 3.0  # noqa: F841 (activity must leave it out)
    return y


def test_activity_leaves_out_integers_flags_and_unused_values():
    source, tree = normalized(integers_and_flags)
    active = active_names(tree, ["x"], source)
    assert "y" in active and "x" in active
    assert not {"k", "n", "flag", "unused"} & active


# ---- normal form


def nested(x, w):
    return np.sum(np.tanh(x @ w + 1.0) ** 2, axis=0)


def test_normal_form_has_one_operation_over_atoms_per_active_statement():
    _, tree = normalized(nested, ("x", "w"))
    assignments = [s for s in statements(tree) if isinstance(s, gast.Assign)]
    assert len(assignments) >= 5  # @, +, tanh, ** and sum: one statement each
    for stmt in assignments:
        value = stmt.value
        operands = {
            gast.BinOp: lambda v: [v.left, v.right],
            gast.UnaryOp: lambda v: [v.operand],
            gast.Call: lambda v: v.args,
        }.get(type(value), lambda v: [])(value)
        assert all(is_atom(o) for o in operands), render(stmt)


# ---- shapes and broadcasting


def shapes(x, y):
    s = np.sum(x)
    t = s * 2.0
    u = np.exp(x)
    v = u * 3.0
    m = np.max(v, axis=1, keepdims=True)
    return np.sum((v - m) * y) + t


def test_scalars_twins_and_keepdims_reductions():
    source, tree = normalized(shapes, ("x", "y"))
    scalars = scalar_names(tree, source)
    assert {"s", "t"} <= scalars and "x" not in scalars and "u" not in scalars
    twins = shape_twins(tree, scalars, source)
    assert twins["v"] == "x" and twins["u"] == "x"
    assert reduced_parents(tree, source)["m"] == "v"


def broadcast_parts(x, b):
    h = x * 2.0 + b
    return np.sum(h * h)


def test_only_single_use_elementwise_parts_may_keep_broadcast_dimensions():
    source, tree = normalized(broadcast_parts, ("x", "b"))
    lazy = lazy_names(tree, source, active_names(tree, ["x", "b"], source))
    assert "h_1" in lazy  # x * 2.0, used once
    assert "h" not in lazy and "x" not in lazy and "b" not in lazy


# ---- saves


def loop_with_invariant(k, x):
    for _ in range(10):
        a = -k
        x = x + a * x
    return x


def test_a_loop_invariant_value_is_not_saved_but_an_overwritten_one_is():
    source, tree = normalized(loop_with_invariant, ("k",))
    plan = SavePlan(tree, Namer(names_in(tree)))
    plan.plan(tree.body[:-1], {"k", "x"}, {"k", "x"}, 0)
    loop = next(s for s in tree.body if isinstance(s, gast.For))
    saved = {s.var for stmt in loop.body for s in plan.saves.get(id(stmt), [])}
    assert "x" in saved and "a" not in saved


# ---- optimize


def test_simplify_folds_constants_but_never_aliases_a_name():
    expr = gast.parse("g * 2 * x ** (2 - 1) + 1 * y", mode="eval").body
    assert ast.unparse(ast.parse(render(simplify(expr)))) == "g * 2 * x + 1 * y"


def test_copy_propagation_and_dead_code_elimination():
    fn = gast.parse(
        "def f(x):\n    dz = 1.0\n    dy = dz\n    unused = x * 2\n    return dy * x\n"
    ).body[0]
    propagate_copies(fn)
    eliminate_dead_code(fn, pure=lambda call: True)
    assert render(fn).strip() == "def f(x):\n    return 1.0 * x"


def test_copies_in_force_together_each_end_where_their_original_changes():
    fn = gast.parse(
        "def f(x, y, n):\n"
        "    a = x\n"
        "    b = a\n"
        "    c = y\n"
        "    x = b * c\n"
        "    z = a + b + c\n"
        "    if n:\n"
        "        z = z + c\n"
        "    return z + c + b\n"
    ).body[0]
    forward_copies(fn)
    assert render(fn).strip() == (
        "def f(x, y, n):\n"
        "    a = x\n"
        "    b = x\n"  # a copy of a copy reads the first original
        "    c = y\n"
        "    x = x * y\n"  # x changes here: a and b are read as themselves after it
        "    z = a + b + y\n"
        "    if n:\n"  # a compound statement ends every copy in force
        "        z = z + c\n"
        "    return z + c + b"
    )


def test_copies_inside_a_loop_are_read_through_their_original_until_it_changes():
    fn = gast.parse(
        "def f(x, n):\n"
        "    dx = x\n"
        "    for i in range(n):\n"
        "        dx_1 = dx\n"
        "        dv = dx_1 * 2\n"
        "        dw_1 = dv\n"
        "        dv = dv + 1\n"
        "        dx = dw_1 + dv\n"
        "    return dx\n"
    ).body[0]
    forward_copies(fn)
    assert render(fn).strip() == (
        "def f(x, n):\n"
        "    dx = x\n"
        "    for i in range(n):\n"
        "        dv = dx * 2\n"
        "        dw_1 = dv\n"  # dv changes before dw_1 is read: the copy stays
        "        dv = dv + 1\n"
        "        dx = dw_1 + dv\n"
        "    return dx"
    )
