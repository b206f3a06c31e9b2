"""``grad(grad(f))`` in the static mode through loops, branches, early returns and helpers."""

import numpy as np
import pytest

import srcdiff
from tests.gradcheck import check_vjp
from tests.higher import programs

rng = np.random.default_rng(7)
X, Y = rng.standard_normal(3), rng.standard_normal(3)

PROGRAMS = [
    (programs.loop_with_break, (0.3 * X, Y), (0, 1)),
    (programs.scaled_helper, (X, Y), (0, 1)),
    (programs.early_return, (np.abs(X),), (0,)),
    (programs.early_return, (-np.abs(X),), (0,)),
    (programs.while_loop, (X,), (0,)),
    (programs.continue_and_index, (X,), (0,)),
    (programs.in_list, (X,), (0,)),
]


@pytest.mark.parametrize(
    "fn, args, wrt", PROGRAMS, ids=[f"{p[0].__name__}-{i}" for i, p in enumerate(PROGRAMS)]
)
def test_hessian_vector_products_match_finite_differences(fn, args, wrt):
    gradient = srcdiff.grad(fn, wrt=wrt)
    second = srcdiff.vjp(gradient, wrt=wrt)
    check_vjp(lambda a, seed: second(*a, seed=tuple(seed)), gradient, args, wrt, eps=1e-5)


def finite_difference(f, x, eps=1e-5):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def test_scalar_loop_second_derivative():
    k = 1.3
    second = srcdiff.grad(srcdiff.grad(programs.scalar_loop))
    expected = finite_difference(srcdiff.grad(programs.scalar_loop), k)
    assert second(k) == pytest.approx(expected, rel=1e-6)


def test_third_and_fourth_derivatives():
    g = srcdiff.grad
    x = 0.7
    # f = sin(x) x^3
    third = 3 * (2 * np.sin(x) + 6 * x * np.cos(x)) - 3 * x * x * np.sin(x) * 3 - x**3 * np.cos(x)
    fourth = 24 * np.cos(x) - 36 * x * np.sin(x) - 12 * x * x * np.cos(x) + x**3 * np.sin(x)
    assert g(g(g(programs.cube)))(x) == pytest.approx(third, rel=1e-10)
    assert g(g(g(g(programs.cube))))(x) == pytest.approx(fourth, rel=1e-10)


def test_second_order_source_is_generated_code():
    second = srcdiff.grad(srcdiff.grad(programs.scalar_loop))
    assert second.source.startswith("def dscalar_loop_grad(k):")  # its own name starts with d
    assert "v_stack.append(v)" in second.source  # the first gradient's stack, run forward
    assert "dv_stack" in second.source  # and the cotangents of what it saved


def test_second_derivative_follows_an_edited_helper(monkeypatch):
    second = srcdiff.grad(srcdiff.grad(programs.cube))
    before = second(0.5)
    monkeypatch.setattr(programs, "cube", lambda x: x)  # the name now means another function
    assert second(0.5) == before  # ``second`` differentiates the function it was given


def test_a_second_derivative_through_the_nuclear_norm():
    # The rule reads the SVD through a name: differentiated when that branch runs.
    x = rng.standard_normal((3, 3))
    gradient = srcdiff.grad(programs.nuclear)
    second = srcdiff.vjp(gradient)
    check_vjp(lambda a, seed: (second(*a, seed=seed),), gradient, (x,), (0,), eps=1e-6)


def test_a_second_derivative_through_cumprod_is_refused_by_name():
    with pytest.raises(srcdiff.DifferentiationError, match="through numpy.cumprod"):
        srcdiff.hessian_vector_product(programs.scan)(np.array([0.5, 2.0, -1.0]), vector=np.ones(3))
