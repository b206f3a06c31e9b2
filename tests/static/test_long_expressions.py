"""Long expressions compile: at least as long as Python itself compiles.

The passes recurse over expression trees; while a function is compiled the
recursion limit is raised, and restored afterwards (in every thread's view);
a function nested too deeply even then is refused at its line.
"""

import importlib.util
import sys
import threading

import numpy as np
import pytest

import srcdiff
from tests.numeric import assert_grad_right


def load(tmp_path, name, body):
    """A function ``f`` defined in a file of its own, so its source can be read."""
    path = tmp_path / f"{name}.py"
    path.write_text(f"import numpy as np\n\n\ndef f(x):\n{body}")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f, str(path)


def chain(terms):
    return "    return np.sum(x * 1.0 + " + " + ".join(["x * 0.5"] * (terms - 1)) + ")\n"


@pytest.mark.parametrize("terms", [240, 1000])
def test_a_long_chain_is_differentiated(tmp_path, terms):
    limit = sys.getrecursionlimit()
    f, _ = load(tmp_path, f"chain_{terms}", chain(terms))
    x = np.array([0.5, -1.5])
    np.testing.assert_allclose(srcdiff.grad(f)(x), np.full(2, 1.0 + 0.5 * (terms - 1)))
    assert sys.getrecursionlimit() == limit


def test_a_long_chain_matches_finite_differences_and_the_trace_mode(tmp_path):
    f, _ = load(
        tmp_path,
        "mixed_chain",
        "    y = x * 1.0\n" + chain(400).replace("x * 0.5", "np.sin(y) * x"),
    )
    assert_grad_right(f, (np.array([0.5, -1.5, 2.0]),))


def test_a_chain_deeper_than_the_compiler_allows_is_refused_at_its_line(tmp_path):
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)  # so that Python compiles the test's function
    try:
        f, path = load(tmp_path, "too_deep", "    y = x * 2.0\n" + chain(8000))
    finally:
        sys.setrecursionlimit(limit)
    with pytest.raises(srcdiff.UnsupportedSyntax) as info:
        srcdiff.grad(f)
    assert str(info.value).startswith(f"{path}:6: an expression nested too deeply")
    assert 'mode="trace"' in str(info.value)
    assert sys.getrecursionlimit() == limit


def test_compilations_in_threads_restore_the_limit(tmp_path):
    limit = sys.getrecursionlimit()
    functions = [load(tmp_path, f"threaded_{i}", chain(300))[0] for i in range(4)]
    results = [None] * len(functions)

    def compile_one(i):
        results[i] = srcdiff.grad(functions[i])(np.ones(2))

    threads = [threading.Thread(target=compile_one, args=(i,)) for i in range(len(functions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        np.testing.assert_allclose(result, np.full(2, 1.0 + 0.5 * 299))
    assert sys.getrecursionlimit() == limit
