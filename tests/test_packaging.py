"""What the package ships besides code: its version, type hints and py.typed."""

import importlib.metadata
import inspect
import pathlib

import srcdiff

ROOT = pathlib.Path(srcdiff.__file__).parent.parent


def test_version_comes_from_the_package_metadata():
    assert srcdiff.__version__ == importlib.metadata.version("srcdiff")
    version_line = next(
        line
        for line in (ROOT / "pyproject.toml").read_text().splitlines()
        if line.startswith("version")
    )
    assert version_line == f'version = "{srcdiff.__version__}"'


def test_py_typed_is_shipped():
    assert (ROOT / "srcdiff" / "py.typed").is_file()
    assert (
        '[tool.setuptools.package-data]\nsrcdiff = ["py.typed"]\n'
        in (ROOT / "pyproject.toml").read_text()
    )


def test_the_public_functions_are_annotated():
    for fn in (
        srcdiff.grad,
        srcdiff.value_and_grad,
        srcdiff.vjp,
        srcdiff.jvp,
        srcdiff.check_grads,
        srcdiff.check_rule,
        srcdiff.tree_map,
        srcdiff.export,
        srcdiff.register_vjp,
        srcdiff.register_jvp,
        srcdiff.nondifferentiable,
    ):
        signature = inspect.signature(fn)
        missing = [
            name
            for name, p in signature.parameters.items()
            if p.annotation is inspect.Parameter.empty
        ]
        assert not missing, f"{fn.__name__}: {missing} not annotated"
        assert signature.return_annotation is not inspect.Parameter.empty, fn.__name__
