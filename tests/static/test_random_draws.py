"""Calls into ``numpy.random`` inside the differentiated function: drawn once, no gradient.

The forward pass draws; the backward pass reads the values drawn and never
draws again, so after one gradient call the generator has moved exactly as
far as one run of the function moves it.  Checked in both modes, against the
gradient written out with the same draws.
"""

import numpy as np
import pytest

import srcdiff

X = np.array([0.5, -1.25, 2.0])


def global_state(x):
    z = np.random.randn(3)
    for _ in range(2):
        x = x * (1.0 + np.random.rand(3))
    return np.sum(x * z)


def expected_global_state(x):
    z = np.random.randn(3)
    factor = np.ones(3)
    for _ in range(2):
        factor = factor * (1.0 + np.random.rand(3))
    return z * factor


def generator_argument(x, rng):
    total = 0.0
    for _ in range(3):
        total = total + np.sum(x * rng.normal(size=3)) ** 2
    return total


def expected_generator_argument(x, rng):
    draws = [rng.normal(size=3) for _ in range(3)]
    return sum(2 * np.sum(x * d) * d for d in draws)


def chained_generator(x):
    return np.sum(x**2 * np.random.default_rng(0).standard_normal(3))


def draws(x, rng):
    return x * rng.normal(size=x.shape)


def through_a_helper(x, rng):
    return np.sum(draws(x, rng) ** 2)


def through_a_named_lambda(x, rng):
    jitter = lambda v: v * rng.standard_normal(v.shape)  # noqa: E731
    return np.sum(jitter(x) ** 2)


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_draws_from_the_global_state_run_once(mode):
    np.random.seed(4)
    got = srcdiff.grad(global_state, mode=mode)(X)
    after = np.random.rand()
    np.random.seed(4)
    np.testing.assert_allclose(got, expected_global_state(X))
    assert np.random.rand() == after  # the same draws, no more


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_draws_from_a_generator_argument_run_once(mode):
    rng, fresh = np.random.default_rng(8), np.random.default_rng(8)
    got = srcdiff.grad(generator_argument, mode=mode)(X, rng)
    np.testing.assert_allclose(got, expected_generator_argument(X, fresh))
    assert rng.normal() == fresh.normal()


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_a_generator_made_inside_draws_like_numpy(mode):
    got = srcdiff.grad(chained_generator, mode=mode)(X)
    np.testing.assert_allclose(got, 2 * X * np.random.default_rng(0).standard_normal(3))


def through_a_nested_helper(x, rng):
    def jitter(v):
        return v * rng.normal(size=v.shape)

    return np.sum(jitter(x) ** 2)


def in_a_comprehension(x, rng):
    return np.sum(np.stack([x * rng.normal() for _ in range(3)]) ** 2)


def _one_draw_each(fresh):
    return fresh.normal(size=3)


def _three_numbers(fresh):
    factors = np.array([fresh.normal() for _ in range(3)])
    return np.full(3, np.sqrt(np.sum(factors**2)))  # sum of (x * f)^2 = x^2 * sum f^2


ONCE = [
    (through_a_helper, _one_draw_each),
    (through_a_named_lambda, lambda fresh: fresh.standard_normal(3)),
    (through_a_nested_helper, _one_draw_each),
    (in_a_comprehension, _three_numbers),
]


@pytest.mark.parametrize("fn, drawn", ONCE, ids=[fn.__name__ for fn, _ in ONCE])
@pytest.mark.parametrize("mode", ["static", "trace"])
def test_a_helper_lambda_or_comprehension_that_draws_runs_once(fn, drawn, mode):
    rng, fresh = np.random.default_rng(2), np.random.default_rng(2)
    value, got = srcdiff.value_and_grad(fn, mode=mode)(X, rng)
    scale = drawn(fresh)  # value = sum((x * scale)^2) with the numbers drawn
    np.testing.assert_allclose(got, 2 * X * scale**2)
    np.testing.assert_allclose(value, np.sum((X * scale) ** 2))
    assert rng.normal() == fresh.normal()  # the same draws, no more


def calls_what_it_is_given(x, fn):
    return np.sum(fn(x))


def test_a_function_known_only_at_run_time_that_draws_is_refused():
    # Its backward pass would run it again and draw other numbers.
    with pytest.raises(srcdiff.UnsupportedSyntax, match="gives a new result on each call"):
        srcdiff.grad(calls_what_it_is_given)(X, lambda_free_draws)
    got = srcdiff.grad(calls_what_it_is_given, mode="trace")(X, lambda_free_draws)
    assert got.shape == X.shape


def lambda_free_draws(v):
    return v * np.random.rand(*v.shape)
