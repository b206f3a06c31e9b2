"""End-to-end tests of control flow and mutation in the static mode (issue 3).

Every function below is a user-style module-level ``def``.  Each case is
checked three ways: the static gradient against central finite differences,
the static gradient against the tracing mode, and the value that
``value_and_grad`` returns against calling the function itself.  The loop
memory tests read the generated adjoint and measure the backward pass with
``tracemalloc``.
"""

import ast
import tracemalloc
from typing import NamedTuple

import numpy as np
import pytest

import srcdiff

_rng = np.random.default_rng(7)

# ---- branches


def if_elif_else(x):
    if x > 0:
        y = x * x
    elif x > -1:
        y = np.sin(x)
    else:
        y = -x
    return y


def conditional_expression(x):
    y = x * 2 if x > 0 else x * 3
    return y * x


def boolean_condition(x, y):
    if x > 0 and y < 1 or not x > 5:
        z = x * y
    else:
        z = x + y
    return z


def branch_on_array_reduction(x):
    if np.sum(x) > 0:
        y = np.exp(x)
    else:
        y = x**3
    return np.sum(y)


# ---- for loops


def range_start_stop_step(x):
    s = 0.0
    for i in range(1, 9, 3):
        s = s + x * i
    return s


def range_negative_step(x):
    s = x
    for i in range(4, 0, -1):
        s = s * np.cos(s) + i
    return s


def data_dependent_bounds(x):
    n = int(np.sum(x > 0))
    s = 0.0
    for i in range(n):
        s = s + x[i] ** 2
    return s


def over_rows(x):
    s = 0.0
    for row in x:
        s = s + np.sum(row * row)
    return s


def over_list(x):
    s = 0.0
    for c in [1.0, 2.0, 3.0]:
        s = s + c * np.sin(x * c)
    return s


def over_enumerate(x):
    s = 0.0
    for i, v in enumerate(x):
        s = s + i * v * v
    return s


def over_zip(x, y):
    s = 0.0
    for a, b in zip(x, y):
        s = s + a * b
    return s


def while_doubling(x):
    while x < 10.0:
        x = x * 2.0
    return x


def while_with_counter(x):
    i = 0
    while i < 4:
        x = np.sin(x) + x
        i = i + 1
    return x


def nested_loops(x):
    s = 0.0
    for i in range(3):
        for j in range(3):
            s = s + x[i] * x[j] * (i + 1)
    return s


def zero_iterations(x):
    s = x * 1.0
    for _i in range(0):
        s = s * x
    return s


def zero_iterations_while(x):
    while x > 100.0:
        x = x * 0.5
    return x * x


# ---- break, continue, early return


def break_at_threshold(x):
    s = 0.0
    for i in range(5):
        s = s + x * i
        if s > 3.0:
            break
    return s


def continue_on_even(x):
    s = 0.0
    for i in range(6):
        if i % 2 == 0:
            continue
        s = s + x**i
    return s


def while_with_break(x):
    while True:
        x = x * 1.5
        if x > 4.0:
            break
    return x


def early_return_in_loop(x):
    for _i in range(10):
        x = x * 1.5
        if x > 5.0:
            return x
    return -x


def early_return_in_branch(x):
    if x > 1.0:
        return np.exp(x)
    y = x * x
    return y * 3.0


def early_return_from_nested_loop(x):
    for _i in range(4):
        for _j in range(4):
            x = x + 0.5 * x
            if x > 7.0:
                return x * 2.0
    return x


def nested_loops_with_break(x):
    s = 0.0
    for i in range(4):
        for j in range(4):
            s = s + x * j
            if j >= i:
                break
    return s


def loop_in_branch(x):
    if np.sum(x) > 0:
        for _i in range(3):
            x = x * np.cos(x)
    else:
        x = x * 2
    return np.sum(x)


def branch_in_loop(x):
    s = 0.0
    for i in range(4):
        if x[i] > 0:
            s = s + x[i] ** 2
        else:
            s = s - x[i]
    return s


# ---- mutation and lists


def subscript_assignment(x):
    n = x.shape[0]
    a = np.zeros(n)
    for i in range(n):
        a[i] = x[i] ** 2
    a[0] = x[1] * 3.0
    return np.sum(a * a)


