"""Time Hessian-vector products: srcdiff static against its own gradient, autograd, PyTorch, JAX.

    python benchmarks/hvp.py            # logistic and MLP workloads, small and large
    python benchmarks/hvp.py --quick    # fewer, shorter rounds

The product is with respect to the first argument (the weights ``w``, or
``W1`` of the MLP).  srcdiff's is ``hessian_vector_product``: forward over
reverse, the jvp of its generated gradient, itself generated code ("static");
"rev-rev" is reverse over reverse, the vjp of that gradient seeded with ``v``.
autograd's is its
``hessian_vector_product``; PyTorch's is double backward (``create_graph=True``,
then the gradient of ``<g, v>``); JAX's (when installed) is ``jit`` of the
``jvp`` of ``grad``, the workload's own code run on ``jax.numpy``.  Every product is first checked against
autograd's; a mismatch is printed as WRONG and not timed.  The target: srcdiff's
HVP at most 4x its own gradient.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import functools  # noqa: E402
import sys  # noqa: E402
import types  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import srcdiff  # noqa: E402
from benchmarks.harness import time_interleaved  # noqa: E402
from benchmarks.peers import TORCH_FUNCTIONS, _to_torch  # noqa: E402
from benchmarks.workloads import BY_NAME, SIZES  # noqa: E402

WORKLOADS = ("logistic", "mlp")
TARGET = 4.0  # srcdiff HVP / srcdiff gradient


def candidates(workload, args, v):
    """name -> zero-argument call computing the HVP (or the gradient, for "grad")."""
    fn = workload.function
    gradient = srcdiff.grad(fn, wrt=0)
    hvp = srcdiff.hessian_vector_product(fn, wrt=0)
    calls = {
        "grad": lambda: gradient(*args),
        "static": lambda: hvp(*args, vector=v),
        "rev-rev": functools.partial(srcdiff.vjp(gradient, wrt=0), *args, seed=v),
    }
    try:
        import autograd
        import autograd.numpy as anp

        same_code = types.FunctionType(fn.__code__, {**fn.__globals__, "np": anp})
        autograd_hvp = autograd.hessian_vector_product(same_code, 0)
        calls["autograd"] = lambda: autograd_hvp(*args, v)
    except ImportError:
        pass
    try:
        import torch

        torch_fn = TORCH_FUNCTIONS[workload.name]
        torch_args = [_to_torch(torch, a, i == 0) for i, a in enumerate(args)]
        torch_v = torch.from_numpy(v)

        def double_backward():
            (g,) = torch.autograd.grad(torch_fn(*torch_args), [torch_args[0]], create_graph=True)
            return torch.autograd.grad((g * torch_v).sum(), [torch_args[0]])[0]

        calls["torch"] = double_backward
    except ImportError:
        pass
    try:
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        jax_fn = types.FunctionType(fn.__code__, {**fn.__globals__, "np": jnp})

        def forward_over_reverse(x, rest, vector):
            return jax.jvp(lambda y: jax.grad(jax_fn)(y, *rest), (x,), (vector,))[1]

        jitted = jax.jit(forward_over_reverse)
        jax_args = [jnp.asarray(a) for a in args]
        jax_v = jnp.asarray(v)
        calls["jax_jit"] = lambda: jax.block_until_ready(
            jitted(jax_args[0], tuple(jax_args[1:]), jax_v)
        )
    except ImportError:
        pass
    return calls


def to_numpy(value):
    return value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--sizes", default=",".join(SIZES), help="small,large")
    options = parser.parse_args(argv)
    rounds, batch = (3, 0.05) if options.quick else (7, 0.2)
    names = ("grad", "static", "rev-rev", "autograd", "torch", "jax_jit")
    print(f"{'workload':<32}" + "".join(f"{n:>14}" for n in names) + f"{'HVP/grad':>10}")
    for name in WORKLOADS:
        workload = BY_NAME[name]
        for size in options.sizes.split(","):
            args = workload.inputs(size)
            v = np.random.default_rng(1).standard_normal(np.shape(args[0]))
            calls = candidates(workload, args, v)
            cells = {}
            reference = to_numpy(calls["autograd"]()) if "autograd" in calls else None
            for candidate in list(calls):
                if candidate == "grad" or reference is None:
                    continue
                if not np.allclose(to_numpy(calls[candidate]()), reference, rtol=1e-6, atol=1e-9):
                    cells[candidate] = "WRONG"
                    del calls[candidate]
            times = time_interleaved(calls, rounds, batch)
            for candidate, seconds in times.items():
                cells[candidate] = f"{seconds * 1e6:,.0f} us"
            ratio = times["static"] / times["grad"]
            label = f"{name} {workload.describe(size)}"
            print(
                f"{label:<32}"
                + "".join(f"{cells.get(n, 'missing'):>14}" for n in names)
                + f"{ratio:>9.2f}x"
                + ("" if ratio <= TARGET else f"  (target {TARGET:.0f}x)")
            )


if __name__ == "__main__":
    main()
