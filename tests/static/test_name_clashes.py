"""Static mode: generated code never hides a user name, nor a user name a runtime helper.

The adjoint reads the user's globals live and reaches what the runtime
provides (``unbroadcast``, ``gradient_of``, ``np``, the helpers inlined rules
bring in, the builtins it emits) under names that cannot clash: where the
user's function uses such a name for something else (a global helper, a
local, a parameter, a closure variable), the runtime's reference is renamed
(``unbroadcast_1``) and the user's name keeps its meaning.  (The other
direction, names generated code invents, is tested in test_generated_names.py.)

Every gradient is compared with central finite differences and with the
tracing mode; the subjects are written to files of their own, one per name
and kind of clash, so that each has source code.
"""

import re
import textwrap

import gast
import numpy as np
import pytest

import srcdiff
from srcdiff.static import runtime
from srcdiff.static.names import Namer, reserve_runtime_names, runtime_name
from srcdiff.static.names import name as name_node
from tests.static.clash_checks import check_gradients, finite_differences, generated, load, mentions

RUNTIME_NAMES = sorted(runtime.__all__) + ["np"]
KINDS = ("global", "local", "parameter", "closure")

# One function whose adjoint calls every runtime helper (checked below, so a
# new helper the sink does not reach fails the test that lists it).
SINK = """
import numpy
import gast
import numpy as np

{helper}

def f(x, w, idx{parameter}):
    {local}
    a = x * w[0]
    r = {np}.copy(x)
    r[0] = a[0, 1]
    t = x[idx]
    s = 0.0
    for i in range(2):
        v = x[i]
        v += 1.0
        if {np}.sum(v) > 0.0:
            s = s + {np}.sum(v * r)
        else:
            s = s + {np}.sum(t)
    u = x[1]
    d = {{}}
    d["k"] = x * 2.0
    return s + u + {np}.sum(t * t) + {np}.sum(d["k"]) + numpy.mean(x * 2.0){use}
"""

# A global ``np`` that is not NumPy: its ``sum`` doubles.
NP_LOOKALIKE = '''
class np:
    """Looks like NumPy; its sum is twice NumPy's."""

    copy = staticmethod(numpy.copy)

    @staticmethod
    def sum(v):
        return 2.0 * numpy.sum(v)
'''


def sink(name, kind, tmp_path):
    """The sink where the user's function uses ``name`` as a ``kind`` (or not at all)."""
    fields = {"helper": "", "parameter": "", "local": "", "np": "np", "use": ""}
    if name == "np" and kind != "global":
        fields["np"] = "numpy"  # NumPy under another name: ``np`` means something else
    if kind == "global" and name == "np":
        fields["helper"] = NP_LOOKALIKE
    elif kind == "global":
        fields["helper"] = f"def {name}(v):\n    return 2.0 * v"
        fields["use"] = f" + numpy.sum({name}(x))"
    elif kind == "local":
        fields["local"] = f"{name} = x * 0.5"
        fields["use"] = f" + numpy.sum({name} * x)"
    elif kind == "parameter":
        fields["parameter"] = f", {name}"
        fields["use"] = f" + numpy.sum({name} * x)"
    elif kind == "closure":
        fields["use"] = f" + numpy.sum({name} * x)"
    source = SINK.format(**fields)
    if kind == "closure":  # ``f`` reads ``name`` from the function that made it
        head, function = source.split("\ndef f(")
        source = (
            f"{head}\ndef outer():\n    {name} = numpy.array([1.5, -0.5, 0.25])\n\n"
            + textwrap.indent(f"def f({function}", "    ")
            + "\n    return f\n\n\nf = outer()\n"
        )
    return load(source, tmp_path).f


def sink_args(kind):
    x = np.array([0.5, -1.5, 2.0])  # the loop takes each branch once
    w = np.ones((2, 2, 3)) * np.array([[[1.0], [2.0]]])
    idx = np.array([0, 2, 0])
    extra = (np.array([1.5, -0.5, 0.25]),) if kind == "parameter" else ()
    return (x, w, idx) + extra


# ---------------------------------------------------------------- runtime names


@pytest.mark.parametrize("name", RUNTIME_NAMES)
def test_without_a_clash_the_runtime_keeps_its_plain_names(name, tmp_path):
    f = sink(name, None, tmp_path)
    source = generated(f, (0,))
    assert mentions(source, name), f"the sink no longer reaches {name}: extend it"
    assert not mentions(source, f"{name}_1")
    check_gradients(f, sink_args(None), (0,))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", RUNTIME_NAMES)
