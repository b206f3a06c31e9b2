"""The README's rule list is the rule table, written out; and its autograd count is measured.

The block between the ``rule table`` markers of README.md must equal
``rule_list()``, built from ``srcdiff.rules``: one line per family (rule
module), the NumPy functions with a VJP rule in it, then those declared to
carry no gradient.  ``SRCDIFF_UPDATE_GOLDEN=1`` rewrites the block.
"""

import os
import pathlib
import re

import numpy as np

import srcdiff.rules
from srcdiff.rules import registry
from tests.rules.test_autograd_coverage import coverage

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
START = "<!-- rule table: generated from srcdiff/rules by tests/rules/test_readme_rules.py -->\n"
END = "<!-- end of the rule table -->\n"


def numpy_name(fn):
    """``exp``, ``linalg.svd``, ``ndarray.take``; None for Python's own functions."""
    if isinstance(fn, np.ufunc):
        return fn.__name__
    module = getattr(fn, "__module__", None) or ""
    qualname = getattr(fn, "__qualname__", "")
    if qualname.startswith("ndarray."):
        return qualname
    if module.startswith("numpy.linalg"):
        return f"linalg.{fn.__name__}"
    if module.startswith("numpy"):
        return fn.__name__
    return None


def _words(names):
    return " ".join(f"`{name}`" for name in sorted(set(names), key=str.lower))


def rule_list():
    """The README's block: each family's NumPy functions, then the ones without gradient."""
    families = {}
    for fn, rule in registry._VJPS.items():
        name = numpy_name(fn)
        if name is not None and rule.__module__.startswith("srcdiff.rules."):
            family = rule.__module__.removeprefix("srcdiff.rules.").replace("_", " ")
            families.setdefault(family, []).append(name)
    lines = [f"- **{family}**: {_words(families[family])}\n" for family in sorted(families)]
    quiet = [numpy_name(fn) for fn in registry._NONDIFFERENTIABLE]
    lines.append(f"- **no gradient**: {_words(n for n in quiet if n)}\n")
    return "".join(lines)


def _block(text):
    match = re.search(re.escape(START) + "(.*?)" + re.escape(END), text, re.S)
    assert match, "README.md has no rule table block"
    return match


def test_readme_rule_list_is_the_rule_table():
    text = README.read_text()
    block = _block(text)
    expected = rule_list()
    if os.environ.get("SRCDIFF_UPDATE_GOLDEN") and block.group(1) != expected:
        README.write_text(text[: block.start(1)] + expected + text[block.end(1) :])
        text = README.read_text()
        block = _block(text)
    assert block.group(1) == expected, "run with SRCDIFF_UPDATE_GOLDEN=1 to rewrite it"


def test_readme_states_the_measured_autograd_coverage():
    n, total = coverage()
    words = " ".join(README.read_text().split())
    assert f"{n} of the {total} NumPy functions HIPS autograd 1.9" in words


def test_the_rule_table_is_imported_with_the_package():
    assert registry.vjp_rule(np.convolve) is not None
    assert srcdiff.rules.vjp_rule is registry.vjp_rule
