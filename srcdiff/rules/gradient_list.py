"""The gradient of a Python list or tuple: a list whose ``+`` adds item by item.

Gradients are summed with ``+`` (``dx = dx + ...``, ``dx[i] += ...``), which
for plain Python lists would concatenate them.  Every gradient of a list or
tuple is a :class:`GradientList` instead: ``+`` and ``-`` go item by item
(recursively, for nested lists), a number or a zero-dimensional array is
added to every item, and NumPy defers to it (``array + gradient_list`` is
handled here, not turned into one array).  ``gradient_of`` gives the final
gradient the argument's own type back.

Invariant: two gradients of the same list add to a gradient of that list,
of the same length, never to a longer one.
"""

import numbers

import numpy as np

from srcdiff.errors import DifferentiationError


class GradientList(list):
    """A list of gradients, one per item of a list or tuple; ``+`` adds item by item."""

    __slots__ = ()
    __array_ufunc__ = None  # ``array + gradient_list`` calls ``__radd__`` below

    def __add__(self, other):
        items = _items_like(other, self)
        if items is NotImplemented:
            return NotImplemented
        return GradientList(as_gradient(a) + b for a, b in zip(self, items))

    def __radd__(self, other):
        items = _items_like(other, self)
        if items is NotImplemented:
            return NotImplemented
        return GradientList(b + as_gradient(a) for a, b in zip(self, items))

    __iadd__ = __add__  # a new list: ``dx[i] += g`` must not extend, nor change a shared one

    def __sub__(self, other):
        return self + -as_gradient(other)

    def __rsub__(self, other):
        return -self + other

    def __neg__(self):
        return GradientList(-as_gradient(a) for a in self)

    def __getitem__(self, index):
        item = list.__getitem__(self, index)
        return GradientList(item) if isinstance(index, slice) else item

    def copy(self):
        return GradientList(self)


def _items_like(other, like):
    """``other`` as one value per item of ``like``: a number goes to every item."""
    if isinstance(other, (list, tuple)) or (isinstance(other, np.ndarray) and other.ndim):
        if len(other) != len(like):
            raise DifferentiationError(
                f"cannot add the gradient of a sequence of {len(other)} items to the gradient "
                f"of a list of {len(like)}; a list that changes length is not supported, "
                'use mode="trace"'
            )
        return [as_gradient(item) for item in other]
    if isinstance(other, (numbers.Number, np.generic, np.ndarray)):
        return [other] * len(like)
    return NotImplemented


def as_gradient(value):
    """``value`` with every list or tuple in it made a :class:`GradientList`."""
    if isinstance(value, (list, tuple)) and type(value) is not GradientList:
        return GradientList(as_gradient(item) for item in value)
    return value
