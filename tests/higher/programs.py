"""Functions with control flow and helpers whose second derivatives are tested."""

import numpy as np

import srcdiff


def softplus(x):
    return np.log1p(np.exp(x))


def scaled_helper(x, y):
    return np.sum(softplus(x * y) * np.sin(x))


def loop_with_break(x, y):
    z = np.tanh(x) * y
    s = 0.0
    for i in range(4):
        s = s + np.sum(z * x) ** 2 / (i + 1)
        if s > 50.0:
            break
    return s + np.sum(scaled_helper(x, y))


def early_return(x):
    if np.sum(x) > 0:
        return np.sum(np.exp(x) * x)
    y = x * x
    return np.sum(np.cos(y))


def while_loop(x):
    total = np.sum(x * x)
    steps = 0
    while steps < 3:
        total = np.sin(total) + total * 0.5
        steps += 1
    return total


def scalar_loop(k):
    x, v = 1.0, 0.0
    for _ in range(20):
        a = -k * x - 0.1 * v
        v = v + 0.05 * a
        x = x + 0.05 * v
    return x * x


def continue_and_index(x):
    total = 0.0
    for i in range(len(x)):
        if i == 1:
            continue
        total = total + np.exp(x[i]) * x[i]
    return total


def in_list(x):
    parts = []
    for i in range(3):
        parts.append(np.sin(x * (i + 1)))
    return np.sum(parts[0] * parts[2]) + np.sum(parts[1])


def cube(x):
    return np.sin(x) * x**3


def nuclear(x):
    return np.linalg.norm(x, "nuc")


def scan(x):
    return np.sum(np.cumprod(x) * x)


def affine(x):
    return np.sum(3.0 * x) + 1.0


def along(fn, mode="static"):
    """``(x, t) -> the derivative of fn at x along t``, from ``srcdiff.jvp``: its gradient
    in ``x`` is the Hessian times ``t``, its gradient in ``t`` the gradient of ``fn``."""
    tangent_of = srcdiff.jvp(fn, mode=mode)

    def directional(x, t):
        return tangent_of(x, tangent=t)[1]

    return directional


def along_both(fn, mode="static"):
    """``along`` for a function of two arguments, both carrying a tangent."""
    tangent_of = srcdiff.jvp(fn, wrt=(0, 1), mode=mode)

    def directional(x, y, tx, ty):
        value, tangent = tangent_of(x, y, tangent=(tx, ty))
        return tangent

    return directional
