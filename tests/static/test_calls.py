"""Static mode: calls to user functions, closures, recursion, lambdas and custom rules (issue 4).

Every gradient is checked against central finite differences (``check_grads``,
which also compares with the tracing mode, or ``check_vjp``) or against a
formula derived in the test.  The golden subjects sit at the top of this file
so that edits further down do not move the line numbers their generated
comments quote; ``SRCDIFF_UPDATE_GOLDEN=1`` rewrites ``tests/golden/helper_chain.py``.
"""

import functools
import inspect
import math
import re

import numpy as np
import pytest

import srcdiff
from srcdiff.rules import registry
from tests.goldens import assert_golden
from tests.gradcheck import check_vjp
from tests.numeric import assert_grad_right
from tests.static import helpers_other_module as other
from tests.static.helpers_other_module import softplus_scaled


def inner(x, scale=2.0, *, power=2):
    return scale * x**power


def middle(x, w, shift=0.0):
    return np.sum(inner(x * w, power=3) + shift)


def helper_chain(x, w):
    return middle(x, w, shift=1.0) + middle(w, x)


# ---------------------------------------------------------------- subjects


def active_keywords(x, w):
    return np.sum(inner(scale=w, x=x, power=3) + inner(x, w))


SCALE = 0.5  # other.SCALE is 3.0: each helper must read its own module's global
WEIGHTS = np.array([0.3, -1.0, 2.0])


def scale(x):
    return SCALE * x


def pair(x):
    return np.sin(x), np.cos(x) * x


def unpacks_pair(x):
    a, b = pair(x)
    return np.sum(a * b)


def indexes_pair(x):
    both = pair(x)
    return np.sum(both[1])


def ignores_second(x):
    a, _ = pair(x)
    return np.sum(a)


def scaled_row(x, i, flag, n):
    if flag:
        return x[i] * n
    return x[i]


def rows_with_constants(x):
    s = 0.0
    for i in range(3):
        s = s + scaled_row(x, i, i % 2 == 0, 2)
    return s


def step(h, w, k):
    return np.tanh(w * h + 0.1 * k)


def helper_in_for_loop(x, w):
    h = x
    for k in range(3):
        h = step(h, w, k)
    return np.sum(h)


def grow(h):
    return h * 1.5 + 0.1


def helper_in_while_loop(x):
    h = x
    while np.sum(h) < 10.0:
        h = grow(h)
    return np.sum(h * h)


def helper_in_branches(x, flag):
    if flag > 0:
        y = inner(x, scale=3.0)
    else:
        a, b = pair(x)
        y = a - b
    return np.sum(y)


def uses_other_module(x):
    return np.sum(other.softplus_scaled(x, beta=1.5) + softplus_scaled(x) + scale(x))


def make_affine(a, b):
    def affine(x):
        return a * np.sin(x) + b

    return affine


affine_3 = make_affine(3.0, 0.5)
affine_array = make_affine(np.array([1.0, -2.0, 0.5]), np.array([0.1, 0.2, 0.3]))


def uses_closures(x):
    return np.sum(affine_3(x) * WEIGHTS + affine_array(x))


def uses_globals(x):
    return np.sum(WEIGHTS * x**2) * SCALE


def apply(fn, x):
    return np.sum(fn(x) * WEIGHTS)


def cube_def(x):
    return x**3


def weighted_power(x, w, p):
    return w * x**p


def builds_partial(x):
    g = functools.partial(weighted_power, w=2.0, p=3)
    return np.sum(g(x))


def builds_partial_named_like_global(x):
    step = functools.partial(weighted_power, w=2.0, p=3)  # shadows the module's step()
    return np.sum(step(x))


def power_recursive(x, n):
    if n == 0:
        return 1.0
    return x * power_recursive(x, n - 1)


def uses_power_recursive(x):
    return np.sum(power_recursive(x, 4))


def halve_until_small(x):
    if np.max(np.abs(x)) < 1.0:
        return x
    return halve_until_small(x * 0.5) + 0.1 * x


def uses_data_dependent_recursion(x):
    return np.sum(halve_until_small(x) ** 2)


def ping(x, n):
    if n == 0:
        return x
    return pong(np.sin(x), n - 1)


