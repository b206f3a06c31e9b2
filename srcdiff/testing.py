"""Gradient checks for tests: ``assert_grads`` (``check_grads`` lives in ``checks.py``).

``check_grads`` compares each mode's gradient with central finite
differences and the modes with each other; ``assert_grads`` runs it mode by
mode and fails with one message listing, per mode, the worst element with
its index, the value got and the value expected.  The pytest plugin
(``srcdiff.pytest_plugin``) adds the ``adjoint_snapshot`` fixture.
"""

from collections.abc import Callable
from typing import Any

from srcdiff.api import MODES, Wrt
from srcdiff.checks import check_grads


def assert_grads(
    f: Callable,
    *args: Any,
    wrt: Wrt = 0,
    modes: tuple[str, ...] = MODES,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    seed: int = 0,
) -> None:
    """Fail with an ``AssertionError`` unless every mode's gradient of ``f`` at ``args``
    matches central finite differences (a random cotangent for a non-scalar ``f``)."""
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    verdicts = {}
    for mode in modes:
        try:
            check_grads(f, *args, wrt=wrt, modes=(mode,), eps=eps, rtol=rtol, atol=atol, seed=seed)
        except AssertionError as error:
            verdicts[mode] = str(error)
        else:
            verdicts[mode] = None
    failed = [mode for mode, verdict in verdicts.items() if verdict is not None]
    if failed:
        name = getattr(f, "__qualname__", repr(f))
        width = max(map(len, verdicts))
        lines = [
            f"{mode + ':':<{width + 1}} {'ok' if verdict is None else verdict}"
            for mode, verdict in verdicts.items()
        ]
        raise AssertionError(
            f"the gradient of {name} with respect to {wrt!r} is wrong in "
            f"{len(failed)} of {len(verdicts)} modes (rtol={rtol}, atol={atol}):\n"
            + "\n".join(lines)
        )
