"""The gradient checkers can fail.

Every gradient test stands on one of two checkers: ``srcdiff.check_grads``
(each mode against central finite differences, element by element, and the
modes against each other) and the tests' own ``tests.gradcheck.check_vjp``
(a vector-Jacobian product against finite differences along a random
direction, used by the rule tables and the case corpora).  A checker that
passes a wrong gradient leaves the whole suite green, so each one is shown a
user function whose registered VJP is deliberately wrong -- scaled by 1.001,
one element changed, or of the wrong shape -- in each mode, and must raise
``AssertionError`` naming what is wrong; the right rule must pass.
"""

import re

import numpy as np
import pytest

import srcdiff
import srcdiff.testing
from srcdiff.rules import vjp_rule
from srcdiff.trace import trace_vjp
from tests.gradcheck import check_vjp

X = np.array([[0.5, -1.0, 1.5], [0.7, 1.2, -0.8]])
CHANGED = (1, 2)  # the element the one-element rule gets wrong
MODES = ("static", "trace")


# ---- one helper per rule, each with a user function around it (module level: the
# ---- static compiler reads their source)


def square_right(x):
    return x * x


def square_scaled(x):
    return x * x


def square_one_element(x):
    return x * x


def square_wrong_shape(x):
    return x * x


def loss_right(x):
    return np.sum(np.sin(square_right(x)))


def loss_scaled(x):
    return np.sum(np.sin(square_scaled(x)))


def loss_one_element(x):
    return np.sum(np.sin(square_one_element(x)))


def loss_wrong_shape(x):
    return np.sum(np.sin(square_wrong_shape(x)))


def right_rule(g, ans, x):
    return (2.0 * x * g,)


def scaled_rule(g, ans, x):
    return (2.0 * x * g * 1.001,)


def one_element_rule(g, ans, x):
    cotangent = np.array(2.0 * x * g, dtype=np.float64)
    cotangent[CHANGED] *= 1.001
    return (cotangent,)


def wrong_shape_rule(g, ans, x):
    return ((2.0 * x * g)[np.newaxis],)


RULES = {
    square_right: right_rule,
    square_scaled: scaled_rule,
    square_one_element: one_element_rule,
    square_wrong_shape: wrong_shape_rule,
}
WRONG_VALUES = {"scaled": loss_scaled, "one element": loss_one_element}


@pytest.fixture(autouse=True)
def file_rules(rules):
    """Register this file's rules; the shared ``rules`` fixture undoes them afterwards."""
    for helper, rule in RULES.items():
        srcdiff.register_vjp(helper, rule)


def true_gradient(x):
    """The gradient of every ``loss_*`` when its rule is right: ``cos(x**2) * 2x``."""
    return np.cos(x * x) * 2.0 * x


# ---- srcdiff.check_grads


@pytest.mark.parametrize("mode", MODES)
def test_check_grads_passes_the_right_rule(mode):
    srcdiff.check_grads(loss_right, X, modes=(mode,))


def test_check_grads_passes_the_right_rule_in_both_modes_at_once():
    srcdiff.check_grads(loss_right, X)