def pong(x, n):
    if n == 0:
        return x
    return ping(x * 1.5, n - 1)


def uses_mutual_recursion(x):
    return np.sum(ping(x, 5))


def forwards_args(*args):
    return weighted_power(*args)


def uses_forwarded_args(x, w):
    return np.sum(forwards_args(x, w, 3))


cube = lambda x: x**3


def local_lambda(x):
    sq = lambda t: t**2
    return np.sum(sq(x))


def local_lambda_reading_constant(x, c):
    times_c = lambda t: t * c
    return np.sum(times_c(x))


def lambda_reads_active(x):
    y = x * 2.0
    times_y = lambda t: t * y
    return np.sum(times_y(x))


def local_lambda_shadowing_global(x):
    scale = lambda t: t**3  # shadows the module's scale()
    return np.sum(scale(x))


# ------------------------------------------------------------ rule subjects
# Rules are registered (by the ``rules`` fixture's tests) on these functions,
# which no other test uses.


def straight_round(x):
    return np.round(x)


def rounds_inside(x):
    return np.sum(straight_round(x * 3.0) * x)


def counted_exp(x):
    return np.exp(x)


def uses_counted_exp(x):
    return np.sum(counted_exp(x) * WEIGHTS)


@srcdiff.nondifferentiable
def normalizer(x):
    return np.sum(x * x)


def uses_normalizer(x):
    return np.sum(x) / normalizer(x)


def uses_cbrt(x):
    return np.sum(np.cbrt(x) * x)


def uses_round_builtin(x):
    return round(x * 2.0) * x


def uses_erf(x):
    return math.erf(x) * x


def exp_like(x):
    return np.exp(x)


def uses_exp_like(x):
    return np.sum(exp_like(x) * WEIGHTS)


# -------------------------------------------------- callees with no way in

made_by_exec = {}
exec("def made_by_exec(x):\n    return x * 3.0\n", made_by_exec)
made_by_exec = made_by_exec["made_by_exec"]


class Scaler:
    def __init__(self, s):
        self.s = s

    def method(self, x):
        return self.s * np.sin(x)

    def __call__(self, x):
        return self.s * x


SCALER = Scaler(3.0)
LOOKUP = {}
POLY = np.poly1d([1.0, 2.0, 3.0])


def uses_fft(x):
    return np.sum(np.abs(np.fft.fft(x)))


def uses_exec_function(x):
    return np.sum(made_by_exec(x))


def uses_dict_method(x):
    return np.sum(LOOKUP.get("key", x))


def uses_callable_object(x):
    return np.sum(SCALER(x))


def uses_poly1d(x):
    return np.sum(POLY(x))


def uses_user_method(x):
    return np.sum(SCALER.method(x))


# ------------------------------------------------------------------ helpers

X = np.array([0.5, 1.2, -0.3])
W = np.array([1.1, 0.4, 2.0])


def line_of(fn, text):
    """The file line of the first line of ``fn``'s source that contains ``text``."""
    lines, first = inspect.getsourcelines(fn)
    for offset, line in enumerate(lines):
        if text in line:
            return first + offset
    raise AssertionError(f"{text!r} is not in {fn.__name__}")


def location(fn, text):
    return f"{inspect.getsourcefile(fn)}:{line_of(fn, text)}:"


def static_vjp(f, wrt):
    """``check_vjp``'s calling convention for the static mode's vjp (``wrt`` a tuple)."""
    vf = srcdiff.vjp(f, wrt=tuple(wrt))
    return lambda args, v: vf(*args, seed=v)


# ------------------------------------------------- helper chains and tuples


def test_two_level_helper_chain_with_keyword_and_default_arguments():
    srcdiff.check_grads(helper_chain, X, W, wrt=(0, 1))
    check_vjp(static_vjp(helper_chain, (0, 1)), helper_chain, [X, W], wrt=(0, 1))


def test_helper_with_active_keyword_arguments():
    srcdiff.check_grads(active_keywords, X, W, wrt=(0, 1))


def test_generated_code_for_a_helper_call_matches_golden_file():
    df = srcdiff.grad(helper_chain, wrt=(0, 1))
    text = "\n\n".join([df.source, *(df.sources[k] for k in sorted(df.sources))])
    assert_golden("helper_chain", text)


