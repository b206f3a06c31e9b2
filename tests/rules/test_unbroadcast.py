"""``unbroadcast`` brings a cotangent to the shape of any array-like argument.

The rules call it with whatever the user passed: NumPy arrays and their
subclasses, nested lists, Python and NumPy numbers.  Each must get a
cotangent of its own ``np.shape``, summed over the broadcast dimensions.
"""

import numpy as np
import pytest

import srcdiff
from srcdiff.rules.helpers import ndim, unbroadcast


class Tagged(np.ndarray):
    """An ndarray subclass, as user code (or a library) may pass one."""


G = np.arange(6.0).reshape(2, 3)

TARGETS = {
    "array": np.zeros((1, 3)),
    "subclass": np.zeros((1, 3)).view(Tagged),
    "subclass column": np.zeros((2, 1)).view(Tagged),
    "list": [[0.0, 0.0, 0.0]],
    "row list": [0.0, 0.0, 0.0],
    "float": 0.5,
    "numpy float32": np.float32(0.5),
    "0-d array": np.array(0.5),
}


@pytest.mark.parametrize("kind", TARGETS)
def test_unbroadcast_gives_the_targets_shape_and_sums(kind):
    target = TARGETS[kind]
    cotangent = unbroadcast(G, target)
    assert np.shape(cotangent) == np.shape(target)
    assert ndim(target) == np.ndim(target)
    if np.ndim(target) == 2:  # summed over its length-1 dimensions
        keep = tuple(i for i, n in enumerate(np.shape(target)) if n == 1)
        expected = G.sum(axis=keep, keepdims=True)
    elif np.ndim(target) == 1:  # summed over the leading dimension broadcasting added
        expected = G.sum(axis=0)
    else:
        expected = G.sum()
    np.testing.assert_array_equal(cotangent, expected)


def scaled(x, w):
    return np.sum(np.sin(x * w))


@pytest.mark.parametrize("mode", ["static", "trace"])
def test_the_gradient_of_an_ndarray_subclass_has_its_shape(mode):
    x = np.array([[0.5], [1.5]]).view(Tagged)
    w = np.array([[1.0, 2.0, -0.5], [0.3, -1.0, 2.0]])
    gradient = srcdiff.grad(scaled, mode=mode)(x, w)
    expected = np.sum(np.cos(x * w) * w, axis=1, keepdims=True)
    assert np.shape(gradient) == (2, 1)
    np.testing.assert_allclose(gradient, expected, rtol=1e-12)
