"""Threads: grad mode is per thread, and no thread ever sees NumPy or ``math`` changed.

Eight threads run at once for a few seconds: trace-mode gradients (with
``np.zeros``, ``math.exp``, ``RandomState`` and ``default_rng`` inside),
static first calls (a fresh function each time, so each one compiles),
``no_grad`` toggling, and plain NumPy in a thread that never traces.
"""

import math
import threading
import time

import numpy as np

import srcdiff
import srcdiff.trace as st
from tests.numeric import numeric_gradient

ORIGINALS = {
    "zeros": np.zeros,
    "ones": np.ones,
    "array": np.array,
    "asarray": np.asarray,
    "empty": np.empty,
}
EXP = math.exp
SECONDS = 2.0


def with_factories(x):
    a = np.zeros(3)
    a[0] = x[0] * x[0]
    return np.sum(np.zeros(3) + x * x) + np.sum(a) + math.exp(x[1])


def with_random(x):
    rs = np.random.RandomState(1)
    rng = np.random.default_rng(2)
    return np.sum(x * rs.randn(3)) + np.sum(x * rng.standard_normal(3))


def make_static_function():
    def f(x):
        return np.sum(np.array([1.0, 2.0, 3.0]) * np.sin(x))

    return f


def _until(deadline, errors, body):
    def run():
        count = 0
        try:
            while time.perf_counter() < deadline:
                body(count)
                count += 1
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
        if count == 0:
            errors.append(AssertionError(f"{body.__name__} never ran"))

    return threading.Thread(target=run)


def test_eight_threads_gradients_right_and_numpy_untouched():
    errors = []
    rs_values = np.random.RandomState(1).randn(3) + np.random.default_rng(2).standard_normal(3)
    trace_factories = srcdiff.grad(with_factories, mode="trace")
    trace_random = srcdiff.grad(with_random, mode="trace")

    def traced(count):
        x = np.array([0.5, -1.0, 2.0]) + count % 7
        expected = 2 * x + np.array([2 * x[0], EXP(x[1]), 0.0])
        np.testing.assert_allclose(trace_factories(x), expected, rtol=1e-12)

    def traced_random(count):
        np.testing.assert_allclose(trace_random(np.ones(3) * count), rs_values, rtol=1e-12)

    def static_first_calls(count):
        x = np.array([0.1, 0.2, 0.3]) * count
        g = srcdiff.grad(make_static_function())
        np.testing.assert_allclose(g(x), np.array([1.0, 2.0, 3.0]) * np.cos(x), rtol=1e-12)

    def toggles(count):
        with srcdiff.no_grad():
            assert not srcdiff.is_grad_enabled()
            time.sleep(0.0002)
        assert srcdiff.is_grad_enabled()
        with srcdiff.set_grad_enabled(False):
            assert not srcdiff.is_grad_enabled()

    def plain_numpy(count):
        for name, original in ORIGINALS.items():
            assert getattr(np, name) is original, name
        assert math.exp is EXP
        assert type(np.zeros(2)) is np.ndarray and type(np.array([1.0])) is np.ndarray
        assert type(np.asarray([1.0])) is np.ndarray and type(np.empty(1)) is np.ndarray

    def pytorch_style(count):
        x = st.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        assert np.array_equal(x.grad.numpy(), [2.0, 4.0]), "grad mode changed by another thread"

    deadline = time.perf_counter() + SECONDS
    bodies = [traced, traced, traced_random, static_first_calls]
    bodies += [toggles, toggles, plain_numpy, pytorch_style]
    threads = [_until(deadline, errors, body) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    for name, original in ORIGINALS.items():
        assert getattr(np, name) is original, name
    assert math.exp is EXP and type(np.zeros(2)) is np.ndarray


def test_grad_mode_is_per_thread():
    seen = []
    inside = threading.Event()
    release = threading.Event()

    def other():
        with srcdiff.no_grad():
            inside.set()
            release.wait(5)
            seen.append(srcdiff.is_grad_enabled())

    thread = threading.Thread(target=other)
    thread.start()
    inside.wait(5)
    assert srcdiff.is_grad_enabled()
    np.testing.assert_allclose(
        srcdiff.grad(lambda x: np.sum(x * x), mode="trace")(np.ones(4)), 2.0 * np.ones(4)
    )
    release.set()
    thread.join()
    assert seen == [False]


def zeros_plus_square(x):
    return np.sum(np.zeros(3) + x * x)


def test_overlapping_trace_calls_leave_numpy_alone_and_agree_with_static():
    x = np.array([0.5, -1.0, 2.0])
    expected = numeric_gradient(zeros_plus_square, x)
    np.testing.assert_allclose(srcdiff.grad(zeros_plus_square)(x), expected, rtol=1e-6)
    traced = srcdiff.grad(zeros_plus_square, mode="trace")
    wrong = []
    stop = threading.Event()

    def calls():
        for _ in range(300):
            if not np.allclose(traced(x), expected, rtol=1e-6):
                wrong.append(traced(x))

    def toggler():
        while not stop.is_set():
            with srcdiff.no_grad():
                time.sleep(0.0005)

    toggling = threading.Thread(target=toggler)
    toggling.start()
    threads = [threading.Thread(target=calls) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    toggling.join()
    assert wrong == []
    assert type(np.zeros(2)) is np.ndarray and np.zeros is ORIGINALS["zeros"]
    assert np.array is ORIGINALS["array"] and math.exp is EXP