def test_sources_holds_each_helpers_adjoint_once():
    df = srcdiff.grad(helper_chain, wrt=(0, 1))
    assert set(df.sources) == {"middle", "inner"}
    assert df.sources["middle"].startswith("def middle_forward(")
    assert df.sources["inner"].startswith("def inner_forward(")
    # Both calls of middle (same active arguments) share one compiled forward
    # function; each call keeps its own pullback.
    assert set(re.findall(r"\bmiddle_forward\w*", df.source)) == {"middle_forward"}
    assert df.source.count("middle_forward(") == 2
    assert df.source.count("middle_backward(") == df.source.count("middle_backward_1(") == 1
    # inner's keyword-only argument and default survive in its adjoint's signature.
    assert "power=2" in df.sources["inner"] and "scale=2.0" in df.sources["inner"]


@pytest.mark.parametrize("fn", [unpacks_pair, indexes_pair, ignores_second])
def test_helper_returning_a_tuple(fn):
    srcdiff.check_grads(fn, X)


def test_helper_with_inactive_arguments_does_no_adjoint_work_for_them():
    srcdiff.check_grads(rows_with_constants, X)
    df = srcdiff.grad(rows_with_constants)
    # The helper's pullback is compiled for x alone: one gradient comes back.
    helper = df.sources["scaled_row"]
    assert re.search(r"return gradient_of\(dx, x\),\s*return result, backward\s*$", helper)
    for inactive in ("i", "flag", "n"):
        assert not re.search(rf"\bd{inactive}\b", helper), helper
        assert not re.search(rf"\bd{inactive}\b", df.source), df.source
    assert re.search(r"scaled_row_backward\(\w+\)\[0\]", df.source), df.source


@pytest.mark.parametrize(
    "fn, args, wrt",
    [
        (helper_in_for_loop, (X, W), (0, 1)),
        (helper_in_while_loop, (X,), 0),
        (helper_in_branches, (X, 1.0), 0),
        (helper_in_branches, (X, -1.0), 0),
    ],
    ids=["for", "while", "if", "else"],
)
def test_helper_called_in_loops_and_branches(fn, args, wrt):
    srcdiff.check_grads(fn, *args, wrt=wrt)


def test_helper_in_another_module_reads_that_modules_globals():
    srcdiff.check_grads(uses_other_module, X)
    df = srcdiff.grad(uses_other_module)
    assert any("softplus_scaled" in name for name in df.sources)


# ------------------------------------------ closures, globals, callees at run time


def test_closures_built_by_a_factory():
    srcdiff.check_grads(uses_closures, X)
    assert "make_affine.<locals>.affine" in srcdiff.grad(uses_closures).sources


def test_module_globals():
    srcdiff.check_grads(uses_globals, X)
    np.testing.assert_allclose(srcdiff.grad(uses_globals)(X), 2 * WEIGHTS * X * SCALE)


@pytest.mark.parametrize(
    "fn",
    [cube_def, cube, np.sin, functools.partial(weighted_power, w=2.0, p=3)],
    ids=["def", "lambda", "numpy", "partial"],
)
def test_function_passed_as_an_argument(fn):
    srcdiff.check_grads(apply, fn, X, wrt=1)


def test_partial_built_inside_the_function():
    srcdiff.check_grads(builds_partial, X)


def test_local_partial_shadowing_a_module_function():
    np.testing.assert_allclose(srcdiff.grad(builds_partial_named_like_global)(X), 6 * X**2)


def test_recursion_with_data_independent_depth():
    srcdiff.check_grads(uses_power_recursive, X)
    np.testing.assert_allclose(srcdiff.grad(uses_power_recursive)(X), 4 * X**3)


def test_recursion_with_data_dependent_depth():
    for x in (X, 7 * X, 40 * X):  # 0, 3 and 6 levels deep
        srcdiff.check_grads(uses_data_dependent_recursion, x)


def uses_deep_power(x, n):
    return np.sum(power_recursive(x, n))


def test_recursion_two_hundred_levels_deep():
    assert_grad_right(uses_deep_power, (np.array([1.001, 0.999]), 200))


