"""Static mode: the names generated code invents never overwrite a user name.

Gradient names (``dx``), saved-value stacks (``y_stack``), branch flags
(``cond``), the backward loop's throwaway target (``_``) and vjp's ``seed``
keyword all avoid the names the user's function uses, or are refused where
they cannot (a global or an argument named ``seed`` under vjp).  Every
gradient is compared with central finite differences and the tracing mode.
"""

import numpy as np
import pytest

import srcdiff
from tests.static.clash_checks import (
    check_gradients,
    finite_differences,
    generated,
    load,
)


def test_user_names_spelled_like_generated_names_are_not_overwritten(tmp_path):
    module = load(
        "import numpy as np\n\n"
        "dx = 0.25\n"
        "y_stack = 3.0\n\n\n"
        "def f(x, dz):\n"
        "    cond = x * dx\n"
        "    y = x\n"
        "    result = 0.0\n"
        "    for i in range(3):\n"
        "        if np.sum(y) > 0.0:\n"
        "            y = np.sin(y) * cond * y_stack\n"
        "        else:\n"
        "            y = y * dz\n"
        "        result = result + np.sum(y)\n"
        "    dresult = result * result\n"
        "    return dresult\n",
        tmp_path,
    )
    x, dz = np.array([0.5, 1.5, 2.5]), np.array([0.3, -0.7, 1.1])
    check_gradients(module.f, (x, dz), (0, 1))
    source = generated(module.f, (0, 1))
    # The function uses names that start with ``d``: gradients are ``x_grad``,
    # never ``dx_1`` or ``ddz``; the stack of ``y`` takes another name.
    assert "x_grad =" in source and "dz_grad =" in source and "y_stack_1" in source
    assert "dresult_grad =" in source
    assert "dx_1" not in source and "ddz" not in source


@pytest.mark.parametrize(
    ("body", "expected"),
    (
        ("    y = x * w\n    return np.sum(y * y)\n", ("dx", "dy", "dloss")),
        ("    dt = 0.1\n    y = x * w * dt\n    return np.sum(y * y)\n", ("x_grad", "y_grad")),
        ("    y = x * w\n    return np.sum(y * dx)\n", ("x_grad", "y_grad", "loss_grad")),
        ("    data = x * w\n    return np.sum(data * data)\n", ("x_grad", "data_grad")),
    ),
    ids=("plain", "local-dt", "global-dx", "local-data"),
)
def test_one_gradient_naming_scheme_per_function(body, expected, tmp_path):
    # ``dx`` for the gradient of ``x``, unless a name the function uses starts
    # with ``d``: then every gradient is ``x_grad`` (never ``ddt`` or ``dx_1``).
    module = load(f"import numpy as np\n\ndx = 2.0\n\n\ndef loss(x, w):\n{body}", tmp_path)
    x, w = np.array([0.5, -1.5]), np.array([2.0, 3.0])
    check_gradients(module.loss, (x, w), (0,))
    source = generated(module.loss, (0,))
    for gradient in expected:
        assert f"{gradient}(" in source or f"{gradient} =" in source, (gradient, source)
    suffix = expected[0] == "x_grad"
    assert ("dx =" in source) is not suffix
    assert "ddt" not in source and "ddata" not in source and "dx_1" not in source


@pytest.mark.parametrize("kind", ("global", "local"))
def test_a_user_name_underscore_is_not_the_backward_loops_target(kind, tmp_path):
    # Once ``for _ in range(3)`` in the backward pass made a global ``_`` local:
    # UnboundLocalError in the forward pass.
    helper, end = {
        "global": ("def _(v):\n    return 2.0 * v\n", "    return np.sum(_(y))\n"),
        "local": ("", "    _ = 2.0 * y\n    return np.sum(_)\n"),
    }[kind]
    module = load(
        f"import numpy as np\n\n{helper}\n\ndef f(x):\n    y = x\n"
        f"    for i in range(3):\n        y = np.sin(y) * 2.0\n{end}",
        tmp_path,
    )
    check_gradients(module.f, (np.array([0.5, -1.5, 2.5]),), (0,))
    assert "for trip in range(3):" in generated(module.f, (0,))


# ---------------------------------------------------------------- vjp's ``seed``


def test_a_local_named_seed_is_not_the_cotangent(tmp_path):
    module = load(
        "import numpy as np\n\n\ndef f(x):\n    seed = np.sin(x)\n    return seed * x\n",
        tmp_path,
    )
    x = np.array([0.5, -1.5, 2.5])
    srcdiff.check_grads(module.f, x)
    v = np.array([1.0, -2.0, 0.5])
    static = srcdiff.vjp(module.f)(x, seed=v)
    np.testing.assert_allclose(static, srcdiff.vjp(module.f, mode="trace")(x, seed=v))
    np.testing.assert_allclose(static, v * (np.cos(x) * x + np.sin(x)))


def test_reading_a_global_named_seed_under_vjp_is_refused(tmp_path):
    module = load(
        "import numpy as np\n\nseed = 2.0\n\n\ndef f(x):\n    return np.sum(x * seed)\n"
        "\n\ndef g(x):\n    return f(x) * 3.0\n",
        tmp_path,
    )
    with pytest.raises(srcdiff.DifferentiationError, match=r":7: f\(\) reads 'seed' from outside"):
        srcdiff.vjp(module.f)
    # grad of the caller compiles the helper's vjp: the same refusal, named
    with pytest.raises(srcdiff.DifferentiationError, match="call to f: .* rename that variable"):
        srcdiff.grad(module.g)
    # grad takes no seed: the global is read as usual
    x = np.array([0.5, -1.5, 2.5])
    static = srcdiff.grad(module.f)(x)
    np.testing.assert_allclose(static, finite_differences(module.f, (x,), 0), rtol=1e-6)
    np.testing.assert_allclose(static, srcdiff.grad(module.f, mode="trace")(x))


def test_reading_a_closure_variable_named_seed_under_vjp_is_refused():
    seed = 2.0

    def f(x):
        return np.sum(x * seed)

    with pytest.raises(
        srcdiff.DifferentiationError, match="reads 'seed' from outside the function"
    ):
        srcdiff.vjp(f)


def test_a_parameter_named_seed_under_vjp_is_refused():
    def f(x, seed):
        return np.sum(x * seed)

    with pytest.raises(srcdiff.DifferentiationError, match="has an argument named 'seed'"):
        srcdiff.vjp(f)
