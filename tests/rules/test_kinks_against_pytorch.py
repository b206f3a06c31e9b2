"""Rules at their kinks, with a seed that is not all ones, against PyTorch's autograd.

Finite differences say nothing at a kink (a tie of ``maximum``, ``abs`` at 0,
a bound of ``clip``), and a seed of ones cannot tell ``0.5 * g`` from
``0.5 / g``; so each rule is given an uneven seed there and must give what
PyTorch gives for the same ``grad_outputs``, through the rule itself and
through both modes.
"""

import numpy as np
import pytest
import torch

import srcdiff
from srcdiff.rules import vjp_rule

X = np.array([1.0, 2.0, 3.0, 0.0, -1.0])
Y = np.array([2.0, 2.0, 2.0, 0.0, -1.0])  # ties at 1, 3 and 4
SEED = np.array([3.0, 5.0, -2.0, 7.0, 0.25])
M = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.5]])  # ties within rows

KINKS = {
    "maximum": (np.maximum, torch.maximum, (X, Y), {}, {}, SEED),
    "minimum": (np.minimum, torch.minimum, (X, Y), {}, {}, SEED),
    "abs": (np.abs, torch.abs, (np.array([0.0, -1.0, 2.0, 0.0, 0.5]),), {}, {}, SEED),
    "clip": (np.clip, torch.clamp, (X, 0.0, 2.0), {}, {}, SEED),
    "max rows": (np.max, torch.amax, (M,), {"axis": 1}, {"dim": 1}, np.array([2.0, -3.0])),
    "min rows": (np.min, torch.amin, (M,), {"axis": 1}, {"dim": 1}, np.array([2.0, -3.0])),
    "max all": (np.max, torch.amax, (M,), {}, {}, np.array(-4.0)),
    "fmax": (np.fmax, torch.fmax, (X, Y), {}, {}, SEED),
    "fmin": (np.fmin, torch.fmin, (X, Y), {}, {}, SEED),
    "fmax nan": (
        np.fmax,
        torch.fmax,
        (np.array([np.nan, 1.0]), np.array([1.0, np.nan])),
        {},
        {},
        np.array([2.0, 3.0]),
    ),  # fmt: skip
    "arctan2": (np.arctan2, torch.atan2, (X, Y), {}, {}, SEED),
    "remainder": (np.remainder, torch.remainder, (X, Y + 3.5), {}, {}, SEED),
    "fmod": (np.fmod, torch.fmod, (X - 2.5, Y + 3.5), {}, {}, SEED),
    "sinc": (np.sinc, torch.sinc, (np.array([0.0, 1.0, -0.5, 2.0, 0.0]),), {}, {}, SEED),
    "sort ties": (
        np.sort,
        lambda t: torch.sort(t, stable=True).values,
        (np.array([1.0, 1.0, 0.5, 2.0, 1.0]),),
        {},
        {},
        SEED,
    ),  # fmt: skip
    "cumprod zeros": (
        np.cumprod,
        torch.cumprod,
        (np.array([2.0, 0.0, 3.0, 0.0, 5.0]),),
        {},
        {"dim": 0},
        SEED,
    ),  # fmt: skip
}


def torch_cotangents(torch_fn, args, torch_kwargs, seed):
    """PyTorch's cotangents of the array arguments (None for numbers)."""
    tensors = [
        torch.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) else a for a in args
    ]
    torch_fn(*tensors, **torch_kwargs).backward(torch.tensor(seed))
    return [t.grad.numpy() if isinstance(t, torch.Tensor) else None for t in tensors]


@pytest.mark.parametrize("kink", KINKS)
def test_the_rule_at_a_kink_matches_pytorch(kink):
    fn, torch_fn, args, kwargs, torch_kwargs, seed = KINKS[kink]
    ours = vjp_rule(fn)(seed, fn(*args, **kwargs), *args, **kwargs)
    theirs = torch_cotangents(torch_fn, args, torch_kwargs, seed)
    for mine, reference in zip(ours, theirs):
        if reference is not None:
            np.testing.assert_allclose(mine, reference, rtol=1e-15, atol=0)


def weighted_maximum(x, y):
    return np.sum(np.maximum(x, y) * SEED)


def weighted_minimum(x, y):
    return np.sum(np.minimum(x, y) * SEED)


@pytest.mark.parametrize(
    "fn, torch_fn", [(weighted_maximum, torch.maximum), (weighted_minimum, torch.minimum)]
)
@pytest.mark.parametrize("mode", ["static", "trace"])
def test_ties_in_a_user_function_match_pytorch(fn, torch_fn, mode):
    ours = srcdiff.grad(fn, wrt=(0, 1), mode=mode)(X, Y)
    theirs = torch_cotangents(torch_fn, (X, Y), {}, SEED)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine, reference, rtol=1e-15, atol=0)