def test_recursion_too_deep_for_the_static_mode_is_refused():
    df = srcdiff.grad(uses_deep_power)
    with pytest.raises(srcdiff.DifferentiationError, match="power_recursive is too deep") as info:
        df(np.array([1.001]), 5000)
    assert 'mode="trace"' in str(info.value)


def test_mutual_recursion():
    srcdiff.check_grads(uses_mutual_recursion, X)


def test_star_args_forwarding_to_a_helper():
    srcdiff.check_grads(uses_forwarded_args, X, W, wrt=(0, 1))


# ----------------------------------------------------------------- lambdas


def test_grad_of_a_module_level_lambda():
    np.testing.assert_allclose(srcdiff.grad(cube)(1.5), 3 * 1.5**2)
    srcdiff.check_grads(cube, 1.5)
    assert "x ** 3" in srcdiff.grad(cube).source or "x**3" in srcdiff.grad(cube).source


def test_grad_of_an_inline_lambda():
    df = srcdiff.grad(lambda x: np.sum(np.sin(x) * x))
    np.testing.assert_allclose(df(X), np.cos(X) * X + np.sin(X))
    srcdiff.check_grads(lambda x: np.sum(np.sin(x) * x), X)


def test_lambda_assigned_and_called_inside_the_function():
    srcdiff.check_grads(local_lambda, X)
    np.testing.assert_allclose(srcdiff.grad(local_lambda)(X), 2 * X)


def test_local_lambda_reading_an_inactive_value():
    srcdiff.check_grads(local_lambda_reading_constant, X, 2.5)


def test_lambda_reading_a_value_with_a_gradient_is_inlined():
    # A lambda assigned to a name and only called is inlined where called
    # (static/inline.py), so it may read values that carry gradients.
    expected = 4 * X  # d/dx sum(x * 2x)
    np.testing.assert_allclose(srcdiff.grad(lambda_reads_active)(X), expected)
    np.testing.assert_allclose(srcdiff.grad(lambda_reads_active, mode="trace")(X), expected)
    srcdiff.check_grads(lambda_reads_active, X)
    dx, dc = srcdiff.grad(local_lambda_reading_constant, wrt=(0, 1))(X, 2.5)
    np.testing.assert_allclose(dx, np.full_like(X, 2.5))
    np.testing.assert_allclose(dc, np.sum(X))


def test_local_lambda_shadowing_a_module_function():
    np.testing.assert_allclose(srcdiff.grad(local_lambda_shadowing_global)(X), 3 * X**2)


# ------------------------------------------------------------ custom rules


def cbrt_vjp(g, ans, x):
    return (g / (3.0 * ans * ans),)


def test_register_vjp_for_a_numpy_function_without_a_rule(rules):
    assert registry.vjp_rule(np.cbrt) is None
    srcdiff.register_vjp(np.cbrt, cbrt_vjp)
    srcdiff.check_grads(uses_cbrt, X)


def test_register_vjp_as_a_decorator(rules):
    assert registry.vjp_rule(np.cbrt) is None

    @srcdiff.register_vjp(np.cbrt)
    def cbrt_rule(g, ans, x):
        return (g / (3 * ans**2),)

    assert cbrt_rule.__name__ == "cbrt_rule"  # the decorator hands the rule back
    srcdiff.check_grads(uses_cbrt, X)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_a_rule_on_a_user_function_wins_over_its_source(rules, mode):
    # Straight-through estimator: round's true derivative is 0, the rule passes g on.
    def straight_through(g, ans, x):
        return (g,)

    srcdiff.register_vjp(straight_round, straight_through)
    expected = np.round(3.0 * X) + 3.0 * X
    np.testing.assert_allclose(srcdiff.grad(rounds_inside, mode=mode)(X), expected)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_a_lambda_rule(rules, mode):
    srcdiff.register_vjp(straight_round, lambda g, ans, x: (g,))
    expected = np.round(3.0 * X) + 3.0 * X
    np.testing.assert_allclose(srcdiff.grad(rounds_inside, mode=mode)(X), expected)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_the_users_rule_is_called(rules, mode):
    calls = []

    def counting_rule(g, ans, x):
        calls.append(np.shape(x))
        return (g * ans,)

    srcdiff.register_vjp(counted_exp, counting_rule)
    df = srcdiff.grad(uses_counted_exp, mode=mode)
    np.testing.assert_allclose(df(X), WEIGHTS * np.exp(X))
    assert calls == [X.shape]


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_rule_for_a_builtin(rules, mode):
    def round_straight_through(g, ans, x, ndigits=None):
        return (g,)

    srcdiff.register_vjp(round, round_straight_through)
    x = 1.3
    np.testing.assert_allclose(srcdiff.grad(uses_round_builtin, mode=mode)(x), 2 * x + round(2 * x))


