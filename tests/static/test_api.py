"""End-to-end tests of the public API in the static mode (SPEC §1).

Expected gradients come from formulas derived by hand in each test, from
central finite differences (``srcdiff.check_grads``) or from the tracing mode.
"""

import inspect

import numpy as np
import pytest

import srcdiff
import srcdiff.api


def quickstart(x):
    y = x + 2
    z = y * y * 3
    return np.mean(z)


def weighted(x, w, b):
    return np.sum(w * x**2) + 3.0 * b


def square_sum(x):
    return np.sum(x * x)


def double(x):
    return x * 2


def with_options(x, power, flag, label, nothing):
    if flag:
        y = x**power
    else:
        y = x
    return np.sum(y)


def ignores_w(x, w):
    return np.sum(x)


def scaled(x, scale=2.0, *, shift=0.0):
    return np.sum(scale * x + shift)


def test_quickstart_gradient():
    x = np.ones((2, 2))
    np.testing.assert_allclose(srcdiff.grad(quickstart)(x), np.full((2, 2), 4.5))


def test_bare_decorator_and_decorator_with_options():
    bare = srcdiff.grad(weighted)
    optioned = srcdiff.grad(wrt=1)(weighted)
    x, w = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    np.testing.assert_allclose(bare(x, w, 0.5), 2 * w * x)
    np.testing.assert_allclose(optioned(x, w, 0.5), x**2)


@pytest.mark.parametrize("wrt", [0, -3, "x"])
def test_wrt_first_argument_by_position_negative_position_and_name(wrt):
    x, w = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    np.testing.assert_allclose(srcdiff.grad(weighted, wrt=wrt)(x, w, 0.5), 2 * w * x)


@pytest.mark.parametrize("wrt", [2, -1, "b"])
def test_wrt_last_argument(wrt):
    x, w = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    assert srcdiff.grad(weighted, wrt=wrt)(x, w, 0.5) == pytest.approx(3.0)


def test_wrt_tuple_gives_a_tuple_in_wrt_order():
    x, w = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    db, dx, dw = srcdiff.grad(weighted, wrt=(2, "x", -2))(x, w, 0.5)
    assert db == pytest.approx(3.0)
    np.testing.assert_allclose(dx, 2 * w * x)
    np.testing.assert_allclose(dw, x**2)


def test_wrt_one_element_tuple_gives_a_tuple():
    grads = srcdiff.grad(square_sum, wrt=(0,))(np.array([1.0, 2.0]))
    assert isinstance(grads, tuple) and len(grads) == 1
    np.testing.assert_allclose(grads[0], [2.0, 4.0])


def test_preserve_result_returns_gradient_then_value():
    x = np.array([1.0, -2.0])
    gradient, value = srcdiff.grad(square_sum, preserve_result=True)(x)
    np.testing.assert_allclose(gradient, 2 * x)
    assert value == pytest.approx(5.0)


def test_value_and_grad_returns_value_then_gradient():
    x = np.array([1.0, -2.0])
    value, gradient = srcdiff.value_and_grad(square_sum)(x)
    assert value == pytest.approx(5.0)
    np.testing.assert_allclose(gradient, 2 * x)


def test_value_and_grad_with_tuple_wrt():
    x, w = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    value, (dx, dw) = srcdiff.value_and_grad(weighted, wrt=(0, 1))(x, w, 0.5)
    assert value == pytest.approx(weighted(x, w, 0.5))
    np.testing.assert_allclose(dx, 2 * w * x)
    np.testing.assert_allclose(dw, x**2)


def test_vjp_with_seed_like_backward():
    """The tutorial's ``y.backward(v)`` on ``y = x * 2``: the gradient is ``2 * v``."""
    v = np.array([0.1, 1.0, 0.0001])
    xs = np.random.default_rng(0).standard_normal(3)
    np.testing.assert_allclose(srcdiff.vjp(double)(xs, seed=v), 2 * v)


def test_vjp_of_lambda_with_seed():
    v = np.array([0.1, 1.0, 0.0001])
    vf = srcdiff.vjp(lambda x: x * 2)
    np.testing.assert_allclose(vf(np.ones(3), seed=v), 2 * v)


def test_vjp_seed_is_keyword_only():
    vf = srcdiff.vjp(double)
    assert inspect.signature(vf).parameters["seed"].kind is inspect.Parameter.KEYWORD_ONLY


def test_vjp_of_scalar_output_without_seed_is_the_gradient():
    x = np.array([1.0, 3.0])
    np.testing.assert_allclose(srcdiff.vjp(square_sum)(x), 2 * x)


def test_verbose_prints_the_source(capsys):
    df = srcdiff.grad(weighted, wrt=2, verbose=True)
    printed = capsys.readouterr().out
    assert printed.strip() == df.source.strip()
    assert "def " in printed


def test_source_and_getsource_agree():
    df = srcdiff.grad(quickstart)
    assert isinstance(df.source, str)
    assert inspect.getsource(df) == df.source
    assert df.source.startswith("def ")


