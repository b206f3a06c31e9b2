"""backward() semantics, errors and warnings, against PyTorch (TORCH.md secs. 1, 3, 4).

Each scenario runs in both libraries; error types and messages must match
exactly once PyTorch's torch-only names are spelled the NumPy way.
"""

import warnings

import numpy as np
import pytest
import torch

import srcdiff.trace as st
from tests.trace.compare import raised, translate, values

LIBS = [st, torch]


def both(scenario):
    """Run ``scenario(lib)`` for srcdiff and torch; return both results."""
    return scenario(st), scenario(torch)


def same_error(scenario):
    ours = raised(lambda: scenario(st))
    theirs = raised(lambda: scenario(torch))
    assert ours == theirs


def same_warnings(scenario):
    def caught(lib):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            scenario(lib)
        return [translate(str(w.message)) for w in record if w.category is UserWarning]

    ours, theirs = both(caught)
    assert ours == theirs
    return ours


def f64(lib, data, requires_grad=True):
    if lib is st:
        return st.tensor(np.array(data, np.float64), requires_grad=requires_grad)
    return torch.tensor(np.array(data, np.float64), requires_grad=requires_grad)


# ----------------------------------------------------------------------------- errors
ERRORS = {
    "non_scalar_backward": lambda lib: (f64(lib, [1.0, 2.0]) * 2).backward(),
    "gradient_shape": lambda lib: (f64(lib, [1.0, 2.0, 3.0]) * 2).backward(f64(lib, [1.0, 1.0])),
    "gradient_0d_vs_1": lambda lib: (f64(lib, [1.0]) * 2).backward(f64(lib, 1.0)),
    "gradient_float": lambda lib: (f64(lib, [1.0, 2.0]) * 2).backward(1.0),
    "gradient_list": lambda lib: (f64(lib, [1.0, 2.0]) * 2).backward([1.0, 1.0]),
    "backward_plain": lambda lib: f64(lib, 1.0, False).backward(),
    "backward_int": lambda lib: lib.tensor([1, 2]).sum().backward(),
    "int_requires_grad": lambda lib: lib.tensor([1, 2], requires_grad=True),
    "int_ones": lambda lib: lib.ones(
        2, dtype=lib.int64 if lib is torch else np.int64, requires_grad=True
    ),
    "int_arange": lambda lib: lib.arange(3, requires_grad=True),
    "int_requires_grad_": lambda lib: lib.tensor([1, 2]).requires_grad_(),
    "bool_requires_grad_": lambda lib: lib.tensor([True]).requires_grad_(),
    "int_flag_set": lambda lib: setattr(lib.tensor([1, 2]), "requires_grad", True),
    "non_leaf_flag_": lambda lib: (f64(lib, [1.0]) * 2).requires_grad_(False),
    "non_leaf_flag_set": lambda lib: setattr(f64(lib, [1.0]) * 2, "requires_grad", False),
    "leaf_add_": lambda lib: f64(lib, [1.0]).add_(1),
    "leaf_iadd": lambda lib: f64(lib, [1.0]).__iadd__(1),
    "leaf_zero_": lambda lib: f64(lib, [1.0]).zero_(),
    "leaf_mul_": lambda lib: f64(lib, [1.0]).mul_(2),
    "leaf_setitem": lambda lib: f64(lib, [1.0, 2.0]).__setitem__(0, 5.0),
    "leaf_view_mul_": lambda lib: f64(lib, [1.0, 2.0])[0].mul_(2),
    "grad_wrong_size": lambda lib: setattr(
        f64(lib, [1.0, 2.0]), "grad", f64(lib, [1, 2, 3.0], False)
    ),
    "grad_wrong_dtype": lambda lib: setattr(
        lib.ones(2, requires_grad=True), "grad", f64(lib, [1.0, 2.0], False)
    ),
    "grad_list": lambda lib: setattr(f64(lib, [1.0, 2.0]), "grad", [1.0, 2.0]),
    "grad_none_zero_": lambda lib: f64(lib, [1.0]).grad.zero_(),
    "numpy_requires_grad": lambda lib: f64(lib, [1.0]).numpy(),
    "np_array_requires_grad": lambda lib: np.array(f64(lib, [1.0])),
    "float_two_elements": lambda lib: float(f64(lib, [1.0, 2.0], False)),
    "bool_two_elements": lambda lib: bool(f64(lib, [1.0, 2.0], False)),
    "int_mean": lambda lib: lib.tensor([1, 2]).mean(),
    "len_0d": lambda lib: len(f64(lib, 1.0)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_same_error(name):
    same_error(ERRORS[name])


def test_second_backward_raises_only_through_saved_tensors():
    def second(lib, build):
        x = f64(lib, [1.0, 2.0])
        out = build(x)
        out.backward()
        try:
            out.backward()
        except RuntimeError as error:
            return translate(str(error))
        return values(x.grad).tolist()

    for build in [
        lambda x: (x * x).sum(),
        lambda x: (x * 2).sum(),
        lambda x: (x + 1).sum(),
        lambda x: (x + 2).mul(x + 2).mul(3).mean(),
    ]:
        ours, theirs = both(lambda lib, build=build: second(lib, build))
        assert ours == theirs


def test_modified_saved_tensor_messages():
    def scenario(lib, modify):
        x = f64(lib, [1.0, 2.0])
        y = x * 2
        z = modify(y)
        return z.sum().backward()

    cases = [
        lambda y: (y * y, y.add_(1))[0],
        lambda y: (y * y, y.mul_(3))[0],
        lambda y: (y * y, y.__setitem__(0, 5.0))[0],
        lambda y: (lambda e: (e, e.add_(1))[0])(y.exp()),
        lambda y: (lambda e: (e, e.mul_(2))[0])(y.tanh()),
    ]
    for modify in cases:
        same_error(lambda lib, modify=modify: scenario(lib, modify))

    def plain(lib):
        x = f64(lib, [1.0, 2.0])
        p = f64(lib, [3.0, 4.0], False)
        z = x * p
        p.add_(1)
        z.sum().backward()

    same_error(plain)


# ----------------------------------------------------------------------------- warnings
def test_non_leaf_grad_warning():
    def scenario(lib):
        x = f64(lib, [1.0, 2.0])
        y = x * 2
        assert y.grad is None
        y.sum().backward()
        assert y.grad is None
        assert x.grad is not None

    assert len(same_warnings(scenario)) == 2


def test_no_warning_for_leaves_plain_tensors_and_retained():
    def scenario(lib):
        x = f64(lib, [1.0, 2.0])
        y = x * 2
        y.retain_grad()
        y.sum().backward()
        return x.grad, f64(lib, [1.0], False).grad, y.grad

    assert same_warnings(scenario) == []


def test_float_of_requires_grad_warns_and_item_does_not():
    warned = same_warnings(lambda lib: (float(f64(lib, [2.0])), f64(lib, 2.0).item()))
    assert len(warned) == 1


def test_copy_construct_and_T_warnings():
    same_warnings(lambda lib: lib.tensor(f64(lib, [1.0])))
    same_warnings(lambda lib: f64(lib, [[[1.0]]]).T)
    same_warnings(lambda lib: f64(lib, [[1.0]]).T)


# ----------------------------------------------------------------------------- semantics
def test_accumulation_retain_graph_and_zero_():
    def scenario(lib):
        x = lib.ones(2, 2, requires_grad=True)
        out = ((x + 2) * (x + 2) * 3).mean()
        seen = []
        for _ in range(3):
            out.backward(retain_graph=True)
            seen.append(values(x.grad).tolist())
        seen.append(repr(x.grad.zero_()))
        out.backward()
        seen.append(values(x.grad).tolist())
        try:
            out.backward()
        except RuntimeError as error:
            seen.append(translate(str(error)))
        x.grad = None
        ((x * x).sum()).backward()
        seen.append(values(x.grad).tolist())
        return seen

    ours, theirs = both(scenario)
    assert ours == theirs


def test_blitz_transposed_accumulation():
    def scenario(lib):
        inp = lib.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        seen = [out.grad_fn.name()]
        for _ in range(2):
            out.backward(lib.ones_like(out), retain_graph=True)
            seen.append(values(inp.grad).tolist())
        inp.grad.zero_()
        out.backward(lib.ones_like(out), retain_graph=True)
        seen.append(values(inp.grad).tolist())
        return seen

    ours, theirs = both(scenario)
    assert ours == theirs


def test_retain_grad_and_implicit_seed_on_one_element():
    def scenario(lib):
        x = lib.ones(2, 2, requires_grad=True)
        y = x + 2
        y.retain_grad()
        x.retain_grad()
        out = (y * y * 3).mean()
        out.backward()
        one = lib.ones(1, requires_grad=True)
        (one * 2).backward()
        leaf = f64(lib, 2.0)
        leaf.backward()
        return (repr(y.grad), y.retains_grad, x.retains_grad, repr(one.grad), repr(leaf.grad))

    ours, theirs = both(scenario)
    assert ours == tuple(translate(t) if isinstance(t, str) else t for t in theirs)


def test_broadcasting_gradients():
    for shape in [(4,), (1, 4), (3, 1), (), (1,), (1, 1)]:

        def scenario(lib, shape=shape):
            a = f64(lib, np.ones((3, 4)))
            b = f64(lib, np.full(shape, 2.0))
            (a + b).sum().backward()
            c = f64(lib, np.arange(4.0))
            (a * c).sum().backward()
            return values(a.grad).tolist(), values(b.grad).tolist(), values(c.grad).tolist()

        ours, theirs = both(scenario)
        assert ours == theirs


def test_kinks_match_pytorch():
    cases = [
        ([-1.0, 0.0, 2.0], lambda x: x.relu()),
        ([-1.0, 0.0, 1.0], lambda x: x.abs()),
        ([0.0, 1.0, 2.0], lambda x: x.clamp(0, 1)),
        ([1.0, 3.0, 3.0], lambda x: x.max()),
        ([[1.0] * 3] * 2, lambda x: x.max()),
        ([[1.0, 5.0], [3.0, 5.0]], lambda x: x.max(dim=0).values),
        ([0.0, 4.0], lambda x: x.sqrt()),
        ([0.0, 4.0], lambda x: x**0.5),
        ([0.0, -2.0], lambda x: x**0),
        ([0.0, -2.0], lambda x: x.pow(3)),
        ([0.0, 0.0], lambda x: x.norm()),
        ([[1.0, 2.0, 3.0]], lambda x: x.mean(dim=1, keepdim=True)),
        ([1.0, 2.0, 3.0, 4.0], lambda x: x.var()),
        ([1.0, 2.0, 0.0, 4.0], lambda x: x.prod()),
    ]
    for data, fn in cases:

        def scenario(lib, data=data, fn=fn):
            x = f64(lib, data)
            fn(x).sum().backward()
            return repr(x.grad)

        ours, theirs = both(scenario)
        assert ours == translate(theirs), (data, ours, theirs)

    def tie(lib):
        a, b = f64(lib, [1.0, 2.0]), f64(lib, [1.0, 3.0])
        a.maximum(b).sum().backward()
        return values(a.grad).tolist(), values(b.grad).tolist()

    assert both(tie)[0] == both(tie)[1]


def test_power_at_base_zero_and_negative_bases_match_pytorch_without_warnings():
    def scenario(lib):
        x = f64(lib, [0.0, 0.0, -2.0])
        b = f64(lib, [0.0, 2.0, 3.0])
        (x**b).sum().backward()
        return values(x.grad).tolist(), values(b.grad).tolist()

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PyTorch's backward warns about neither inf nor nan
        ours, theirs = both(scenario)
    assert str(ours) == str(theirs)


def test_no_grad_enable_grad_and_sgd_step():
    def scenario(lib):
        w = f64(lib, [1.0, 1.0])
        (w * 3).sum().backward()
        seen = []
        with lib.no_grad():
            y = w * 2
            seen.append((y.requires_grad, y.grad_fn is None, y.is_leaf, lib.is_grad_enabled()))
            with lib.enable_grad():
                seen.append((w * 2).requires_grad)
            made = lib.ones(2, requires_grad=True)
            seen.append((made.requires_grad, made.is_leaf))
            w -= 0.1 * w.grad
        seen.append((repr(w), w.is_leaf, w.grad_fn is None, w._version, lib.is_grad_enabled()))

        @lib.no_grad()
        def decorated(t):
            return t * 2

        seen.append(decorated(w).requires_grad)
        lib.set_grad_enabled(False)
        seen.append((w * 2).requires_grad)
        lib.set_grad_enabled(True)
        seen.append((w * 2).requires_grad)
        return seen

    ours, theirs = both(scenario)
    assert ours[:3] == theirs[:3] and ours[4:] == theirs[4:]
    assert ours[3][0] == translate(theirs[3][0]) and ours[3][1:] == theirs[3][1:]


def test_detach_shares_storage_and_in_place_on_non_leaf():
    def scenario(lib):
        x = f64(lib, [1.0, 2.0])
        y = x * 1
        d = y.detach()
        d[0] = 100.0
        seen = [repr(y), d.requires_grad, d.is_leaf, y.data.requires_grad]
        z = x * 2
        z.add_(1)
        seen.append(repr(z))
        z.sum().backward()
        seen.append(values(x.grad).tolist())
        w = x * 2
        w[0] = 5.0
        seen.append((repr(w), w._version))
        x.grad = None
        w.sum().backward()
        seen.append(values(x.grad).tolist())
        return seen

    ours, theirs = both(scenario)
    theirs[6] = (translate(theirs[6][0]), theirs[6][1])
    assert ours == [translate(t) if isinstance(t, str) else t for t in theirs]


def test_attributes_table():
    def scenario(lib):
        x = f64(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        y = x * 2
        plain = f64(lib, [1.0], False)
        return [
            (t.requires_grad, t.grad_fn is None, t.is_leaf, t.retains_grad) for t in (x, y, plain)
        ] + [
            tuple(x.shape),
            tuple(x.size()),
            x.size(0),
            x.dim(),
            x.ndim,
            x.numel(),
            len(x),
            x.double() is x,
            x.contiguous() is x,
            x.item() if False else y.sum().item(),
            y.tolist(),
        ]

    ours, theirs = both(scenario)
    assert ours == theirs


def test_inputs_restricts_accumulation():
    def scenario(lib):
        x, z = f64(lib, [1.0]), f64(lib, [2.0])
        (x * z).sum().backward(inputs=[z])
        return x.grad is None, values(z.grad).tolist()

    ours, theirs = both(scenario)
    assert ours == theirs


def test_hundred_thousand_op_chain():
    x = st.tensor(1.0, dtype=np.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.00001**100_000, rtol=1e-9)
