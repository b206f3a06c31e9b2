"""The README's examples run, and print what the README says they print.

Each ```python block runs in one shared namespace, in order, from a file of
its own (so the static compiler can read the functions it defines).  A
```text block right after a python block is the output that block prints.
"""

import contextlib
import io
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def examples():
    """(python code, expected output or None) for each python block of the README."""
    blocks = [(m.group(1), m.group(2)) for m in _BLOCK.finditer(README.read_text())]
    out = []
    for i, (lang, body) in enumerate(blocks):
        if lang == "python":
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            expected = following[1] if following and following[0] == "text" else None
            out.append((body, expected))
    return out


def test_readme_has_examples():
    assert len(examples()) >= 5


def test_readme_examples_print_what_the_readme_shows(tmp_path):
    namespace = {"__name__": "readme"}
    for i, (code, expected) in enumerate(examples()):
        folder = tmp_path / str(i)  # a file of its own, under one name: ``example.py``
        folder.mkdir()
        path = folder / "example.py"
        path.write_text(code)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, str(path), "exec"), namespace)
        if expected is not None:
            got = printed.getvalue().replace(str(folder) + "/", "")
            assert got.rstrip() == expected.rstrip(), f"README example {i} printed:\n{got}"


@pytest.mark.parametrize("line", [0, 1])
def test_setup_commands_come_first(line):
    first_block = _BLOCK.search(README.read_text()).group(2).splitlines()
    assert first_block[line].startswith("pip install")
