"""srcdiff: automatic differentiation for Python + NumPy by source transformation.

``grad``, ``value_and_grad`` and ``vjp`` (and, built on them,
``hessian_vector_product``, ``hessian`` and ``jacobian``) compile a function's adjoint to
readable Python (``mode="static"``) or trace it on ``Tensor`` values
(``mode="trace"``, PyTorch semantics).  Both read one rule table, extended
with ``register_vjp`` and ``nondifferentiable``.
"""

from srcdiff import autograd
from srcdiff.api import check_grads, grad, value_and_grad, vjp
from srcdiff.errors import DifferentiationError, SrcdiffError, UnsupportedSyntax
from srcdiff.higher import hessian, hessian_vector_product, jacobian
from srcdiff.rules import nondifferentiable, register_jvp, register_vjp
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

__version__ = "0.1.0"

__all__ = [
    "DifferentiationError",
    "SrcdiffError",
    "Tensor",
    "UnsupportedSyntax",
    "autograd",
    "check_grads",
    "enable_grad",
    "grad",
    "hessian",
    "hessian_vector_product",
    "is_grad_enabled",
    "jacobian",
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