def test_generated_source_is_what_runs():
    """Executing ``df.source`` gives a function with the same result."""
    df = srcdiff.grad(quickstart)
    running = df.current()  # the adjoint behind the check that it is up to date
    assert running.source == df.source
    namespace = dict(running.__globals__)
    for var, cell in zip(running.__code__.co_freevars, running.__closure__ or ()):
        namespace[var] = cell.cell_contents
    exec(df.source, namespace)
    again = namespace[df.__name__]
    x = np.arange(4.0).reshape(2, 2)
    np.testing.assert_allclose(again(x), df(x))


def test_second_grad_returns_the_same_object_without_work(monkeypatch):
    first = srcdiff.grad(weighted, wrt=1)

    def no_work(*args, **kwargs):
        raise AssertionError("the second grad(f) transformed the function again")

    monkeypatch.setattr(srcdiff.api, "reverse_transform", no_work)
    assert srcdiff.grad(weighted, wrt=1) is first


def test_cache_is_keyed_by_options():
    plain = srcdiff.grad(weighted, wrt=0)
    assert srcdiff.grad(weighted, wrt=1) is not plain
    assert srcdiff.grad(weighted, wrt=0, preserve_result=True) is not plain
    assert srcdiff.grad(weighted, wrt=0, optimize=False) is not plain


def test_optimize_false_is_still_correct():
    x, w = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    for wrt in (0, 1, 2):
        fast = srcdiff.grad(weighted, wrt=wrt)(x, w, 0.5)
        slow = srcdiff.grad(weighted, wrt=wrt, optimize=False)(x, w, 0.5)
        np.testing.assert_allclose(slow, fast)
    x = np.ones((2, 2))
    np.testing.assert_allclose(srcdiff.grad(quickstart, optimize=False)(x), np.full((2, 2), 4.5))


def test_optimize_false_keeps_at_least_as_many_lines():
    fast = srcdiff.grad(quickstart).source.splitlines()
    slow = srcdiff.grad(quickstart, optimize=False).source.splitlines()
    assert len(slow) >= len(fast)


# ---- shapes and dtypes of gradients


def test_python_float_input_gives_float_gradient():
    d = srcdiff.grad(square_sum)(3.0)
    assert isinstance(d, float)
    assert d == 6.0


def test_python_int_input_gives_float_gradient():
    d = srcdiff.grad(square_sum)(3)
    assert isinstance(d, float)
    assert d == 6.0


def test_int_array_input_gives_float64_gradient():
    d = srcdiff.grad(square_sum)(np.arange(3))
    assert d.dtype == np.float64
    np.testing.assert_array_equal(d, [0.0, 2.0, 4.0])


def test_float32_input_gives_float32_gradient():
    d = srcdiff.grad(square_sum)(np.ones(3, np.float32))
    assert d.dtype == np.float32
    np.testing.assert_array_equal(d, [2.0, 2.0, 2.0])


def test_float32_scalar_gives_float32_gradient():
    d = srcdiff.grad(square_sum)(np.float32(2.0))
    assert np.asarray(d).dtype == np.float32
    assert d == 4.0


def test_zero_d_array_gives_zero_d_gradient():
    d = srcdiff.grad(square_sum)(np.array(2.0))
    assert isinstance(d, np.ndarray) and d.shape == ()
    assert d == 4.0


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 1, 3)])
def test_gradient_has_the_argument_shape(shape):
    x = np.ones(shape)
    assert np.shape(srcdiff.grad(quickstart)(x)) == shape


def test_gradient_of_an_argument_the_output_ignores_is_zeros_of_its_shape():
    dw = srcdiff.grad(ignores_w, wrt=1)(np.ones(2), np.ones((2, 3)))
    np.testing.assert_array_equal(dw, np.zeros((2, 3)))


def test_static_and_trace_agree_on_dtypes():
    for x in (3.0, np.arange(3), np.ones(3, np.float32), np.array(2.0)):
        static = srcdiff.grad(square_sum)(x)
        traced = srcdiff.grad(square_sum, mode="trace")(x)
        assert np.asarray(static).dtype == np.asarray(traced).dtype
        np.testing.assert_allclose(static, traced)


# ---- arguments outside wrt


def test_arguments_outside_wrt_may_be_anything():
    x = np.array([1.0, 2.0])
    df = srcdiff.grad(with_options)
    np.testing.assert_allclose(df(x, 3, True, "label", None), 3 * x**2)
    np.testing.assert_allclose(df(x, 3, False, "label", None), np.ones(2))
    srcdiff.check_grads(with_options, x, 3, True, "label", None)


def test_keyword_arguments_and_defaults_pass_through():
    df = srcdiff.grad(scaled)
    np.testing.assert_allclose(df(np.ones(2)), [2.0, 2.0])
    np.testing.assert_allclose(df(np.ones(2), 5.0, shift=1.0), [5.0, 5.0])
    np.testing.assert_allclose(df(np.ones(2), scale=-1.0), [-1.0, -1.0])
