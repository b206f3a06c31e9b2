"""Corners of the Tensor API and of the graph that no broader test reaches.

Each test pins one behaviour that a one-token change in ``srcdiff/trace``
could break without any other test noticing: the ``Tensor`` constructor's
``requires_grad``, ``expand`` with ``-1``, the graph's check of the shape of
a cotangent, and the refusals of ufunc methods and of ``math`` functions.
PyTorch is the reference where it has the same operation.
"""

import math

import numpy as np
import pytest
import torch

import srcdiff
from srcdiff.rules import registry

X = np.array([[0.5, -1.0, 1.5], [0.7, 1.2, -0.8]])


def test_the_tensor_constructor_makes_a_leaf_that_requires_grad():
    t = srcdiff.Tensor(X, requires_grad=True)
    reference = torch.tensor(X, requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad_fn is None
    (t * t).sum().backward()
    (reference * reference).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), reference.grad.numpy(), rtol=1e-15)


def test_the_tensor_constructor_makes_a_constant_by_default():
    t = srcdiff.Tensor(X)
    assert not t.requires_grad and t.grad_fn is None
    assert not (t * 2.0).requires_grad


@pytest.mark.parametrize(
    "shape, sizes", [((2, 1), (-1, 3)), ((1, 3), (2, -1)), ((2, 1), (4, -1, 3)), ((3,), (2, -1))]
)
def test_expand_with_minus_one_keeps_that_dimension(shape, sizes):
    data = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    t = srcdiff.tensor(data, requires_grad=True)
    reference = torch.tensor(data, requires_grad=True)
    expanded = t.expand(*sizes)
    expected = reference.expand(*sizes)
    assert expanded.shape == tuple(expected.shape)
    np.testing.assert_array_equal(expanded.detach().numpy(), expected.detach().numpy())
    weights = np.arange(expected.numel(), dtype=np.float64).reshape(tuple(expected.shape))
    (expanded * srcdiff.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), reference.grad.numpy(), rtol=1e-15)


def twice(x):
    return 2.0 * x


def uses_twice(x):
    return np.sum(np.sin(twice(x)))


def test_the_graph_refuses_a_table_rule_whose_cotangent_has_the_wrong_shape(rules):
    """The built-in table's rules are not wrapped in checks; the graph checks every edge."""

    @registry.defvjp(twice)
    def row_rule(g, ans, x):
        return ((2.0 * g)[np.newaxis],)

    with pytest.raises(
        srcdiff.DifferentiationError,
        match=r"row_rule .*returned a cotangent of shape \(1, 2, 3\) for argument 0, "
        r"whose shape is \(2, 3\)",
    ):
        srcdiff.grad(uses_twice, mode="trace")(X)


def test_the_graph_accepts_a_table_rule_of_the_right_shape(rules):
    @registry.defvjp(twice)
    def right_rule(g, ans, x):
        return (2.0 * g,)

    expected = 2.0 * np.cos(2.0 * X)
    np.testing.assert_allclose(srcdiff.grad(uses_twice, mode="trace")(X), expected, rtol=1e-12)


@pytest.mark.parametrize("method", ["reduce", "accumulate", "outer"])
def test_a_ufunc_method_on_a_tensor_is_refused(method):
    t = srcdiff.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    arguments = (t, t) if method == "outer" else (t,)
    with pytest.raises(
        srcdiff.DifferentiationError, match=rf"np\.add\.{method} is not recorded by the tracing"
    ):
        getattr(np.add, method)(*arguments)


def test_a_ufunc_called_plainly_on_a_tensor_is_recorded():
    t = srcdiff.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    total = np.add(t, t).sum()
    total.backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.full((2, 2), 2.0))


def lgamma_plus(x):
    return math.lgamma(x) + x


def test_a_math_function_without_a_rule_is_refused_naming_it():
    with pytest.raises(srcdiff.DifferentiationError) as error:
        srcdiff.grad(lgamma_plus, mode="trace")(2.5)
    message = str(error.value)
    assert "math.lgamma has no VJP rule" in message, message
    assert "np.lgamma" not in message, message  # NumPy has no lgamma to point to
    assert "return math.lgamma(x) + x" in message, message


def spreads(x):
    return x.var() + x.std() + np.sum(np.var(x, axis=0)) + np.sum(x.std(keepdims=True))


def test_var_and_std_in_a_traced_function_are_numpys():
    """The user's code is NumPy code: ``x.var()`` there has NumPy's ``ddof=0``."""
    srcdiff.check_grads(spreads, X)


@pytest.mark.parametrize("name", ["var", "std"])
def test_tensor_var_and_std_follow_numpy_with_numpys_keywords_and_pytorch_without(name):
    t, reference = srcdiff.tensor(X), torch.tensor(X)
    method = getattr(t, name)
    numpy_fn = getattr(np, name)
    np.testing.assert_allclose(method(keepdims=True).numpy(), numpy_fn(X, keepdims=True))
    np.testing.assert_allclose(method(axis=0).numpy(), numpy_fn(X, axis=0))
    np.testing.assert_allclose(method().numpy(), getattr(reference, name)().numpy())
    np.testing.assert_allclose(method(dim=0).numpy(), getattr(reference, name)(dim=0).numpy())
    np.testing.assert_allclose(
        method(dim=1, keepdim=True).numpy(), getattr(reference, name)(dim=1, keepdim=True).numpy()
    )


