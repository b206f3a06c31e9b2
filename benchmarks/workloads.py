"""The benchmark workloads: user-style NumPy functions and their hand-written gradients.

Each function is a module-level ``def`` written the way a user would write
it, so srcdiff can read its source and HIPS autograd can run the very same
code with ``autograd.numpy`` bound to ``np``.  Next to it sits the gradient a
careful person would write by hand in NumPy: the floor every implementation
is measured against.  Each workload has a ``"small"`` size, where per-call
overhead dominates, and a ``"large"`` one, where the arithmetic does.

PyTorch versions of the same functions live in ``benchmarks.peers``.
"""

import dataclasses
from collections.abc import Callable

import numpy as np

SIZES = ("small", "large")


@dataclasses.dataclass(frozen=True)
class Workload:
    """One benchmarked function.

    ``function(*args)`` returns a scalar.  ``hand_gradient(*args)`` returns the
    gradients with respect to the arguments named by ``wrt`` (an index or a
    tuple of indices), always as a tuple in ``wrt`` order.
    ``make_inputs(rng, **sizes[size])`` returns ``args``.  (``FIFTY_LINES`` has
    no hand gradient; only its transformation is timed.)  ``loop`` marks the
    workloads whose backward-pass memory is reported.
    """

    name: str
    function: Callable
    hand_gradient: Callable
    wrt: int | tuple[int, ...]
    make_inputs: Callable
    sizes: dict
    loop: bool = False

    @property
    def wrt_tuple(self):
        """``wrt`` as a tuple of argument indices."""
        return (self.wrt,) if isinstance(self.wrt, int) else tuple(self.wrt)

    def inputs(self, size, seed=0):
        """The arguments for ``size`` ("small" or "large"), reproducible from ``seed``."""
        return self.make_inputs(np.random.default_rng(seed), **self.sizes[size])

    def describe(self, size):
        """A short text for the size, e.g. ``N=16 D=4``."""
        return " ".join(f"{key}={value}" for key, value in self.sizes[size].items())


# -- the tutorial function -----------------------------------------------------


def tutorial(x):
    y = x + 2
    z = y * y * 3
    return np.mean(z)


def tutorial_gradient(x):
    return ((6.0 / x.size) * (x + 2),)


def tutorial_inputs(rng, n):
    return (rng.standard_normal((n, n)),)


# -- logistic-regression loss --------------------------------------------------


def logistic_loss(w, X, y, lam):
    margins = y * (X @ w)
    return np.mean(np.log1p(np.exp(-margins))) + 0.5 * lam * np.sum(w * w)


def logistic_loss_gradient(w, X, y, lam):
    margins = y * (X @ w)
    # d/dm log(1 + exp(-m)) = -1 / (1 + exp(m)), averaged over the N samples.
    dmargins = -y / (len(y) * (1.0 + np.exp(margins)))
    return (X.T @ dmargins + lam * w,)


def logistic_inputs(rng, N, D):
    X = rng.standard_normal((N, D))
    y = np.where(rng.standard_normal(N) > 0, 1.0, -1.0)
    w = 0.1 * rng.standard_normal(D)
    return w, X, y, 1e-3


# -- two-layer tanh MLP with softmax cross-entropy -----------------------------


def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * log_probs) / X.shape[0]


