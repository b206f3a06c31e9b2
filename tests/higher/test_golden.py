"""The second-order code as a product: a golden file of ``grad(grad(f))`` with a loop.

Run with ``SRCDIFF_UPDATE_GOLDEN=1`` to rewrite ``tests/golden/second_order_*.py``.
"""

import os
import pathlib

import srcdiff
from tests.higher import programs

GOLDEN = pathlib.Path(__file__).parent.parent / "golden" / "second_order_scalar_loop.py"


def test_second_order_code_matches_golden_file():
    source = srcdiff.grad(srcdiff.grad(programs.scalar_loop)).source
    if os.environ.get("SRCDIFF_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(source)
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run with SRCDIFF_UPDATE_GOLDEN=1 to create it"
    assert source == GOLDEN.read_text(), (
        "the second-order code of scalar_loop changed; review it and rerun with "
        "SRCDIFF_UPDATE_GOLDEN=1 if the change is intended"
    )
