"""What the tracing mode refuses rather than answer wrongly, and the conversions it gets right."""

import math

import numpy as np
import pytest

import srcdiff
import srcdiff.trace as st
from srcdiff.errors import DifferentiationError
from tests.numeric import check_modes


def cube(x):
    return x**3


def sum_of_cubes(x):
    return np.sum(x**3)


def item_of_loss(x):
    return np.sum(x**2).item()


def tolist_of_values(x):
    return sum((x * 2.0).tolist())


def test_item_and_tolist_of_a_tensor_with_grad_are_errors_naming_the_line():
    with pytest.raises(DifferentiationError, match=r"\.item\(\) at .*`return np\.sum\(x\*\*2\)"):
        srcdiff.grad(item_of_loss, mode="trace")(np.ones(2))
    with pytest.raises(DifferentiationError, match=r"\.tolist\(\) at .*`return sum\(\(x \* 2\.0\)"):
        srcdiff.grad(tolist_of_values, mode="trace")(np.ones(2))


def test_numpy_of_a_tensor_with_grad_is_an_error_naming_the_line():
    def f(x):
        return np.sum((x * 2.0).numpy())

    with pytest.raises(DifferentiationError, match=r"\.numpy\(\) at .*`return np\.sum"):
        srcdiff.grad(f, mode="trace")(np.ones(2))


def test_item_and_tolist_outside_trace_mode_behave_as_pytorch():
    x = st.tensor([1.5], requires_grad=True)
    assert x.item() == 1.5 and type(x.item()) is float
    assert (x * 2.0).tolist() == [3.0]

    def constant_item(x):
        return x * np.sum(np.ones(3)).item()  # no gradient through the constant: allowed

    assert srcdiff.grad(constant_item, mode="trace")(2.0) == 3.0


def masked_sum(x):
    return np.sum(x * 2.0)


def test_masked_arrays_are_refused():
    masked = np.ma.array([1.0, 2.0, 3.0], mask=[False, True, False])
    with pytest.raises(DifferentiationError, match=r"argument 0 is a masked array \(np\.ma\)"):
        srcdiff.grad(masked_sum, mode="trace")(masked)
    with pytest.raises(DifferentiationError, match="argument 1 is a masked array"):
        srcdiff.grad(lambda x, m: np.sum(x * m), mode="trace")(np.ones(3), masked)

    def makes_one(x):
        m = np.ma.array(np.ones(3), mask=[True, False, False])
        return np.sum(x * m)

    with pytest.raises(DifferentiationError, match=r"np\.multiply gave a masked array"):
        srcdiff.grad(makes_one, mode="trace")(np.ones(3))


def complex_output(x):
    return np.sum(x * (1.0 + 2.0j))


def test_grad_of_a_complex_output_is_refused():
    # The static mode's message starts the same way (srcdiff.static.runtime.unit_seed).
    with pytest.raises(DifferentiationError, match="grad of a complex output is not supported"):
        srcdiff.grad(complex_output, mode="trace")(np.ones(2))


def floor_as_int(xs):
    cells = np.floor(xs).astype(int)
    return np.sum(xs * cells) + np.sum(xs[cells % 2 == 0] ** 2)


def test_astype_int_carries_no_gradient():
    xs = np.array([1.5, 2.25, 3.75])
    check_modes(floor_as_int, xs, modes=("trace",))
    t = st.tensor([1.5, -2.5], requires_grad=True)
    as_int = t.astype(int)
    assert as_int.dtype == np.dtype(int) and not as_int.requires_grad
    assert as_int.tolist() == [1, -2]
    assert t.astype(np.float32).requires_grad


def test_expand_keeps_a_dimension_for_minus_one():
    t = st.tensor([[1.0], [2.0]], requires_grad=True)
    e = t.expand(-1, 3)
    assert e.shape == (2, 3) and np.array_equal(e.detach().numpy(), [[1.0] * 3, [2.0] * 3])
    (e * st.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [[6.0], [15.0]])
    assert st.ones(3).expand(2, -1).shape == (2, 3)


def test_ufunc_methods_on_a_tensor_are_refused_by_name():
    def reduced(x):
        return np.add.reduce(x * x)

    with pytest.raises(DifferentiationError, match=r"np\.add\.reduce is not recorded.*np\.sum"):
        srcdiff.grad(reduced, mode="trace")(np.ones(3))
    assert np.add.reduce(st.ones(3)).item() == 3.0  # without grad it is NumPy's own


def exp_in_a_method(x):
    return Gamma().exp_of(x)


def gamma_of(x):
    return math.gamma(x) * 2.0


def test_a_math_function_without_rule_is_named():
    with pytest.raises(
        DifferentiationError,
        match=r"math\.gamma has no VJP rule.* at .*`return math\.gamma\(x\) \* 2\.0`.*"
        r"register_vjp\(math\.gamma",
    ):
        srcdiff.grad(gamma_of, mode="trace")(1.5)
    assert srcdiff.grad(lambda x: x * math.gamma(2.5), mode="trace")(1.0) == math.gamma(2.5)
    # Where the namespace does not reach, the float conversion's message names the function.
    with pytest.raises(
        DifferentiationError, match=r"passed to math\.gamma.*\(there is no np\.gamma\)"
    ):
        srcdiff.grad(Gamma().of, mode="trace")(1.5)
    with pytest.raises(DifferentiationError, match=r"passed to math\.exp.*Use np\.exp instead"):
        srcdiff.grad(exp_in_a_method, mode="trace")(1.5)


class Gamma:
    def of(self, x):
        return self.inner(x)

    def inner(self, x):
        return math.gamma(x)

    def exp_of(self, x):
        return math.exp(x)
