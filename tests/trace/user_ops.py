"""A user module for the namespace tests: its functions are reached as ``user_ops.name``."""

import numpy as np

calls = 0


def quantize(w):
    return np.round(w * 4.0) / 4.0


def squares_into_zeros(x):
    a = np.zeros(len(x))
    for i in range(len(x)):
        a[i] = x[i] ** 2
    return a


def count_call():
    global calls
    calls += 1