@pytest.mark.parametrize("mode", MODES)
def test_the_rules_really_reach_the_gradient(mode):
    """The wrong rules are wrong by exactly what their names say, in each mode."""
    right = true_gradient(X)
    scaled = srcdiff.grad(loss_scaled, mode=mode)(X)
    np.testing.assert_allclose(scaled, right * 1.001, rtol=1e-12)
    one_element = srcdiff.grad(loss_one_element, mode=mode)(X)
    expected = right.copy()
    expected[CHANGED] *= 1.001
    np.testing.assert_allclose(one_element, expected, rtol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", WRONG_VALUES)
def test_check_grads_fails_on_a_wrong_rule(mode, kind):
    with pytest.raises(AssertionError, match=f"^{mode} mode vs finite differences, argument 0"):
        srcdiff.check_grads(WRONG_VALUES[kind], X, modes=(mode,))


@pytest.mark.parametrize("modes", [MODES, MODES[::-1]])
@pytest.mark.parametrize("kind", WRONG_VALUES)
def test_check_grads_fails_on_a_wrong_rule_in_both_modes(modes, kind):
    with pytest.raises(AssertionError, match=f"^{modes[0]} mode vs finite differences"):
        srcdiff.check_grads(WRONG_VALUES[kind], X, modes=modes)


@pytest.mark.parametrize("mode", MODES)
def test_check_grads_names_the_worst_element(mode):
    wrong = true_gradient(X)[CHANGED] * 1.001
    with pytest.raises(AssertionError) as error:
        srcdiff.check_grads(loss_one_element, X, modes=(mode,))
    message = str(error.value)
    found = re.search(r"worst element \(1, 2\): got (\S+), expected (\S+)$", message)
    assert found, message
    assert float(found.group(1)) == pytest.approx(wrong, rel=1e-9)
    assert float(found.group(2)) == pytest.approx(wrong / 1.001, rel=1e-6)


def test_check_grads_names_the_worst_element_of_a_second_argument():
    def weighted(x, w):
        return np.sum(np.sin(square_one_element(x)) * w)

    w = np.array([[1.0, 2.0, 0.5], [1.5, -1.0, 2.0]])
    srcdiff.check_grads(weighted, X, w, wrt=1, modes=("trace",))
    with pytest.raises(AssertionError, match=r"argument 0: worst element \(1, 2\)"):
        srcdiff.check_grads(weighted, X, w, wrt=(1, 0), modes=("trace",))


@pytest.mark.parametrize("mode", MODES)
def test_a_rule_of_the_wrong_shape_is_refused_before_a_checker_sees_it(mode):
    with pytest.raises(srcdiff.DifferentiationError, match=r"shape \(1, 2, 3\) for argument 0"):
        srcdiff.check_grads(loss_wrong_shape, X, modes=(mode,))


def _vjp_with(changes):
    """``srcdiff.api.vjp`` whose result, in the modes named in ``changes``, is changed."""
    real_vjp = srcdiff.vjp

    def vjp(f, **options):
        built = real_vjp(f, **options)
        mode = options.get("mode", "static")
        if mode not in changes:
            return built
        return lambda *args, **kwargs: changes[mode](built(*args, **kwargs))

    return vjp


@pytest.mark.parametrize("mode", MODES)
def test_check_grads_fails_on_a_gradient_of_the_wrong_shape(mode, monkeypatch):
    """A (1, 2, 3) gradient for a (2, 3) argument: the same numbers, broadcast."""
    monkeypatch.setattr(srcdiff.api, "vjp", _vjp_with({mode: lambda g: g[np.newaxis]}))
    with pytest.raises(AssertionError, match=r"gradient shape \(1, 2, 3\), expected \(2, 3\)"):
        srcdiff.check_grads(loss_right, X, modes=MODES)


@pytest.mark.parametrize("mode", MODES)
def test_check_grads_fails_when_one_mode_alone_is_wrong(mode, monkeypatch):
    monkeypatch.setattr(srcdiff.api, "vjp", _vjp_with({mode: lambda g: g * 1.001}))
    with pytest.raises(AssertionError, match=f"^{mode} mode vs finite differences"):
        srcdiff.check_grads(loss_right, X, modes=MODES)


def test_check_grads_compares_the_modes_with_each_other(monkeypatch):
    """Each mode within the tolerance of finite differences, but not of the other."""
    changes = {"static": lambda g: g * (1 + 0.8e-3), "trace": lambda g: g * (1 - 0.8e-3)}
    monkeypatch.setattr(srcdiff.api, "vjp", _vjp_with(changes))
    with pytest.raises(AssertionError, match=r"^trace mode vs static mode, argument 0"):
        srcdiff.check_grads(loss_right, X, modes=MODES, rtol=1e-3)


@pytest.mark.parametrize("mode", MODES)
def test_check_grads_fails_on_a_wrong_vjp_of_a_non_scalar_output(mode):
    def rows(x):
        return np.sin(square_scaled(x)) * 2.0

    with pytest.raises(AssertionError, match=f"^{mode} mode vs finite differences"):
        srcdiff.check_grads(rows, X, modes=(mode,))


# ---- tests.gradcheck.check_vjp, the checker of the rule tables and the case corpora


def rule_vjp(helper):
    """``check_vjp``'s ``vjp(args, v)`` from the rule registered for ``helper``."""

    def vjp(args, v):
        return vjp_rule(helper)(v, helper(*args), *args)

    return vjp


def mode_vjp(f, mode):
    """``check_vjp``'s ``vjp(args, v)`` for ``f`` in ``mode`` (``wrt=(0,)``)."""
    if mode == "trace":
        return lambda args, v: trace_vjp(f, args, {}, (0,), v)[1]
    built = srcdiff.vjp(f, wrt=(0,))
    return lambda args, v: built(*args, seed=v)


WRONG_HELPERS = {"scaled": square_scaled, "one element": square_one_element}


def test_check_vjp_passes_the_right_rule():
    check_vjp(rule_vjp(square_right), square_right, [X], (0,))
    for mode in MODES:
        check_vjp(mode_vjp(loss_right, mode), loss_right, [X], (0,))


@pytest.mark.parametrize("kind", WRONG_HELPERS)
def test_check_vjp_fails_on_a_wrong_rule(kind):
    helper = WRONG_HELPERS[kind]
    with pytest.raises(AssertionError, match=r"^argument 0: <u, J\^T v> = "):
        check_vjp(rule_vjp(helper), helper, [X], (0,))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", WRONG_VALUES)
def test_check_vjp_fails_on_a_wrong_rule_in_each_mode(mode, kind):
    f = WRONG_VALUES[kind]
    with pytest.raises(AssertionError, match=r"^argument 0: <u, J\^T v> = .* but finite diff"):
        check_vjp(mode_vjp(f, mode), f, [X], (0,))


@pytest.mark.parametrize("seed", range(5))
def test_check_vjp_fails_on_one_element_whatever_the_direction(seed):
    with pytest.raises(AssertionError):
        check_vjp(rule_vjp(square_one_element), square_one_element, [X], (0,), seed=seed)


def test_check_vjp_fails_on_a_cotangent_of_the_wrong_shape():
    """A (1, 2, 3) cotangent for a (2, 3) argument has the right inner product."""

    def vjp(args, v):
        return wrong_shape_rule(v, None, *args)

    with pytest.raises(AssertionError, match=r"shape \(1, 2, 3\) for an argument of shape \(2, 3"):
        check_vjp(vjp, square_right, [X], (0,))


@pytest.mark.parametrize("mode", MODES)
def test_check_vjp_fails_on_a_mode_of_the_wrong_shape(mode):
    right = mode_vjp(loss_right, mode)

    def vjp(args, v):
        return tuple(g[np.newaxis] for g in right(args, v))

    with pytest.raises(AssertionError, match=r"shape \(1, 2, 3\) for an argument of shape"):
        check_vjp(vjp, loss_right, [X], (0,))


def test_check_vjp_fails_on_a_missing_or_extra_cotangent():
    with pytest.raises(AssertionError, match=r"2 cotangents for wrt=\(0,\)"):
        check_vjp(lambda args, v: (2.0 * args[0] * v,) * 2, square_right, [X], (0,))
    with pytest.raises(AssertionError, match="no cotangent"):
        check_vjp(lambda args, v: (None,), square_right, [X], (0,))


def test_check_vjp_fails_on_a_wrong_cotangent_of_a_second_argument():
    def product(x, y):
        return x * y

    def vjp(args, v):
        x, y = args
        return (v * y, v * x * 1.001)

    check_vjp(lambda args, v: (v * args[1], v * args[0]), product, [X, X + 1.0], (0, 1))
    with pytest.raises(AssertionError, match="^argument 1: "):
        check_vjp(vjp, product, [X, X + 1.0], (0, 1))


def test_check_vjp_fails_on_a_wrong_cotangent_of_a_list_argument():
    def total(items):
        return items[0] * 2.0 + np.sin(items[1])

    def vjp(args, v):
        items = args[0]
        return ([v * 2.0, v * np.cos(items[1]) * 1.001],)

    arg = [X[0], X[1]]
    check_vjp(lambda args, v: ([v * 2.0, v * np.cos(args[0][1])],), total, [arg], (0,))
    with pytest.raises(AssertionError, match="^argument 0: "):
        check_vjp(vjp, total, [arg], (0,))
    with pytest.raises(AssertionError, match=r"cotangent of argument 0: 1 entries for 2"):
        check_vjp(lambda args, v: ([v * 2.0],), total, [arg], (0,))
