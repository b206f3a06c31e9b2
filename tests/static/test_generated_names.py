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
    # The gradients of ``x`` and ``dz`` and the stack of ``y`` take other names.
    assert "dx_1 =" in source and "ddz =" in source and "y_stack_1" in source


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
