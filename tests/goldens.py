"""Golden files: generated code compared with ``tests/golden/NAME.py``.

``SRCDIFF_UPDATE_GOLDEN=1`` rewrites the files instead (CI refuses to run so).
"""

import os
import pathlib

GOLDEN_DIR = pathlib.Path(__file__).parent / "golden"


def assert_golden(name, source):
    """``source`` is the text of ``tests/golden/{name}.py``."""
    path = GOLDEN_DIR / f"{name}.py"
    if os.environ.get("SRCDIFF_UPDATE_GOLDEN") == "1":
        GOLDEN_DIR.mkdir(exist_ok=True)
        path.write_text(source)
    assert path.exists(), f"{path} is missing: run with SRCDIFF_UPDATE_GOLDEN=1 to create it"
    assert source == path.read_text(), (
        f"the generated code of {name} changed; review it and rerun with "
        "SRCDIFF_UPDATE_GOLDEN=1 if the change is intended"
    )
