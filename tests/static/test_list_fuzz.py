"""Property-based search for wrong gradients of a list or tuple argument.

Hypothesis writes small programs ``def f(xs)`` whose statements read the list
``xs`` in several ways at once: builtin ``sum``, ``np.array``, ``np.stack``,
``xs[i]``, ``for x in xs``, ``enumerate``, ``zip``, ``len`` and a list built
with ``append``.  The list holds 2 to 4 numbers or arrays of shape ``(3,)``.
Each program is written to a file and imported; its static vector-Jacobian
product is checked against central finite differences and the tracing mode.
"""

import hashlib
import importlib.util
import sys

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import srcdiff
from tests.gradcheck import check_vjp

CONSTANTS = ["0.5", "2.0", "-1.5", "0.25"]


@st.composite
def programs(draw):
    """(source, length, item shape, list or tuple, seed) of one random program."""
    length = draw(st.integers(2, 4))
    lines = ["import numpy as np", "", "", "def f(xs):", "    total = 0.0"]
    for k in range(draw(st.integers(1, 4))):
        c = draw(st.sampled_from(CONSTANTS))
        i = draw(st.integers(-length, length - 1))
        kind = draw(st.integers(0, 9))
        lines += {
            0: [f"    total = total + {c} * sum(xs)"],
            1: [f"    total = total + {c} * xs[{i}]"],
            2: [f"    total = total + {c} * np.sum(np.array(xs) ** 2, axis=0)"],
            3: ["    for x in xs:", f"        total = total + {c} * x * x"],
            4: [
                "    for i in range(len(xs)):",
                f"        total = total + {c} * xs[i] * np.tanh(total)",
            ],
            5: [
                "    for i, x in enumerate(xs):",
                f"        total = total + (i + 1) * {c} * np.sin(x)",
            ],
            6: [
                f"    ys_{k} = []",
                "    for x in xs:",
                f"        ys_{k}.append(np.sin(x) * {c})",
                f"    total = total + sum(ys_{k}) + ys_{k}[{i}]",
            ],
            7: [f"    a_{k} = xs[{i}]", f"    total = total + a_{k} * a_{k} * {c}"],
            8: [f"    total = total + {c} * np.sum(np.stack(xs), axis=0)"],
            9: ["    for x, y in zip(xs, xs[1:]):", f"        total = total + {c} * x * y"],
        }[kind]
    lines.append("    return total")
    shape = draw(st.sampled_from([(), (3,)]))
    kind = draw(st.sampled_from([list, tuple]))
    return "\n".join(lines) + "\n", length, shape, kind, draw(st.integers(0, 2**16))


def load(source, folder):
    """Write ``source`` to a file of its own and import its ``f``."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    path = folder / f"list_fuzz_{digest}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"list_fuzz_{digest}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.f


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(programs())
def test_list_argument_programs(tmp_path, program):
    source, length, shape, kind, seed = program
    f = load(source, tmp_path)
    rng = np.random.default_rng(seed)
    xs = kind(
        rng.uniform(-1.2, 1.2, shape) if shape else float(rng.uniform(-1.2, 1.2))
        for _ in range(length)
    )
    static = srcdiff.vjp(f)
    check_vjp(lambda arguments, v: (static(*arguments, seed=v),), f, [xs], (0,), seed=seed)

    v = np.random.default_rng(seed + 1).standard_normal(np.shape(f(xs)))
    expected, got = static(xs, seed=v), srcdiff.vjp(f, mode="trace")(xs, seed=v)
    assert type(expected) is kind and len(expected) == length, source
    np.testing.assert_allclose(
        np.array(expected, dtype=float), got, rtol=1e-9, atol=1e-12, err_msg=source
    )
