"""Changes of dtype: ``x.astype(float)`` passes the gradient through, ``x.astype(int)`` stops it.

A float or complex result is ``x`` again in another precision, so its
cotangent goes back to ``x`` cast to ``x``'s dtype.  An integer or boolean
result is piecewise constant in ``x``: it carries no gradient (zero).
"""

import numpy as np

from srcdiff.rules.helpers import zeros_like
from srcdiff.rules.registry import defjvp, defvjp


def _carries_gradient(ans):
    return np.result_type(ans).kind in "fc"


@defvjp(np.ndarray.astype)
def astype(g, ans, x, dtype, order="K", casting="unsafe", subok=True, copy=True):
    if not _carries_gradient(ans):
        return (zeros_like(x),)
    return (np.asarray(g).astype(np.result_type(x), copy=False),)


@defjvp(np.ndarray.astype)
def astype_jvp(t, ans, x, dtype, order="K", casting="unsafe", subok=True, copy=True):
    if not _carries_gradient(ans):
        return zeros_like(ans)
    return np.asarray(t).astype(np.result_type(ans), copy=False)
