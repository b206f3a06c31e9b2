"""The benchmark's own correctness checks, on the small sizes (no timing here).

The hand-written gradients, the floor of ``benchmarks/run.py``, are checked
against central finite differences; srcdiff (static and trace) and PyTorch
are checked against the hand-written gradients with the same check the
benchmark runs before timing.  A workload srcdiff cannot handle fails here.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is not part of the installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.harness import checked_candidates, compare  # noqa: E402
from benchmarks.workloads import BY_NAME, FIFTY_LINES, WORKLOADS  # noqa: E402

# (workload name, label, arguments): every small size, plus the oscillator
# with a negative spring constant, so that its ``break`` is taken (step 93).
CASES = [(w.name, "small", w.inputs("small")) for w in WORKLOADS] + [
    ("oscillator", "break taken", (-2.0, 1.0, 200)),
]
CASE_IDS = [f"{name}-{label.replace(' ', '_')}" for name, label, _ in CASES]


def finite_difference_gradient(function, args, index, step=1e-6):
    """Central differences of ``function`` with respect to ``args[index]``, element by element."""
    value = args[index]
    point = np.array(value, dtype=np.float64)
    gradient = np.zeros_like(point)
    for element in np.ndindex(point.shape):
        values = []
        for sign in (1.0, -1.0):
            moved = point.copy()
            moved[element] += sign * step
            shifted = list(args)
            shifted[index] = moved if isinstance(value, np.ndarray) else float(moved)
            values.append(function(*shifted))
        gradient[element] = (values[0] - values[1]) / (2 * step)
    return gradient


@pytest.mark.parametrize("name, label, args", CASES, ids=CASE_IDS)
def test_hand_gradient_matches_finite_differences(name, label, args):
    workload = BY_NAME[name]
    hand = workload.hand_gradient(*args)
    assert len(hand) == len(workload.wrt_tuple)
    for gradient, index in zip(hand, workload.wrt_tuple):
        expected = finite_difference_gradient(workload.function, args, index)
        assert np.shape(gradient) == expected.shape
        np.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-6)


def test_oscillator_break_case_takes_the_break():
    _, _, (k, x0, n_steps) = CASES[-1]
    assert BY_NAME["oscillator"].function(k, x0, n_steps) > 4.0  # x passed 2.0 and stopped
    assert BY_NAME["oscillator"].function(*BY_NAME["oscillator"].inputs("small")) < 4.0


@pytest.mark.parametrize("mode", ["static", "trace"])
@pytest.mark.parametrize("name, label, args", CASES, ids=CASE_IDS)
def test_srcdiff_matches_hand_gradient(name, label, args, mode):
    [(_, problem)] = checked_candidates(BY_NAME[name], args, (mode,))
    assert problem is None, f"srcdiff {mode} on {name} ({label}): {problem}"


def test_srcdiff_static_on_the_fifty_line_function_matches_finite_differences():
    import srcdiff

    args = FIFTY_LINES.inputs("small")
    gradients = srcdiff.grad(FIFTY_LINES.function, wrt=FIFTY_LINES.wrt)(*args)
    for gradient, index in zip(gradients, FIFTY_LINES.wrt_tuple):
        expected = finite_difference_gradient(FIFTY_LINES.function, args, index)
        np.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, label, args", CASES, ids=CASE_IDS)
def test_torch_version_matches_hand_gradient(name, label, args):
    [(_, problem)] = checked_candidates(BY_NAME[name], args, ("torch",))
    assert problem is None, f"torch on {name} ({label}): {problem}"


def test_compare_reports_wrong_gradients():
    right = (np.ones(3), np.zeros((2, 2)))
    assert compare(right, right, ["a", "b"]) is None
    assert compare((np.ones(3),), right, ["a", "b"]).startswith("WRONG: 1 gradients")
    wrong_shape = (np.ones(3), np.zeros(2))
    assert "shape (2,)" in compare(wrong_shape, right, ["a", "b"])
    wrong_value = (np.array([1.0, 1.0 + 1e-4, 1.0]), right[1])
    assert "d/da[1]" in compare(wrong_value, right, ["a", "b"])
    assert "dtype int64" in compare((np.ones(3, dtype=np.int64),), right[:1], ["a"])
    assert "not finite" in compare((np.array([1.0, np.nan, 1.0]),), right[:1], ["a"])
    assert compare((np.float64(2.0),), (2.0,), ["k"]) is None


@pytest.mark.parametrize("args", [(1.5, 1.0, 200), (-2.0, 1.0, 200)], ids=["small", "break"])
def test_forward_benchmark_candidates_agree_with_the_hand_derivative(args):
    from benchmarks.forward import candidates

    calls = candidates(args)  # raises AssertionError naming a candidate that disagrees
    assert set(calls) == {"hand (forward)", "srcdiff jvp", "srcdiff grad"}


@pytest.mark.parametrize("name", ["logistic", "mlp"])
def test_hessian_vector_product_candidates_agree(name):
    """``benchmarks/hvp.py`` times products that agree (srcdiff, autograd, PyTorch, and JAX
    where the bench extra installed it)."""
    from benchmarks.hvp import candidates, to_numpy

    workload = BY_NAME[name]
    args = workload.inputs("small")
    v = np.random.default_rng(1).standard_normal(np.shape(args[0]))
    calls = candidates(workload, args, v)
    peers = {"jax_jit"} if importlib.util.find_spec("jax") is not None else set()
    assert set(calls) == {"grad", "static", "rev-rev", "autograd", "torch"} | peers
    reference = to_numpy(calls["autograd"]())
    for candidate in ("static", "rev-rev", "torch", *peers):
        np.testing.assert_allclose(to_numpy(calls[candidate]()), reference, rtol=1e-9)
