"""Direct rule cases for the helpers that generated code calls.

A second derivative differentiates generated code, so each of these helpers
has rules; appended to ``primitive_cases.CASES`` like the other families.
"""

import numpy as np

from srcdiff.rules import helpers as _helpers
from srcdiff.rules.gradient_list import as_gradient
from srcdiff.rules.operators import matmul_left, matmul_right
from srcdiff.static import runtime as _runtime
from tests.rules.primitive_cases import case, operand
from tests.values import Values

_values = Values(2468)
normal = _values.normal

for g, x in [((2, 3), (3,)), ((2, 3), (2, 1)), ((3,), (2, 3)), ((2, 3), ()), (None, None)]:
    case(_helpers.unbroadcast, operand(g), operand(x))
for g, x in [((2, 3), (2, 3)), ((), (2, 3))]:
    case(_runtime.gradient_of, operand(g), operand(x))
    case(_runtime.writable, operand(g), operand(x))
case(_runtime.check_seed, normal(2, 3), normal(2, 3))
for g, x, kwargs in [((3,), (2, 3), {"axis": 0}), ((2, 1), (2, 3), {"axis": 1, "keepdims": True}),
                     ((), (2, 3), {}), ((2,), (2, 3, 4), {"axis": (1, 2)})]:  # fmt: skip
    case(_helpers.unreduce, operand(g), operand(x), **kwargs)
case(_helpers.restore_reduced_axes, normal(2), normal(2, 3), axis=1)
case(_helpers.scatter_add, normal(3), normal(4), np.array([1, 1, 3]))
case(_helpers.scatter_add, normal(2), normal(4), slice(1, 3))
case(_helpers.diagonal_scatter, normal(3), normal(3, 4))
case(_helpers.diagonal_scatter, normal(1), normal(3, 3))
for g, x, y in [((2, 4), (2, 3), (3, 4)), ((4,), (3,), (3, 4)), ((2,), (2, 3), (3,)),
                ((), (3,), (3,)), ((2, 2, 4), (2, 2, 3), (3, 4)), ((2, 2), (2, 2, 3), (3,))]:  # fmt: skip
    case(matmul_left, normal(*g), normal(*x), normal(*y), wrt=(0, 2))
    case(matmul_right, normal(*g), normal(*x), normal(*y), wrt=(0, 1))
case(_helpers.cast_like, normal(2, 3), np.arange(3))
case(_helpers.cast_like, normal(2, 3), normal(3))
case(_helpers.prod_of_others, normal(4))
case(_helpers.prod_of_others, normal(2, 3), axis=1)
case(_helpers.prod_of_others, normal(2, 3, 2), axis=(0, 2))
case(_runtime.added_at, normal(4), np.array([1, 1, 3]), normal(3), wrt=(0, 2))
case(_runtime.added_at, normal(2, 3), (0, slice(None)), normal(3), wrt=(0, 2))
# A jvp's own helpers, differentiated by grad of a function that calls a jvp.
for t, ans in [((2, 3), (2, 3)), ((3,), (2, 3)), ((), (2,))]:
    case(_helpers.broadcast_like, normal(*t), normal(*ans))
case(_runtime.tangent_in, normal(2, 3), normal(2, 3))
case(_runtime.tangent_out, normal(2, 3), normal(2, 3))
case(_runtime.tangent_out, normal(), normal(2, 3))
case(_runtime.tangents_in, [normal(2), normal(3)], 2)
case(as_gradient, normal(2, 3))
