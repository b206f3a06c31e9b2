"""Export: a gradient written as a module that runs where srcdiff is not installed.

The exported module is imported in a fresh interpreter whose import system
refuses everything but NumPy and the standard library (a ``sys.meta_path``
blocker), and its numbers are compared with ``srcdiff.grad``'s.
"""

import importlib.util
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import srcdiff
from srcdiff.standalone import export
from tests.static.clash_checks import load

MODEL = textwrap.dedent(
    """\
    import math

    import numpy as np

    SCALE = 0.5


    def softplus(x):
        return np.log1p(np.exp(x))


    def count(x):
        return x.shape[0]


    def loss(w, b, x, target):
        h = softplus(x @ w + b)
        total = 0.0
        for i in range(3):
            total = total + np.sum((h * SCALE - target) ** 2) / count(x)
            if total > 100.0:
                break
            h = np.tanh(h) * math.pi
        return total


    def stack_loss(xs):
        out = []
        for x in xs:
            out.append(np.sin(x))
        return np.sum(np.stack(out) ** 2)
    """
)

# Runs the exported module with an import system that finds only NumPy and the
# standard library; prints its gradients as JSON.
RUNNER = textwrap.dedent(
    """\
    import importlib.util, json, sys

    class OnlyNumpy:
        def find_spec(self, name, path=None, target=None):
            top = name.split(".")[0]
            if top != "numpy" and top not in sys.stdlib_module_names:
                raise ImportError(f"blocked: {name}")
            return None

    sys.meta_path.insert(0, OnlyNumpy())
    try:
        import srcdiff
    except ImportError:
        pass
    else:
        raise SystemExit("srcdiff was importable")
    import numpy as np
    spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    args = [np.array(a) for a in json.loads(sys.argv[3])]
    grads = getattr(module, sys.argv[2])(*args)
    grads = grads if isinstance(grads, tuple) else (grads,)
    print(json.dumps([np.asarray(g).tolist() for g in grads]))
    """
)


def run_exported(tmp_path, path, name, args):
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            str(runner),
            str(path),
            name,
            json.dumps([a.tolist() for a in args]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [np.array(g) for g in json.loads(done.stdout)]


@pytest.fixture
def model(tmp_path):
    return load(MODEL, tmp_path)


def test_an_exported_gradient_runs_without_srcdiff_and_gives_the_same_numbers(model, tmp_path):
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(s) for s in ((3, 2), (2,), (4, 3), (4, 2))]
    dloss = srcdiff.grad(model.loss, wrt=(0, 1))
    path = tmp_path / "dloss.py"
    text = export(dloss, path)
    assert text == path.read_text()
    assert "import srcdiff" not in text and "from srcdiff" not in text
    assert text.startswith(f'"""dloss: the grad of loss at {model.__file__}:16, generated')
    # The gradient first, then the helper's generated code and what they read.
    assert text.index("def dloss(") < text.index("def softplus_forward_split(")
    assert "\nSCALE = 0.5\n" in text and "\ndef count(x):\n" in text
    for got, expected in zip(run_exported(tmp_path, path, "dloss", args), dloss(*args)):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_list_gradients_export_too(model, tmp_path):
    xs = np.array([[0.5, 1.0], [-2.0, 0.25]])
    df = srcdiff.grad(model.stack_loss)
    path = tmp_path / "dstack.py"
    export(df, path)
    (got,) = run_exported(tmp_path, path, "dstack_loss", [xs])
    np.testing.assert_allclose(got, df(xs), rtol=1e-12)


