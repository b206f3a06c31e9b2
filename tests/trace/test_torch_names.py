"""grad_fn names, values and gradients of the TORCH.md sec. 2 table, against real PyTorch.

Each expression runs on srcdiff Tensors and on torch tensors built from the
same float64 data; the result's ``grad_fn`` name, its values and the
gradients of ``(result * weights).sum()`` must agree.
"""

import numpy as np
import pytest
import torch

from tests.trace.compare import pair, values

rng = np.random.default_rng(0)
A = rng.uniform(0.5, 2.0, (2, 3))
B = rng.uniform(0.5, 2.0, (2, 3))
M = rng.uniform(-1.0, 1.0, (3, 4))
V = rng.uniform(-1.0, 1.0, 3)
W = rng.uniform(-1.0, 1.0, 3)

EXPRESSIONS = {
    "add": lambda a, b, m, v, w: a + b,
    "add_scalar": lambda a, b, m, v, w: a + 2,
    "radd_scalar": lambda a, b, m, v, w: 2 + a,
    "sub": lambda a, b, m, v, w: a - b,
    "rsub": lambda a, b, m, v, w: 2 - a,
    "neg": lambda a, b, m, v, w: -a,
    "mul": lambda a, b, m, v, w: a * b,
    "mul_self": lambda a, b, m, v, w: a * a,
    "rmul": lambda a, b, m, v, w: 3 * a,
    "div": lambda a, b, m, v, w: a / b,
    "div_scalar": lambda a, b, m, v, w: a / 3,
    "rdiv": lambda a, b, m, v, w: 3 / a,
    "pow_scalar": lambda a, b, m, v, w: a**2,
    "pow_half": lambda a, b, m, v, w: a**0.5,
    "pow_method": lambda a, b, m, v, w: a.pow(3),
    "pow_tensor": lambda a, b, m, v, w: a**b,
    "rpow": lambda a, b, m, v, w: 2**a,
    "mm": lambda a, b, m, v, w: a @ m,
    "mv": lambda a, b, m, v, w: a @ v,
    "dot": lambda a, b, m, v, w: v @ w,
    "vecmat": lambda a, b, m, v, w: v @ m,
    "sum": lambda a, b, m, v, w: a.sum(),
    "sum_dim": lambda a, b, m, v, w: a.sum(0),
    "sum_keepdim": lambda a, b, m, v, w: a.sum(0, keepdim=True),
    "sum_last": lambda a, b, m, v, w: a.sum(-1),
    "sum_dims": lambda a, b, m, v, w: a.sum(dim=(0, 1)),
    "mean": lambda a, b, m, v, w: a.mean(),
    "mean_dim": lambda a, b, m, v, w: a.mean(dim=1, keepdim=True),
    "exp": lambda a, b, m, v, w: a.exp(),
    "log": lambda a, b, m, v, w: a.log(),
    "sin": lambda a, b, m, v, w: a.sin(),
    "cos": lambda a, b, m, v, w: a.cos(),
    "tan": lambda a, b, m, v, w: a.tan(),
    "tanh": lambda a, b, m, v, w: a.tanh(),
    "sqrt": lambda a, b, m, v, w: a.sqrt(),
    "abs": lambda a, b, m, v, w: (a - 1).abs(),
    "log1p": lambda a, b, m, v, w: a.log1p(),
    "relu": lambda a, b, m, v, w: (a - 1).relu(),
    "reciprocal": lambda a, b, m, v, w: a.reciprocal(),
    "max": lambda a, b, m, v, w: a.max(),
    "min": lambda a, b, m, v, w: a.min(),
    "max_dim": lambda a, b, m, v, w: a.max(dim=0).values,
    "min_dim": lambda a, b, m, v, w: a.min(dim=1).values,
    "amax": lambda a, b, m, v, w: a.amax(dim=0),
    "maximum": lambda a, b, m, v, w: a.maximum(b),
    "minimum": lambda a, b, m, v, w: a.minimum(b),
    "masked_fill": lambda a, b, m, v, w: a.masked_fill(a > 1, 0.0),
    "reshape": lambda a, b, m, v, w: a.reshape(3, 2),
    "reshape_flat": lambda a, b, m, v, w: a.reshape(-1),
    "view": lambda a, b, m, v, w: a.view(3, 2),
    "flatten": lambda a, b, m, v, w: a.flatten(),
    "T": lambda a, b, m, v, w: a.T,
    "permute": lambda a, b, m, v, w: a.permute(1, 0),
    "t": lambda a, b, m, v, w: a.t(),
    "transpose": lambda a, b, m, v, w: a.transpose(0, 1),
    "select": lambda a, b, m, v, w: a[0],
    "select_col": lambda a, b, m, v, w: a[:, 1],
    "select_both": lambda a, b, m, v, w: a[0, 1],
    "select_ellipsis": lambda a, b, m, v, w: a[..., 0],
    "slice": lambda a, b, m, v, w: a[0:1],
    "slice_step": lambda a, b, m, v, w: a[:, ::2],
    "index_list": lambda a, b, m, v, w: a[[1, 0]],
    "index_mask": lambda a, b, m, v, w: a[a > 1],
    "index_none": lambda a, b, m, v, w: a[None],
    "unsqueeze": lambda a, b, m, v, w: a.unsqueeze(0),
    "clamp": lambda a, b, m, v, w: a.clamp(0.8, 1.5),
    "clamp_min": lambda a, b, m, v, w: a.clamp(min=1.0),
    "var": lambda a, b, m, v, w: a.var(),
    "var_dim": lambda a, b, m, v, w: a.var(dim=0),
    "var_correction0": lambda a, b, m, v, w: a.var(correction=0),
    "std": lambda a, b, m, v, w: a.std(),
    "prod": lambda a, b, m, v, w: a.prod(),
    "prod_dim": lambda a, b, m, v, w: a.prod(dim=0),
    "norm": lambda a, b, m, v, w: a.norm(),
    "norm_dim": lambda a, b, m, v, w: a.norm(dim=1),
    "norm_p1": lambda a, b, m, v, w: a.norm(p=1),
    "squeeze": lambda a, b, m, v, w: a[None].squeeze(),
    "squeeze_dim": lambda a, b, m, v, w: a[None].squeeze(0),
    "expand": lambda a, b, m, v, w: v.expand(4, 3),
    "expand_as": lambda a, b, m, v, w: w.expand_as(a),
    "repeat": lambda a, b, m, v, w: a.repeat(2, 2),
    "flip": lambda a, b, m, v, w: a.flip(0),
    "clone": lambda a, b, m, v, w: a.clone(),
    "double_from_float": lambda a, b, m, v, w: a.float().double(),
}


