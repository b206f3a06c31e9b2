"""Every implementation of one workload's gradient, ready to call.

``prepare(workload, args)`` returns one ``Candidate`` per implementation:
the hand-written NumPy gradient (the floor), srcdiff static (with its
default and its numba backend), srcdiff trace,
HIPS autograd, PyTorch eager, and JAX without and with ``jit``.  A candidate is a zero-argument ``call``
returning the gradients in the implementation's own types, plus ``to_numpy``
turning that into a tuple of arrays in ``wrt`` order.  A candidate that could
not be built carries a ``problem`` instead ("unsupported: ..." for srcdiff,
"not installed" for a missing peer); it is reported, never hidden.

HIPS autograd runs the workload's own code object with ``autograd.numpy``
bound to ``np``, so both run literally the same function.  PyTorch needs its
own spelling of each function; they are the ``torch_*`` functions below.
JAX, like autograd, runs the workload's own code with ``jax.numpy`` bound to
``np`` (in float64), except where a Python branch on a traced value cannot be
compiled by ``jit``: the ``jax_*`` spellings below.  Its arguments are JAX
arrays made once, as a JAX user would hold them; Python ints are static.
"""

import dataclasses
import types
from collections.abc import Callable

import numpy as np

IMPLEMENTATIONS = ("hand", "static", "numba", "trace", "autograd", "torch", "jax", "jax_jit")


@dataclasses.dataclass
class Candidate:
    """One implementation of a gradient: ``call()`` or the ``problem`` that stopped it."""

    name: str
    call: Callable | None = None
    to_numpy: Callable = tuple
    problem: str | None = None