def column_augmented_assignment(x, v):
    a = np.zeros((3, 3))
    for j in range(3):
        a[:, j] += v * x[j]
    return np.sum(a**2)


def overwrite_in_loop(x):
    a = np.zeros(3)
    for k in range(3):
        a[k] = x[k] * 2.0
        a[k] = a[k] * x[k]
    return np.sum(a * x)


def augmented_in_loop(x, w):
    s = 0.0
    for i in range(3):
        s += x[i] * w
        s *= 1.1
    return s


def stack_appended(x):
    out = []
    h = x
    for _i in range(3):
        h = np.sin(h)
        out.append(h)
    return np.sum(np.stack(out) ** 2)


def array_of_appended(x):
    out = []
    for i in range(3):
        out.append(x * i)
    return np.sum(np.array(out) ** 2)


def sum_of_appended(x):
    out = []
    for i in range(3):
        out.append(x[i] * x[i])
    return sum(out)


# ---- loops that cannot be walked backwards: the range's bound changes inside


def bound_shrinks_inside(y):
    n = 4
    for i in range(1, n):
        n = n - 1
        y = np.sin(y) * i
    return y


def bound_grows_inside(x):
    n = 2
    s = x
    for i in range(n):
        n = n + 3
        s = s * i + np.cos(s)
    return np.sum(s)


def start_and_step_change_inside(x):
    lo, step = 1, 2
    for i in range(lo, 8, step):
        step = 1
        lo = lo + i
        x = np.sin(x) + i * x
    return np.sum(x)


def bound_changes_in_a_branch(x):
    n = 5
    y = x
    for i in range(n):
        if np.sum(y) > 10.0:
            break
        n = n - 2
        y = y * i + np.tanh(y)
    return np.sum(y * y)


def bound_changes_in_an_inner_loop(x):
    k = 0
    while k < 2:
        n = 5
        for i in range(1, n, 2):
            x = np.sin(x) * i
            n = n + 1
        k = k + 1
    return x


def target_rebound_inside(x):
    s = x
    for i in range(3):
        i = i * 2 + 1
        s = np.cos(s) * i
    return np.sum(s)


# ---- the examples


def rnn(W, U, b, xs):
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t] + b)
    return np.sum(h)


def simulate(k, x0):
    x, v = x0, 0.0
    for _step in range(200):
        a = -k * x - 0.1 * v
        v = v + 0.01 * a
        x = x + 0.01 * v
        if x > 2.0:
            break
    return x * x


class Case(NamedTuple):
    fn: object
    args: tuple
    wrt: object
    id: str


def _normal(*shape):
    return _rng.standard_normal(shape)


