"""Small constructs that user code has and the broad corpora miss.

Each function here pins one path of the static compiler that a one-token
change could break without any other test noticing (``scripts/mutants.py``
finds such paths).  Gradients are checked against central finite differences
and the tracing mode (``check_grads``); refusals by exception type, line and
message.
"""

import inspect

import numpy as np
import pytest

import srcdiff

X = np.array([0.5, -1.0, 2.0])


def appends_a_constant(x):
    rows = []
    rows.append(x * 2.0)
    rows.append(np.ones(3))
    rows.append(np.sin(x))
    return np.sum(np.stack(rows) * np.arange(9.0).reshape(3, 3))


def only_pass_in_a_loop(x):
    y = np.sin(x)
    for i in range(3):
        if i > 5:
            y = y * 2.0
        else:
            pass
    return np.sum(y)


def loop_bound_reassigned(x):
    """The loop cannot be walked backwards: its target is saved and restored each trip."""
    y = x
    n = 4
    for i in range(1, n):
        n = n - 1
        y = np.sin(y) * i
    return np.sum(y)


def loop_over_a_list(x):
    y = x
    for scale in [2.0, 0.5, -1.5]:
        y = np.sin(y) * scale
    return np.sum(y * y)


def loop_over_rows_with_a_break(x):
    y = x
    for k in range(1, 4):
        y = np.cos(y) * k + y
        if k == 2:
            break
    return np.sum(y)


CASES = [
    appends_a_constant,
    only_pass_in_a_loop,
    loop_bound_reassigned,
    loop_over_a_list,
    loop_over_rows_with_a_break,
]


@pytest.mark.parametrize("x", [1.0, -0.7, 2.5])
def test_the_loop_whose_bound_changes_has_the_chain_rules_gradient(x):
    """``i`` is 1, 2, 3: the gradient is ``3 cos(y2) * 2 cos(y1) * cos(x)``."""
    y1 = np.sin(x)
    y2 = np.sin(y1) * 2
    expected = 3 * np.cos(y2) * 2 * np.cos(y1) * np.cos(x)
    assert srcdiff.grad(loop_bound_reassigned)(x) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("fn", CASES)
@pytest.mark.parametrize("x", [X, -X])
def test_matches_finite_differences_and_the_tracing_mode(fn, x):
    srcdiff.check_grads(fn, x)


def unpacks_an_alias(x):
    y, n = x, 2.0
    y[0] = 0.0
    return np.sum(x * n)


def unpacks_an_alias_second(x):
    n, y = 2.0, x
    y[0] = 0.0
    return np.sum(x * n)


def unpacks_an_alias_from_a_list(x):
    [y, n] = [x, 2.0]
    y[1] += 1.0
    return np.sum(x * n)


def unpacks_a_pair(x):
    pair = (x, 2.0)
    y, n = pair
    y[0] = 0.0
    return np.sum(x * n)


def unpacks_a_row(x):
    y, n = x[0], 2.0
    y[0] = 0.0
    return np.sum(x * n)


@pytest.mark.parametrize(
    "fn",
    [
        unpacks_an_alias,
        unpacks_an_alias_second,
        unpacks_an_alias_from_a_list,
        unpacks_a_pair,
        unpacks_a_row,
    ],
)
def test_a_write_through_an_alias_made_by_unpacking_is_refused(fn):
    lines, first = inspect.getsourcelines(fn)
    offending = next(first + i for i, line in enumerate(lines) if line.strip().startswith("y["))
    with pytest.raises(srcdiff.UnsupportedSyntax) as info:
        srcdiff.grad(fn)
    message = str(info.value)
    assert message.startswith(f"{__file__}:{offending}:"), message
    assert "copy it first" in message and 'mode="trace"' in message


def unpacks_a_copy(x):
    y, n = x.copy(), 2.0
    y[0] = 0.0
    return np.sum(y * x * n)


def test_a_write_into_a_copy_made_by_unpacking_is_differentiated():
    srcdiff.check_grads(unpacks_a_copy, X)


def applies(fn, x):
    return np.sum(fn(x))


@pytest.mark.parametrize("fn, label", [(np.cbrt, "cbrt"), (np.spacing, "spacing")])
def test_a_function_known_only_when_called_without_a_rule_is_refused_by_name(fn, label):
    with pytest.raises(
        srcdiff.DifferentiationError,
        match=rf"^cannot differentiate a call to {label}: it has no rule and no Python source; "
        "register one with srcdiff.register_vjp",
    ):
        srcdiff.grad(applies, wrt=1)(fn, X)


def test_a_function_known_only_when_called_is_differentiated_by_its_rule():
    srcdiff.check_grads(applies, np.sin, X, wrt=1)


def scales_an_identity(x):
    s = np.eye(3)
    y = np.sin(x) * s
    return np.sum(y * y) + np.sum(x * x)


def scales_ones_by_an_element(x):
    s = np.ones(2)
    y = np.sin(x[0]) * s
    return np.sum(y * y) + np.sum(x * x)


def scales_a_range(x):
    s = np.arange(1.0, 3.0)
    y = np.cos(x[1]) * s
    return np.sum(y * y) + np.sum(x * x)


@pytest.mark.parametrize("fn", [scales_an_identity, scales_ones_by_an_element, scales_a_range])
def test_an_array_made_from_a_number_is_not_taken_for_a_number(fn):
    """``np.eye(3)`` and ``np.ones(2)`` take one number and return an array."""
    srcdiff.check_grads(fn, X)


def clipped(x):
    return np.sin(x) * 2.0


def uses_clipped(x):
    return np.sum(clipped(x) * x)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_declaring_a_helper_nondifferentiable_after_a_gradient_was_built(rules, mode):
    """A gradient built afterwards treats the helper's result as a constant."""
    through = srcdiff.grad(uses_clipped, mode=mode)(X)
    np.testing.assert_allclose(through, 2.0 * np.cos(X) * X + 2.0 * np.sin(X), rtol=1e-12)
    srcdiff.nondifferentiable(clipped)
    constant = srcdiff.grad(uses_clipped, mode=mode)(X)
    np.testing.assert_allclose(constant, 2.0 * np.sin(X), rtol=1e-12)
