"""Train a small multilayer perceptron with SGD driven by srcdiff's static gradient.

The data are two interleaved half moons (generated, 2 features, 2 classes);
the network has two tanh layers of 32 units and a logistic output.  One line
of progress per epoch; ``--plot loss.png`` draws the loss curve (matplotlib,
``pip install srcdiff[examples]``).

    python examples/train_mlp.py                  # 30 epochs, a few seconds
    python examples/train_mlp.py --plot loss.png  # and the loss curve
    python examples/train_mlp.py --quick          # 3 epochs (SRCDIFF_EXAMPLES_QUICK=1 too)
"""

import argparse
import os
import time

import numpy as np

import srcdiff


def predict(params, X):
    """The network's logit for each row of ``X``."""
    W1, b1, W2, b2, w3, b3 = params
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    return h2 @ w3 + b3


def loss(params, X, y):
    """Mean logistic loss: log(1 + exp(logit)) - y * logit, written without overflow."""
    logits = predict(params, X)
    return np.mean(np.logaddexp(0.0, logits) - y * logits)


# Gradient with respect to ``params``, a list of arrays: a list of gradients.
dloss = srcdiff.grad(loss)


def two_moons(n, rng, noise=0.1):
    """``n`` points on two interleaved half circles, and their class (0.0 or 1.0)."""
    angle = rng.uniform(0.0, np.pi, n)
    upper = rng.random(n) < 0.5
    first = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    second = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    X = np.where(upper[:, None], second, first) + rng.normal(0.0, noise, (n, 2))
    return X, upper.astype(np.float64)


def initial_params(rng, hidden=32):
    def layer(n_in, n_out):
        return rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_in, n_out))

    return [
        layer(2, hidden),
        np.zeros(hidden),
        layer(hidden, hidden),
        np.zeros(hidden),
        layer(hidden, 1)[:, 0],
        0.0,
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.3)
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--plot", metavar="PNG", help="write the loss curve to this file")
    parser.add_argument("--quick", action="store_true", help="3 epochs on 128 samples")
    args = parser.parse_args(argv)
    if args.quick or os.environ.get("SRCDIFF_EXAMPLES_QUICK"):
        args.epochs, args.samples = 3, 128

    rng = np.random.default_rng(0)
    X, y = two_moons(args.samples, rng)
    params = initial_params(rng)
    losses = [loss(params, X, y)]
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(X))
        for first in range(0, len(X), args.batch):
            batch = order[first : first + args.batch]
            grads = dloss(params, X[batch], y[batch])
            params = [p - args.lr * g for p, g in zip(params, grads)]
        losses.append(loss(params, X, y))
        accuracy = np.mean((predict(params, X) > 0) == (y > 0.5))
        print(
            f"epoch {epoch:3d}/{args.epochs}  loss {losses[-1]:.4f}  "
            f"accuracy {accuracy:6.1%}  ({time.perf_counter() - start:.2f} s)"
        )
    if args.plot:
        plot_losses(losses, args.plot)
        print(f"wrote the loss curve to {args.plot}")
    print(f"trained: loss {losses[0]:.4f} -> {losses[-1]:.4f}, accuracy {accuracy:.1%}")


def plot_losses(losses, path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(range(len(losses)), losses, marker="o", markersize=3)
    ax.set(xlabel="epoch", ylabel="training loss", yscale="log", title="MLP on two moons")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    main()
