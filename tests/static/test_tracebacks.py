"""An error raised inside generated code points at the user's line.

The default traceback cannot show the text of generated code (it reads files
from disk), so the error carries a note per generated frame: the generated
line's text and the user's ``File "...", line N`` with its text.
"""

import os
import pathlib
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import srcdiff
from tests.static.clash_checks import load

MODEL = textwrap.dedent(
    """\
    import numpy as np
    import srcdiff


    def layer(h, w):
        return np.tanh(h @ w)


    def model(w, x):
        h = np.tanh(x @ w)
        z = h @ w
        return np.sum(z * z)


    def deep(w, x):
        h = layer(x, w)
        return np.sum(h * h)


    if __name__ == "__main__":
        import sys

        if sys.argv[1] == "model":
            srcdiff.grad(model)(np.ones((3, 2)), np.ones((4, 3)))
        srcdiff.grad(deep)(np.ones((3, 2)), np.ones((4, 2)))
    """
)


def run_failing(tmp_path, which):
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    root = pathlib.Path(srcdiff.__file__).parent.parent  # this checkout's srcdiff
    done = subprocess.run(
        [sys.executable, str(path), which],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert done.returncode == 1
    return path, done.stderr


@pytest.mark.skipif(
    sys.version_info < (3, 11), reason="the default traceback prints notes from 3.11"
)
def test_an_uncaught_shape_error_shows_the_users_file_line_and_the_generated_line(tmp_path):
    path, stderr = run_failing(tmp_path, "model")
    assert "ValueError: matmul" in stderr
    # The generated line that failed, and the user's line it runs, with its text.
    (frame,) = re.findall(
        r'File "<srcdiff: grad of model at [^>]*>", line (\d+), in dmodel', stderr
    )
    note = f"srcdiff: line {frame} of the generated dmodel, `z = h @ w`, runs line 11 of model:"
    assert note in stderr
    assert f'  File "{path}", line 11, in model\n    z = h @ w\n' in stderr


@pytest.mark.skipif(
    sys.version_info < (3, 11), reason="the default traceback prints notes from 3.11"
)
def test_an_error_in_a_helper_names_the_call_and_the_helpers_line(tmp_path):
    path, stderr = run_failing(tmp_path, "deep")
    assert "runs line 16 of deep:" in stderr
    assert f'  File "{path}", line 16, in deep\n    h = layer(x, w)\n' in stderr
    assert re.search(
        r"srcdiff: line \d+ of the generated layer_forward, `result_1 = h @ w`", stderr
    )
    assert f'  File "{path}", line 6, in layer\n    return np.tanh(h @ w)\n' in stderr


def test_an_error_in_the_backward_pass_names_the_line_it_differentiates(tmp_path):
    module = load(
        "import numpy as np\n\n\n"
        "def clip(x):\n"
        "    return np.minimum(x, 1.0)\n\n\n"
        "def loss(x):\n"
        "    y = clip(x) * 2.0\n"
        "    return np.sum(y)\n",
        tmp_path,
    )

    @srcdiff.register_vjp(module.clip)
    def broken(g, ans, x):
        raise ZeroDivisionError("rule failed")

    try:
        with pytest.raises(ZeroDivisionError) as error:
            srcdiff.grad(module.loss)(np.array([0.5, 2.0]))
    finally:
        srcdiff.register_vjp(module.clip, lambda g, ans, x: (g * (x < 1.0),))
    (note,) = error.value.__notes__
    assert "differentiates line 9 of loss:" in note
    assert note.endswith(f'File "{module.__file__}", line 9, in loss\n    y = clip(x) * 2.0')


def test_each_error_gets_its_notes_once(tmp_path):
    module = load("import numpy as np\n\n\ndef f(w, x):\n    return np.sum(x @ w)\n", tmp_path)
    df = srcdiff.grad(module.f)
    for _ in range(2):
        with pytest.raises(ValueError) as error:
            df(np.ones((3, 2)), np.ones((4, 2)))
        assert len(error.value.__notes__) == 1


def test_a_methods_adjoint_names_the_methods_line(tmp_path):
    # A method's adjoint is compiled inside a class (two lines before its own).
    module = load(
        "import numpy as np\n\n\n"
        "class Model:\n"
        "    def __init__(self):\n"
        "        self.w = np.ones((3, 2))\n\n"
        "    def loss(self, x):\n"
        "        h = np.tanh(x @ self.w)\n"
        "        z = h @ self.w\n"
        "        return np.sum(z)\n",
        tmp_path,
    )
    with pytest.raises(ValueError) as error:
        srcdiff.grad(module.Model().loss)(np.ones((4, 3)))
    (note,) = error.value.__notes__
    assert "`z = h @ z_1`, runs line 10 of loss:" in note
    assert note.endswith(f'File "{module.__file__}", line 10, in loss\n    z = h @ self.w')
