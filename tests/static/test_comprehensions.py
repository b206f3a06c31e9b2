"""Comprehensions, generator expressions and tuple loop targets (static/comprehensions.py).

Every function is checked in both modes against central finite differences,
for each argument; alone, inside loops and branches, and with nested helpers.
"""

import numpy as np
import pytest

import srcdiff
from tests.numeric import assert_every_grad_right
from tests.static.test_list_gradients import assert_list_grad_right

RNG = np.random.default_rng(11)
X = np.array([0.5, -1.25, 2.0])
XS = RNG.normal(size=(4, 3))
WS = RNG.normal(size=(4, 3))


def feature(v):
    return np.tanh(v) * v


def stack_of_helper_values(xs):
    return np.sum(np.stack([feature(x) for x in xs]) ** 2)


def weighted_sum_over_zip(ws, xs):
    return sum(w * x for w, x in zip(ws, xs)).sum()


def squares_by_index(x):
    n = x.shape[0]
    return sum([x[i] ** 2 for i in range(n)])


def filtered(x):
    return sum(v * v for v in x if v > 0) + sum([np.sin(v) for v in x if v < 0])


def two_fors(x):
    return sum(x[i] * x[j] for i in range(3) for j in range(i + 1))


def two_fors_with_filters(x):
    return sum(x[i] * x[j] ** 2 for i in range(3) if i != 1 for j in range(3) if j >= i)


def nested_lists(x):
    return np.sum(np.array([[x[i] * x[j] for j in range(3)] for i in range(3)]) ** 2)


def enumerated(x):
    return sum(i * v**2 for i, v in enumerate(x))


def enumerated_zip(ws, xs):
    return np.sum(sum(k * w * x for k, (w, x) in enumerate(zip(ws, xs))))


def comprehension_in_a_loop(x):
    h = x
    for step in range(3):
        h = np.stack([np.sin(h[i]) * (step + 1) for i in range(3)])
    return np.sum(h)


def comprehension_in_branches(x):
    if np.sum(x) > 0:
        y = sum([v**3 for v in x])
    else:
        y = sum(np.exp(v) for v in x)
    return y


def shadows_the_argument(x):
    ys = [x * 2.0 for x in x]  # the loop's x is the comprehension's own
    return np.sum(np.stack(ys) * x)


def with_a_nested_helper(ws, x):
    def score(w):
        return np.dot(w, x) ** 2

    return sum(score(w) for w in ws)


def sum_with_start(x):
    return sum((v * v for v in x), x[0])


def list_and_tuple_of_generators(x):
    return np.sum(np.array(list(v * 2.0 for v in x)) * np.array(tuple(np.cos(v) for v in x)))


def rows_of_a_matrix(ws, xs):
    return np.sum(np.array([np.dot(row, ws[0]) for row in xs]) ** 2)


def tuple_targets_over_constants(x):
    return sum(a * x[0] + b * x[1] ** 2 for a, b in [(1.0, 2.0), (3.0, 4.0)])


def loop_over_pairs_with_gradients(x):
    pairs = [(x[0], x[1]), (x[1], x[2]), (x[2], x[0])]
    total = 0.0
    for a, b in pairs:
        total = total + a * b**2
    return total


def loop_enumerate_zip(ws, xs):
    total = 0.0
    for i, (w, x) in enumerate(zip(ws, xs)):
        if i % 2 == 0:
            total = total + np.sum(w * x)
        else:
            total = total - np.sum(w * x) * 0.5
    return total


def comprehension_as_argument_of_comprehension(xs):
    return sum(sum(a * b for a in row) for row in xs for b in row[:1])


def conditional_expression_with_comprehensions(x):
    return sum([v * v for v in x]) if x[0] > 0 else sum([v for v in x])


def tuple_and_list_of_an_array(x, xs):
    a, b, c = tuple(x)
    rows = list(xs)
    return a * b * c + np.sum(rows[0] * rows[1]) + sum(list([a, b]))


