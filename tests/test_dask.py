"""Static gradients over Dask arrays: lazy, chunked, and equal to NumPy's.

The gradient of a function that reads Dask arrays is built without computing
anything (a scheduler that raises stands guard), is a Dask array, and gives
NumPy's numbers when computed, here on a two-worker ``LocalCluster``.
"""

import warnings

import dask
import dask.array as da
import numpy as np
import pytest
from distributed import Client, LocalCluster

import srcdiff
from srcdiff.errors import DifferentiationError
from srcdiff.rules.helpers import unbroadcast, unreduce, zeros_like
from srcdiff.static.runtime import add_at, gradient_of
from tests.rule_cases import CASES

N, B = 240, 60  # rows, rows per chunk


def logistic_loss(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z) + 0.01 * np.sum(w * w)


def chunked_loss(w, X, y):
    total = 0.0
    for i in range(N // B):
        z = X[i * B : (i + 1) * B] @ w
        total = total + np.sum(np.logaddexp(0.0, z) - y[i * B : (i + 1) * B] * z)
    return total / N


def mlp_loss(W1, b1, w2, X, y):
    h = np.tanh(X @ W1 + b1)
    err = h @ w2 - y
    return np.mean(err**2) + np.max(np.abs(h), axis=1).sum() / N


def _refuse_to_compute(*args, **kwargs):
    raise AssertionError("a Dask array was computed while the gradient was built")


def lazily(fn, *args, **kwargs):
    """``fn(*args)`` with every computation of a Dask array refused."""
    with dask.config.set(scheduler=_refuse_to_compute):
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def client():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        with Client(cluster, set_as_default=False) as client:
            yield client


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, 4))
    y = (rng.random(N) < 0.5).astype(float)
    w = rng.normal(size=4)
    return w, X, y, da.from_array(X, chunks=(B, 4)), da.from_array(y, chunks=B)


@pytest.mark.parametrize("loss", [logistic_loss, chunked_loss], ids=["no-loop", "loop-over-chunks"])
def test_gradient_over_dask_on_a_cluster_equals_numpy(client, data, loss):
    w, X, y, Xd, yd = data
    g = lazily(srcdiff.grad(loss), w, Xd, yd)
    assert isinstance(g, da.Array) and g.shape == w.shape and g.dtype == np.float64
    assert len(client.scheduler_info()["workers"]) == 2
    computed = client.compute(g).result()
    np.testing.assert_allclose(computed, srcdiff.grad(loss)(w, X, y), rtol=1e-12, atol=1e-14)


def test_gradients_with_respect_to_several_arguments(data):
    w, X, y, Xd, yd = data
    rng = np.random.default_rng(1)
    W1, b1, w2 = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=3)
    f = srcdiff.grad(mlp_loss, wrt=(0, 1, 2))
    lazy = lazily(f, W1, b1, w2, Xd, yd)
    for got, want in zip(dask.compute(*lazy), f(W1, b1, w2, X, y)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def list_loss(params, X, y):
    W1, b1, w2 = params
    return mlp_loss(W1, b1, w2, X, y)


def test_the_gradient_of_a_list_of_parameters_is_a_list_of_dask_arrays(data):
    w, X, y, Xd, yd = data
    rng = np.random.default_rng(2)
    params = [rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=3)]
    lazy = lazily(srcdiff.grad(list_loss), params, Xd, yd)
    assert isinstance(lazy, list) and all(isinstance(g, da.Array) for g in lazy)
    for got, want in zip(dask.compute(*lazy), srcdiff.grad(list_loss)(params, X, y)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_a_dask_argument_gets_a_dask_gradient(data):
    w, X, y, Xd, yd = data
    f = srcdiff.grad(logistic_loss, wrt=(0, 1))
    dw, dX = lazily(f, da.from_array(w), Xd, yd)
    assert isinstance(dX, da.Array) and dX.chunks == Xd.chunks
    want = f(w, X, y)
    np.testing.assert_allclose(dw.compute(), want[0], rtol=1e-12)
    np.testing.assert_allclose(dX.compute(), want[1], rtol=1e-12)


def test_a_dask_scalar_output_is_a_valid_grad_output(data):
    w, X, _, Xd, _ = data

    def f(w, X):
        return np.sum(X @ w) * np.mean(X)  # the output's own value is needed

    got = lazily(srcdiff.grad(f), w, Xd)
    np.testing.assert_allclose(got.compute(), srcdiff.grad(f)(w, X), rtol=1e-12)


def test_helpers_stay_dask_arrays_chunked_like_their_input():
    x = da.ones((6, 4), chunks=(3, 2))
    assert lazily(zeros_like, x).chunks == x.chunks
    spread = lazily(unreduce, 2.0, x)
    assert spread.chunks == x.chunks and (spread.compute() == 2.0).all()
    rows = lazily(unreduce, da.arange(4.0, chunks=2), x, 0)
    np.testing.assert_array_equal(rows.compute(), np.broadcast_to(np.arange(4.0), (6, 4)))
    summed = lazily(unbroadcast, x, np.ones(4))
    assert isinstance(summed, da.Array)
    np.testing.assert_array_equal(summed.compute(), np.full(4, 6.0))
    g = lazily(gradient_of, x.astype(np.float32), np.ones((6, 4)))
    assert isinstance(g, da.Array) and g.dtype == np.float64


@pytest.mark.parametrize(
    "index", [(-1, slice(None, None, -1)), (None, 0, slice(1, None)), (Ellipsis, slice(2, 0, -1))]
)
def test_add_at_into_a_dask_gradient_takes_reversed_slices_and_new_axes(index):
    want = np.zeros((3, 4))
    value = np.arange(want[index].size, dtype=float).reshape(want[index].shape) + 1
    got = da.zeros((3, 4), chunks=2)
    lazily(add_at, got, index, value)
    add_at(want, index, value)
    np.testing.assert_array_equal(got.compute(), want)


def _stores(w, X):
    z = X * w
    z[0] = z[1] * 2.0
    z[:, 1] = np.tanh(z[:, 0])
    return np.sum(z * z)


def test_item_assignment_into_a_dask_array_in_the_function():
    # Dask assigns lazily; the overwritten items, saved with np.copy, are computed.
    X, w = np.arange(12.0).reshape(4, 3) / 10, np.array([1.0, 2.0, 3.0])
    f = srcdiff.grad(_stores, wrt=(0, 1))
    with pytest.warns(FutureWarning, match="numpy.copy"):
        got = f(da.from_array(w), da.from_array(X, chunks=2))
    assert all(isinstance(g, da.Array) for g in got)
    for a, b in zip(dask.compute(*got), f(w, X)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def _index_with_a_list(x):
    return np.sum(x[[0, 2, 0]])


def _trace(x):
    return np.trace(x)


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (_index_with_a_list, "indexing with an array of indices or a mask of a dask array"),
        (_trace, "taking the diagonal (np.diagonal, np.trace, np.diag) of a dask array"),
    ],
)
def test_scatters_into_a_dask_array_are_refused(fn, words):
    x = da.ones((3, 3), chunks=2)
    with pytest.raises(DifferentiationError) as info:
        lazily(srcdiff.grad(fn), x)
    assert words in str(info.value) and "x.compute()" in str(info.value)


