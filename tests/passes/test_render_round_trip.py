"""``render`` writes source that parses back to the tree it was given.

Generated code is read by users and compiled, so precedence, parentheses and
the odd corners of Python's grammar (an attribute of an integer literal, a
negative base under ``**``) must survive the trip tree -> source -> tree.
"""

import ast

import gast
import pytest

from srcdiff.static.render import render

SOURCES = [
    "y = (3).real + x",
    "y = 2.5.real * x",
    "y = (-1).bit_length()",
    "y = (-x) ** 2",
    "y = -x ** 2",
    "y = x ** -1",
    "y = 2 ** x ** 3",
    "y = (2 ** x) ** 3",
    "y = a - (b - c)",
    "y = a - b - c",
    "y = a / (b * c)",
    "y = (a / b) * c",
    "y = (a if b else c).T",
    "y = a if b else (c if d else e)",
    "y = (a if b else c) if d else e",
    "y = not (a and b) or c",
    "y = (a or b) and c",
    "y = (lambda t: t + 1)(x)",
    "y = x[1:, ::2, None][..., 0]",
    "y = (a, b)[0]",
    "y = [t * 2 for t in xs if t > 0]",
    "y = f(*args, k=1, **rest)",
    "y = (a @ b).sum(axis=0, keepdims=True)",
    "y = -(-x)",
    "y = a < b <= c != d",
    "y = (a < b) < c",
    "y = x.T @ (w + b)",
    "y = np.sum(x * x) if np.sum(x) > 0 else 0.0",
]


@pytest.mark.parametrize("source", SOURCES)
def test_rendered_source_parses_back_to_the_same_tree(source):
    rendered = render(gast.parse(source))
    assert ast.dump(ast.parse(rendered)) == ast.dump(ast.parse(source)), rendered


def test_a_function_renders_with_its_body_indented():
    source = "def f(x):\n    if x > 0:\n        return x\n    return -x\n"
    assert render(gast.parse(source)) == source