CASES = [
    (tuple_and_list_of_an_array, (X, XS)),
    (stack_of_helper_values, (XS,)),
    (weighted_sum_over_zip, (WS, XS)),
    (squares_by_index, (X,)),
    (filtered, (X,)),
    (two_fors, (X,)),
    (two_fors_with_filters, (X,)),
    (nested_lists, (X,)),
    (enumerated, (X,)),
    (enumerated_zip, (WS, XS)),
    (comprehension_in_a_loop, (X,)),
    (comprehension_in_branches, (X,)),
    (comprehension_in_branches, (-X,)),
    (shadows_the_argument, (X,)),
    (with_a_nested_helper, (WS, X)),
    (sum_with_start, (X,)),
    (list_and_tuple_of_generators, (X,)),
    (rows_of_a_matrix, (WS, XS)),
    (tuple_targets_over_constants, (X,)),
    (loop_over_pairs_with_gradients, (X,)),
    (loop_enumerate_zip, (WS, XS)),
    (comprehension_as_argument_of_comprehension, (XS,)),
    (conditional_expression_with_comprehensions, (X,)),
    (conditional_expression_with_comprehensions, (-X,)),
]


@pytest.mark.parametrize(
    "fn, args", CASES, ids=[f"{f.__name__}-{i}" for i, (f, _) in enumerate(CASES)]
)
def test_comprehension_gradient_is_right_in_both_modes(fn, args):
    assert_every_grad_right(fn, args)


def test_comprehension_becomes_a_loop_named_after_its_target():
    def squares(x):
        ys = [v * v for v in x]
        return sum(ys)

    source = srcdiff.grad(squares).source
    assert "ys = []" in source and "ys.append(" in source
    assert "for " in source and "ListComp" not in source


def test_comprehension_loop_name_does_not_leak():
    # The comprehension's x is its own: the function's x keeps its value.
    np.testing.assert_allclose(shadows_the_argument(X), np.sum(2 * X * X))
    np.testing.assert_allclose(srcdiff.grad(shadows_the_argument)(X), 4 * X)


def layers(params, x):
    h = x
    for W, b in params:
        h = np.tanh(W @ h + b)
    return np.sum(h**2) + sum(np.sum(W**2) for W, _ in params)


def test_loop_unpacks_a_list_of_weight_tuples():
    params = [(RNG.normal(size=(3, 2)), RNG.normal(size=3)), (RNG.normal(size=(2, 3)), 0.5)]
    assert_list_grad_right(layers, params, RNG.normal(size=2), wrt=0, ragged=True)
    assert_list_grad_right(layers, params, RNG.normal(size=2), wrt=1, ragged=True)


def multi_head_attention(Wq, Wk, Wv, xs):
    """Attention with a comprehension over heads, each a slice of the projections."""

    def head(h):
        q, k, v = xs @ Wq[h], xs @ Wk[h], xs @ Wv[h]
        scores = q @ k.T / np.sqrt(q.shape[1])
        weights = np.exp(scores - np.max(scores, axis=1, keepdims=True))
        weights = weights / np.sum(weights, axis=1, keepdims=True)
        return weights @ v

    heads = [head(h) for h in range(Wq.shape[0])]
    return np.sum(np.concatenate(heads, axis=1) ** 2)


def test_attention_with_a_comprehension_over_heads():
    Wq, Wk, Wv = (RNG.normal(size=(2, 3, 2)) for _ in range(3))
    assert_every_grad_right(multi_head_attention, (Wq, Wk, Wv, RNG.normal(size=(4, 3))))


def short_circuits(x):
    def big(v):
        return np.sum(v * v) > 4.0

    total = np.sum(x)
    if x[0] > 0 and sum(v for v in x) > 1.0:
        total = total * 2.0
    if x[1] > 0 or big(x) or any(v > 1.5 for v in x):
        total = total + np.sum(x**3)
    return total


@pytest.mark.parametrize("x", [X, -X, X * 0.1, np.array([-1.0, -0.5, 1.6])])
def test_and_or_evaluate_their_right_side_only_when_needed(x):
    assert_every_grad_right(short_circuits, (x,))


def comprehension_in_a_while_condition(x):
    y = x
    steps = 0
    while sum([v * v for v in y]) > 1.0 and steps < 10:
        y = y * 0.5
        steps = steps + 1
    return np.sum(y**3) + steps


def test_comprehension_in_a_while_condition_runs_before_each_trip():
    assert_every_grad_right(comprehension_in_a_while_condition, (X,))
    assert_every_grad_right(comprehension_in_a_while_condition, (X * 0.1,))
