"""Models written the way numeric code is written: parameters in dicts,
helpers defined inside the loss, comprehensions, decompositions.

Each loss takes its parameters first; ``tests/test_model_zoo.py`` checks both
modes against finite differences.
"""

import numpy as np


def rnn_loss(params, inputs, targets):
    """An Elman RNN over a sequence, with dict parameters and nested helpers."""

    def update(x, h):
        return np.tanh(x @ params["Wx"] + h @ params["Wh"] + params["b"])

    def predict(h):
        return h @ params["Wo"] + params["bo"]

    h = np.zeros((inputs.shape[1], params["Wh"].shape[0]))
    loss = 0.0
    for t in range(inputs.shape[0]):
        h = update(inputs[t], h)
        loss = loss + np.sum((predict(h) - targets[t]) ** 2)
    return loss / inputs.shape[0]


def lstm_loss(params, inputs, targets):
    """An LSTM cell unrolled over a sequence; its state is a dict."""

    def sigmoid(z):
        return 0.5 * (np.tanh(z / 2) + 1.0)

    def step(x, state):
        gates = np.concatenate([x, state["h"]], axis=1) @ params["W"] + params["b"]
        n = state["h"].shape[1]
        forget = sigmoid(gates[:, :n])
        keep = sigmoid(gates[:, n : 2 * n])
        show = sigmoid(gates[:, 2 * n : 3 * n])
        candidate = np.tanh(gates[:, 3 * n :])
        c = forget * state["c"] + keep * candidate
        return {"h": show * np.tanh(c), "c": c}

    n = params["W"].shape[1] // 4
    state = {"h": np.zeros((inputs.shape[1], n)), "c": np.zeros((inputs.shape[1], n))}
    loss = 0.0
    for t in range(inputs.shape[0]):
        state = step(inputs[t], state)
        loss = loss + np.mean((state["h"] @ params["Wo"] - targets[t]) ** 2)
    return loss


def gp_negative_log_likelihood(log_params, x, y):
    """A Gaussian process's negative log marginal likelihood, through a Cholesky factor."""
    amplitude = np.exp(log_params[0])
    lengthscale = np.exp(log_params[1])
    noise = np.exp(log_params[2])
    squared = (x[:, None] - x[None, :]) ** 2
    kernel = amplitude * np.exp(-0.5 * squared / lengthscale**2) + noise * np.eye(len(x))
    factor = np.linalg.cholesky(kernel)
    alpha = np.linalg.solve(factor.T, np.linalg.solve(factor, y))
    return 0.5 * (y @ alpha) + np.sum(np.log(np.diag(factor))) + 0.5 * len(x) * np.log(2 * np.pi)


def convolution_loss(kernel, signal, target):
    """A 1-D convolution layer fit to a target signal."""
    out = np.convolve(signal, kernel, mode="valid")
    return np.mean((np.tanh(out) - target) ** 2)


def attention_loss(Wq, Wk, Wv, x, heads):
    """Multi-head self-attention, the heads gathered by a list comprehension."""
    width = Wq.shape[1] // heads

    def head(i):
        part = slice(i * width, (i + 1) * width)
        q = x @ Wq[:, part]
        k = x @ Wk[:, part]
        v = x @ Wv[:, part]
        scores = q @ k.T / np.sqrt(width)
        weights = np.exp(scores - np.max(scores, axis=1, keepdims=True))
        weights = weights / np.sum(weights, axis=1, keepdims=True)
        return weights @ v

    out = np.concatenate([head(i) for i in range(heads)], axis=1)
    return np.sum(out**2) / x.shape[0]


def log_softmax_loss(W, x, labels):
    """Cross-entropy written with the log-sum-exp pattern."""
    logits = x @ W
    top = np.max(logits, axis=1, keepdims=True)
    log_norm = np.log(np.sum(np.exp(logits - top), axis=1, keepdims=True)) + top
    log_probs = logits - log_norm
    return -np.mean(np.sum(log_probs * labels, axis=1))
