"""Define-by-run mode: a PyTorch-compatible ``Tensor`` on NumPy, traced at run time.

Operations on Tensors record a graph whose nodes call the same VJP rules as
the static compiler (``srcdiff.rules``); ``backward()`` walks it.  Layout:

- ``tensor.py``: the Tensor class (attributes, ``backward``, conversions);
- ``operators.py``: its operators, indexing and NumPy hooks (``np.exp(t)``);
- ``methods.py``: its PyTorch-named methods (``exp``, ``reshape``, ``t`` ...);
- ``reductions.py``: its reductions (``sum``, ``mean``, ``var``, ``max`` ...);
- ``dispatch.py``: recording one operation, in-place semantics;
- ``graph.py``: nodes, ``AccumulateGrad`` and the iterative backward engine;
- ``names.py``: the table of PyTorch ``grad_fn`` names;
- ``formatting.py``: PyTorch's repr layout;
- ``grad_mode.py``: ``no_grad`` and friends, per thread;
- ``factories.py``: ``tensor``, ``ones``, ``randn`` ...;
- ``messages.py``: PyTorch's error and warning texts;
- ``api.py``: ``trace_vjp``, what ``srcdiff.grad(f, mode="trace")`` calls;
- ``higher.py``: the backward pass recorded (``create_graph=True``): rules run on Tensors;
- ``autograd.py``: ``srcdiff.autograd.grad`` / ``backward``, as ``torch.autograd``'s;
- ``forward.py``: ``trace_jvp`` (double VJP) and ``trace_hvp``;
- ``matrices.py``: ``trace_jacobian`` and ``trace_hessian``;
- ``namespace.py``: the namespace the traced function runs in (no module is patched);
- ``facades.py``: NumPy and ``math`` as that namespace shows them (``np.zeros`` gives
  Tensors, ``math.exp`` records);
- ``user_code.py``: which functions are the user's; the user's line in error messages.
"""

from srcdiff.trace.api import trace_vjp
from srcdiff.trace.factories import (
    arange,
    as_tensor,
    empty,
    eye,
    from_numpy,
    full,
    get_default_dtype,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from srcdiff.trace.forward import trace_hvp, trace_jvp
from srcdiff.trace.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from srcdiff.trace.matrices import trace_hessian, trace_jacobian
from srcdiff.trace.tensor import Tensor

__all__ = [
    "Tensor",
    "arange",
    "as_tensor",
    "empty",
    "enable_grad",
    "eye",
    "from_numpy",
    "full",
    "get_default_dtype",
    "is_grad_enabled",
    "no_grad",
    "ones",
    "ones_like",
    "rand",
    "randn",
    "set_grad_enabled",
    "tensor",
    "trace_hessian",
    "trace_hvp",
    "trace_jacobian",
    "trace_jvp",
    "trace_vjp",
    "zeros",
    "zeros_like",
]
