"""The one rule table both modes read.

Importing this package registers every built-in rule.  Rules are grouped by
family, one module each; ``registry`` holds the table and its API.
"""

from srcdiff.rules import operators  # noqa: F401  (registers rules)
from srcdiff.rules.helpers import unbroadcast, zeros_like
from srcdiff.rules.registry import (
    defvjp,
    is_nondifferentiable,
    jvp_rule,
    nondifferentiable,
    register_jvp,
    register_vjp,
    vjp_rule,
)

__all__ = [
    "defvjp",
    "is_nondifferentiable",
    "jvp_rule",
    "nondifferentiable",
    "register_jvp",
    "register_vjp",
    "unbroadcast",
    "vjp_rule",
    "zeros_like",
]
