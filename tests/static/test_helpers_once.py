"""Static mode: a helper whose second run could differ from its first is refused.

The adjoint of a call to a user function runs it forward again, so a helper
that draws random numbers would give its backward pass other samples than its
forward pass.  Such helpers raise ``UnsupportedSyntax`` naming the helper and
``mode="trace"``; random numbers drawn in the differentiated function itself
(run once) stay right.
"""

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


def test_random_draw_in_a_helper_is_refused_at_decoration_time():
    with pytest.raises(srcdiff.UnsupportedSyntax) as info:
        srcdiff.grad(draws_in_a_helper)
    message = str(info.value)
    assert message.startswith(f"{__file__}:{noisy.__code__.co_firstlineno + 1}:")
    assert "noisy calls rs.randn" in message and 'mode="trace"' in message


def test_random_draw_in_the_differentiated_function_runs_once():
    df = srcdiff.grad(draws_itself)
    expected = finite_difference(draws_itself, 1.0)
    assert expected == pytest.approx(8.4599, abs=1e-4)  # the true gradient at s = 1
    assert reseeded(df, 1.0) == pytest.approx(expected, rel=1e-6)


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


def test_random_draw_two_helpers_down_is_refused():
    with pytest.raises(srcdiff.UnsupportedSyntax, match="shifted calls uniform_noise") as info:
        srcdiff.grad(draws_two_calls_down)
    assert "np.random.uniform" in str(info.value)


def scaled_noise(s, generator):
    return generator.standard_normal(3) * s


def passes_a_generator(s):
    return np.sum(scaled_noise(s, rs) ** 2)


def test_generator_passed_to_a_helper_is_refused_when_called():
    df = srcdiff.grad(passes_a_generator)
    with pytest.raises(srcdiff.UnsupportedSyntax, match="scaled_noise is given a random"):
        df(1.0)


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


@pytest.mark.parametrize(
    ("f", "fragment"),
    [
        (uses_a_counter, "counts_its_calls changes calls with .append()"),
        (uses_an_accumulator, "add changes self.total"),
        (uses_a_memory, "remember changes self.seen[0]"),
        (uses_a_global, "declares 'global total'"),
    ],
    ids=["list-append", "attribute", "attribute-item", "global"],
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
