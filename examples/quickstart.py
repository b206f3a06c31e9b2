"""srcdiff in one screen: a gradient, and the code that computes it."""

import numpy as np

import srcdiff


@srcdiff.grad
def f(x):
    y = x + 2
    z = y * y * 3
    return np.mean(z)


print(f(np.ones((2, 2))))
print(f.source)
