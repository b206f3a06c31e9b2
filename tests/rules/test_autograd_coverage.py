"""HIPS autograd 1.9's NumPy functions, each covered by srcdiff's rule table.

``AUTOGRAD_DIFFERENTIABLE`` lists, by their NumPy names, the functions
autograd 1.9 gives a VJP in ``autograd/numpy/numpy_vjps.py`` and
``autograd/numpy/linalg.py``.  Its private primitives appear under the
NumPy function they implement (``_primitive_mean`` is ``np.mean``,
``concatenate_args`` is ``np.concatenate``, ``array_from_args`` is
``np.array``, ``_astype`` is ``ndarray.astype``, ``ArrayBox.__getitem__`` is
indexing); its helpers that are no NumPy function (``make_diagonal``,
``untake``, ``dot_adjoint_*``, ``tensordot_adjoint_*``) are not listed.
``AUTOGRAD_NONDIFFERENTIABLE`` is its ``nograd_functions`` list.
"""

import operator

import numpy as np
import pytest

from srcdiff.rules import is_nondifferentiable, vjp_rule

AUTOGRAD_DIFFERENTIABLE = """
abs absolute add amax amin angle arccos arccosh arcsin arcsinh arctan arctan2 arctanh array
array_split astype atleast_1d atleast_2d atleast_3d broadcast_to clip concatenate conj
conjugate cos cosh cross cumsum deg2rad degrees diag diagonal diff divide dot dsplit einsum
exp exp2 expand_dims expm1 fabs fliplr flipud fmax fmin full getitem gradient hsplit hypot
imag inner kron linspace log log10 log1p log2 logaddexp logaddexp2 matmul max maximum mean
min minimum mod moveaxis msort multiply nan_to_num negative outer pad partition power prod
rad2deg radians ravel real real_if_close reciprocal remainder repeat reshape roll rollaxis
rot90 sin sinc sinh sort split sqrt square squeeze std subtract sum swapaxes tan tanh
tensordot tile trace transpose tril triu true_divide var vsplit where
linalg.cholesky linalg.det linalg.eig linalg.eigh linalg.inv linalg.norm linalg.pinv
linalg.slogdet linalg.solve linalg.svd
""".split()

AUTOGRAD_NONDIFFERENTIABLE = """
floor ceil round rint around fix trunc all any argmax argmin argpartition argsort argwhere
nonzero flatnonzero count_nonzero searchsorted sign ndim shape floor_divide logical_and
logical_or logical_not logical_xor isfinite isinf isnan isneginf isposinf allclose isclose
array_equal array_equiv greater greater_equal less less_equal equal not_equal iscomplexobj
iscomplex size isscalar isreal zeros_like ones_like empty_like full_like result_type
""".split()

# Names srcdiff leaves out, and why.
EXCLUDED = {
    "msort": "removed from NumPy in 2.0 (it was np.sort(a, axis=0), which has a rule)",
}


def numpy_function(name):
    """The NumPy (or operator) object autograd's name stands for."""
    if name == "getitem":
        return operator.getitem
    if name == "astype":
        return np.ndarray.astype
    if name.startswith("linalg."):
        return getattr(np.linalg, name.removeprefix("linalg."))
    return getattr(np, name)


COVERED = [name for name in AUTOGRAD_DIFFERENTIABLE if name not in EXCLUDED]


@pytest.mark.parametrize("name", COVERED)
def test_autograd_differentiable_function_has_a_vjp(name):
    fn = numpy_function(name)
    assert vjp_rule(fn) is not None, f"no VJP rule for {name}"


@pytest.mark.parametrize("name", AUTOGRAD_NONDIFFERENTIABLE)
def test_autograd_nondifferentiable_function_is_declared(name):
    fn = getattr(np, name)
    assert is_nondifferentiable(fn) or vjp_rule(fn) is not None, name


def test_exclusions_are_really_missing():
    """An excluded name is not in the installed NumPy (else it should get a rule)."""
    for name in EXCLUDED:
        assert (
            not hasattr(np, name.removeprefix("linalg.")) or vjp_rule(numpy_function(name)) is None
        )


def coverage():
    """``(n, N)``: autograd's differentiable NumPy functions srcdiff covers, of all of them."""
    n = sum(vjp_rule(numpy_function(name)) is not None for name in COVERED)
    return n, len(AUTOGRAD_DIFFERENTIABLE)


def test_coverage_count():
    n, total = coverage()
    assert (n, total) == (len(COVERED), len(AUTOGRAD_DIFFERENTIABLE))
