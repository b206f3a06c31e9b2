"""Checks in generated code are real checks: they hold under ``python -O``.

``python -O`` drops every ``assert``; the run-time check that ``v += ...``
does not update a view (``v = x[i]`` of a matrix) must not be one.  The fence
tests (``test_inputs.py``) run once more here, in a ``python -O`` subprocess.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import srcdiff

ROOT = Path(__file__).resolve().parents[2]


def row_update(x):
    v = x[1]
    v += 1.0
    return np.sum(v * v)


def test_the_view_check_is_a_statement_not_an_assert():
    source = srcdiff.grad(row_update).source
    assert "check_not_a_view(v, 'v')" in source
    assert "assert" not in source


def test_an_update_of_a_row_view_is_refused():
    with pytest.raises(srcdiff.DifferentiationError, match="'v' is a view of another array"):
        srcdiff.grad(row_update)(np.arange(6.0).reshape(2, 3))


def test_an_update_of_an_element_is_differentiated():
    x = np.array([0.5, -1.5, 2.0])
    expected = np.array([0.0, 2 * (x[1] + 1.0), 0.0])
    np.testing.assert_allclose(srcdiff.grad(row_update)(x), expected)
    np.testing.assert_allclose(srcdiff.grad(row_update, mode="trace")(x), expected)


REPRODUCER = """
import sys
import numpy as np
import srcdiff

if not sys.flags.optimize:
    raise SystemExit("not running under python -O")

def f(x):
    v = x[1]
    v += 1.0
    return np.sum(v * v)

try:
    print(srcdiff.grad(f)(np.arange(6.0).reshape(2, 3)))
except srcdiff.DifferentiationError as error:
    print("refused:", error)
"""


def _run_optimized(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # this checkout's srcdiff
    return subprocess.run(
        [sys.executable, "-O", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_view_check_holds_under_python_O(tmp_path):
    script = tmp_path / "row_update.py"  # in a file: srcdiff reads the function's source
    script.write_text(REPRODUCER)
    done = _run_optimized(str(script))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused: 'v' is a view of another array"), done.stdout


def test_the_fence_tests_pass_under_python_O():
    done = _run_optimized(
        "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/static/test_inputs.py"
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout and "failed" not in done.stdout, done.stdout[-3000:]
