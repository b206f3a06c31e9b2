"""Recover a spring constant from a noisy trajectory, by gradient descent through the simulation.

A damped mass on a spring, ``x'' = -k x - c x'``, is simulated step by step in a
plain Python loop; the misfit between the simulated and the observed
positions is differentiated with respect to ``k`` through every step of that
loop by srcdiff's static mode (``print(dmisfit.source)`` shows how).  Gradient descent halves its step when the
misfit grows and stops early once the update is below a tolerance.
``--plot fit.png`` draws the observations, the true and the fitted trajectory
(matplotlib, ``pip install srcdiff[examples]``).

    python examples/fit_oscillator.py                 # a second or two
    python examples/fit_oscillator.py --plot fit.png  # and the picture
    python examples/fit_oscillator.py --quick         # fewer steps (SRCDIFF_EXAMPLES_QUICK=1 too)
"""

import argparse
import os

import numpy as np

import srcdiff

X0 = 1.0  # initial position; the mass starts at rest
DAMPING = 0.3


def simulate(k, steps, dt):
    """Positions after each of ``steps`` semi-implicit Euler steps."""
    x, v = X0, 0.0
    positions = []
    for _ in range(steps):
        v = v + dt * (-k * x - DAMPING * v)
        x = x + dt * v
        positions.append(x)
    return np.array(positions)


def misfit(k, observed, dt):
    """Mean squared distance between the simulation with constant ``k`` and ``observed``."""
    return np.mean((simulate(k, len(observed), dt) - observed) ** 2)


dmisfit = srcdiff.grad(misfit)


def fit(observed, dt, k, lr, max_steps, tol):
    """Gradient descent on ``k``; returns the fitted ``k`` and the number of steps taken."""
    current = misfit(k, observed, dt)
    for step in range(1, max_steps + 1):
        update = lr * dmisfit(k, observed, dt)
        trial = misfit(k - update, observed, dt)
        while trial > current:  # too long a step: halve it
            lr, update = lr / 2, update / 2
            trial = misfit(k - update, observed, dt)
        k, current = k - update, trial
        print(f"step {step:3d}  k {k:.4f}  misfit {current:.3e}  update {update:+.2e}")
        if abs(update) < tol:
            print(f"stopped early: the update fell below {tol:g}")
            return k, step
    return k, max_steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=float, default=4.0, help="the true spring constant")
    parser.add_argument("--start", type=float, default=2.5, help="the first guess")
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--dt", type=float, default=0.02)
    parser.add_argument("--lr", type=float, default=20.0)
    parser.add_argument("--max-steps", type=int, default=200)
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--plot", metavar="PNG", help="write the trajectories to this file")
    parser.add_argument("--quick", action="store_true", help="100 samples, at most 30 steps")
    args = parser.parse_args(argv)
    if args.quick or os.environ.get("SRCDIFF_EXAMPLES_QUICK"):
        args.samples, args.max_steps = 100, 30

    rng = np.random.default_rng(1)
    truth = simulate(args.k, args.samples, args.dt)
    observed = truth + rng.normal(0.0, args.noise, args.samples)
    k, steps = fit(observed, args.dt, args.start, args.lr, args.max_steps, args.tol)
    if args.plot:
        plot_fit(observed, truth, simulate(k, args.samples, args.dt), args.dt, args.plot)
        print(f"wrote the trajectories to {args.plot}")
    print(f"recovered k = {k:.4f} (true {args.k}, first guess {args.start}) in {steps} steps")


def plot_fit(observed, truth, fitted, dt, path):
    import matplotlib.pyplot as plt

    t = dt * np.arange(1, len(observed) + 1)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(t, observed, ".", markersize=3, color="0.6", label="observed")
    ax.plot(t, truth, label="true k")
    ax.plot(t, fitted, "--", label="fitted k")
    ax.set(xlabel="time", ylabel="position", title="Damped spring: fit through the simulation")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    main()
