"""Functions whose results carry no gradient: shapes, indices, comparisons, rounding, constants.

Their results are integers, booleans or piecewise constants, so gradients
stop there.  (``np.sign`` has a zero rule in ``elementwise`` instead;
``remainder``, ``full``, ``full_like`` and ``linspace``, which carry gradients
to some arguments, have rules in ``more_elementwise`` and ``more_shapes``.)
"""

import builtins
import math
import operator

import numpy as np

from srcdiff.rules.registry import nondifferentiable

NONDIFFERENTIABLE = (
    # shapes and sizes
    np.shape, np.ndim, np.size, builtins.len,
    # indices and searches
    np.argmax, np.argmin, np.argsort, np.nonzero, np.count_nonzero, np.flatnonzero,
    np.searchsorted, np.argpartition, np.argwhere, np.isneginf, np.isposinf, np.isreal,
    np.iscomplex, np.iscomplexobj, np.isscalar, np.array_equiv, np.result_type,
    # rounding and integer division
    np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix,
    np.floor_divide, operator.floordiv,
    math.floor, math.ceil, math.trunc, builtins.round, builtins.int, builtins.bool,
    # constructors of constants
    np.zeros_like, np.ones_like, np.empty_like, np.zeros, np.ones, np.empty,
    np.eye, np.identity, np.arange, builtins.range,
    # comparisons and logic
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    np.isfinite, np.isnan, np.isinf, np.isclose, np.allclose, np.array_equal, np.all, np.any,
    operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne, operator.not_,
    operator.is_, operator.is_not, operator.contains, builtins.isinstance,
)  # fmt: skip

for _fn in NONDIFFERENTIABLE:
    nondifferentiable(_fn)
