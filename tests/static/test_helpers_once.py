"""Static mode: a helper runs once per gradient call.

The caller's forward pass runs a helper's generated forward function once and
keeps its pullback, so a helper that draws random numbers gives its backward
pass the samples of its forward pass: the gradient matches finite differences
with a reseeded generator and the tracing mode.  A function known only when it
is called is still run again by its vjp, so random draws there are refused; a
helper that assigns into an object it did not create is refused (its backward
pass would put the old items back).
"""

import functools

import numpy as np
import pytest

import srcdiff

rs = np.random.RandomState(0)


def noisy(s):
    return rs.randn(3) * s


def draws_in_a_helper(s):
    return np.sum(noisy(s) ** 2)


def draws_itself(s):
    return np.sum((rs.randn(3) * s) ** 2)


def reseeded(f, s):
    rs.seed(0)
    return f(s)


def finite_difference(f, s, eps=1e-6):
    return (reseeded(f, s + eps) - reseeded(f, s - eps)) / (2 * eps)


def test_random_draw_in_a_helper_runs_once():
    df = srcdiff.grad(draws_in_a_helper)
    expected = finite_difference(draws_in_a_helper, 1.0)
    assert expected == pytest.approx(8.4599, abs=1e-4)  # the true gradient at s = 1
    assert reseeded(df, 1.0) == pytest.approx(expected, rel=1e-6)
    assert reseeded(df, 1.0) == pytest.approx(
        reseeded(srcdiff.grad(draws_in_a_helper, mode="trace"), 1.0), rel=1e-12
    )


def test_random_draw_in_the_differentiated_function_runs_once():
    df = srcdiff.grad(draws_itself)
    expected = finite_difference(draws_itself, 1.0)
    assert expected == pytest.approx(8.4599, abs=1e-4)
    assert reseeded(df, 1.0) == pytest.approx(expected, rel=1e-6)


def draws_in_a_loop(s):
    total = 0.0
    for i in range(3):
        total = total + np.sum(noisy(s * i) ** 2)
    return total


def test_random_draws_in_a_helper_called_in_a_loop_run_once():
    # Each trip keeps its own pullback (on a stack): the backward pass sees each trip's samples.
    expected = finite_difference(draws_in_a_loop, 0.7)
    static = reseeded(srcdiff.grad(draws_in_a_loop), 0.7)
    trace = reseeded(srcdiff.grad(draws_in_a_loop, mode="trace"), 0.7)
    assert static == pytest.approx(expected, rel=1e-6)
    assert static == pytest.approx(trace, rel=1e-12)
    assert "noisy_backward_stack" in srcdiff.grad(draws_in_a_loop, method="reverse").source


@pytest.mark.parametrize("f", [draws_itself, draws_in_a_helper])
def test_random_draws_are_right_in_the_tracing_mode(f):
    expected = finite_difference(f, 1.0)
    assert expected == pytest.approx(8.4599, abs=1e-4)
    assert reseeded(srcdiff.grad(f, mode="trace"), 1.0) == pytest.approx(expected, rel=1e-6)


def uniform_noise():
    return np.random.uniform(size=3)


def shifted(s):
    return uniform_noise() + s


def draws_two_calls_down(s):
    return np.sum(shifted(s) * s)


def reseeded_global(f, s):
    np.random.seed(3)
    return f(s)


def test_random_draw_two_helpers_down_runs_once():
    expected = (
        reseeded_global(draws_two_calls_down, 1.0 + 1e-6)
        - reseeded_global(draws_two_calls_down, 1.0 - 1e-6)
    ) / 2e-6
    static = reseeded_global(srcdiff.grad(draws_two_calls_down), 1.0)
    trace = reseeded_global(srcdiff.grad(draws_two_calls_down, mode="trace"), 1.0)
    assert static == pytest.approx(expected, rel=1e-6)
    assert static == pytest.approx(trace, rel=1e-12)


def scaled_noise(s, generator):
    return generator.standard_normal(3) * s


def passes_a_generator(s):
    return np.sum(scaled_noise(s, rs) ** 2)


def test_generator_passed_to_a_helper_is_used_once():
    expected = finite_difference(passes_a_generator, 1.0)
    static = reseeded(srcdiff.grad(passes_a_generator), 1.0)
    trace = reseeded(srcdiff.grad(passes_a_generator, mode="trace"), 1.0)
    assert static == pytest.approx(expected, rel=1e-6)
    assert static == pytest.approx(trace, rel=1e-12)


def calls_what_it_is_given(s, fn):
    return np.sum(fn(s) ** 2)


