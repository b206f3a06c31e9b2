"""Every script in ``examples/`` runs to its end, in its quick mode.

Each runs in a subprocess with ``SRCDIFF_EXAMPLES_QUICK=1`` (an example's
small settings; each also takes ``--quick``) and must exit 0 and print its
last line; for the examples listed in ``LAST_LINES`` that line must say what
the example promises.  The examples that draw (``--plot FILE``) run once more,
drawing with matplotlib's Agg backend to a PNG file.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from distributed import LocalCluster

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def _near(expected, tolerance):
    return lambda value: abs(float(value) - expected) < tolerance


# The last line an example prints: a pattern, and a check of its number.
LAST_LINES = {
    "train_mlp.py": (
        r"trained: loss [\d.]+ -> ([\d.]+), accuracy [\d.]+%",
        lambda v: float(v) < 0.5,
    ),
    "fit_oscillator.py": (
        r"recovered k = ([\d.]+) \(true 4.0, first guess 2.5\) in \d+ steps",
        _near(4.0, 0.05),
    ),
    "dask_logistic.py": (r"fitted: accuracy ([\d.]+)%, distance .*", lambda v: float(v) > 80),
    "newton.py": (
        r"minimum at \[(1\.0, ){5}1\.0\] after (\d+) Newton steps",
        lambda v: True,
    ),
}
PLOTS = ["train_mlp.py", "fit_oscillator.py"]


def run_example(name, *args):
    # From the checkout's root, as the README runs them: ``python examples/NAME.py``.
    environment = dict(os.environ, SRCDIFF_EXAMPLES_QUICK="1", MPLBACKEND="Agg")
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=environment,
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"{name} printed nothing"
    return lines


def test_the_examples_are_found():
    names = {path.name for path in EXAMPLES}
    assert set(LAST_LINES) | {"quickstart.py"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_runs_to_its_last_line(path):
    lines = run_example(path.name)
    if path.name in LAST_LINES:
        pattern, check = LAST_LINES[path.name]
        match = re.fullmatch(pattern, lines[-1])
        assert match, f"{path.name} ended with {lines[-1]!r}"
        assert check(match.group(1)), f"{path.name} ended with {lines[-1]!r}"


@pytest.mark.parametrize("name", PLOTS)
def test_example_draws_its_plot(name, tmp_path):
    target = tmp_path / "plot.png"
    lines = run_example(name, "--plot", str(target))
    assert f"to {target}" in "\n".join(lines)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert re.fullmatch(LAST_LINES[name][0], lines[-1])


def test_the_dask_example_compares_one_and_two_workers():
    lines = run_example("dask_logistic.py", "--compare-workers")
    assert re.fullmatch(r"1 worker: [\d.]+ s per gradient", lines[-3])
    assert re.fullmatch(r"2 workers: [\d.]+ s per gradient", lines[-2])
    assert re.fullmatch(r"speed-up with 2 workers: [\d.]+x", lines[-1])


def test_the_dask_example_runs_on_a_given_scheduler():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=":0"
    ) as cluster:
        lines = run_example("dask_logistic.py", "--scheduler", cluster.scheduler_address)
    assert "20,000 rows in 4 chunks on 2 workers" in lines
    assert re.fullmatch(LAST_LINES["dask_logistic.py"][0], lines[-1])
