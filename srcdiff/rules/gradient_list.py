"""The gradient of a container: a list, dict or record whose ``+`` adds item by item.

Gradients are summed with ``+`` (``dx = dx + ...``, ``dx[i] += ...``), which
for plain Python lists would concatenate them.  Every gradient of a list or
tuple is a :class:`GradientList` instead: ``+`` and ``-`` go item by item
(recursively, for nested lists), a number or a zero-dimensional array is
added to every item, and NumPy defers to it (``array + gradient_list`` is
handled here, not turned into one array).  ``gradient_of`` gives the final
gradient the argument's own type back.

The gradient of a dict is a :class:`GradientDict` (``+`` key by key), that of
a dataclass or namedtuple a :class:`GradientFields` (a GradientDict of its
fields, also read and written as ``d.W`` and, for a namedtuple, ``d[0]``).
Items that carry no gradient (``None``, strings, flags, integers:
``trees.STATIC_LEAVES``) hold ``NO_GRADIENT``, which absorbs whatever is added
to it (``x * params["flag"]`` passes none to the flag); ``None``, in a helper's
gradient, adds as zero.

Invariant: two gradients of the same container add to a gradient of that
container, with the same items, never to a longer one.
"""

import numbers

import numpy as np

from srcdiff import trees
from srcdiff.errors import DifferentiationError


class GradientList(list):
    """A list of gradients, one per item of a list or tuple; ``+`` adds item by item."""

    __slots__ = ()
    __array_ufunc__ = None  # ``array + gradient_list`` calls ``__radd__`` below

    def __add__(self, other):
        items = _items_like(other, self)
        if items is NotImplemented:
            return NotImplemented
        return GradientList(_add(as_gradient(a), b) for a, b in zip(self, items))

    def __radd__(self, other):
        items = _items_like(other, self)
        if items is NotImplemented:
            return NotImplemented
        return GradientList(_add(b, as_gradient(a)) for a, b in zip(self, items))

    __iadd__ = __add__  # a new list: ``dx[i] += g`` must not extend, nor change a shared one

    def __sub__(self, other):
        return self + -as_gradient(other)

    def __rsub__(self, other):
        return -self + other

    def __neg__(self):
        return GradientList(None if a is None else -as_gradient(a) for a in self)

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
        return {key: _plain(item) for key, item in dict.items(value)}
    if isinstance(value, (list, tuple)):
        items = [_plain(item) for item in value]
        return items if type(value) is GradientList else type(value)(items)
    return value


class GradientDict(dict):
    """A dict of gradients, one per item of a dict; ``+`` adds key by key."""

    __slots__ = ()
    __array_ufunc__ = None  # ``array + gradient_dict`` calls ``__radd__`` below

    def __add__(self, other):
        items = _values_like(other, self)
        if items is NotImplemented:
            return NotImplemented
        return self._new((k, _add(as_gradient(a), items[k])) for k, a in dict.items(self))

    def __radd__(self, other):
        items = _values_like(other, self)
        if items is NotImplemented:
            return NotImplemented
        return self._new((k, _add(items[k], as_gradient(a))) for k, a in dict.items(self))

    __iadd__ = __add__  # a new dict: a shared gradient is never changed

    def __sub__(self, other):
        return self + -as_gradient(other)

    def __rsub__(self, other):
        return -self + other

    def __neg__(self):
        return self._new((k, a if a is None else -as_gradient(a)) for k, a in dict.items(self))

    def copy(self):
        return self._new(
            (k, a.copy() if isinstance(a, (np.ndarray, list, dict)) else a)
            for k, a in dict.items(self)
        )

    def _new(self, pairs):
        out = type(self)()
        for k, a in pairs:
            dict.__setitem__(out, k, a)
        return out

    __array_function__ = GradientList.__array_function__

    def __mul__(self, other):
        raise DifferentiationError(
            "the gradient of a dict, dataclass or namedtuple was multiplied: the function "
            "uses the container itself in arithmetic; use its items"
        )

    __rmul__ = __mul__


class GradientFields(GradientDict):
    """The gradient of a dataclass or namedtuple: its fields as ``d.W``, ``d["W"]`` or ``d[0]``."""

    __slots__ = ()

    def __getattr__(self, field):
        try:
            return dict.__getitem__(self, field)
        except KeyError:
            raise AttributeError(field) from None

    def __setattr__(self, field, value):
        dict.__setitem__(self, field, value)

    def __getitem__(self, key):
        return dict.__getitem__(self, self._field(key))

    def __setitem__(self, key, value):
        dict.__setitem__(self, self._field(key), value)

    def _field(self, key):
        """A namedtuple's item by position (``W, b = params``) is its field by name."""
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            return list(dict.keys(self))[key]
        return key


class NoGradient:
    """The gradient of an item that carries none: adding to it leaves it as it is."""

    __slots__ = ()
    __array_ufunc__ = None  # ``array + NO_GRADIENT`` calls ``__radd__``

    def __add__(self, other):
        return self

    __radd__ = __iadd__ = __sub__ = __rsub__ = __add__

    def __neg__(self):
        return self

    def __repr__(self):
        return "NO_GRADIENT"


NO_GRADIENT = NoGradient()


def _add(a, b):
    """``a + b`` where ``None`` (no gradient) adds as zero."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _values_like(other, like):
    """``other`` as one value per key of ``like``: a number goes to every item."""
    keys = list(dict.keys(like))
    if isinstance(other, dict):
        if set(other) != set(keys):
            raise DifferentiationError(
                f"the gradient of a container with items {keys} met one with items "
                f"{list(other)}: the function changes a dict's keys, which srcdiff does not "
                "differentiate; build a new dict instead"
            )
        return {k: as_gradient(other[k]) for k in keys}
    if isinstance(other, (list, tuple)):  # a namedtuple's gradient, item by item
        if len(other) != len(keys):
            raise joined_lists()
        return {k: as_gradient(v) for k, v in zip(keys, other)}
    if isinstance(other, (numbers.Number, np.generic, np.ndarray)) and np.ndim(other) == 0:
        return dict.fromkeys(keys, other)
    return NotImplemented


def container_gradient(x, values):
    """The gradient of container ``x`` holding ``values`` (one per item of ``x``)."""
    if trees.is_namedtuple(x) or trees.is_dataclass_instance(x):
        out = GradientFields()
    elif isinstance(x, dict):
        out = GradientDict()
    else:
        return GradientList(values)
    for (key, _), value in zip(trees.children(x), values):
        dict.__setitem__(out, key, value)
    return out


def as_gradient(value):
    """``value`` with every container in it made a gradient container."""
    if type(value) in (GradientList, GradientDict, GradientFields):
        return value
    if trees.is_container(value):
        return container_gradient(value, [as_gradient(v) for _, v in trees.children(value)])
    return value
