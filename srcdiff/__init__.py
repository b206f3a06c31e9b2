"""srcdiff: automatic differentiation for Python + NumPy by source transformation.

``grad``, ``value_and_grad`` and ``vjp`` compile a function's adjoint to
readable Python (``mode="static"``) or trace it on ``Tensor`` values
(``mode="trace"``, PyTorch semantics).  Both read one rule table, extended
with ``register_vjp`` and ``nondifferentiable``.
"""

import importlib.metadata

from srcdiff import autograd
from srcdiff.api import grad, value_and_grad, vjp
from srcdiff.errors import DifferentiationError, SrcdiffError, UnsupportedSyntax
from srcdiff.rules import nondifferentiable, register_jvp, register_vjp
from srcdiff.standalone import export
from srcdiff.testing import check_grads
from srcdiff.trace import (
    Tensor,
    enable_grad,
    is_grad_enabled,
    no_grad,
    ones,
    rand,
    randn,
    set_grad_enabled,
    tensor,
    zeros,
)

try:
    __version__ = importlib.metadata.version("srcdiff")
except importlib.metadata.PackageNotFoundError:  # run from a checkout, not installed
    __version__ = "0+unknown"

__all__ = [
    "DifferentiationError",
    "SrcdiffError",
    "Tensor",
    "UnsupportedSyntax",
    "autograd",
    "check_grads",
    "enable_grad",
    "export",
    "grad",
    "is_grad_enabled",
    "no_grad",
    "nondifferentiable",
    "ones",
    "rand",
    "randn",
    "register_jvp",
    "register_vjp",
    "set_grad_enabled",
    "tensor",
    "value_and_grad",
    "vjp",
    "zeros",
]
