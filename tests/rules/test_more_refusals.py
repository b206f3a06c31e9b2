"""Where a new rule cannot give the right gradient, both modes refuse with a message naming
the call and the way out, never a wrong number."""

import numpy as np
import pytest

import srcdiff
from srcdiff.errors import DifferentiationError
from srcdiff.rules import vjp_rule

MODES = ("static", "trace")


def pad_mean(x):
    return np.sum(np.pad(x, 1, mode="mean"))


def pad_odd(x):
    return np.sum(np.pad(x, 1, mode="reflect", reflect_type="odd"))


def qr_wide(a):
    q, r = np.linalg.qr(a)
    return np.sum(r)


def qr_complete_tall(a):
    q, r = np.linalg.qr(a, mode="complete")
    return np.sum(q)


def svd_full_u(a):
    u, s, vt = np.linalg.svd(a)
    return np.sum(u)


def svd_hermitian(a):
    return np.sum(np.linalg.svd(a, compute_uv=False, hermitian=True))


def eig_complex(a):
    w, v = np.linalg.eig(a)
    return np.sum(np.real(w))


ROTATION = np.array([[0.0, -1.0], [1.0, 0.0]]) + 0.1
REFUSALS = [
    (pad_mean, np.ones(3), "mode='mean'"),
    (pad_odd, np.ones(3), "odd"),
    (qr_wide, np.ones((2, 3)) + np.eye(2, 3), "tall or square"),
    (qr_complete_tall, np.ones((3, 2)) + np.eye(3, 2), "mode='complete'"),
    (svd_full_u, np.arange(6.0).reshape(3, 2) ** 2, "full_matrices=False"),
    (svd_hermitian, np.eye(2) * 2.0, "hermitian=False"),
    (eig_complex, ROTATION, "np.linalg.eigh"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn, x, words", REFUSALS, ids=[r[0].__name__ for r in REFUSALS])
def test_refused_in_both_modes(fn, x, words, mode):
    with pytest.raises(DifferentiationError, match=words.replace("(", r"\(").replace(")", r"\)")):
        srcdiff.grad(fn, mode=mode)(x)


def test_svd_full_matrices_of_a_square_matrix_is_differentiated():
    a = np.array([[2.0, 0.5], [0.3, 1.0]])

    def loss(a):
        u, s, vt = np.linalg.svd(a)
        return np.sum(u[:, 0] ** 3) + np.sum(s)

    for mode in MODES:
        g = srcdiff.grad(loss, mode=mode)(a)
        eps = 1e-6
        numeric = np.array(
            [
                (loss(a + eps * e) - loss(a - eps * e)) / (2 * eps)
                for e in np.eye(4).reshape(4, 2, 2)
            ]
        ).reshape(2, 2)
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)


def test_cholesky_gradient_lives_on_the_triangle_numpy_reads():
    a = np.array([[4.0, 1.0], [1.0, 3.0]])
    (lower,) = vjp_rule(np.linalg.cholesky)(np.ones((2, 2)), np.linalg.cholesky(a), a)
    (upper,) = vjp_rule(np.linalg.cholesky)(
        np.ones((2, 2)), np.linalg.cholesky(a, upper=True), a, upper=True
    )
    assert lower[0, 1] == 0.0 and lower[1, 0] != 0.0
    assert upper[1, 0] == 0.0 and upper[0, 1] != 0.0


def test_sort_ties_give_each_entry_one_share():
    x = np.array([1.0, 1.0, 0.5])
    (dx, _) = vjp_rule(np.sort)(np.array([10.0, 20.0, 30.0]), np.sort(x), x)
    assert sorted(dx) == [10.0, 20.0, 30.0]


def test_cumprod_with_zeros_is_exact():
    x = np.array([2.0, 0.0, 3.0, 0.0])
    (dx,) = vjp_rule(np.cumprod)(np.ones(4), np.cumprod(x), x)
    # d/dx1 of (2, 2 x1, 6 x1, 0) is 2 + 6; the entries after the first zero get nothing.
    np.testing.assert_array_equal(dx, [1.0, 8.0, 0.0, 0.0])


def test_hypot_at_the_origin_is_zero():
    dx, dy = vjp_rule(np.hypot)(1.0, 0.0, np.array(0.0), np.array(0.0))
    assert dx == 0.0 and dy == 0.0


def sort_a_copy_in_place(x):
    y = x.copy()
    y.sort()
    return np.sum(y * np.arange(3.0))


def test_static_mode_names_an_in_place_sort_and_the_way_out():
    with pytest.raises(srcdiff.UnsupportedSyntax, match=r"'y\.sort\(\.\.\.\)'.*y = np\.sort\(y"):
        srcdiff.grad(sort_a_copy_in_place)(np.array([0.3, -1.0, 2.0]))
    got = srcdiff.grad(sort_a_copy_in_place, mode="trace")(np.array([0.3, -1.0, 2.0]))
    np.testing.assert_array_equal(got, [1.0, 0.0, 2.0])
