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

    def __setitem__(self, index, value):
        if isinstance(index, slice) and not isinstance(value, (list, tuple)):
            # ``dx[i:j] = 0.0`` clears those items (the adjoint of ``xs[i:j] = ys``).
            value = [value] * len(range(*index.indices(len(self))))
        list.__setitem__(self, index, value)

    def copy(self):
        return GradientList(
            item.copy() if isinstance(item, (np.ndarray, GradientList)) else item for item in self
        )

    def __array_function__(self, func, types, args, kwargs):
        # ``np.copy(dx)`` copies the gradient list; other functions see plain lists.
        if func is np.copy:
            return self.copy()
        return func(*_plain(args), **_plain(kwargs))

    def __mul__(self, other):
        # Only the result of ``xs * n`` (a repeated list) has a cotangent that gets multiplied.
        raise joined_lists()

    __rmul__ = __mul__


def joined_lists():
    """The error for a list gradient of the wrong length: the function joined Python lists."""
    return DifferentiationError(
        "the gradient of a list does not fit that list: the function joins or repeats "
        "Python lists ('xs + ys', 'xs * n', sum of lists), which srcdiff does not "
        "differentiate; join arrays with np.concatenate, or repeat them with np.tile"
    )


def _items_like(other, like):
    """``other`` as one value per item of ``like``: a number goes to every item."""
    if isinstance(other, (list, tuple)) or (isinstance(other, np.ndarray) and other.ndim):
        if len(other) != len(like):
            raise joined_lists()
        return [as_gradient(item) for item in other]
    if isinstance(other, (numbers.Number, np.generic, np.ndarray)):
        return [other] * len(like)
    return NotImplemented


def _plain(value):
    """``value`` with every :class:`GradientList` in it made a plain list."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_plain(item) for item in value]
        return items if type(value) is GradientList else type(value)(items)
    return value


def as_gradient(value):
    """``value`` with every list or tuple in it made a :class:`GradientList`."""
    if isinstance(value, (list, tuple)) and type(value) is not GradientList:
        return GradientList(as_gradient(item) for item in value)
    return value