def test_as_tensor_shares_an_arrays_memory_when_the_dtype_fits():
    import srcdiff.trace as st

    array = np.array([1.0, 2.0, 3.0])
    shared = st.as_tensor(array)
    reference = torch.as_tensor(array)
    array[0] = 5.0
    assert shared.numpy()[0] == reference.numpy()[0] == 5.0
    converted = st.as_tensor(array, dtype=np.float32)
    array[1] = 7.0
    assert converted.dtype == np.float32 and converted.numpy()[1] == 2.0
    from_list = st.as_tensor([1.0, 2.0])
    assert from_list.shape == (2,) and not from_list.requires_grad


@pytest.mark.parametrize(
    "call, numpy_shape",
    [
        (lambda t: t.squeeze(axis=0), (2, 1)),
        (lambda t: t.squeeze(axis=2), (1, 2)),
        (lambda t: t.squeeze(0), (2, 1)),
        (lambda t: t.squeeze(1), (1, 2, 1)),  # PyTorch: a dimension longer than 1 stays
        (lambda t: t.squeeze(), (2,)),
    ],
)
def test_squeeze_drops_the_dimension_asked_for(call, numpy_shape):
    data = np.array([[[1.0], [2.0]]])
    t = srcdiff.tensor(data, requires_grad=True)
    squeezed = call(t)
    assert squeezed.shape == numpy_shape
    (squeezed * 3.0).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.full(data.shape, 3.0))


def test_a_tensor_converts_to_numpy_like_a_pytorch_tensor():
    for t in (srcdiff.tensor(np.array([1.0, 2.0])), torch.tensor(np.array([1.0, 2.0]))):
        same = np.asarray(t, dtype=np.float64)
        assert same.dtype == np.float64 and np.shares_memory(same, t.numpy())
        assert t.__array__(np.float32).dtype == np.float32
        converted = np.asarray(t, dtype=np.float32)
        assert converted.dtype == np.float32 and not np.shares_memory(converted, t.numpy())


def sign_times_logdet(a):
    sign, logdet = np.linalg.slogdet(a)
    return sign * logdet


def sign_plus_logdet(a):
    sign, logdet = np.linalg.slogdet(a)
    return sign + logdet * 2.0


@pytest.mark.parametrize("fn", [sign_times_logdet, sign_plus_logdet])
@pytest.mark.parametrize("a", [[[2.0, 0.3], [0.1, 1.5]], [[0.3, 2.0], [1.5, 0.1]]])
def test_both_results_of_a_function_with_several_results_carry_their_cotangents(fn, a):
    """``slogdet`` is one node with two results: the cotangents of both are summed."""
    srcdiff.check_grads(fn, np.array(a))


@pytest.mark.parametrize("name", ["zeros_like", "ones_like"])
def test_like_factories_keep_the_dtype_unless_given_one(name):
    import srcdiff.trace as st

    ours, theirs = getattr(st, name), getattr(torch, name)
    for source_dtype, torch_dtype in [(np.float32, torch.float32), (np.float64, torch.float64)]:
        t = srcdiff.tensor(np.ones((2, 3), source_dtype))
        reference = torch.ones((2, 3), dtype=torch_dtype)
        made = ours(t)
        assert made.dtype == source_dtype == theirs(reference).numpy().dtype
        assert made.shape == (2, 3)
        assert ours(t, dtype=np.float64).dtype == np.float64
        assert ours(t, dtype=np.float32).dtype == np.float32
        assert ours(t, requires_grad=True).requires_grad


def test_a_tensor_is_hashable_by_identity_like_a_pytorch_tensor():
    for make in (srcdiff.tensor, torch.tensor):
        a, b = make(np.array([1.0, 2.0])), make(np.array([1.0, 2.0]))
        seen = {a: "a", b: "b"}
        assert seen[a] == "a" and seen[b] == "b" and len({a, b, a}) == 2
        assert hash(a) == hash(a) and hash(a) != hash(b)


def with_default(x, scale=2.0):
    return np.sum(x * scale)


@pytest.mark.parametrize("mode", ["static", "trace"])
@pytest.mark.parametrize(
    "wrt, args, kwargs, expected",
    [
        (1, (), {}, "sum"),  # left to its default
        (1, (), {"scale": 3.0}, "sum"),  # passed by keyword
        ("scale", (), {"scale": 3.0}, "sum"),  # wrt by name
        ((0, 1), (), {"scale": 3.0}, "both"),
        (1, (3.0,), {}, "sum"),
    ],
)
def test_wrt_by_keyword_and_default_is_the_same_in_both_modes(mode, wrt, args, kwargs, expected):
    x = np.array([1.0, -2.0, 0.5])
    got = srcdiff.grad(with_default, wrt=wrt, mode=mode)(x, *args, **kwargs)
    scale = kwargs.get("scale", args[0] if args else 2.0)
    if expected == "both":
        np.testing.assert_allclose(got[0], np.full(3, scale))
        assert got[1] == pytest.approx(np.sum(x))
    else:
        assert got == pytest.approx(np.sum(x))


@pytest.mark.parametrize("shape", [((3, 2),), (3, 2), (-1,), ([2, 3],), (6,)])
def test_view_takes_a_shape_as_pytorch_does(shape):
    t = srcdiff.tensor(X, requires_grad=True)
    reference = torch.tensor(X, requires_grad=True)
    viewed, expected = t.view(*shape), reference.view(*shape)
    assert viewed.shape == tuple(expected.shape)
    weights = np.arange(6.0).reshape(tuple(expected.shape))
    (viewed * srcdiff.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), reference.grad.numpy())
