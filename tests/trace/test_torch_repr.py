"""Reprs compared with PyTorch's own, in float32 and float64 (TORCH.md sec. 5)."""

import numpy as np
import pytest
import torch

import srcdiff.trace as st
from tests.trace.compare import translate

DATA = [
    [1.0, 2.0, 3.0],
    [4.5, 4.5],
    [-1.0, 2.0],
    [-1.5, 2.0],
    [123.5, 0.5],
    [1234.5, 0.5],
    [1e8, 1.0],
    [float("nan"), float("inf"), -float("inf"), 1.0],
    [float("nan"), float("inf"), 1.5],
    [-0.5, 0.0, 0.25],
    [0.0, 0.0, 0.0],
    [1000.0, 1.0],
    [1001.0, 1.0],
    [100000.5],
    [1e5, 1.0],
    [1e-4, 0.5],
    [0.00011, 0.1],
    [1e8],
    [2.00005],
    [1.99995],
    27.0,
    4.5,
    1.23456,
    -2.0,
    0.0,
    -0.0,
    1e-5,
    1e10,
    123456789.0,
    np.arange(20.0),
    np.arange(12.0),
    np.arange(8.0).reshape(2, 2, 2),
    np.arange(1001.0),
    np.arange(2000.0).reshape(40, 50) / 7,
    np.arange(24.0).reshape(2, 3, 4) * 1e-3,
    np.linspace(-3, 3, 30).reshape(5, 6),
    np.zeros((0, 3)),
    [],
]


def _same(ours, theirs, dtype):
    """Equal reprs; for float64 the suffix wrapping is normalised on both sides.

    ``dtype=float64`` is shorter than PyTorch's ``dtype=torch.float64``, so the
    80-column rule may wrap PyTorch's suffixes where srcdiff's fit on the line.
    """
    theirs = translate(theirs)
    if dtype == np.float64:
        ours, theirs = (s.replace(",\n       ", ", ") for s in (ours, theirs))
    assert ours == theirs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index", range(len(DATA)))
def test_repr_matches_pytorch(index, dtype):
    array = np.array(DATA[index], dtype=dtype)
    _same(repr(st.tensor(array)), repr(torch.tensor(array)), dtype)
    if array.size:
        ours, theirs = st.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
        _same(repr(ours), repr(theirs), dtype)
        _same(repr(ours * 2), repr(theirs * 2), dtype)
        assert str(ours * 2) == repr(ours * 2)


def test_suffix_wrapping_follows_the_80_column_rule():
    t = st.tensor(np.arange(12.0), requires_grad=True)
    assert repr(t) == (
        "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11.],\n"
        "       dtype=float64, requires_grad=True)"
    )
    assert repr(st.ones(2, 2, dtype=np.float64, requires_grad=True) * 2) == (
        "tensor([[2., 2.],\n        [2., 2.]], dtype=float64, grad_fn=<MulBackward0>)"
    )


@pytest.mark.parametrize(
    "data", [[-1, 20, 300], [True, False], [True, True], [1, 2], np.arange(3, dtype=np.int32)]
)
def test_integer_and_bool_reprs_match_pytorch(data):
    assert repr(st.tensor(data)) == translate(repr(torch.tensor(data)))


def test_factory_dtypes_match_pytorch():
    pairs = [
        (st.ones(2), torch.ones(2)),
        (st.tensor([1.0]), torch.tensor([1.0])),
        (st.tensor(1.0), torch.tensor(1.0)),
        (st.tensor([1, 2.5]), torch.tensor([1, 2.5])),
        (st.arange(3.0), torch.arange(3.0)),
        (st.full((2,), 2.0), torch.full((2,), 2.0)),
        (st.tensor([1, 2]), torch.tensor([1, 2])),
        (st.arange(3), torch.arange(3)),
        (st.full((2,), 2), torch.full((2,), 2)),
        (st.tensor([True]), torch.tensor([True])),
        (st.tensor(np.ones(2)), torch.tensor(np.ones(2))),
        (st.tensor(np.float64(1.5)), torch.tensor(np.float64(1.5))),
        (st.tensor([np.float64(1.5)]), torch.tensor([np.float64(1.5)])),
        (st.from_numpy(np.ones(2, np.float32)), torch.from_numpy(np.ones(2, np.float32))),
    ]
    for ours, theirs in pairs:
        assert str(ours.dtype) == translate(str(theirs.dtype))
        assert repr(ours) == translate(repr(theirs))


def test_other_reprs():
    a = st.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    ta = torch.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    ours, theirs = repr(a.max(dim=0)), repr(ta.max(dim=0))
    assert ours == theirs.replace("torch.return_types.", "return_types.")
    assert repr([st.tensor(1.0), st.tensor([1.0, 2.0])]) == "[tensor(1.), tensor([1., 2.])]"
    assert f"{st.tensor(2.5):.2f}" == f"{torch.tensor(2.5):.2f}" == "2.50"