CASES = [
    Case(if_elif_else, (0.7,), 0, "if-taken"),
    Case(if_elif_else, (-0.5,), 0, "elif-taken"),
    Case(if_elif_else, (-2.0,), 0, "else-taken"),
    Case(conditional_expression, (0.5,), 0, "ifexp-true"),
    Case(conditional_expression, (-0.5,), 0, "ifexp-false"),
    Case(boolean_condition, (0.5, 0.3), (0, 1), "boolop-true"),
    Case(boolean_condition, (6.0, 3.0), (0, 1), "boolop-false"),
    Case(branch_on_array_reduction, (np.abs(_normal(3)) + 0.1,), 0, "array-branch-taken"),
    Case(branch_on_array_reduction, (-np.abs(_normal(3)) - 0.1,), 0, "array-branch-else"),
    Case(range_start_stop_step, (0.7,), 0, "range-step"),
    Case(range_negative_step, (0.3,), 0, "range-negative-step"),
    Case(data_dependent_bounds, (np.array([1.0, 2.0, -1.0]),), 0, "bounds-2"),
    Case(data_dependent_bounds, (np.array([1.0, 2.0, 3.0]),), 0, "bounds-3"),
    Case(over_rows, (_normal(3, 2),), 0, "rows"),
    Case(over_list, (0.7,), 0, "list"),
    Case(over_enumerate, (_normal(4),), 0, "enumerate"),
    Case(over_zip, (_normal(3), _normal(3)), (0, 1), "zip"),
    Case(while_doubling, (0.7,), 0, "while"),
    Case(while_with_counter, (0.4,), 0, "while-counter"),
    Case(nested_loops, (_normal(3),), 0, "nested"),
    Case(zero_iterations, (0.7,), 0, "zero-iterations-for"),
    Case(zero_iterations_while, (0.7,), 0, "zero-iterations-while"),
    Case(break_at_threshold, (0.7,), 0, "break-taken"),
    Case(break_at_threshold, (0.1,), 0, "break-not-taken"),
    Case(continue_on_even, (0.7,), 0, "continue"),
    Case(while_with_break, (0.7,), 0, "while-true-break"),
    Case(early_return_in_loop, (0.5,), 0, "return-in-loop-taken"),
    Case(early_return_in_loop, (-0.5,), 0, "return-in-loop-not-taken"),
    Case(early_return_in_branch, (1.5,), 0, "return-in-branch-taken"),
    Case(early_return_in_branch, (0.5,), 0, "return-in-branch-not-taken"),
    Case(early_return_from_nested_loop, (0.5,), 0, "return-nested-taken"),
    Case(early_return_from_nested_loop, (-0.5,), 0, "return-nested-not-taken"),
    Case(nested_loops_with_break, (0.7,), 0, "nested-break"),
    Case(loop_in_branch, (np.abs(_normal(3)) + 0.5,), 0, "loop-in-branch"),
    Case(loop_in_branch, (-np.abs(_normal(3)) - 0.5,), 0, "loop-in-branch-else"),
    Case(branch_in_loop, (np.array([0.5, -1.2, 1.3, -0.4]),), 0, "branch-in-loop"),
    Case(subscript_assignment, (_normal(3),), 0, "subscript-assign"),
    Case(column_augmented_assignment, (_normal(3), _normal(3)), (0, 1), "column-augassign"),
    Case(overwrite_in_loop, (_normal(3),), 0, "overwrite-element"),
    Case(augmented_in_loop, (_normal(3), 0.5), (0, 1), "augassign-loop"),
    Case(stack_appended, (_normal(3),), 0, "append-stack"),
    Case(array_of_appended, (_normal(3),), 0, "append-np-array"),
    Case(sum_of_appended, (_normal(3),), 0, "append-sum"),
    Case(bound_shrinks_inside, (0.7,), 0, "bound-shrinks-inside"),
    Case(bound_grows_inside, (_normal(3),), 0, "bound-grows-inside"),
    Case(start_and_step_change_inside, (_normal(2),), 0, "start-and-step-change"),
    Case(bound_changes_in_a_branch, (0.3 * _normal(3),), 0, "bound-changes-in-branch"),
    Case(target_rebound_inside, (_normal(3),), 0, "target-rebound-inside"),
    Case(bound_changes_in_an_inner_loop, (0.3,), 0, "bound-changes-in-inner-loop"),
    Case(
        rnn,
        (0.3 * _normal(4, 4), _normal(4, 2), _normal(4), _normal(50, 2)),
        (0, 1, 2),
        "rnn-50-steps",
    ),
    Case(simulate, (1.0, 1.0), (0, 1), "oscillator-no-break"),
    Case(simulate, (-1.0, 1.0), (0, 1), "oscillator-break"),
]

