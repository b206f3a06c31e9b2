"""PyTorch's autograd tutorial, line by line, with srcdiff.

The left column of each step is PyTorch's "Automatic differentiation with
torch.autograd" tutorial written with ``srcdiff.Tensor`` (the tracing mode:
same names, same ``grad_fn`` nodes, same printouts); the right column is the
same computation in the static mode, a plain NumPy function whose gradient
srcdiff compiles to Python.  Both give the same numbers.  PyTorch itself is
not needed.  Run it with ``python examples/torch_tutorial.py``.
"""

import numpy as np

import srcdiff


def bce_with_logits(z, y):
    """``torch.nn.functional.binary_cross_entropy_with_logits``, in NumPy."""
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def loss_fn(w, b, x, y):
    z = x @ w + b
    return bce_with_logits(z, y)


def square_shift_t(inp):
    return ((inp + 1) ** 2).T


def main():
    rng = np.random.default_rng(0)
    w0, b0 = rng.standard_normal((5, 3)), rng.standard_normal(3)

    print("== A one-layer network: x -> z = x @ w + b -> loss")
    # torch: x = torch.ones(5); y = torch.zeros(3)
    x = srcdiff.ones(5)
    y = srcdiff.zeros(3)
    # torch: w = torch.randn(5, 3, requires_grad=True); b = torch.randn(3, requires_grad=True)
    w = srcdiff.tensor(w0, requires_grad=True)
    b = srcdiff.tensor(b0, requires_grad=True)
    # torch: z = torch.matmul(x, w) + b
    z = x @ w + b
    # torch: loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss = bce_with_logits(z, y)
    print(f"Gradient function for z = {type(z.grad_fn).__name__}")
    print(f"Gradient function for loss = {type(loss.grad_fn).__name__}")

    print("\n== Computing gradients: loss.backward(), then w.grad and b.grad")
    loss.backward()
    print(w.grad)
    print(b.grad)
    # Static mode: the same loss as a function; its gradient is generated Python.
    dloss = srcdiff.grad(loss_fn, wrt=(0, 1))
    dw, db = dloss(w0, b0, np.ones(5), np.zeros(3))
    print(
        "static mode, same numbers:",
        np.allclose(dw, w.grad.numpy()),
        np.allclose(db, b.grad.numpy()),
    )
    print(dloss.source, end="")

    print("\n== Disabling gradient tracking")
    z = x @ w + b
    print(z.requires_grad)
    with srcdiff.no_grad():
        z = x @ w + b
    print(z.requires_grad)
    z = x @ w + b
    z_det = z.detach()
    print(z_det.requires_grad)
    # Static mode: nothing is tracked; an argument outside ``wrt`` gets no gradient.

    print("\n== Jacobian products: out.backward(v) gives v^T J")
    inp = srcdiff.tensor(np.eye(4, 5), requires_grad=True)
    out = (inp + 1).pow(2).t()
    ones = srcdiff.ones(*out.shape)
    out.backward(ones, retain_graph=True)
    print(f"First call\n{inp.grad}")
    out.backward(ones, retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    inp.grad.zero_()
    out.backward(ones, retain_graph=True)
    print(f"\nCall after zeroing gradients\n{inp.grad}")
    # Static mode: vjp(f)(x, seed=v) returns v^T J; it never accumulates, so there is
    # nothing to zero: call it twice and add the results to get the "second call".
    vjp = srcdiff.vjp(square_shift_t)(np.eye(4, 5), seed=np.ones((5, 4)))
    print("\nstatic mode vjp, same as the call after zeroing:", np.allclose(vjp, inp.grad.numpy()))
    print(vjp)


if __name__ == "__main__":
    main()
