"""The tour examples run, print what they promise, and agree with PyTorch.

``examples/inspect_adjoint.py`` (the generated code, the command line, export,
error notes) and ``examples/torch_tutorial.py`` (PyTorch's autograd tutorial
in both modes) run as a user runs them, in a subprocess.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np
import torch

import srcdiff

ROOT = pathlib.Path(srcdiff.__file__).parent.parent
EXAMPLES = ROOT / "examples"


def run_example(name):
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def load_example(name):
    spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), EXAMPLES / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_inspect_adjoint_tours_source_cli_export_and_notes():
    out = run_example("inspect_adjoint.py")
    assert (
        "def dloss(w1, w2, x, target):\n    # line 25: hidden = layer(x, w1)\n"
        "    hidden, layer_backward = layer_forward(x, w1)\n"
    ) in out
    assert "# layer\ndef layer_forward(h, w):" in out
    assert "same text as .sources and .source: True" in out
    assert "wrote dloss.py: dloss(w1, w2, x, target)" in out
    assert "same numbers: True" in out
    assert 'File "inspect_adjoint.py", line 25, in loss\n    hidden = layer(x, w1)' in out
    imports = out.split("its imports: ")[1].splitlines()[0].split(", ")
    assert all(
        line.split()[1].split(".")[0] in ("numpy", *sys.stdlib_module_names) for line in imports
    )


def test_torch_tutorial_prints_the_tutorials_steps_in_both_modes():
    out = run_example("torch_tutorial.py")
    assert "Gradient function for z = AddBackward0" in out
    assert "static mode, same numbers: True True" in out
    assert "True\nFalse\nFalse\n" in out  # requires_grad: tracked, no_grad, detach
    assert "Second call\ntensor([[8., 4., 4., 4., 4.]," in out
    assert "static mode vjp, same as the call after zeroing: True" in out


def test_the_tutorials_loss_is_pytorchs():
    tutorial = load_example("torch_tutorial.py")
    rng = np.random.default_rng(1)
    w0, b0, x, y = (
        rng.standard_normal((5, 3)),
        rng.standard_normal(3),
        rng.standard_normal(5),
        rng.random(3),
    )
    w, b = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    z = torch.matmul(torch.tensor(x), w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y))
    loss.backward()
    for mode in ("static", "trace"):
        value, (dw, db) = srcdiff.value_and_grad(tutorial.loss_fn, wrt=(0, 1), mode=mode)(
            w0, b0, x, y
        )
        np.testing.assert_allclose(float(value), loss.item(), rtol=1e-12)
        np.testing.assert_allclose(np.asarray(dw), w.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(np.asarray(db), b.grad.numpy(), rtol=1e-10)