def test_a_user_name_spelled_like_a_runtime_helper_keeps_its_meaning(name, kind, tmp_path):
    f = sink(name, kind, tmp_path)
    wrt = (0, 3) if kind == "parameter" else (0,)
    check_gradients(f, sink_args(kind), wrt)
    source = generated(f, wrt)
    assert mentions(source, f"{name}_1"), source  # the runtime's reference, renamed
    assert mentions(source, name)  # the user's own name, unchanged


def test_a_global_np_that_is_not_numpy_is_the_one_the_adjoint_runs(tmp_path):
    f = sink("np", "global", tmp_path)
    x, w, idx = sink_args(None)
    plain = sink("np", None, tmp_path)
    # The look-alike doubles every sum: the functions differ, so do their gradients.
    assert f(x, w, idx) != plain(x, w, idx)
    static = srcdiff.grad(f)(x, w, idx)
    np.testing.assert_allclose(static, finite_differences(f, (x, w, idx), 0), rtol=1e-6)
    assert not np.allclose(static, srcdiff.grad(plain)(x, w, idx))


def test_the_forward_pass_reads_the_users_np(tmp_path):
    # Once NumPy's sum ran forward and the look-alike's backward: gradient 4 S, not 8 S.
    module = load(
        f"import numpy\n{NP_LOOKALIKE}\n\ndef f(x):\n    y = np.sum(x)\n    return y * y\n",
        tmp_path,
    )
    x = np.array([0.5, -1.5, 2.5])
    check_gradients(module.f, (x,), (0,))
    np.testing.assert_allclose(srcdiff.grad(module.f)(x), 8 * np.sum(x) * np.ones(3))


def test_the_clash_renames_only_the_runtime_reference(tmp_path):
    """The code for a local ``zeros_like`` is the code for a local ``other``, renamed."""
    module = load(
        "import numpy as np\n\n"
        "def f(x, k):\n"
        "    zeros_like = x * 2.0\n"
        "    if k > 0:\n"
        "        y = np.sin(zeros_like)\n"
        "    else:\n"
        "        y = x\n"
        "    return np.sum(y * x)\n\n"
        "def g(x, k):\n"
        "    other = x * 2.0\n"
        "    if k > 0:\n"
        "        y = np.sin(other)\n"
        "    else:\n"
        "        y = x\n"
        "    return np.sum(y * x)\n",
        tmp_path,
    )
    clash = srcdiff.grad(module.f).source
    plain = srcdiff.grad(module.g).source
    assert "zeros_like_1(" in clash
    swap = {"zeros_like": "other", "dzeros_like": "dother", "zeros_like_1": "zeros_like"}
    renamed = re.sub(r"\b\w+\b", lambda m: swap.get(m.group(), m.group()), clash)
    renamed = re.sub(r"line \d+", "line N", renamed).replace("def df(", "def dg(")
    assert renamed == re.sub(r"line \d+", "line N", plain)
    x = np.array([0.5, -1.0, 2.0])
    for k in (1, -1):
        check_gradients(module.f, (x, k), (0,))


def test_copy_propagation_treats_a_user_constant_as_a_variable(tmp_path):
    # Once rewritten into ``5.0(x)``: the local's constant replaced the helper's name.
    module = load(
        "import numpy as np\n\n"
        "def f(x):\n"
        "    zeros_like = 5.0\n"
        "    s = 0.0\n"
        "    for i in range(3):\n"
        "        if i > 0:\n"
        "            s = s + np.sum(x * zeros_like) * i\n"
        "    return s\n",
        tmp_path,
    )
    x = np.array([0.5, -1.0, 2.0])
    check_gradients(module.f, (x,), (0,))
    assert "5.0(" not in generated(module.f, (0,))


# Names rules bring into generated code when they are inlined, each with an
# operation whose rule brings it.
TEMPLATE_NAMES = {
    "unreduce": "np.sum(x * a)",
    "reduced_size": "np.sum(np.mean(m * a, axis=0))",
    "tie_share": "np.max(x * a)",
    "prod_of_others": "np.prod(x * a)",
    "matmul_left": "np.sum(m @ x * a)",
    "matmul_right": "np.sum(x @ m.T * a)",
    "diagonal_scatter": "np.trace(m * a)",
}


