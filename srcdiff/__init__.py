"""srcdiff: automatic differentiation for Python + NumPy by source transformation.

``grad``, ``value_and_grad`` and ``vjp`` (and, built on them,
``hessian_vector_product``, ``hessian`` and ``jacobian``) compile a function's adjoint to
readable Python (``mode="static"``) or trace it on ``Tensor`` values
(``mode="trace"``, PyTorch semantics).  Both read one rule table, extended
with ``register_vjp`` and ``nondifferentiable``.  ``jvp`` generates forward-mode
code from the same table, extended with ``register_jvp``; ``check_rule``
checks that a function's JVP and VJP rules agree.  Arguments may be trees of
arrays (dicts, lists, tuples, namedtuples, dataclasses); ``tree_map`` updates
them in a training loop.
"""

import importlib.metadata

from srcdiff import autograd
from srcdiff.api import grad, jvp, value_and_grad, vjp
from srcdiff.checks import check_grads, check_rule
from srcdiff.errors import DifferentiationError, SrcdiffError, UnsupportedSyntax
from srcdiff.higher import hessian, hessian_vector_product, jacobian
from srcdiff.rules import nondifferentiable, register_jvp, register_vjp
from srcdiff.standalone import export
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
from srcdiff.trees import tree_flatten, tree_leaves, tree_map, tree_unflatten

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
    "check_rule",
    "enable_grad",
    "export",
    "grad",
    "hessian",
    "hessian_vector_product",
    "is_grad_enabled",
    "jvp",
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
    "tree_flatten",
    "tree_leaves",
    "tree_map",
    "tree_unflatten",
    "value_and_grad",
    "vjp",
    "zeros",
]
