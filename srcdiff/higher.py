"""Hessian-vector products, Hessians and Jacobians, built from srcdiff's own derivatives.

``hessian_vector_product`` differentiates the gradient once more.  In the
static mode it runs forward over reverse: the jvp of the generated gradient
along ``v`` is ``H v``, generated code that carries each value of the
gradient's code with its tangent (``static/higher.py``) and returns the
tangent alone.  The tracing mode runs double backward, as PyTorch does: the
vjp of ``grad(f)`` seeded with ``v`` (a Hessian is symmetric).
``hessian`` stacks one such product per unit vector; ``jacobian`` stacks one
vjp per output element (``method="reverse"``).  Each function carries
``source``: the generated code it runs (None in the tracing mode).
"""

import functools

import numpy as np

from srcdiff import api
from srcdiff.arguments import argument_value, basis, wrt_items
from srcdiff.errors import DifferentiationError

METHODS = ("auto", "reverse", "forward")


def hessian_vector_product(f=None, *, wrt=0, mode="static"):
    """``hvp(*args, vector=v)``: the Hessian of scalar ``f`` at ``args`` times ``v``.

    ``v`` has the shape of the ``wrt`` argument (a tuple of vectors for a tuple ``wrt``).
    """
    return api._options(f, _hvp, wrt=wrt, mode=mode)


def hessian(f=None, *, wrt=0, mode="static"):
    """``h(*args)``: the Hessian of scalar ``f``, of shape ``x.shape + x.shape``."""
    return api._options(f, _hessian, wrt=wrt, mode=mode)


def jacobian(f=None, *, wrt=0, method="auto", mode="static"):
    """``j(*args)``: the Jacobian of ``f``'s array output, of shape ``out.shape + x.shape``.

    ``method="reverse"`` computes it one row (one vjp) per output element;
    ``"forward"`` one column per input element; ``"auto"`` picks the one with
    fewer passes.
    """
    return api._options(f, _jacobian, wrt=wrt, method=method, mode=mode)


def _check(f, mode):
    if not callable(f):
        raise DifferentiationError(f"can only differentiate a function, not {type(f).__name__}")
    if mode not in api.MODES:
        raise DifferentiationError(f"mode must be one of {api.MODES}, not {mode!r}")


def _hvp(f, wrt, mode):
    _check(f, mode)
    wrt_items(wrt)
    gradient = api.grad(f, wrt=wrt, mode=mode)
    if mode == "trace":  # double backward, as PyTorch computes it
        second = api.vjp(gradient, wrt=wrt, mode=mode)
        keyword = "seed"
    else:  # forward over reverse: the derivative of the gradient along the vector
        second = api.directional_derivative(gradient, wrt=wrt)
        keyword = "tangent"

    @functools.wraps(f)
    def hvp(*args, vector, **kwargs):
        return second(*args, **{keyword: vector}, **kwargs)

    hvp.source = second.source
    return hvp


def _one_argument(wrt, what):
    if isinstance(wrt, tuple):
        raise DifferentiationError(
            f"{what} differentiates with respect to one argument, not {wrt!r}; "
            "call it once per argument, or use hessian_vector_product with a tuple wrt"
        )


def _hessian(f, wrt, mode):
    _one_argument(wrt, "hessian")
    hvp = _hvp(f, wrt, mode)

    @functools.wraps(f)
    def hessian(*args, **kwargs):
        x = argument_value(f, wrt, args, kwargs)
        columns = [hvp(*args, vector=e, **kwargs) for e in basis(x)]
        return _stack(columns, np.shape(x), np.shape(x), axis=-1)

    hessian.source = hvp.source
    return hessian


def _jacobian(f, wrt, method, mode):
    if method not in METHODS:
        raise DifferentiationError(f"method must be one of {METHODS}, not {method!r}")
    _one_argument(wrt, "jacobian")
    _check(f, mode)
    reverse = api.vjp(f, wrt=wrt, mode=mode)
    tangents = []  # srcdiff.jvp of f, made on the first call that runs forward

    @functools.wraps(f)
    def jacobian(*args, **kwargs):
        x = argument_value(f, wrt, args, kwargs)
        out = f(*args, **kwargs)
        if isinstance(out, (list, tuple)) or not isinstance(
            out, (float, int, np.ndarray, np.generic)
        ):
            raise DifferentiationError(
                f"jacobian needs a function that returns one array or number, not {type(out).__name__}"
            )
        if method == "forward" or (method == "auto" and np.size(x) < np.size(out)):
            # one jvp per input element: fewer runs than one vjp per output element
            if not tangents:
                tangents.append(api.jvp(f, wrt=wrt, mode=mode))
            columns = [tangents[0](*args, tangent=e, **kwargs)[1] for e in basis(x)]
            return _stack(columns, np.shape(out), np.shape(x), axis=1)
        rows = [reverse(*args, seed=e, **kwargs) for e in basis(out)]
        return _stack(rows, np.shape(out), np.shape(x), axis=0)

    jacobian.source = reverse.source
    return jacobian


def _stack(parts, outer, inner, axis):
    """Derivatives, one per unit vector, as one array of shape ``outer + inner``."""
    flat = np.stack([np.ravel(np.asarray(p, dtype=np.float64)) for p in parts], axis=axis)
    result = flat.reshape(outer + inner)
    return float(result) if result.ndim == 0 else result
