"""The pytest plugin srcdiff installs (entry point ``pytest11``).

``adjoint_snapshot(df)`` compares the generated code of a compiled gradient
(``df.source`` and the adjoints of the helpers it calls) with a file under
``__snapshots__/<test module>/`` next to the test, named after the test.  The
first run writes the file and says so; a mismatch fails with a unified diff;
``pytest --srcdiff-update`` rewrites the files that changed.
"""

import difflib
import re

import pytest

from srcdiff.listing import listing

_WRITTEN = pytest.StashKey[list]()


def pytest_addoption(parser):
    group = parser.getgroup("srcdiff")
    group.addoption(
        "--srcdiff-update",
        action="store_true",
        default=False,
        help="rewrite the adjoint snapshots (__snapshots__/) whose generated code changed",
    )


def pytest_configure(config):
    config.stash[_WRITTEN] = []


def pytest_terminal_summary(terminalreporter, config):
    written = config.stash.get(_WRITTEN, [])
    if written:
        terminalreporter.section("srcdiff adjoint snapshots")
        for what, path in written:
            terminalreporter.write_line(f"{what} {path}")


class AdjointSnapshot:
    """Call with a compiled gradient: ``adjoint_snapshot(srcdiff.grad(f))``."""

    def __init__(self, request):
        self.request = request
        self.count = 0

    def __repr__(self):
        return (
            f"<adjoint_snapshot: __snapshots__/{self.request.path.stem}/{self.request.node.name}>"
        )

    def path(self, name):
        folder = self.request.path.parent / "__snapshots__" / self.request.path.stem
        if name is None:
            self.count += 1
            test = self.request.node.nodeid.split("::", 1)[-1]  # Class::test[param]
            name = re.sub(r"[^\w.-]+", "-", test).strip("-")
            name += f"_{self.count}" if self.count > 1 else ""
        return folder / f"{name}.txt"

    def __call__(self, compiled, name=None):
        """Compare ``compiled``'s generated code with its snapshot (``name``: the file's)."""
        __tracebackhide__ = True
        text = listing(compiled)
        path = self.path(name)
        config = self.request.config
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            config.stash[_WRITTEN].append(("created", path))
            return
        expected = path.read_text()
        if text == expected:
            return
        if config.getoption("srcdiff_update"):
            path.write_text(text)
            config.stash[_WRITTEN].append(("updated", path))
            return
        try:
            shown = path.relative_to(config.rootpath)
        except ValueError:
            shown = path
        diff = difflib.unified_diff(
            expected.splitlines(True), text.splitlines(True), str(shown), "generated now"
        )
        raise AssertionError(
            f"the generated code differs from the snapshot {path.name}"
            " (pytest --srcdiff-update accepts it):\n" + "".join(diff)
        )


@pytest.fixture
def adjoint_snapshot(request):
    """``adjoint_snapshot(df)``: compare ``df``'s generated code with a stored snapshot."""
    return AdjointSnapshot(request)
