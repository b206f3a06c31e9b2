"""The cotangent of a full reduction kept as one number (``srcdiff/static/uniform.py``).

It must stand for exactly as many elements as the reduction combined: when
it reaches a scalar operand (``z = y + c``, ``c`` a scalar) the operand's
gradient is the value times the count, and when it reaches an operand that
broadcasting repeated (``y`` of shape (3, 1) against (3, 4)) the repeats are
summed.  Each case is checked against central finite differences, and the
generated code is checked to take the path the case is about.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import srcdiff
from tests.numeric import assert_grad_right
from tests.static.fuzz_expressions import BASE_SHAPES, broadcast
from tests.static.fuzz_programs import Program
from tests.static.test_fuzz import SETTINGS, check_program

RNG = np.random.default_rng(12)
Y = RNG.uniform(-1.0, 1.0, (3, 4))
W = RNG.uniform(-1.0, 1.0, (2, 5))
COLUMN = RNG.uniform(-1.0, 1.0, (3, 1))


def plus_scalar(y, w):
    c = np.sum(w)
    z = y + c
    return np.sum(z)


def mean_minus_scalar(y, w):
    c = np.mean(w * w)
    z = y * c - c
    return np.mean(z)


def scaled_chain(y, w):
    c = np.mean(w)
    z = np.tanh(y) * 3.0
    u = -z / 2.0 + c
    return np.sum(u * 2.0)


def column_plus_matrix(column, y):
    z = column + y
    return np.sum(z * 3.0)


def column_times_twice(column, y):
    z = column * 2.0
    u = z * y
    return np.mean(u + z)


def two_reductions(y, w):
    c = np.sum(w)
    return np.mean(y * 2.0) + np.sum(y + c) * 0.5


CASES = [
    (plus_scalar, (Y, W)),
    (mean_minus_scalar, (Y, W)),
    (scaled_chain, (Y, W)),
    (two_reductions, (Y, W)),
    (column_plus_matrix, (COLUMN, Y)),
    (column_times_twice, (COLUMN, Y)),
]


@pytest.mark.parametrize("f, args", CASES, ids=[f.__name__ for f, _ in CASES])
@pytest.mark.parametrize("position", [0, 1])
def test_gradients_count_every_element(f, args, position):
    assert_grad_right(f, args, position)


@pytest.mark.parametrize("f", [plus_scalar, mean_minus_scalar, scaled_chain, two_reductions])
def test_a_scalar_operand_gets_the_count(f):
    # The scalar ``c`` receives the uniform cotangent times the number of elements.
    source = srcdiff.grad(f, wrt=1).source
    dc = [line for line in source.splitlines() if line.strip().startswith("dc = ")]
    assert any("reduced_size(" in line and "unreduce" not in line for line in dc), source


def test_a_scalar_operand_of_a_sum_gets_the_element_count():
    np.testing.assert_allclose(srcdiff.grad(plus_scalar, wrt=1)(Y, W), np.full(W.shape, Y.size))


def test_a_broadcast_operand_sums_its_repeats():
    source = srcdiff.grad(column_plus_matrix).source
    assert "unbroadcast(" in source and "unreduce(" in source, source
    got = srcdiff.grad(column_plus_matrix)(COLUMN, Y)
    np.testing.assert_allclose(got, np.full(COLUMN.shape, 3.0 * Y.shape[1]))


def quickstart(x):
    y = x + 2
    z = y * y * 3
    return np.mean(z)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_gradient_stays_a_fresh_array_of_the_argument_dtype(dtype):
    x = np.arange(6.0, dtype=dtype).reshape(2, 3)
    g = srcdiff.grad(quickstart)(x)
    assert g.dtype == dtype and g.shape == x.shape and g.flags.writeable
    assert not np.shares_memory(g, x)
    np.testing.assert_allclose(g, 6 * (x + 2) / x.size, rtol=1e-6)
    assert "unreduce" not in srcdiff.grad(quickstart).source


def sum_only(x):
    return np.sum(x * 2.0)


@pytest.mark.parametrize("x", [np.ones((2, 3)), np.ones((2, 3), dtype=np.float32), 1.5])
def test_a_gradient_still_uniform_at_the_end_is_spread(x):
    df = srcdiff.grad(sum_only, method="reverse")  # a Python float would run forward mode
    g = df(x)
    assert np.shape(g) == np.shape(x) and type(g) is type(x)
    np.testing.assert_allclose(g, np.full(np.shape(x), 2.0))
    assert "unreduce(" in df.source


# -- random programs: elementwise chains with scalars and broadcasting partners ---------

ELEMENTWISE = ["np.tanh({a})", "-{a}", "{a} * 2.0", "{a} / 4.0", "np.exp(np.tanh({a}))"]
BINARY = ["{a} + {b}", "{a} - {b}", "{a} * {b}", "{a} / (1.0 + {b} * {b})"]
REDUCTIONS = ["np.sum({a})", "np.mean({a})", "{a}.sum()"]


@st.composite
def reduction_programs(draw):
    """``def f(x, y)`` of elementwise statements, scalar locals and a full reduction."""
    shapes = {"x": draw(st.sampled_from(BASE_SHAPES)), "y": draw(st.sampled_from(BASE_SHAPES))}
    env, lines = dict(shapes), ["import numpy as np", "", "", "def f(x, y):"]
    last = "x"
    for k in range(draw(st.integers(2, 6))):
        names = sorted(env)
        a = draw(st.sampled_from([last] * 3 + names))  # mostly a chain that reaches the output
        kinds = ["unary", "binary", "binary", "constant", "reduce"]
        scalars = [n for n in names if env[n] == () and n not in shapes]
        kind = draw(st.sampled_from(kinds + ["scalar"] * 2 if scalars else kinds))
        if kind == "unary":
            text, shape = draw(st.sampled_from(ELEMENTWISE)).format(a=a), env[a]
        elif kind == "constant":
            b = draw(st.sampled_from(["2.0", "-0.5", "3.0"]))
            a, b = (a, b) if draw(st.booleans()) else (b, a)
            text = draw(st.sampled_from(BINARY)).format(a=a, b=b)
            shape = env.get(a, env.get(b))
        elif kind == "scalar":  # a proven scalar (a reduction's result) as the partner
            b = draw(st.sampled_from(scalars))
            a, b = (a, b) if draw(st.booleans()) else (b, a)
            text, shape = draw(st.sampled_from(BINARY)).format(a=a, b=b), broadcast(env[a], env[b])
        elif kind == "binary":
            partners = [n for n in names if broadcast(env[a], env[n]) is not None]
            b = draw(st.sampled_from(partners))
            text = draw(st.sampled_from(BINARY)).format(a=a, b=b)
            shape = broadcast(env[a], env[b])
        else:
            text, shape = draw(st.sampled_from(REDUCTIONS)).format(a=a), ()
            if env[a] == () and text.endswith(".sum()"):
                text = f"np.sum({a})"  # a scalar may be a Python float, without .sum()
        last = f"v{k}"
        env[last] = shape
        lines.append(f"    {last} = {text}")
    other = draw(st.sampled_from(sorted(env)))
    reduction = draw(st.sampled_from(REDUCTIONS[:2])).format(a=last)
    if draw(st.booleans()):
        reduction += " + " + draw(st.sampled_from(REDUCTIONS[:2])).format(a=f"{other} * 0.5")
    lines.append(f"    return {reduction}")
    wrt = draw(st.sampled_from([(0, 1), (0,), (1,)]))
    return Program("\n".join(lines) + "\n", tuple(shapes.values()), wrt, draw(st.integers(0, 999)))


@settings(SETTINGS, max_examples=40)
@given(reduction_programs())
def test_random_reductions_of_elementwise_chains(tmp_path, program):
    check_program(program, tmp_path)


def product_of_two_shapes_of_x(x):
    y = x + 2.0
    w = np.exp(np.tanh(x))
    z = y * w
    return np.mean(z * 3.0)


def test_a_partner_of_the_full_shape_makes_the_cotangent_exact():
    # ``y`` and ``w`` both have ``x``'s shape, so ``z`` does: no array of ones is made.
    x = RNG.uniform(-1.0, 1.0, (3, 4))
    assert_grad_right(product_of_two_shapes_of_x, (x,))
    assert "unreduce" not in srcdiff.grad(product_of_two_shapes_of_x).source
