"""A tour of the code srcdiff generates: ``.source``, the command line, export, errors.

Run it with ``python examples/inspect_adjoint.py``.  Each step prints what a
user would look at: the adjoint of a small model, the helpers' adjoints, the
same from the command line, a standalone module written by ``export``, and
the note an error inside generated code carries.
"""

import inspect
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

import srcdiff


def layer(h, w):
    return np.tanh(h @ w)


def loss(w1, w2, x, target):
    hidden = layer(x, w1)
    prediction = hidden @ w2
    return np.mean((prediction - target) ** 2)


def step(title):
    print(f"\n== {title}")


def main():
    rng = np.random.default_rng(0)
    w1, w2 = rng.standard_normal((3, 4)), rng.standard_normal((4, 1))
    x, target = rng.standard_normal((8, 3)), rng.standard_normal((8, 1))

    step("1. srcdiff.grad(loss, wrt=(0, 1)).source: the adjoint, as Python")
    dloss = srcdiff.grad(loss, wrt=(0, 1))
    print(dloss.source, end="")
    dw1, dw2 = dloss(w1, w2, x, target)
    print("gradient shapes:", dw1.shape, dw2.shape)

    step("2. .sources: the adjoint of each helper it calls, by name")
    for name, source in dloss.sources.items():
        print(f"# {name}\n{source}", end="")

    step("3. inspect.getsource shows the same text; optimize=False keeps every statement")
    assert inspect.getsource(dloss) == dloss.source
    full = srcdiff.grad(loss, wrt=(0, 1), optimize=False).source
    print(f"{len(dloss.source.splitlines())} lines optimized, {len(full.splitlines())} without")

    here = pathlib.Path(__file__).resolve()
    step(f"4. python -m srcdiff show {here.name}:loss --wrt 0,1")
    shown = subprocess.run(
        [sys.executable, "-m", "srcdiff", "show", f"{here}:loss", "--wrt", "0,1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print("same text as .sources and .source:", shown.startswith(dloss.source))

    step(f"5. python -m srcdiff export {here.name}:loss --wrt 0,1 -o dloss.py")
    with tempfile.TemporaryDirectory() as folder:
        out = pathlib.Path(folder) / "dloss.py"
        done = subprocess.run(
            [sys.executable, "-m", "srcdiff", "export", f"{here}:loss", "--wrt", "0,1"]
            + ["-o", str(out)],
            capture_output=True,
            text=True,
            check=True,
        )
        print(done.stdout.replace(str(out), "dloss.py"), end="")
        text = out.read_text()
        imports = [line for line in text.splitlines() if line.startswith(("import", "from"))]
        print(f"{len(text.splitlines())} lines; its imports: {', '.join(imports)}")
        scope = {"__name__": "dloss"}
        exec(compile(text, str(out), "exec"), scope)
        exported = scope["dloss"](w1, w2, x, target)
        print("same numbers:", all(np.allclose(a, b) for a, b in zip(exported, (dw1, dw2))))

    step("6. an error inside the adjoint names your line")
    try:
        dloss(w1, w2, x[:, :2], target)  # x has the wrong number of columns
    except ValueError as error:
        print(type(error).__name__, "with the note:")
        print("\n".join(error.__notes__).replace(str(here), here.name))


if __name__ == "__main__":
    main()
