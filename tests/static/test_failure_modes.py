"""SPEC §4: failure modes of earlier tools that must be impossible here.

Expected gradients come from central finite differences (``check_grads``,
which also checks the static mode against the tracing mode) or from formulas
derived by hand in the test.
"""

import os
import tempfile

import numpy as np
import pytest

import srcdiff

_rng = np.random.default_rng(11)


def divide(x, y):
    return x / y


def power(x, y):
    return x**y


def add(x, y):
    return x + y


def subtract(x, y):
    return x - y


def multiply(x, y):
    return x * y


def softmax(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


def softmax_rows(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def normalize_by_sum(x):
    return x / x.sum()


def layer_norm(x, gamma, beta):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + 1e-5) + beta


def repeated_fancy_index(x):
    return np.sum(x[np.array([0, 0, 2, 0])] ** 2)


def repeated_index_list(x):
    idx = [1, 1, 1]
    return np.sum(x[idx] * x[idx])


def bump_local_copy(x):
    y = x * 1.0
    y[0] += 1.0
    return np.sum(y * y)


def set_local_copy(x):
    y = x + 0.0
    y[1] = 5.0
    y[0] += y[2]
    return np.sum(y**3)


def transpose_of_parameter(x):
    return np.sum(x.T @ x)


def shape_of_parameter(x):
    n, m = x.shape
    return np.sum(x) / (n * m)


def axis_sum_of_parameter(x):
    return np.sum(x.sum(axis=0) ** 2)


def methods_of_parameter(x):
    return x.reshape(-1).mean() + x.T.max() * x.size


def square_sum(x):
    return np.sum(x * x)


OPERAND_SHAPES = [None, (), (1, 3), (2, 1), (2, 3)]


def _operand(shape, positive=False):
    if shape is None:
        value = float(_rng.uniform(0.5, 2.0))
        return value if positive else -value
    value = _rng.uniform(0.5, 2.0, size=shape)
    if not positive:
        value = value * _rng.choice([-1.0, 1.0], size=shape)
    return np.asarray(value)


def _name(shape):
    return "float" if shape is None else "x".join(map(str, shape)) or "0d"


BROADCASTS = [
    (fn, left, right)
    for fn in (divide, power, add, subtract, multiply)
    for left in OPERAND_SHAPES
    for right in OPERAND_SHAPES
    if (left, right) != (None, None) and (left == (2, 3) or right == (2, 3) or left == right)
]


@pytest.mark.parametrize(
    "fn, left, right",
    BROADCASTS,
    ids=[f"{fn.__name__}-{_name(a)}-{_name(b)}" for fn, a, b in BROADCASTS],
)
def test_broadcast_operand_gradients_are_summed_back(fn, left, right):
    positive = fn in (divide, power)
    x, y = _operand(left, positive), _operand(right, positive)
    srcdiff.check_grads(fn, x, y, wrt=(0, 1))
    dx, dy = srcdiff.vjp(fn, wrt=(0, 1))(x, y, seed=np.ones(np.shape(fn(x, y))))
    assert np.shape(dx) == np.shape(x) and np.shape(dy) == np.shape(y)


def test_scalar_divisor_gets_a_scalar_gradient():
    """d/dy sum(x / y) = -sum(x) / y**2, a Python float for a Python float y."""
    x = np.array([1.0, 2.0, 3.0])
    dy = srcdiff.grad(lambda_free_divide_sum, wrt=1)(x, 2.0)
    assert np.shape(dy) == ()
    assert dy == pytest.approx(-np.sum(x) / 4.0)


def lambda_free_divide_sum(x, y):
    return np.sum(x / y)


def test_softmax():
    x = _rng.standard_normal(5)
    srcdiff.check_grads(softmax, x)
    # d softmax_0 / dx = p_0 (e_0 - p): written out by hand.
    p = softmax(x)
    seed = np.eye(5)[0]
    expected = p[0] * (seed - p)
    np.testing.assert_allclose(srcdiff.vjp(softmax)(x, seed=seed), expected, rtol=1e-10)


def test_softmax_over_rows():
    srcdiff.check_grads(softmax_rows, _rng.standard_normal((3, 4)))


def test_divide_by_own_sum():
    x = _rng.uniform(0.5, 2.0, 4)
    srcdiff.check_grads(normalize_by_sum, x)
    # The outputs sum to one, so any constant seed has a zero vjp.
    np.testing.assert_allclose(srcdiff.vjp(normalize_by_sum)(x, seed=np.ones(4)), 0, atol=1e-12)


def test_layer_norm():
    x = _rng.standard_normal((3, 5))
    gamma, beta = _rng.standard_normal(5), _rng.standard_normal(5)
    srcdiff.check_grads(layer_norm, x, gamma, beta, wrt=(0, 1, 2))


def test_power_with_array_exponent():
    x = _rng.uniform(0.5, 2.0, (2, 3))
    y = _rng.uniform(-1.0, 2.0, (2, 3))
    srcdiff.check_grads(power, x, y, wrt=(0, 1))
    dx, dy = srcdiff.vjp(power, wrt=(0, 1))(x, y, seed=np.ones((2, 3)))
    np.testing.assert_allclose(dx, y * x ** (y - 1))
    np.testing.assert_allclose(dy, x**y * np.log(x))


def test_repeated_fancy_indices_accumulate():
    x = np.array([1.0, 2.0, 3.0])
    # x[0] appears three times, x[2] once: 3 * 2 * x0, 0, 2 * x2.
    np.testing.assert_allclose(srcdiff.grad(repeated_fancy_index)(x), [6.0, 0.0, 6.0])
    srcdiff.check_grads(repeated_fancy_index, x)


def test_repeated_list_indices_accumulate():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(srcdiff.grad(repeated_index_list)(x), [0.0, 12.0, 0.0])


def test_augmented_subscript_on_a_local_copy_is_kept():
    x = np.array([1.0, 2.0, 3.0])
    value, gradient = srcdiff.value_and_grad(bump_local_copy)(x)
    assert value == pytest.approx((1.0 + 1.0) ** 2 + 4.0 + 9.0)
    np.testing.assert_allclose(gradient, [4.0, 4.0, 6.0])
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_subscript_assignments_on_a_local_copy():
    x = np.array([1.0, 2.0, 3.0])
    value, gradient = srcdiff.value_and_grad(set_local_copy)(x)
    assert value == pytest.approx(set_local_copy(x.copy()))
    # y = [x0 + x2, 5, x2]: d/dx0 = 3 y0^2, d/dx1 = 0, d/dx2 = 3 y0^2 + 3 x2^2.
    y0 = x[0] + x[2]
    np.testing.assert_allclose(gradient, [3 * y0**2, 0.0, 3 * y0**2 + 3 * x[2] ** 2])


@pytest.mark.parametrize(
    "fn",
    [transpose_of_parameter, shape_of_parameter, axis_sum_of_parameter, methods_of_parameter],
)
def test_attributes_and_methods_on_a_parameter(fn):
    srcdiff.check_grads(fn, _rng.standard_normal((2, 3)))


def test_integer_input_gets_a_float_gradient():
    d = srcdiff.grad(square_sum)(np.array([1, 2, 3]))
    assert d.dtype == np.float64
    np.testing.assert_array_equal(d, [2.0, 4.0, 6.0])
    d = srcdiff.grad(divide, wrt=1)(np.int64(3), np.int64(2))  # NumPy integer scalars
    assert np.asarray(d).dtype == np.float64
    assert d == pytest.approx(-0.75)


def fresh_function(x):
    return np.sum(np.tanh(x) * x)


def fresh_function_two(x):
    return np.sum(np.sin(x) ** 2)


def test_compiling_leaves_no_file_on_disk(tmp_path, monkeypatch):
    """No temp file per gradient and no cache in the home directory (SPEC §4)."""
    system_dir = tempfile.gettempdir()
    system_temp = set(os.listdir(system_dir))
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    here = set(os.listdir(os.path.dirname(__file__)))
    for kind in (srcdiff.grad, srcdiff.value_and_grad, srcdiff.vjp):
        kind(fresh_function, optimize=False)(np.ones(3))
    srcdiff.grad(fresh_function_two)(np.ones(2))
    assert os.listdir(temp) == []
    assert os.listdir(home) == []
    assert set(os.listdir(os.path.dirname(__file__))) == here
    new = set(os.listdir(system_dir)) - system_temp
    assert not [entry for entry in new if "srcdiff" in entry or entry.endswith(".py")]


def with_pass(x):
    y = x * 2.0
    pass
    if np.sum(x) > 0:
        pass
    else:
        y = y * 3.0
    for _ in range(2):
        pass
    return np.sum(y * y)


@pytest.mark.parametrize("x", [np.array([1.0, 2.0]), np.array([-1.0, -2.0])])
def test_pass_statements_are_skipped_in_both_branches(x):
    expected = 8.0 * x if np.sum(x) > 0 else 72.0 * x  # d sum((c x)^2) = 2 c^2 x
    for mode in ("static", "trace"):
        np.testing.assert_allclose(srcdiff.grad(with_pass, mode=mode)(x), expected)
    srcdiff.check_grads(with_pass, x)


def test_pass_leaves_no_dead_statement_in_the_generated_code():
    """A ``pass`` stays only where Python needs a statement: alone in its block."""
    lines = [line for line in srcdiff.grad(with_pass).source.splitlines() if line.strip()]
    code = [line for line in lines if not line.strip().startswith("#")]
    for before, line in zip(code, code[1:]):
        if line.strip() == "pass":
            assert before.rstrip().endswith(":"), f"a dead 'pass' after {before.strip()!r}"


def only_pass(x):
    pass


def returns_a_string(x):
    return "done"


@pytest.mark.parametrize("fn, what", [(only_pass, "None"), (returns_a_string, "a str")])
def test_an_output_that_is_not_a_number_is_refused(fn, what):
    with pytest.raises(srcdiff.DifferentiationError, match=f"returned {what};"):
        srcdiff.grad(fn)(np.ones(2))