def test_the_command_line_writes_the_module(model, tmp_path):
    out = tmp_path / "dfunc.py"
    done = subprocess.run(
        [sys.executable, "-m", "srcdiff", "export", f"{model.__file__}:loss", "--wrt", "0,1"]
        + ["-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {out}: dloss(w, b, x, target)\n"
    args = [np.ones((3, 2)), np.zeros(2), np.ones((4, 3)), np.zeros((4, 2))]
    got = run_exported(tmp_path, out, "dloss", args)
    for g, expected in zip(got, srcdiff.grad(model.loss, wrt=(0, 1))(*args)):
        np.testing.assert_allclose(g, expected, rtol=1e-12)


def test_the_command_line_exports_the_tangent_function(tmp_path):
    module = load(
        "import numpy as np\n\n\ndef loss(w, x):\n    return np.sum(np.tanh(x @ w) ** 2)\n",
        tmp_path,
    )
    out = tmp_path / "jfunc.py"
    done = subprocess.run(
        [sys.executable, "-m", "srcdiff", "export", f"{module.__file__}:loss", "--mode", "forward"]
        + ["-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {out}: loss_jvp(w, x, *, tangent)\n"
    assert "import srcdiff" not in out.read_text()
    spec = importlib.util.spec_from_file_location("jfunc", out)
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)
    w, x, tangent = np.ones(3), np.arange(6.0).reshape(2, 3) / 6, np.array([1.0, 0.0, 0.5])
    got = exported.loss_jvp(w, x, tangent=tangent)
    np.testing.assert_allclose(got, srcdiff.jvp(module.loss)(w, x, tangent=tangent), rtol=1e-12)


def test_what_cannot_be_exported_is_refused_by_name(tmp_path):
    module = load(
        "import numpy as np\n\n"
        "WEIGHTS = np.ones(3)\n\n\n"
        "def held(x):\n"
        "    return np.sum(x * WEIGHTS)\n\n\n"
        "def passed(x, f):\n"
        "    return np.sum(f(x))\n",
        tmp_path,
    )
    with pytest.raises(
        srcdiff.DifferentiationError, match="cannot export 'WEIGHTS'.*array of shape"
    ):
        export(srcdiff.grad(module.held))
    with pytest.raises(srcdiff.DifferentiationError, match="known only when it runs"):
        export(srcdiff.grad(module.passed))
    with pytest.raises(srcdiff.DifferentiationError, match="takes a static gradient"):
        export(srcdiff.grad(module.held, mode="trace"))


def test_helpers_from_another_module_are_exported_with_what_they_read(tmp_path):
    module = load(
        "import numpy as np\n\n"
        "from tests.static.helpers_other_module import softplus_scaled\n\n\n"
        "def loss(x):\n"
        "    return np.sum(softplus_scaled(x) * x)\n",
        tmp_path,
    )
    x = np.array([0.5, -1.0, 0.25])
    df = srcdiff.grad(module.loss)
    path = tmp_path / "dloss.py"
    text = export(df, path)
    assert "\nSCALE = 3.0\n" in text and "\nimport numpy\n" in text
    (got,) = run_exported(tmp_path, path, "dloss", [x])
    np.testing.assert_allclose(got, df(x), rtol=1e-12)


def test_one_name_meaning_two_things_is_refused(tmp_path):
    module = load(
        "import numpy as np\n\n"
        "from tests.static.helpers_other_module import softplus_scaled\n\n"
        "SCALE = 0.5\n\n\n"
        "def loss(x):\n"
        "    return np.sum(softplus_scaled(x) * SCALE)\n",
        tmp_path,
    )
    with pytest.raises(srcdiff.DifferentiationError, match="the name 'SCALE' means two things"):
        export(srcdiff.grad(module.loss))


def test_the_export_is_the_adjoint_for_any_argument_type(tmp_path):
    # A call with Python floats runs an adjoint specialised for numbers; the
    # exported module holds the generic one, right for arrays too.
    module = load(
        "import numpy as np\n\n\n"
        "def scaled(k, x):\n"
        "    for i in range(3):\n"
        "        x = x * k + 1.0\n"
        "    return np.sum(x * x)\n",
        tmp_path,
    )
    df = srcdiff.grad(module.scaled, wrt=(0, 1))
    df(0.5, 2.0)
    specialised, generic = df.current().source, df.generic().source
    assert specialised != generic
    path = tmp_path / "dscaled.py"
    text = export(df, path)
    assert generic in text and specialised not in text
    args = [np.array(0.5), np.array([2.0, -1.0])]
    for got, expected in zip(run_exported(tmp_path, path, "dscaled", args), df(*args)):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
