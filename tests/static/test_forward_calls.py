"""Forward mode, static: calls of functions known only at run time, recursion, tuples,
lists, and the public check of a user's rules (``srcdiff.check_rule``)."""

import functools

import numpy as np
import pytest

import srcdiff
from srcdiff.errors import DifferentiationError
from tests.static.test_forward import assert_jvp_right


def apply(fn, x):
    return fn(x) * 2.0


def passes_functions(x):
    return apply(np.sin, x) + apply(lambda z: z * z, x)


def with_partial(x, w):
    p = functools.partial(np.multiply, 2.0)
    return np.sum(p(x) * w)


def test_functions_known_only_at_run_time():
    assert_jvp_right(passes_functions, (np.array([0.1, 0.2]),))
    assert_jvp_right(with_partial, (np.array([0.1, 0.2]), 3.0), wrt=(0, 1))
    assert "call_jvp(" in srcdiff.jvp(passes_functions).sources["apply"]


def partial_of_the_argument(x, w):
    p = functools.partial(np.multiply, w)
    return np.sum(p(x))


@pytest.mark.parametrize(
    "make", [lambda f: srcdiff.jvp(f, wrt=1), lambda f: srcdiff.grad(f, wrt=1)], ids=["jvp", "grad"]
)
def test_a_function_value_built_from_the_argument_is_refused(make):
    """Regression: the gradient through ``functools.partial(np.multiply, w)`` was 0.0."""
    with pytest.raises(DifferentiationError, match="'p' is a function built from values"):
        make(partial_of_the_argument)
    assert srcdiff.grad(partial_of_the_argument, wrt=0)(np.ones(2), 3.0).tolist() == [3.0, 3.0]


def recursive(x, n):
    if n == 0:
        return x
    return recursive(x * 1.1, n - 1) + np.sin(x)


def test_recursion():
    assert_jvp_right(recursive, (0.5, 3))
    assert_jvp_right(recursive, (np.array([0.5, -0.2]), 2))


def returns_a_tuple(x):
    sign, logdet = np.linalg.slogdet(x)
    return x * 2.0, logdet * sign


def test_tuple_values_and_outputs():
    x = np.eye(3) + 0.1
    t = np.arange(9.0).reshape(3, 3) / 10
    value, tangent = srcdiff.jvp(returns_a_tuple)(x, tangent=t)
    assert isinstance(tangent, tuple) and len(tangent) == 2
    np.testing.assert_allclose(tangent[0], 2.0 * t)
    np.testing.assert_allclose(tangent[1], np.trace(np.linalg.solve(x, t)))


def of_a_list(xs, scale):
    return np.sum(xs[0] * xs[1]) * scale + xs[2]


def test_a_list_argument_takes_a_list_of_tangents():
    xs = [np.ones(2), np.array([0.5, 0.25]), 1.5]
    assert_jvp_right(of_a_list, (xs, 2.0), wrt=(0, 1))
    with pytest.raises(DifferentiationError, match="list or tuple of 3 tangents"):
        srcdiff.jvp(of_a_list)(xs, 2.0, tangent=[np.ones(2)])


def methods(x):
    return np.sum(x.T @ x) + x.reshape(-1).sum() + np.sum(x).item()


def test_array_methods_and_zero_dimensional_arrays():
    assert_jvp_right(methods, (np.arange(6.0).reshape(2, 3),))
    assert_jvp_right(lambda_free_reshape, (np.array(2.0),))


def lambda_free_reshape(x):
    return x.reshape(1, 1).sum() * x


def cube(x):
    return x**3


def test_check_rule_passes_agreeing_rules(rules):
    srcdiff.register_vjp(cube, lambda g, ans, x: (3.0 * g * x * x,))
    srcdiff.register_jvp(cube, lambda t, ans, x: 3.0 * t * x * x)
    srcdiff.check_rule(cube, np.array([0.5, -1.0, 2.0]))
    srcdiff.check_rule(np.multiply, np.ones((2, 3)), np.arange(3.0))
    srcdiff.check_rule(np.linalg.norm, np.array([3.0, -4.0]), wrt=0)


def test_check_rule_names_a_jvp_that_disagrees(rules):
    srcdiff.register_vjp(cube, lambda g, ans, x: (3.0 * g * x * x,))
    srcdiff.register_jvp(cube, lambda t, ans, x: 3.0 * t * x)
    with pytest.raises(AssertionError, match=r"JVP of cube vs finite differences, argument 0: "):
        srcdiff.check_rule(cube, np.array([0.5, -1.0, 2.0]))


def test_check_rule_names_a_vjp_that_disagrees_with_a_right_jvp(rules):
    srcdiff.register_vjp(cube, lambda g, ans, x: (2.0 * g * x * x,))
    srcdiff.register_jvp(cube, lambda t, ans, x: 3.0 * t * x * x)
    with pytest.raises(AssertionError, match=r"JVP and VJP of cube disagree on argument 0"):
        srcdiff.check_rule(cube, np.array([0.5, -1.0, 2.0]))


def test_check_rule_refuses_a_missing_rule(rules):
    srcdiff.register_vjp(cube, lambda g, ans, x: (3.0 * g * x * x,))
    with pytest.raises(DifferentiationError, match=r"register_jvp\(cube, rule, argnum=0\)"):
        srcdiff.check_rule(cube, 0.5)
    with pytest.raises(DifferentiationError, match="has no VJP rule"):
        srcdiff.check_rule(np.i0, 0.5)


def test_register_jvp_checks_the_rule_signature(rules):
    with pytest.raises(DifferentiationError, match=r"a JVP rule takes \(t, ans, \*args"):
        srcdiff.register_jvp(cube, lambda t: t)
    with pytest.raises(TypeError, match="must be callable"):
        srcdiff.register_jvp(cube, 3.0)


def test_register_jvp_for_a_second_argument(rules):
    def scale(x, w):
        return x * w

    srcdiff.register_jvp(scale, lambda t, ans, x, w: t * w)
    srcdiff.register_jvp(scale, lambda t, ans, x, w: x * t, argnum=1)

    def uses(x, w):
        return np.sum(scale(x, w))

    value, tangent = srcdiff.jvp(uses, wrt=(0, 1))(np.ones(2), 3.0, tangent=(np.ones(2), 1.0))
    assert (value, tangent) == (6.0, 8.0)


def inner_step(x):
    return np.sin(x)


def outer_step(x):
    return inner_step(x) * 2.0


def test_a_replaced_helper_is_differentiated_anew(monkeypatch):
    jf = srcdiff.jvp(outer_step)
    assert jf(0.3, tangent=1.0)[1] == pytest.approx(2.0 * np.cos(0.3))
    monkeypatch.setitem(globals(), "inner_step", lambda x: x * x)
    assert jf(0.3, tangent=1.0)[1] == pytest.approx(2.0 * 0.6)
    assert "inner_step_jvp" not in jf.source  # a lambda bound to a global: called at run time