def describe_error(error):
    """``ExceptionType: first line of the message``, for a table footnote."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def as_tuple(result, wrt):
    """A gradient result as a tuple in ``wrt`` order (a lone gradient for an int ``wrt``)."""
    return (result,) if isinstance(wrt, int) else tuple(result)


def prepare(workload, args, names=IMPLEMENTATIONS):
    """Build the candidates named in ``names`` for ``workload`` called on ``args``."""
    builders = {
        "hand": _hand,
        "static": lambda w, a: _srcdiff(w, a, "static"),
        "numba": lambda w, a: _srcdiff(w, a, "static", backend="numba"),
        "trace": lambda w, a: _srcdiff(w, a, "trace"),
        "autograd": _autograd,
        "torch": _torch,
        "jax": lambda w, a: _jax(w, a, jit=False),
        "jax_jit": lambda w, a: _jax(w, a, jit=True),
    }
    return [builders[name](workload, args) for name in names]


def _hand(workload, args):
    gradient = workload.hand_gradient
    return Candidate("hand", call=lambda: gradient(*args))


def _srcdiff(workload, args, mode, backend="python"):
    label = "numba" if backend == "numba" else mode
    try:
        import srcdiff

        gradient = srcdiff.grad(workload.function, wrt=workload.wrt, mode=mode, backend=backend)
    except Exception as error:  # reported in the table, never hidden
        return Candidate(label, problem="unsupported: " + describe_error(error))
    wrt = workload.wrt
    return Candidate(
        label,
        call=lambda: gradient(*args),
        to_numpy=lambda result: tuple(np.asarray(g) for g in as_tuple(result, wrt)),
    )


def _autograd(workload, args):
    try:
        import autograd
        import autograd.numpy
    except ImportError:
        return Candidate("autograd", problem="not installed: autograd (pip install .[bench])")
    function = workload.function
    same_code = types.FunctionType(
        function.__code__,
        {**function.__globals__, "np": autograd.numpy},
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    gradient = autograd.grad(same_code, argnum=workload.wrt)
    wrt = workload.wrt
    return Candidate(
        "autograd",
        call=lambda: gradient(*args),
        to_numpy=lambda result: tuple(np.asarray(g) for g in as_tuple(result, wrt)),
    )


def _torch(workload, args):
    try:
        import torch
    except ImportError:
        return Candidate("torch", problem="not installed: torch (pip install .[bench])")
    function = TORCH_FUNCTIONS[workload.name]
    wrt = workload.wrt_tuple
    torch_args = [_to_torch(torch, value, index in wrt) for index, value in enumerate(args)]
    leaves = [torch_args[index] for index in wrt]

    def call():
        return torch.autograd.grad(function(*torch_args), leaves)

    return Candidate(
        "torch", call=call, to_numpy=lambda result: tuple(g.detach().numpy() for g in result)
    )


def _jax(workload, args, jit):
    name = "jax_jit" if jit else "jax"
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return Candidate(name, problem="not installed: jax (pip install .[bench])")
    jax.config.update("jax_enable_x64", True)
    function = JAX_FUNCTIONS.get(workload.name) if jit else None
    if function is None:
        original = workload.function
        function = types.FunctionType(
            original.__code__,
            {**original.__globals__, "np": jnp},
            original.__name__,
            original.__defaults__,
            original.__closure__,
        )
    static = tuple(i for i, value in enumerate(args) if isinstance(value, int))
    gradient = jax.grad(function, argnums=workload.wrt)
    if jit:
        gradient = jax.jit(gradient, static_argnums=static)
    jax_args = [value if i in static else jnp.asarray(value) for i, value in enumerate(args)]
    wrt = workload.wrt

    def call():
        return jax.block_until_ready(gradient(*jax_args))

    return Candidate(
        name,
        call=call,
        to_numpy=lambda result: tuple(np.asarray(g) for g in as_tuple(result, wrt)),
    )


def _to_torch(torch, value, requires_grad):
    """NumPy arrays become tensors (same dtype, shared memory); floats stay floats
    unless they are differentiated, then they become float64 0-d leaves."""
    if isinstance(value, np.ndarray):
        tensor = torch.from_numpy(value)
    elif requires_grad:
        tensor = torch.tensor(value, dtype=torch.float64)
    else:
        return value
    return tensor.requires_grad_(requires_grad)


# -- PyTorch spellings of the workloads ------------------------------------------


def torch_tutorial(x):
    y = x + 2
    z = y * y * 3
    return z.mean()


def torch_logistic_loss(w, X, y, lam):
    margins = y * (X @ w)
    return (-margins).exp().log1p().mean() + 0.5 * lam * (w * w).sum()


def torch_mlp_loss(W1, b1, W2, b2, X, Y):
    h = (X @ W1 + b1).tanh()
    logits = h @ W2 + b2
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return -(Y * log_probs).sum() / X.shape[0]


def torch_rnn_loss(W, U, h0, xs):
    h = h0
    for t in range(len(xs)):
        h = (W @ h + U @ xs[t]).tanh()
    return 0.5 * (h * h).sum()


def torch_oscillator(k, x0, n_steps):
    x, v = x0, 0.0
    for _ in range(n_steps):
        a = -k * x - 0.1 * v
        v = v + 0.01 * a
        x = x + 0.01 * v
        if x > 2.0:
            break
    return x * x


def torch_gather_loss(x, w, idx, c):
    return ((x[idx] - c) ** 2 * w[:, None]).sum()


TORCH_FUNCTIONS = {
    "tutorial": torch_tutorial,
    "logistic": torch_logistic_loss,
    "mlp": torch_mlp_loss,
    "rnn": torch_rnn_loss,
    "oscillator": torch_oscillator,
    "gather": torch_gather_loss,
}


# -- JAX spellings, where ``jit`` cannot compile the workload's own code ----------


def jax_oscillator(k, x0, n_steps):
    """The oscillator with its ``break`` as a flag: once ``x > 2`` the state stops changing."""
    import jax.numpy as jnp
    from jax import lax

    def step(_, state):
        x, v, stopped = state
        a = -k * x - 0.1 * v
        v_next = v + 0.01 * a
        x_next = x + 0.01 * v_next
        x = jnp.where(stopped, x, x_next)
        v = jnp.where(stopped, v, v_next)
        return x, v, stopped | (x > 2.0)

    x, _, _ = lax.fori_loop(0, n_steps, step, (x0 * 1.0, 0.0 * k, False))
    return x * x


JAX_FUNCTIONS = {"oscillator": jax_oscillator}
