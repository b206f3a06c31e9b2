"""The PyTorch tutorial transcript (TORCH.md sec. 0), printed by srcdiff and by PyTorch."""

import contextlib
import io

import numpy as np
import torch

import srcdiff.trace as st

EXPECTED = """\
tensor([[1., 1.],
        [1., 1.]], requires_grad=True)
tensor([[3., 3.],
        [3., 3.]], grad_fn=<AddBackward0>)
tensor([[27., 27.],
        [27., 27.]], grad_fn=<MulBackward0>) tensor(27., grad_fn=<MeanBackward0>)
tensor([[4.5000, 4.5000],
        [4.5000, 4.5000]])
"""


def transcript(lib):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        x = lib.ones(2, 2, requires_grad=True)
        print(x)
        y = x + 2
        print(y)
        z = y * y * 3
        out_ = z.mean()
        print(z, out_)
        out_.backward()
        print(x.grad)
    return out.getvalue(), (x, y, z, out_)


def test_transcript_matches_torch_md_line_by_line():
    ours, _ = transcript(st)
    assert ours.splitlines() == EXPECTED.splitlines()


def test_transcript_matches_pytorch_itself():
    ours, _ = transcript(st)
    theirs, _ = transcript(torch)
    assert ours.splitlines() == theirs.splitlines()


def test_graph_structure_matches():
    _, (x, y, z, out) = transcript(st)
    _, (tx, ty, tz, tout) = transcript(torch)
    for ours, theirs in [(x, tx), (y, ty), (z, tz), (out, tout)]:
        assert ours.is_leaf == theirs.is_leaf
        assert ours.requires_grad == theirs.requires_grad
    assert x.grad_fn is None
    assert repr(y.grad_fn).startswith("<AddBackward0 object at 0x")
    assert str(y.grad_fn) == repr(y.grad_fn)
    assert type(y.grad_fn).__name__ == y.grad_fn.name() == "AddBackward0"

    def shape(fn):
        return [None if n is None else type(n).__name__ for n, _ in fn.next_functions]

    assert (
        shape(y.grad_fn)
        == ["AccumulateGrad", None]
        == [None if n is None else n.name().split("::")[-1] for n, _ in ty.grad_fn.next_functions]
    )
    assert y.grad_fn.next_functions[0][0].variable is x
    assert shape(z.grad_fn) == ["MulBackward0", None]
    assert shape(out.grad_fn) == ["MulBackward0"]
    assert y.grad_fn.metadata == {}


def test_blitz_vjp_example():
    a = st.tensor([2.0, 3.0], requires_grad=True)
    b = st.tensor([6.0, 4.0], requires_grad=True)
    q = 3 * a**3 - b**2
    assert repr(q) == "tensor([-12.,  65.], grad_fn=<SubBackward0>)"
    q.backward(gradient=st.tensor([1.0, 1.0]))
    assert repr(9 * a**2 == a.grad) == "tensor([True, True])"
    assert repr(a.grad) == "tensor([36., 81.])"
    assert repr(b.grad) == "tensor([-12.,  -8.])"


def test_vector_jacobian_product_example():
    x = st.randn(3, requires_grad=True)
    y = x * 2
    v = st.tensor([0.1, 1.0, 0.0001])
    assert repr(v) == "tensor([1.0000e-01, 1.0000e+00, 1.0000e-04])"
    y.backward(v)
    assert repr(x.grad) == "tensor([2.0000e-01, 2.0000e+00, 2.0000e-04])"
    assert np.array_equal(x.grad.numpy(), 2 * v.numpy())