def mlp_loss_gradient(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    probs = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    # Every row of Y is one-hot, so d loss / d logits = (softmax - Y) / N.
    dlogits = (probs - Y) / X.shape[0]
    dpre = (dlogits @ W2.T) * (1.0 - h * h)
    return X.T @ dpre, np.sum(dpre, axis=0), h.T @ dlogits, np.sum(dlogits, axis=0)


def mlp_inputs(rng, N, D, H, C):
    W1 = rng.standard_normal((D, H)) / np.sqrt(D)
    b1 = 0.1 * rng.standard_normal(H)
    W2 = rng.standard_normal((H, C)) / np.sqrt(H)
    b2 = 0.1 * rng.standard_normal(C)
    X = rng.standard_normal((N, D))
    Y = np.eye(C)[rng.integers(0, C, size=N)]
    return W1, b1, W2, b2, X, Y


# -- tanh RNN unrolled by a Python loop ----------------------------------------


def rnn_loss(W, U, h0, xs):
    h = h0
    for t in range(len(xs)):
        h = np.tanh(W @ h + U @ xs[t])
    return 0.5 * np.sum(h * h)


def rnn_loss_gradient(W, U, h0, xs):
    states = [h0]
    for t in range(len(xs)):
        states.append(np.tanh(W @ states[-1] + U @ xs[t]))
    dW = np.zeros_like(W)
    dU = np.zeros_like(U)
    dh = states[-1]
    for t in range(len(xs) - 1, -1, -1):
        h = states[t + 1]
        dpre = dh * (1.0 - h * h)
        dW += dpre @ states[t].T
        dU += dpre @ xs[t].T
        dh = W.T @ dpre
    return dW, dU


def rnn_inputs(rng, T, H, D, B):
    W = 0.9 * rng.standard_normal((H, H)) / np.sqrt(H)
    U = rng.standard_normal((H, D)) / np.sqrt(D)
    h0 = 0.1 * rng.standard_normal((H, B))
    xs = rng.standard_normal((T, D, B))
    return W, U, h0, xs


# -- damped oscillator: a pure-Python-float loop with an ``if`` ---------------


def oscillator(k, x0, n_steps):
    x, v = x0, 0.0
    for _ in range(n_steps):
        a = -k * x - 0.1 * v
        v = v + 0.01 * a
        x = x + 0.01 * v
        if x > 2.0:
            break
    return x * x


def oscillator_gradient(k, x0, n_steps):
    # One scalar parameter: carrying d/dk alongside the values (forward mode)
    # is the cheapest gradient to write by hand.
    x, v = x0, 0.0
    dx, dv = 0.0, 0.0
    for _ in range(n_steps):
        a = -k * x - 0.1 * v
        da = -x - k * dx - 0.1 * dv
        v = v + 0.01 * a
        dv = dv + 0.01 * da
        x = x + 0.01 * v
        dx = dx + 0.01 * dv
        if x > 2.0:
            break
    return (2.0 * x * dx,)


def oscillator_inputs(rng, steps, k=1.5, x0=1.0):
    return k, x0, steps


# -- gather / reduce / broadcast with repeated indices -------------------------


def gather_loss(x, w, idx, c):
    return np.sum((x[idx] - c) ** 2 * w[:, None])


def gather_loss_gradient(x, w, idx, c):
    diff = x[idx] - c
    dx = np.zeros_like(x)
    np.add.at(dx, idx, (2.0 * w)[:, None] * diff)
    return dx, np.sum(diff * diff, axis=1)


def gather_inputs(rng, N, D, M):
    x = rng.standard_normal((N, D))
    idx = rng.integers(0, N, size=M)
    idx[: min(3, M)] = idx[0]  # make sure some index repeats
    w = rng.random(M)
    c = rng.standard_normal(D)
    return x, w, idx, c


# -- a 50-line function: only its transformation time is measured ----------------


def fifty_lines(x, W):
    """Five hand-unrolled residual layer-norm layers and an entropy loss, straight-line."""
    h0 = x @ W
    m0 = np.mean(h0, axis=1, keepdims=True)
    c0 = h0 - m0
    v0 = np.mean(c0 * c0, axis=1, keepdims=True)
    n0 = c0 / np.sqrt(v0 + 1e-5)
    a0 = np.tanh(n0)
    r0 = a0 + x
    h1 = r0 @ W.T
    m1 = np.mean(h1, axis=1, keepdims=True)
    c1 = h1 - m1
    v1 = np.mean(c1 * c1, axis=1, keepdims=True)
    n1 = c1 / np.sqrt(v1 + 1e-5)
    a1 = np.sin(n1)
    r1 = a1 + r0
    h2 = r1 @ W
    m2 = np.mean(h2, axis=1, keepdims=True)
    c2 = h2 - m2
    v2 = np.mean(c2 * c2, axis=1, keepdims=True)
    n2 = c2 / np.sqrt(v2 + 1e-5)
    a2 = np.maximum(n2, 0.1 * n2)
    r2 = a2 + r1
    h3 = r2 @ W.T
    m3 = np.mean(h3, axis=1, keepdims=True)
    c3 = h3 - m3
    v3 = np.mean(c3 * c3, axis=1, keepdims=True)
    n3 = c3 / np.sqrt(v3 + 1e-5)
    a3 = n3 / (1.0 + np.exp(-n3))
    r3 = a3 + r2
    h4 = r3 @ W
    m4 = np.mean(h4, axis=1, keepdims=True)
    c4 = h4 - m4
    v4 = np.mean(c4 * c4, axis=1, keepdims=True)
    n4 = c4 / np.sqrt(v4 + 1e-5)
    a4 = np.tanh(n4)
    r4 = a4 + r3
    pooled = np.sum(r4, axis=0)
    scores = pooled * pooled
    shifted = scores - np.max(scores)
    weights = np.exp(shifted)
    probs = weights / np.sum(weights)
    entropy = -np.sum(probs * np.log(probs + 1e-12))
    spread = np.var(r4) + np.std(r2)
    penalty = 0.01 * np.sum(W * W)
    smooth = np.mean(np.log1p(np.exp(-np.abs(r3))))
    drift = np.mean(r1) ** 2
    total = entropy + spread + penalty + smooth + drift
    scaled = total * 0.5 + np.mean(a0 * a1)
    return scaled


def fifty_lines_inputs(rng, N, D):
    return rng.standard_normal((N, D)), rng.standard_normal((D, D)) / np.sqrt(D)


WORKLOADS = (
    Workload(
        "tutorial",
        tutorial,
        tutorial_gradient,
        wrt=0,
        make_inputs=tutorial_inputs,
        sizes={"small": {"n": 2}, "large": {"n": 1000}},
    ),
    Workload(
        "logistic",
        logistic_loss,
        logistic_loss_gradient,
        wrt=0,
        make_inputs=logistic_inputs,
        sizes={"small": {"N": 16, "D": 4}, "large": {"N": 20000, "D": 100}},
    ),
    Workload(
        "mlp",
        mlp_loss,
        mlp_loss_gradient,
        wrt=(0, 1, 2, 3),
        make_inputs=mlp_inputs,
        sizes={
            "small": {"N": 4, "D": 3, "H": 8, "C": 3},
            "large": {"N": 1000, "D": 100, "H": 256, "C": 10},
        },
    ),
    Workload(
        "rnn",
        rnn_loss,
        rnn_loss_gradient,
        wrt=(0, 1),
        make_inputs=rnn_inputs,
        sizes={
            "small": {"T": 10, "H": 4, "D": 3, "B": 1},
            "large": {"T": 50, "H": 128, "D": 64, "B": 64},
        },
        loop=True,
    ),
    Workload(
        "oscillator",
        oscillator,
        oscillator_gradient,
        wrt=0,
        make_inputs=oscillator_inputs,
        sizes={"small": {"steps": 200}, "large": {"steps": 2000}},
        loop=True,
    ),
    Workload(
        "gather",
        gather_loss,
        gather_loss_gradient,
        wrt=(0, 1),
        make_inputs=gather_inputs,
        sizes={"small": {"N": 5, "D": 3, "M": 8}, "large": {"N": 10000, "D": 32, "M": 100000}},
    ),
)

# Not timed (it has no hand-written gradient): its first-call time measures
# the transformation target of SPEC section 5, 50 lines in under 50 ms.
FIFTY_LINES = Workload(
    "fifty_lines",
    fifty_lines,
    hand_gradient=None,
    wrt=(0, 1),
    make_inputs=fifty_lines_inputs,
    sizes={"small": {"N": 4, "D": 3}},
)

LAYER = """\
    h{i} = r{j} @ W
    m{i} = np.mean(h{i}, axis=1, keepdims=True)
    c{i} = h{i} - m{i}
    v{i} = np.mean(c{i} * c{i}, axis=1, keepdims=True)
    n{i} = c{i} / np.sqrt(v{i} + 1e-5)
    a{i} = np.{activation}(n{i})
    r{i} = a{i} + r{j}
"""
ACTIVATIONS = ("tanh", "sin", "cos", "arctan")


def long_function_source(n_lines):
    """The source of ``long_function(x, W)``: about ``n_lines`` lines of residual layers.

    Used to time the transformation against the length of a function; it
    is written to a module file so srcdiff can read it like a user's file.
    """
    body = ["def long_function(x, W):", "    r0 = x"]
    layers = max(1, round((n_lines - 3) / 7))
    for i in range(1, layers + 1):
        body.append(LAYER.format(i=i, j=i - 1, activation=ACTIVATIONS[i % 4]).rstrip())
    body.append(f"    return np.sum(r{layers} * r{layers})")
    return "import numpy as np\n\n\n" + "\n".join(body) + "\n"


BY_NAME = {workload.name: workload for workload in (*WORKLOADS, FIFTY_LINES)}