def test_rule_for_a_math_builtin(rules):
    def erf_rule(g, ans, x):
        return (g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x),)

    srcdiff.register_vjp(math.erf, erf_rule)
    check_vjp(static_vjp(uses_erf, (0,)), uses_erf, [0.7], wrt=(0,))


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_nondifferentiable_user_function_gets_zero_gradient(mode):
    # normalizer is declared non-differentiable where it is defined, at the top of this file.
    expected = np.ones_like(X) / normalizer(X)
    np.testing.assert_allclose(srcdiff.grad(uses_normalizer, mode=mode)(X), expected)


def test_nondifferentiable_as_a_call_returns_the_function(rules):
    assert srcdiff.nondifferentiable(exp_like) is exp_like
    np.testing.assert_allclose(srcdiff.grad(uses_exp_like)(X), np.zeros_like(X))

    def exp_rule(g, ans, x):
        return (g * ans,)

    srcdiff.register_vjp(exp_like, exp_rule)  # a rule lifts the declaration
    srcdiff.check_grads(uses_exp_like, X, modes=("static",))


def arity_too_small(g, ans):
    return (g * ans,)


def too_many_cotangents(g, ans, x):
    return (g * ans, g)


def no_cotangents(g, ans, x):
    return ()


def wrong_shape(g, ans, x):
    return (np.sum(g * ans),)


def not_a_tuple(g, ans, x):
    return g * ans


BAD_RULES = [arity_too_small, too_many_cotangents, no_cotangents, wrong_shape, not_a_tuple]


@pytest.mark.parametrize("mode", ["static", "trace"])
@pytest.mark.parametrize("target, subject", [(np.cbrt, uses_cbrt), (exp_like, uses_exp_like)])
@pytest.mark.parametrize("rule", BAD_RULES, ids=[r.__name__ for r in BAD_RULES])
def test_a_broken_rule_gives_a_clear_error_at_first_use(rules, rule, target, subject, mode):
    srcdiff.register_vjp(target, rule)
    with pytest.raises(srcdiff.DifferentiationError) as info:
        srcdiff.grad(subject, mode=mode)(X)
    assert rule.__name__ in str(info.value), str(info.value)


def test_a_rule_without_g_and_ans_is_refused_when_registered(rules):
    def one_parameter(g):
        return (g,)

    with pytest.raises(srcdiff.DifferentiationError, match="one_parameter"):
        srcdiff.register_vjp(exp_like, one_parameter)


# ------------------------------------------------- calls the compiler cannot handle


@pytest.mark.parametrize(
    "subject, callee, call",
    [
        (uses_fft, "fft", "np.fft.fft(x)"),
        (uses_exec_function, "made_by_exec", "made_by_exec(x)"),
        (uses_dict_method, "get", "LOOKUP.get"),
        (uses_callable_object, "Scaler", "SCALER(x)"),
        (uses_poly1d, "poly1d", "POLY(x)"),
    ],
    ids=["c-function", "exec", "builtin-method", "callable-object", "unhashable-object"],
)
def test_a_call_with_no_rule_and_no_source_is_a_clear_error(subject, callee, call):
    with pytest.raises(srcdiff.DifferentiationError) as info:
        srcdiff.grad(subject)(X)
    message = str(info.value)
    assert message.startswith(location(subject, call)), message
    assert callee in message
    assert "register_vjp" in message
    if subject is uses_fft:  # the tracing mode has no rule for it either: not a way out
        assert 'mode="trace"' not in message
        with pytest.raises(srcdiff.DifferentiationError):
            srcdiff.grad(subject, mode="trace")(X)
    else:
        assert 'mode="trace"' in message


def test_a_method_of_a_user_object_is_differentiated():
    srcdiff.check_grads(uses_user_method, X)
