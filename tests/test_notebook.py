"""Functions defined in IPython cells, as in a Jupyter notebook.

IPython keeps each cell's source in ``linecache``, so the static compiler can
read a function defined in a cell; a helper or function redefined in a later
cell is seen by the next call.  A function made by ``exec`` has no source to
read and is refused with the way out.
"""

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

import srcdiff


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    shell.reset(new_session=False)
    yield shell
    shell.reset(new_session=False)


def run(shell, cell):
    """Run one cell; the value of its last expression."""
    result = shell.run_cell(cell)
    result.raise_error()
    return result.result


def test_define_grad_redefine_a_helper_in_a_later_cell(shell):
    run(shell, "import numpy as np\nimport srcdiff")
    run(shell, "def helper(x):\n    return x * 2\n")
    run(shell, "def model(x):\n    y = helper(x)\n    return np.sum(y * y)\n")
    run(shell, "dmodel = srcdiff.grad(model)")
    x = np.array([1.0, 2.0])
    shell.user_ns["x"] = x
    np.testing.assert_allclose(run(shell, "dmodel(x)"), 8 * x)
    assert "helper_forward(x)" in run(shell, "dmodel.source")
    # A later cell redefines the helper: the same gradient function follows it.
    run(shell, "def helper(x):\n    return x * 3\n")
    np.testing.assert_allclose(run(shell, "dmodel(x)"), 18 * x)
    # Redefining the function itself and taking its gradient again.
    run(shell, "def model(x):\n    return np.sum(np.sin(x))\n")
    np.testing.assert_allclose(run(shell, "srcdiff.grad(model)(x)"), np.cos(x))
    source = run(shell, "srcdiff.grad(model).source")
    assert "# grad of line 2: return np.sum(np.sin(x))" in source
    srcdiff.check_grads(shell.user_ns["model"], x)


def test_an_error_in_a_cell_function_names_the_cell_line(shell):
    run(shell, "import numpy as np\nimport srcdiff")
    run(shell, "def bad(x):\n    y = x\n    y[0] = 1.0\n    return np.sum(y)\n")
    with pytest.raises(srcdiff.SrcdiffError) as error:
        run(shell, "srcdiff.grad(bad)")
    # The cell's name and the line within the cell.
    assert str(error.value).startswith("<ipython-input-")
    assert ">:3: assignment into 'y'" in str(error.value)


def test_a_function_made_by_exec_is_refused_with_the_way_out():
    scope = {}
    exec("def f(x):\n    return x * x\n", scope)
    with pytest.raises(srcdiff.DifferentiationError, match="define it in a file") as error:
        srcdiff.grad(scope["f"])
    assert 'mode="trace"' in str(error.value)
    assert srcdiff.grad(scope["f"], mode="trace")(3.0) == 6.0
