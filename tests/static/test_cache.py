"""Static mode: a compiled gradient is always the derivative of the code that runs now.

A closure variable rebound with ``nonlocal``, a helper redefined (as in a
notebook), a module attribute replaced, a rule registered after the first
call, a new code object: the next call sees each of them.  A source file
edited on disk but not imported again is refused, naming the file.  And a
decorator's wrapper is differentiated, not the function it wraps.
"""

import functools
import gc
import importlib.util
import inspect
import itertools
import sys
import threading
import time
import weakref

import numpy as np
import pytest

import srcdiff

_modules = itertools.count()


def finite_difference(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def load_module(path):
    """Import the file at ``path`` as a fresh module."""
    name = f"srcdiff_cache_subject_{next(_modules)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- closures


def make_scaled_square():
    k = 2.0

    def f(x):
        return k * x * x

    def set_k(value):
        nonlocal k
        k = value

    return f, set_k


def test_closure_rebound_with_nonlocal_is_seen():
    f, set_k = make_scaled_square()
    df = srcdiff.grad(f)
    assert df(1.0) == pytest.approx(4.0)
    set_k(5.0)
    assert df(1.0) == pytest.approx(10.0)
    assert df(1.0) == pytest.approx(finite_difference(f, 1.0))
    assert df(1.0) == pytest.approx(srcdiff.grad(f, mode="trace")(1.0))


def test_closure_rebound_to_an_array_gets_an_adjoint_for_arrays():
    f, set_k = make_scaled_square()
    df = srcdiff.vjp(f)
    set_k(np.array([1.0, 3.0]))
    seed = np.array([1.0, 1.0])
    np.testing.assert_allclose(df(2.0, seed=seed), 2 * 2.0 * 4.0)
    np.testing.assert_allclose(df(2.0, seed=seed), srcdiff.vjp(f, mode="trace")(2.0, seed=seed))


def make_closure_over_helper():
    def double(x):
        return 2.0 * x

    def triple(x):
        return 3.0 * x

    helper = double

    def f(x):
        return helper(x) * x

    def use_triple():
        nonlocal helper
        helper = triple

    return f, use_triple


def test_closure_helper_rebound_with_nonlocal_is_seen():
    f, use_triple = make_closure_over_helper()
    df = srcdiff.grad(f)
    assert df(1.5) == pytest.approx(4 * 1.5)
    use_triple()
    assert df(1.5) == pytest.approx(6 * 1.5)
    assert df(1.5) == pytest.approx(finite_difference(f, 1.5))
    assert df(1.5) == pytest.approx(srcdiff.grad(f, mode="trace")(1.5))


# ---------------------------------------------------------------- helpers and modules

HELPERS = """\
import numpy as np


def helper(x):
    return x * 2


def helper_redefined(x):
    return x * 3


def f(x):
    return helper(x) + x * 2
"""


def test_global_helper_redefined_is_seen(tmp_path):
    path = tmp_path / "notebook_cell.py"
    path.write_text(HELPERS)
    module = load_module(path)
    df = srcdiff.grad(module.f)
    assert df(1.0) == pytest.approx(4.0)
    module.helper = module.helper_redefined  # what running a new `def helper` does
    assert df(1.0) == pytest.approx(5.0)
    assert df(1.0) == pytest.approx(finite_difference(module.f, 1.0))
    assert df(1.0) == pytest.approx(srcdiff.grad(module.f, mode="trace")(1.0))


USES_OTHER_MODULE = """\
import {other} as other


def f(x):
    return other.helper(x) * x
"""


def test_helper_replaced_in_another_module_is_seen(tmp_path):
    other_path = tmp_path / "other.py"
    other_path.write_text(HELPERS)
    other = load_module(other_path)
    path = tmp_path / "user.py"
    path.write_text(USES_OTHER_MODULE.format(other=other.__name__))
    module = load_module(path)
    df = srcdiff.grad(module.f)
    assert df(2.0) == pytest.approx(8.0)
    other.helper = other.helper_redefined
    assert df(2.0) == pytest.approx(12.0)
    assert df(2.0) == pytest.approx(finite_difference(module.f, 2.0))


def test_unchanged_names_do_not_compile_again(monkeypatch):
    f, _ = make_scaled_square()
    df = srcdiff.grad(f)
    df(1.0)

    def no_work(*args, **kwargs):
        raise AssertionError("a call compiled the adjoint again although nothing changed")

    monkeypatch.setattr(srcdiff.api, "reverse_transform", no_work)
    assert df(3.0) == pytest.approx(12.0)


# ---------------------------------------------------------------- rules and code objects


def quantize(x):
    return np.round(x)


def uses_quantize(x):
    return np.sum(quantize(x) * x)


def test_rule_registered_after_the_gradient_was_built_is_used():
    df = srcdiff.grad(uses_quantize)
    x = np.array([0.4, 1.2])
    np.testing.assert_allclose(df(x), np.round(x))  # np.round passes no gradient
    srcdiff.register_vjp(quantize, lambda g, ans, x: (g,))  # straight-through estimator
    np.testing.assert_allclose(df(x), np.round(x) + x)
    np.testing.assert_allclose(df(x), srcdiff.grad(uses_quantize, mode="trace")(x))


def cube(x):
    return x**3


def square(x):
    return x**2


def test_new_code_object_is_seen_and_shown():
    def f(x):
        return x**3

    df = srcdiff.grad(f)
    assert df(2.0) == pytest.approx(12.0)
    f.__code__ = square.__code__
    assert df(2.0) == pytest.approx(4.0)
    assert "return x**2" in df.source and inspect.getsource(df) == df.source


# ---------------------------------------------------------------- files edited on disk

ORIGINAL = """\
def f(x):
    return x**2
"""
EDITED = """\
def f(x):
    return x**3 + 0.0
"""
REPLACED = """\
def other(y):
    return y * 5.0


def f(x):
    return x**2
"""


@pytest.mark.parametrize("text", [EDITED, REPLACED], ids=["edited", "other-function-there"])
def test_source_file_edited_without_import_is_refused(tmp_path, text):
    path = tmp_path / "edited_module.py"
    path.write_text(ORIGINAL)
    module = load_module(path)
    df = srcdiff.grad(module.f)
    assert df(3.0) == pytest.approx(6.0)
    path.write_text(text)
    with pytest.raises(srcdiff.DifferentiationError, match="edited after it was imported") as info:
        srcdiff.value_and_grad(module.f)(3.0)
    assert str(path) in str(info.value)
    assert df(3.0) == pytest.approx(6.0)  # compiled from the text that runs: still right
    srcdiff.register_vjp(module.f, lambda g, ans, x: (g * 2 * x,))
    srcdiff.nondifferentiable(module.f)  # the rule table changed: df compiles again
    with pytest.raises(srcdiff.DifferentiationError, match="edited_module.py"):
        df(3.0)


def test_source_file_edited_below_the_function_is_accepted(tmp_path):
    path = tmp_path / "appended_module.py"
    path.write_text(ORIGINAL)
    module = load_module(path)
    path.write_text(ORIGINAL + "\n\ndef g(x):\n    return x\n")
    assert srcdiff.value_and_grad(module.f)(3.0) == pytest.approx((9.0, 6.0))


def test_source_file_edited_then_imported_again_is_accepted(tmp_path):
    path = tmp_path / "reloaded_module.py"
    path.write_text(ORIGINAL)
    load_module(path)
    path.write_text(EDITED)
    module = load_module(path)
    assert srcdiff.grad(module.f)(2.0) == pytest.approx(12.0)


# ---------------------------------------------------------------- decorators


def times_ten(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return 10 * fn(x)

    return wrapper


@times_ten
def decorated(x):
    return np.sum(x**2)


def test_wraps_decorator_is_differentiated_not_looked_through():
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(srcdiff.grad(decorated)(x), [20.0, 40.0])
    srcdiff.check_grads(decorated, x)
    assert "def dwrapper(" in srcdiff.grad(decorated).source


def test_traced_gradient_of_a_static_gradient_is_refused():
    def f(x):
        return x**3

    with pytest.raises(srcdiff.DifferentiationError, match="higher-order gradients"):
        srcdiff.grad(srcdiff.grad(f), mode="trace")(3.0)


def test_static_gradient_of_a_trace_gradient_is_refused():
    def f(x):
        return x**3

    with pytest.raises(srcdiff.DifferentiationError, match="made by srcdiff") as info:
        srcdiff.grad(srcdiff.grad(f, mode="trace"))(3.0)
    assert "grad(grad(f))" in str(info.value)


def test_static_gradient_of_a_static_gradient():
    def f(x):
        return x**3

    assert srcdiff.grad(srcdiff.grad(f))(3.0) == pytest.approx(18.0)


def make_power(p):
    return lambda x: x**p


def test_cache_keeps_neither_functions_nor_gradients_alive():
    power = make_power(3)
    function = weakref.ref(power)
    gradient = weakref.ref(srcdiff.grad(power))
    assert srcdiff.grad(power)(2.0) == pytest.approx(12.0)
    del power
    gc.collect()
    assert function() is None and gradient() is None


def test_gradient_dropped_and_asked_again_is_not_compiled_again(monkeypatch):
    power = make_power(2)
    srcdiff.grad(power)(2.0)  # compiles the adjoint, and its variant for a Python float
    gc.collect()

    def no_work(*args, **kwargs):
        raise AssertionError("the adjoint was compiled again")

    monkeypatch.setattr(srcdiff.api, "reverse_transform", no_work)
    assert srcdiff.grad(power)(3.0) == pytest.approx(6.0)


def test_threads_calling_while_a_helper_is_redefined_get_a_right_gradient(tmp_path):
    path = tmp_path / "threaded_cell.py"
    path.write_text(HELPERS)
    module = load_module(path)
    df = srcdiff.grad(module.f)
    first, second = module.helper, module.helper_redefined
    results, stop = [], threading.Event()

    def caller():
        while not stop.is_set():
            results.append(df(1.0))

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for i in range(40):
        module.helper = second if i % 2 == 0 else first
        time.sleep(0.002)
    stop.set()
    for thread in threads:
        thread.join()
    assert results and set(results) <= {4.0, 5.0}
    module.helper = second
    assert df(1.0) == pytest.approx(5.0)
