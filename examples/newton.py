"""Newton's method with srcdiff's second derivatives.

Minimizes the Rosenbrock function of n variables: each step solves
``H d = -g`` by conjugate gradients, where every product ``H v`` is one
``srcdiff.hessian_vector_product`` call, so the Hessian itself is never
formed.  For two variables the full ``srcdiff.hessian`` is printed too.

    python examples/newton.py
"""

import numpy as np

import srcdiff


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


gradient = srcdiff.grad(rosenbrock)
hvp = srcdiff.hessian_vector_product(rosenbrock)


def newton_direction(x, g, iterations=50, tolerance=1e-10):
    """Solve ``H d = -g`` by conjugate gradients, with ``H v`` from ``hvp``."""
    d = np.zeros_like(x)
    r = -g
    p = r.copy()
    for _ in range(iterations):
        hp = hvp(x, vector=p)
        curvature = p @ hp
        if curvature <= 0:  # not a descent direction: take the gradient step
            return -g if not d.any() else d
        alpha = (r @ r) / curvature
        d = d + alpha * p
        r_next = r - alpha * hp
        if np.sqrt(r_next @ r_next) < tolerance:
            break
        p = r_next + (r_next @ r_next) / (r @ r) * p
        r = r_next
    return d


def minimize(x, steps=50):
    for step in range(steps):
        g = gradient(x)
        if np.linalg.norm(g) < 1e-8:
            return x, step
        d = newton_direction(x, g)
        t = 1.0
        while rosenbrock(x + t * d) > rosenbrock(x) + 1e-4 * t * (g @ d) and t > 1e-8:
            t *= 0.5  # backtracking: keep the step that lowers the function
        x = x + t * d
        print(f"step {step + 1:2d}: f = {rosenbrock(x):.3e}, |grad| = {np.linalg.norm(g):.2e}")
    return x, steps


def main():
    print("Hessian of the 2-variable Rosenbrock function at (0, 0):")
    print(srcdiff.hessian(rosenbrock)(np.zeros(2)))
    x, steps = minimize(np.full(6, -1.2))
    print(f"minimum at {np.round(x, 6).tolist()} after {steps} Newton steps")


if __name__ == "__main__":
    main()
