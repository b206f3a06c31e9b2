"""How a compiled adjoint runs: as Python (the default) or compiled by numba.

The generated adjoint is plain Python, so a compiler for Python can take it
as it is.  ``backend="numba"`` hands it to ``numba.njit``, which compiles it
on its first call for each signature of argument types.  That pays off for
scalar loops: for Python-number arguments the adjoint is specialised to plain
float arithmetic (``static/specialise.py``), which numba compiles to machine
code.  An adjoint numba cannot compile (one that still calls srcdiff's array
helpers, or a helper's pullback) is refused on its first call with a
``DifferentiationError`` that names what stopped numba.
"""

import functools
import types

from srcdiff.errors import DifferentiationError

BACKENDS = ("python", "numba")


def check_backend(backend):
    """Raise ``DifferentiationError`` unless ``backend`` is a backend that can run here."""
    if backend not in BACKENDS:
        raise DifferentiationError(f"backend must be one of {BACKENDS}, not {backend!r}")
    if backend == "numba":
        try:
            import numba  # noqa: F401
        except ImportError:
            raise DifferentiationError(
                "backend=\"numba\" needs numba: pip install 'srcdiff[numba]'"
            ) from None


def with_backend(adjoint, backend):
    """``adjoint`` as ``backend`` runs it; the result shows the same source."""
    if backend == "python":
        return adjoint
    import numba

    jitted = numba.njit(_for_numba(adjoint))

    @functools.wraps(adjoint)
    def compiled_by_numba(*args, **kwargs):
        try:
            return jitted(*args, **kwargs)
        except numba.core.errors.TypingError as error:
            raise DifferentiationError(_refusal(adjoint, error)) from None

    compiled_by_numba.source = adjoint.source
    compiled_by_numba.sources = getattr(adjoint, "sources", {})
    compiled_by_numba.dependencies = adjoint.dependencies
    return compiled_by_numba


def _for_numba(adjoint):
    """``adjoint`` with what numba lacks supplied: ``reversed`` of a ``range``.

    Runtime names reach the adjoint as closure cells (``static/compile.py``);
    a cell holding the builtin ``reversed`` is given numba's version instead.
    """
    cells = adjoint.__closure__ or ()
    if not any(cell.cell_contents is reversed for cell in cells):
        return adjoint
    cells = tuple(
        types.CellType(_reversed_range()) if cell.cell_contents is reversed else cell
        for cell in cells
    )
    return types.FunctionType(
        adjoint.__code__, adjoint.__globals__, adjoint.__name__, adjoint.__defaults__, cells
    )


@functools.cache
def _reversed_range():
    import numba

    @numba.njit
    def reversed_range(steps):
        last = steps.start + (len(steps) - 1) * steps.step
        return range(last, steps.start - steps.step, -steps.step)

    return reversed_range


def _refusal(adjoint, error):
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    # The first line names numba's stage; the second says what it could not type.
    reason = lines[1] if len(lines) > 1 else (lines or ["a type numba rejects"])[0]
    return (
        f'backend="numba" cannot compile {adjoint.__name__} for these arguments: numba says '
        f'"{reason}". It compiles adjoints of functions of Python numbers (scalar loops), '
        "whose array helpers srcdiff removes; call it with Python floats, or use the default "
        'backend="python"'
    )