def _as_dask(value):
    if isinstance(value, np.ndarray) and value.ndim and value.dtype.kind == "f":
        return da.from_array(value, chunks=tuple(max(1, n // 2) for n in value.shape))
    return value


def _runs_lazily(fn, args):
    """Whether Dask itself follows ``fn`` on these arguments without computing."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # np.linalg.det is not Dask's
            lazily(fn, *args)
    except Exception:  # Dask's own limits (reshape, np.inner, a branch on a value)
        return False
    return True


def _dask_arguments(case, kept):
    """The case's float arrays as Dask arrays, but those at positions ``kept``."""
    return [a if i in kept else _as_dask(a) for i, a in enumerate(case.args)]


# Every array a Dask array; or the first differentiated one a NumPy array (a parameter)
# and the others Dask arrays (data).
RUNS = [
    pytest.param(case, kept, id=f"{case.id}-{name}")
    for name, kept_of in [("all-dask", lambda case: ()), ("numpy-first", lambda case: case.wrt[:1])]
    for case in CASES
    for kept in [tuple(kept_of(case))]
    if any(isinstance(a, da.Array) for a in _dask_arguments(case, kept))
    and _runs_lazily(case.fn, _dask_arguments(case, kept))
]
# What the rules cannot do on a Dask array, refused with a DifferentiationError.
REFUSED = {
    "repeated_fancy_index",
    "boolean_mask",
    "einsum_trace_and_sum",
    "trace_and_diag",
    "gp_marginal_likelihood",
}
# Rules whose gradient NumPy computes from the values (np.pad's bincount,
# np.cumprod's search for zeros): the Dask arrays are computed on the way.
EAGER = {"padded", "padded_edges", "cumulative_product"}
# A row of a NumPy argument gets Dask values (``dx[1] = dx[1] + dask_row``): a
# NumPy array holds numbers, so that part is computed while the gradient is built.
NUMPY_ROW = {"join-2x3-1x3-numpy-first"}


def test_most_rule_cases_run_on_dask():
    arrays = [case for case in CASES if any(np.ndim(a) for a in case.args)]
    assert sum(kept == () for _, kept in (run.values for run in RUNS)) > 0.8 * len(arrays)


@pytest.mark.parametrize(("case", "kept"), RUNS)
def test_every_rule_case_over_dask_is_lazy_and_right_or_refused(case, kept, request):
    args = _dask_arguments(case, kept)
    seed = np.ones(np.shape(case.fn(*case.args)))
    vjp = srcdiff.vjp(case.fn, wrt=tuple(case.wrt))
    if case.id.split("-")[0] in REFUSED and not kept:
        with pytest.raises(DifferentiationError, match="of a dask array"):
            lazily(vjp, *args, seed=seed)
        return
    if request.node.callspec.id in NUMPY_ROW or case.id.split("-")[0] in EAGER:
        with pytest.raises(AssertionError, match="computed"):
            lazily(vjp, *args, seed=seed)
        got = dask.compute(*vjp(*args, seed=seed))
    else:
        got = dask.compute(*lazily(vjp, *args, seed=seed))
    for a, b in zip(got, vjp(*case.args, seed=seed)):
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(
            np.asarray(a, float), np.asarray(b, float), rtol=1e-10, atol=1e-14
        )