IDS = [case.id for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_static_matches_finite_differences(case):
    srcdiff.check_grads(case.fn, *case.args, wrt=case.wrt, modes=("static",))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_static_agrees_with_trace(case):
    static = srcdiff.grad(case.fn, wrt=case.wrt)(*case.args)
    traced = srcdiff.grad(case.fn, wrt=case.wrt, mode="trace")(*case.args)
    if not isinstance(case.wrt, tuple):
        static, traced = (static,), (traced,)
    for a, b in zip(static, traced):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_value_and_grad_returns_the_function_value(case):
    value, _ = srcdiff.value_and_grad(case.fn, wrt=case.wrt)(*case.args)
    np.testing.assert_allclose(value, case.fn(*case.args), rtol=1e-12)


def test_oscillator_break_is_taken_and_not_taken():
    """The two oscillator cases really exercise both paths of the break."""

    def crosses(k, x0):
        x, v = x0, 0.0
        for _ in range(200):
            v = v + 0.01 * (-k * x - 0.1 * v)
            x = x + 0.01 * v
            if x > 2.0:
                return True
        return False

    assert not crosses(1.0, 1.0)
    assert crosses(-1.0, 1.0)


def test_oscillator_gradient_of_k_against_hand_derivation():
    """Forward-mode sensitivities of the recurrence, written out by hand."""
    k, x0 = -1.0, 1.0
    x, v, dx, dv = x0, 0.0, 0.0, 0.0
    for _ in range(200):
        a = -k * x - 0.1 * v
        da = -x - k * dx - 0.1 * dv
        v, dv = v + 0.01 * a, dv + 0.01 * da
        x, dx = x + 0.01 * v, dx + 0.01 * dv
        if x > 2.0:
            break
    np.testing.assert_allclose(srcdiff.grad(simulate)(k, x0), 2 * x * dx, rtol=1e-10)


def test_zero_iteration_loop_leaves_the_input_gradient():
    assert srcdiff.grad(zero_iterations)(0.7) == pytest.approx(1.0)
    assert srcdiff.grad(zero_iterations_while)(0.7) == pytest.approx(1.4)


def test_local_array_is_mutated_only_in_the_generated_copy():
    """The adjoint of subscript assignment must not touch the caller's input."""
    x = _normal(3)
    before = x.copy()
    srcdiff.grad(subscript_assignment)(x)
    np.testing.assert_array_equal(x, before)


# ---- what a loop keeps for the backward pass

STEPS = 10_000


def scalar_updates(x):
    s = x
    for _i in range(10000):
        s = np.sin(s) + 0.1 * x
    return s


def scalar_updates_n(x, n):
    s = x
    for _i in range(n):
        s = np.sin(s) + 0.1 * x
    return s


def _forward_loop(source):
    """The first ``for`` statement of the generated function: the forward sweep."""
    tree = ast.parse(source)
    return next(node for node in ast.walk(tree) if isinstance(node, ast.For))


def _appends(node):
    return [
        call
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "append"
    ]


def test_scalar_loop_gradient_is_right():
    x = 0.3
    srcdiff.check_grads(scalar_updates_n, x, 50, modes=("static", "trace"))
    assert np.isfinite(srcdiff.grad(scalar_updates)(x))


def test_scalar_loop_saves_only_what_the_backward_pass_reads():
    """``s = sin(s) + 0.1 * x`` needs one old value per iteration: ``s`` (for ``cos(s)``)."""
    loop = _forward_loop(srcdiff.grad(scalar_updates, method="reverse").source)
    saved = [ast.unparse(call.args[0]) for call in _appends(loop)]
    assert saved == ["s"], f"the forward loop saves {saved} per iteration"


def test_oscillator_loop_saves_only_what_the_backward_pass_reads():
    """The backward loop reads the old ``x`` (in ``-k * x``) and the constant ``-k``; nothing else.

    ``v``, ``0.01 * a`` and the other intermediates enter the adjoint linearly,
    so saving them every iteration is waste (issue 3, point 3).
    """
    loop = _forward_loop(srcdiff.grad(simulate, method="reverse").source)
    saved = [ast.unparse(call.args[0]) for call in _appends(loop)]
    assert len(saved) <= 2, f"the forward loop saves {saved} per iteration"


def _bytes_per_saved_value(n):
    """What keeping one float64 scalar per iteration on a list costs."""
    tracemalloc.start()
    stack = []
    s = np.float64(0.3)
    for _ in range(n):
        stack.append(s)
        s = np.sin(s)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del stack
    return peak / n


def test_scalar_loop_memory_is_a_few_values_per_iteration():
    df = srcdiff.grad(scalar_updates_n)
    df(0.3, 10)  # warm up: first-call allocations are not the loop's
    tracemalloc.start()
    df(0.3, STEPS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_value = _bytes_per_saved_value(STEPS)
    assert peak / STEPS <= 4 * per_value, (
        f"{peak / STEPS:.0f} bytes per iteration, {per_value:.0f} per saved value"
    )


def test_memory_grows_linearly_not_faster():
    df = srcdiff.grad(scalar_updates_n)
    df(0.3, 10)
    peaks = []
    for n in (STEPS // 4, STEPS):
        tracemalloc.start()
        df(0.3, n)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] <= 4 * peaks[0] * 1.25
