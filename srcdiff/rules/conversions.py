"""Conversions of sequences: ``list(items)`` and ``tuple(items)`` pass each item's gradient back.

(``x.astype(...)`` is a shape-family rule: ``rules/more_shapes.py``.)
"""

import builtins

import numpy as np

from srcdiff.rules.gradient_list import GradientList
from srcdiff.rules.registry import deflinear, defvjp


@defvjp(builtins.list, builtins.tuple)
def sequence_copy(g, ans, items):
    """``list(items)``, ``tuple(items)``: item ``i`` of the result is item ``i`` of ``items``."""
    if isinstance(items, np.ndarray):  # the rows (or numbers) of an array
        dtype = items.dtype if np.issubdtype(items.dtype, np.inexact) else np.float64
        return (np.reshape(np.array([np.asarray(d) for d in g], dtype=dtype), items.shape),)
    return (GradientList(g),)


deflinear(builtins.list, builtins.tuple)
