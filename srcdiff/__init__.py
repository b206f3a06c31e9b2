"""srcdiff: automatic differentiation for Python + NumPy by source transformation."""

from srcdiff.errors import DifferentiationError, SrcdiffError, UnsupportedSyntax
from srcdiff.rules import nondifferentiable, register_jvp, register_vjp

__all__ = [
    "DifferentiationError",
    "SrcdiffError",
    "UnsupportedSyntax",
    "nondifferentiable",
    "register_jvp",
    "register_vjp",
]
