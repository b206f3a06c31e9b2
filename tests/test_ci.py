"""What CI runs is what the suite promises: no golden-file rewriting, pinned tools.

``.ci/run`` refuses to run with ``SRCDIFF_UPDATE_GOLDEN`` set (the golden-file
tests would rewrite ``tests/golden/`` instead of checking it), and the test
extra pins ``hypothesis`` (which draws the random programs) and ``ruff`` (the
formatter's verdict) to exact versions, the ones this suite runs with.
"""

import os
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_ci_script(tmp_path, **environment):
    """Run a copy of ``.ci/run`` in ``tmp_path``, with a ``python3`` that fails if reached."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python3"
    fake.write_text("#!/bin/sh\necho 'python3 reached' >&2\nexit 97\n")
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "SRCDIFF_UPDATE_GOLDEN"}
    env.update(environment, PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}")
    return subprocess.run(
        ["bash", str(tmp_path / ".ci" / "run")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("value", ["1", "0", ""])
def test_ci_refuses_to_run_with_golden_updates_on(tmp_path, value):
    result = run_ci_script(tmp_path, SRCDIFF_UPDATE_GOLDEN=value)
    assert result.returncode == 2, result.stderr
    assert "refusing to run with SRCDIFF_UPDATE_GOLDEN set" in result.stderr
    assert "python3 reached" not in result.stderr


def test_ci_goes_on_without_golden_updates(tmp_path):
    result = run_ci_script(tmp_path)
    assert result.returncode == 97, result.stderr
    assert "python3 reached" in result.stderr


def test_ci_creates_its_environment_afresh():
    assert re.search(r"^python3 -m venv --clear \.ci-venv$", (ROOT / ".ci/run").read_text(), re.M)


def _test_extra():
    text = (ROOT / "pyproject.toml").read_text()
    line = re.search(r"^test = \[(.*?)\]$", text, re.M | re.S)
    assert line, "pyproject.toml has no test extra"
    return dict(re.findall(r'"([A-Za-z0-9_-]+)([^"]*)"', line.group(1)))


@pytest.mark.parametrize("package", ["hypothesis", "ruff"])
def test_the_test_extra_pins_the_package_that_runs(package):
    requirement = _test_extra()[package]
    assert re.fullmatch(r"==[0-9.]+", requirement), f"{package}{requirement} is not pinned"
    installed = metadata.version(package)
    assert installed == requirement[2:], f"{package} {installed} runs; the test extra pins it"