@pytest.mark.parametrize("kind", ("global", "local", "none"))
@pytest.mark.parametrize("name", sorted(TEMPLATE_NAMES))
def test_names_inlined_rules_bring_in_hide_no_user_name(name, kind, tmp_path):
    expression = TEMPLATE_NAMES[name]
    body = {
        "global": f"    a = {name}(x)",
        "local": f"    {name} = 1.5\n    a = {name}",
        "none": "    a = 1.5",
    }[kind]
    helper = f"def {name}(v):\n    return 3.0 * v[0]\n\n" if kind == "global" else ""
    module = load(
        f"import numpy as np\n\n{helper}"
        f"def f(x):\n    m = np.outer(x, x) + 1.0\n{body}\n    return {expression}\n",
        tmp_path,
    )
    x = np.array([0.5, -1.0, 2.0])
    check_gradients(module.f, (x,), (0,))
    source = generated(module.f, (0,))
    if kind == "none":
        assert mentions(source, name) and not mentions(source, f"{name}_1")
    else:
        assert mentions(source, f"{name}_1"), source


# ---------------------------------------------------------------- builtins generated code calls


@pytest.mark.parametrize(
    "body",
    [
        # ``for a, b in zip(x, y)`` becomes ``for i in range(min(len(x), len(y)))``
        "    min = 0.5\n    len = 2.0\n    s = 0.0\n"
        "    for a, b in zip(x, y):\n        s = s + a * b * min * len\n    return s\n",
        "    range = 3.0\n    s = 0.0\n    for a in x:\n        s = s + np.sin(a) * range\n"
        "    return s + np.sum(y)\n",
        "    reversed = 2.0\n    z = x\n    for i in range(1, 3):\n"
        "        z = np.sin(z) * reversed * i\n    return np.sum(z * y)\n",
        # an index saved for the backward pass is built with ``slice(...)``
        "    slice = 2.0\n    k = 2\n    z = x * slice\n    z[0:k] = z[0:k] * z[1:k + 1]\n"
        "    return np.sum(z * y)\n",
    ],
    ids=["min-len", "range", "reversed", "slice"],
)
def test_a_local_named_like_a_builtin_generated_code_calls(body, tmp_path):
    module = load(f"import numpy as np\n\n\ndef f(x, y):\n{body}", tmp_path)
    x, y = np.array([0.5, -1.5, 2.5]), np.array([1.5, 2.0, -0.5])
    check_gradients(module.f, (x, y), (0, 1))
    name = body.split()[0]
    assert mentions(generated(module.f, (0,)), f"{name}_1")


def test_a_rules_helper_spelled_like_a_runtime_helper_keeps_its_meaning(rules, tmp_path):
    # The rule's module has its own ``zeros_like``; the adjoint also needs the runtime's.
    module = load(
        "import numpy as np\n\n\n"
        "def zeros_like(v):\n    return 3.0 * v * v\n\n\n"
        "def cube(v):\n    return v**3\n\n\n"
        "def cube_vjp(g, ans, v):\n    return (g * zeros_like(v),)\n\n\n"
        "def f(x, k):\n"
        "    y = x * 2.0\n"
        "    if k > 0:\n"
        "        y = cube(x)\n"
        "    return np.sum(y * x)\n",
        tmp_path,
    )
    srcdiff.register_vjp(module.cube, module.cube_vjp)
    x = np.array([0.5, -1.5, 2.5])
    for k in (1, -1):
        check_gradients(module.f, (x, k), (0,))
    # the runtime's zeros_like clears the gradient of y in the branch
    assert mentions(generated(module.f, (0,)), "zeros_like")


def _calls(*funcs):
    """``def f(x): func(x); ...`` as a gast tree."""
    tree = gast.parse("def f(x):\n    pass\n").body[0]
    tree.body = [
        gast.Expr(value=gast.Call(func=fn, args=[name_node("x")], keywords=[])) for fn in funcs
    ]
    return tree


def test_two_objects_spelled_alike_get_two_names():
    ours, numpys = runtime_name("zeros_like"), runtime_name("zeros_like", np.zeros_like)
    tree = _calls(ours, numpys)
    namespace = reserve_runtime_names(tree, {"x"}, lambda id: None, Namer({"f", "x"}), {})
    assert (ours.id, numpys.id) == ("zeros_like", "zeros_like_1")
    assert namespace == {"zeros_like": runtime.zeros_like, "zeros_like_1": np.zeros_like}


def test_a_global_the_user_reads_as_the_same_object_is_shared_and_read_live():
    numpy_copy = gast.Attribute(value=runtime_name("np"), attr="copy", ctx=gast.Load())
    tree = _calls(numpy_copy)
    namespace = reserve_runtime_names(tree, {"x", "np"}, {"np": np}.get, Namer({"f", "x"}), {})
    assert numpy_copy.value.id == "np" and namespace == {}  # the user's global np, read live
    other = gast.Attribute(value=runtime_name("np"), attr="copy", ctx=gast.Load())
    namespace = reserve_runtime_names(_calls(other), {"x", "np"}, {}.get, Namer({"f", "x"}), {})
    assert other.value.id == "np_1" and namespace == {"np_1": np}
