"""Helpers that live in a module of their own, for ``tests/static/test_calls.py``.

Their names and globals clash on purpose with ``test_calls.py``'s (``SCALE``,
``scale``, and ``numpy`` imported under its own name here), so a gradient is
only right when each helper is resolved in the module that defines it.
"""

import numpy

SCALE = 3.0


def scale(x):
    return SCALE * x


def softplus_scaled(x, beta=2.0):
    return numpy.log1p(numpy.exp(beta * scale(x))) / beta