def _frameworks():
    theirs = [pair(x) for x in (A, B, M, V, W)]
    return [t for t, _ in theirs], [t for _, t in theirs]


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_same_grad_fn_value_and_gradients(name):
    fn = EXPRESSIONS[name]
    ours_in, theirs_in = _frameworks()
    ours, theirs = fn(*ours_in), fn(*theirs_in)
    assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(values(ours), values(theirs), rtol=1e-12, atol=1e-12)
    weights = rng.uniform(-1, 1, ours.shape)
    (ours * pair(weights, False)[0]).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for x, tx in zip(ours_in, theirs_in):
        if tx.grad is None:
            assert x.grad is None
        else:
            assert x.grad.dtype == x.dtype
            np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "name", ["add_scalar", "mul", "rmul", "mm", "sum", "exp", "select", "T", "reshape"]
)
def test_same_next_functions_shape(name):
    ours_in, theirs_in = _frameworks()
    ours, theirs = EXPRESSIONS[name](*ours_in), EXPRESSIONS[name](*theirs_in)

    def names(fn):
        return [None if n is None else n.name().split("::")[-1] for n, _ in fn.next_functions]

    assert names(ours.grad_fn) == names(theirs.grad_fn)


def test_reciprocal_chain_for_scalar_over_tensor():
    a, ta = pair(A)
    for out in (3 / a, 3 / ta):
        fn = out.grad_fn
        assert fn.name() == "MulBackward0"
        inner = fn.next_functions[0][0]
        assert inner.name() == "ReciprocalBackward0"
        assert inner.next_functions[0][0].name().endswith("AccumulateGrad")


def test_comparisons_and_argmax_carry_no_grad():
    a, ta = pair(A)
    for ours, theirs in [(a > 1.0, ta > 1.0), (a.argmax(), ta.argmax()), (a.detach(), ta.detach())]:
        assert ours.grad_fn is None and theirs.grad_fn is None
        assert ours.requires_grad is theirs.requires_grad is False
        np.testing.assert_array_equal(values(ours), values(theirs))
