"""The pytest plugin: ``adjoint_snapshot`` and ``srcdiff.testing.assert_grads``.

Each test runs a small test file through pytest's ``pytester``.  The plugin is
loaded by module name (``-p srcdiff.pytest_plugin``) and its entry-point name
blocked (``-p no:srcdiff``), so the tests run the same whether or not the
installed metadata already registers it.
"""

import pathlib

import pytest

pytest_plugins = ("pytester",)

PLUGIN = ("-p", "no:srcdiff", "-p", "srcdiff.pytest_plugin")

TEST_FILE = """
import numpy as np
import srcdiff


def loss(w, x):
    return np.sum(np.tanh(x @ w) ** 2)


def test_loss(adjoint_snapshot):
    adjoint_snapshot(srcdiff.grad(loss))
"""


@pytest.fixture
def snapshot_test(pytester):
    pytester.makepyfile(test_model=TEST_FILE)
    return pytester


def snapshot(pytester):
    return pytester.path / "__snapshots__" / "test_model" / "test_loss.txt"


def test_the_entry_point_is_declared():
    pyproject = pathlib.Path(__file__).parent.parent / "pyproject.toml"
    declared = '[project.entry-points.pytest11]\nsrcdiff = "srcdiff.pytest_plugin"\n'
    assert declared in pyproject.read_text()


def test_create_pass_fail_with_a_diff_update(snapshot_test):
    # The first run writes the snapshot and says so.
    result = snapshot_test.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*srcdiff adjoint snapshots*", "created *test_loss.txt"])
    path = snapshot(snapshot_test)
    text = path.read_text()
    assert text.startswith("def dloss(w, x):\n")
    assert "# grad of line 6: return np.sum(np.tanh(x @ w) ** 2)" in text
    # Unchanged: passes, writes nothing.
    result = snapshot_test.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1)
    assert "created" not in result.stdout.str() and path.read_text() == text
    # Changed: fails with a unified diff and the way to accept it.
    path.write_text(text.replace("np.tanh", "np.sinh"))
    result = snapshot_test.runpytest(*PLUGIN)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*the generated code differs from the snapshot test_loss.txt "
            "(pytest --srcdiff-update accepts it):",
            "*--- __snapshots__/test_model/test_loss.txt",
            "*+++ generated now",
            "*-    result_2 = np.sinh(result_3)",
            "*+    result_2 = np.tanh(result_3)",
        ]
    )
    # --srcdiff-update rewrites it, and the next plain run passes.
    result = snapshot_test.runpytest(*PLUGIN, "--srcdiff-update")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["updated *test_loss.txt"])
    assert path.read_text() == text
    snapshot_test.runpytest(*PLUGIN).assert_outcomes(passed=1)


def test_helpers_parameters_and_several_snapshots_per_test(pytester):
    pytester.makepyfile(
        test_helpers="""
        import numpy as np
        import pytest
        import srcdiff


        def inner(x):
            return np.sin(x)


        def outer(x):
            return np.sum(inner(x) * x)


        @pytest.mark.parametrize("wrt", [0])
        def test_two(adjoint_snapshot, wrt):
            adjoint_snapshot(srcdiff.grad(outer, wrt=wrt))
            adjoint_snapshot(srcdiff.grad(inner))
            with pytest.raises(TypeError, match="pass a static gradient"):
                adjoint_snapshot(srcdiff.grad(outer, mode="trace"))


        class TestModel:
            def test_two(self, adjoint_snapshot):
                adjoint_snapshot(srcdiff.grad(inner))
        """
    )
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=2)
    folder = pytester.path / "__snapshots__" / "test_helpers"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["TestModel-test_two.txt", "test_two-0.txt", "test_two-0_2.txt"]
    assert (
        "# adjoint of the helper inner\ndef inner_forward(x):"
        in (folder / "test_two-0.txt").read_text()
    )


def test_assert_grads_reports_the_worst_element_per_mode(pytester):
    pytester.makepyfile(
        test_grads="""
        import numpy as np
        import srcdiff
        from srcdiff.testing import assert_grads


        def kink(x):
            return np.sum(x * x)


        srcdiff.register_vjp(kink, lambda g, ans, x: (g * 2 * x + (x > 1.5),))


        def loss(x):
            return kink(x) * 3.0


        def test_good():
            assert_grads(loss, np.array([0.5, 1.0]))


        def test_bad():
            assert_grads(loss, np.array([[0.5, 1.0], [2.0, 0.25]]))
        """
    )
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            ">       assert_grads(loss, np.array([[0.5, 1.0], [2.0, 0.25]]))",
            "E   *AssertionError: the gradient of loss with respect to 0 is wrong in 2 of 2 modes"
            " (rtol=1e-05, atol=1e-07):",
            "E   *static: static mode vs finite differences, argument 0: worst element (1, 0): "
            "got 13.0, expected 12.0*",
            "E   *trace:  trace mode vs finite differences, argument 0: worst element (1, 0): "
            "got 13.0, expected 12.0*",
        ]
    )
