"""The one rule table both modes read.

Importing this package registers every built-in rule.  Rules are grouped by
family, one module each; ``registry`` holds the table and its API.

A rule returns a tuple indexed like the call's positional arguments: entry
``i`` is the cotangent of argument ``i`` (``None`` for options such as a shape
or an axis).  Trailing options may have no entry at all (``np.sum(x, 0)``'s
rule returns ``(dx,)``), so callers read the entries of the arguments that
carry gradients, never unpack the whole tuple.  An argument that is a list
or tuple of arrays (``np.concatenate``, ``np.stack``, builtin ``sum``) gets a
list of cotangents, a ``GradientList`` (``rules/gradient_list.py``) whose ``+``
adds item by item; a registered rule may return a plain list, made one on return.
"""

from srcdiff.rules import (  # noqa: F401  (importing a family registers its rules)
    conversions,
    decompositions,
    dict_views,
    elementwise,
    generated,
    interpolation,
    joins,
    linalg,
    linalg_api,
    more_elementwise,
    more_shapes,
    nondiff,
    operators,
    products,
    reductions,
    shapes,
    sorting,
    statistics,
    windows,
)
from srcdiff.rules.helpers import unbroadcast, zeros_like
from srcdiff.rules.registry import (
    LINEAR,
    ZERO,
    defjvp,
    deflinear,
    defvjp,
    is_elementwise,
    is_nondifferentiable,
    jvp_rule,
    nondifferentiable,
    register_jvp,
    register_vjp,
    shape_only,
    to_positions,
    vjp_rule,
)

__all__ = [
    "LINEAR",
    "ZERO",
    "deflinear",
    "defjvp",
    "defvjp",
    "is_elementwise",
    "is_nondifferentiable",
    "jvp_rule",
    "nondifferentiable",
    "register_jvp",
    "register_vjp",
    "shape_only",
    "to_positions",
    "unbroadcast",
    "vjp_rule",
    "zeros_like",
]
