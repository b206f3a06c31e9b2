"""``python -m srcdiff show FILE.py:FUNC``."""

import subprocess
import sys
import textwrap

SOURCE = textwrap.dedent(
    """
    import numpy as np


    def inner(x):
        return np.sin(x)


    def loss(w, x):
        return np.sum(inner(w * x))


    def vector(x):
        return x * 2
    """
)


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "srcdiff", *args], capture_output=True, text=True, check=False
    )


def test_show_prints_the_adjoint_and_its_helpers(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    result = run("show", f"{path}:loss", "--wrt", "0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("def dloss(w, x):")
    assert "# grad of line 10: return np.sum(inner(w * x))" in result.stdout
    assert "# adjoint of the helper inner" in result.stdout
    assert "def inner_forward(x):" in result.stdout
    assert "    def backward(seed):" in result.stdout


def test_show_with_several_wrt(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    result = run("show", f"{path}:loss", "--wrt", "w,x")
    assert result.returncode == 0, result.stderr
    assert "return gradient_of(dw, w), gradient_of(dx, x)" in result.stdout


def test_show_reports_srcdiff_errors(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    result = run("show", f"{path}:loss", "--wrt", "5")
    assert result.returncode == 1
    assert "wrt=5 is out of range" in result.stderr


def test_show_rejects_a_missing_function(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    result = run("show", f"{path}:nothing")
    assert result.returncode == 2
    assert "defines no nothing" in result.stderr


def test_show_forward_mode_prints_the_tangent_function_and_its_helpers(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    result = run("show", f"{path}:loss", "--wrt", "0", "--mode", "forward")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("def loss_jvp(w, x, *, tangent):")
    assert "# line 10: return np.sum(inner(w * x))" in result.stdout
    assert "result_1, dresult_1 = inner_jvp(result_2, tangent=(dresult_2,))" in result.stdout
    assert "# tangent function of the helper inner" in result.stdout
    assert "def inner_jvp(x, *, tangent):" in result.stdout


def test_show_rejects_an_unknown_mode(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    result = run("show", f"{path}:loss", "--mode", "sideways")
    assert result.returncode == 2
    assert "invalid choice: 'sideways'" in result.stderr


def test_show_order_2_prints_the_second_order_code(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    result = run("show", f"{path}:loss", "--order", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("def dloss_grad(w, x, *, seed=None):")
    # The gradient runs forward, then its own adjoint: the helper's vjp is differentiated too.
    assert (
        "dresult_2_1, dinner_backward = dinner_forward(result_2, seed=dresult_1)" in result.stdout
    )
    assert "# grad of line 10: return gradient_of(dw, w)" in result.stdout
    assert "# adjoint of the helper dinner\ndef dinner_forward(x, *, seed=None):" in result.stdout


def test_show_rejects_an_order_above_2(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    result = run("show", f"{path}:loss", "--order", "3")
    assert result.returncode == 2
    assert "invalid choice: 3" in result.stderr
