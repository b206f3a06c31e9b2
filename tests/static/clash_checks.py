"""Checks the name-clash tests share: subjects in files of their own, gradients three ways.

A subject is written to a file and imported, so that the static compiler can
read its source.  ``check_gradients`` compares the static mode's value and
gradients with central finite differences and the tracing mode, and runs the
vjp path of both modes through ``srcdiff.check_grads``.
"""

import hashlib
import importlib.util
import re
import sys

import numpy as np

import srcdiff


def load(source, tmp_path):
    """Write ``source`` to a file of its own and import it as a module."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    path = tmp_path / f"clash_{digest}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"clash_{digest}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def finite_differences(f, args, position, eps=1e-6):
    """Central differences of scalar ``f`` along every element of ``args[position]``."""
    x = np.array(args[position], dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        plus, minus = list(args), list(args)
        plus[position], minus[position] = x + step, x - step
        grad[i] = (f(*plus) - f(*minus)) / (2 * eps)
    return grad


def check_gradients(f, args, wrt):
    """Static gradients equal the tracing mode's and central finite differences."""
    value, static = srcdiff.value_and_grad(f, wrt=wrt)(*args)
    assert value == f(*args)
    traced = srcdiff.grad(f, wrt=wrt, mode="trace")(*args)
    for position, s, t in zip(wrt, static, traced):
        expected = finite_differences(f, args, position)
        np.testing.assert_allclose(s, expected, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(s, t, rtol=1e-10, atol=1e-12)
    # the vjp path (``check_seed``) in both modes
    srcdiff.check_grads(f, *args, wrt=wrt)


def generated(f, wrt):
    """The code of the adjoints ``check_gradients`` ran (compiled once, then cached), and of
    the vjp in the form a second derivative differentiates (``added_at`` for ``add_at``)."""
    vjp = srcdiff.vjp(f, wrt=wrt)
    plain = vjp.differentiable_adjoint().source
    return srcdiff.value_and_grad(f, wrt=wrt).source + vjp.source + plain


def mentions(source, word):
    """Does ``word`` occur in ``source`` as a whole identifier?"""
    return re.search(rf"\b{word}\b", source) is not None