@pytest.mark.parametrize(
    ("fn", "fragment"),
    [
        (noisy, "noisy calls rs.randn"),
        (functools.partial(scaled_noise, generator=rs), "scaled_noise is given a random"),
    ],
    ids=["function-argument", "partial-argument"],
)
def test_random_draw_in_a_function_known_only_when_called_is_refused(fn, fragment):
    # Such a function is run again by its vjp: the second run would draw other numbers.
    df = srcdiff.grad(calls_what_it_is_given, method="reverse")
    with pytest.raises(srcdiff.UnsupportedSyntax, match=fragment) as info:
        reseeded(lambda s: df(s, fn), 1.0)
    assert "known only when it is called" in str(info.value)
    assert 'mode="trace"' in str(info.value)


@pytest.mark.parametrize("fn", [noisy, functools.partial(scaled_noise, generator=rs)])
def test_forward_mode_runs_a_function_known_only_when_called_once(fn):
    # Its jvp computes the value and the tangent in one run: one draw.
    expected = finite_difference(lambda s: calls_what_it_is_given(s, fn), 1.0)
    static = reseeded(lambda s: srcdiff.grad(calls_what_it_is_given)(s, fn), 1.0)
    assert static == pytest.approx(expected, rel=1e-6)


calls = []


def counts_its_calls(s):
    calls.append(s)
    return s * len(calls)


def uses_a_counter(s):
    return counts_its_calls(s) * 2.0


class Accumulator:
    def __init__(self):
        self.total = 0.0
        self.seen = [0.0]

    def add(self, s):
        self.total = self.total + 1.0
        return s * self.total

    def remember(self, s):
        self.seen[0] = self.seen[0] + 1.0
        return s * self.seen[0]


ACCUMULATOR = Accumulator()


def uses_an_accumulator(s):
    return ACCUMULATOR.add(s) * s


def uses_a_memory(s):
    return ACCUMULATOR.remember(s) * s


total = 0.0


def bumps_a_global(s):
    global total
    total = total + 1.0
    return s * total


def uses_a_global(s):
    return bumps_a_global(s) * s


def test_helper_runs_once_per_gradient_call():
    df = srcdiff.grad(uses_a_counter)
    calls.clear()
    static = df(1.5)
    assert calls == [1.5]
    calls.clear()
    trace = srcdiff.grad(uses_a_counter, mode="trace")(1.5)
    assert len(calls) == 1
    calls.clear()
    above = uses_a_counter(1.5 + 1e-6)
    calls.clear()
    expected = (above - uses_a_counter(1.5 - 1e-6)) / 2e-6  # each run sees one call
    assert static == pytest.approx(expected, rel=1e-6)
    assert static == trace


SHARED = np.zeros(2)


def writes_a_module_array(s):
    SHARED[0] = s * 2.0
    return np.sum(SHARED) * s


def uses_a_module_array(s):
    return writes_a_module_array(s) * s


@pytest.mark.parametrize(
    ("f", "fragment"),
    [
        (uses_a_module_array, "writes_a_module_array changes SHARED[0], which it did not create"),
        (uses_an_accumulator, "add changes self.total"),
        (uses_a_memory, "remember changes self.seen[0]"),
        (uses_a_global, "a 'global' statement is not supported"),
    ],
    ids=["module-array-item", "attribute", "attribute-item", "global"],
)
def test_helper_that_changes_shared_state_is_refused(f, fragment):
    with pytest.raises(srcdiff.UnsupportedSyntax, match='mode="trace"') as info:
        srcdiff.grad(f)
    assert fragment in str(info.value)


def local_buffers(s):
    parts = []
    parts.append(s * 2.0)
    box = np.zeros(2)
    box[0] = s
    return np.sum(np.array(parts)) + np.sum(box)


def uses_local_buffers(s):
    return local_buffers(s) * s


def test_helper_that_changes_only_what_it_created_is_accepted():
    srcdiff.check_grads(uses_local_buffers, 1.5)


def swapped_first(a, b):
    a, b = b, a
    return np.sum(a)


def helper_value_free_of_the_gradient(y):
    return swapped_first(y, np.ones(2)) * 2.0 + np.sum(y * y)


def test_a_helper_whose_value_carries_no_gradient_still_returns_its_value():
    # The helper's result is not needed by its backward pass, yet its forward returns it.
    y = np.array([1.0, 2.0])
    df = srcdiff.grad(helper_value_free_of_the_gradient)
    np.testing.assert_allclose(df(y), 2 * y)
    np.testing.assert_allclose(
        srcdiff.grad(helper_value_free_of_the_gradient, mode="trace")(y), 2 * y
    )


def second_through_a_copy(a, b):
    v1 = b
    return v1


def helper_returning_a_copy(y):
    return np.sum(second_through_a_copy(y, np.ones(2)) * y) + np.sum(y * y)


def test_a_helper_returning_a_copy_of_an_argument_returns_it():
    y = np.array([1.0, 2.0])
    np.testing.assert_allclose(srcdiff.grad(helper_returning_a_copy)(y), 1.0 + 2 * y)
    np.testing.assert_allclose(srcdiff.grad(helper_returning_a_copy, mode="trace")(y), 1.0 + 2 * y)
