"""Second derivatives in the static mode: the gradient of every user-style case, differentiated.

For each case of ``tests/rule_cases.py``, ``s(*args, v) = sum(f(*args) * v)``
is a scalar; the vjp of ``grad(s)`` (srcdiff differentiating its own
generated gradient) is checked against central finite differences of that
gradient along random directions.
"""

import numpy as np
import pytest

import srcdiff
from tests.gradcheck import check_vjp
from tests.rule_cases import CASES


def scalarized(fn, arity):
    """``s(*args, v) = sum(fn(*args) * v)``, a scalar function of ``fn``'s arguments."""
    if arity == 1:

        def s(x, v):
            return np.sum(fn(x) * v)

    elif arity == 2:

        def s(x, y, v):
            return np.sum(fn(x, y) * v)

    else:

        def s(x, y, z, v):
            return np.sum(fn(x, y, z) * v)

    return s


# Cases whose second derivative is refused, and the function the refusal names: their
# rules' code uses what the static mode does not differentiate (a generator over the
# pieces, np.add.at, a raise, *args traced).
REFUSED = {
    "join-2x3-1x3": "numpy.concatenate",
    "join_flat-2x2-4": "numpy.concatenate",
    "join_rows-2x3-3": "numpy.vstack",
    "builtin_sum_of_list-3-2x3": "builtins.sum",
    "broadcast_tile_repeat-1x3": "numpy.repeat",
    "repeat_flat-3": "numpy.repeat",
    "einsum_matmul-2x3-3x4": "numpy.einsum",
    "einsum_batched-2x2x3-2x3x4": "numpy.einsum",
    "einsum_trace_and_sum-3x3": "numpy.einsum",
}
DIFFERENTIATED = [case for case in CASES if case.id not in REFUSED]


def second_derivative(case):
    """(the gradient of ``s`` at ``args``, its vjp, the arguments, ``v``) for a case."""
    args = [np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) else a for a in case.args]
    wrt = tuple(case.wrt)
    v = np.random.default_rng(1).standard_normal(np.shape(case.fn(*args)))
    s = scalarized(case.fn, len(args))
    gradient = srcdiff.grad(s, wrt=wrt)
    return gradient, srcdiff.vjp(gradient, wrt=wrt), args, v


@pytest.mark.parametrize("case", DIFFERENTIATED, ids=[case.id for case in DIFFERENTIATED])
def test_second_derivative_matches_finite_differences_of_the_gradient(case):
    gradient, second, args, v = second_derivative(case)

    def vjp(args, seed):
        return second(*args, v, seed=tuple(seed))

    check_vjp(vjp, lambda *args: gradient(*args, v), args, tuple(case.wrt), eps=1e-5)


def test_the_refused_cases_exist():
    assert set(REFUSED) <= {case.id for case in CASES}


@pytest.mark.parametrize("case_id", sorted(REFUSED))
def test_second_derivative_refused_names_the_function(case_id):
    case = next(case for case in CASES if case.id == case_id)
    with pytest.raises(srcdiff.DifferentiationError) as info:
        gradient, second, args, v = second_derivative(case)
        second(*args, v, seed=tuple(np.ones(np.shape(a)) for a in args[: len(case.wrt)]))
    message = str(info.value)
    assert f"a second derivative through {REFUSED[case_id]} is not supported yet" in message
    assert 'use mode="trace"' in message
