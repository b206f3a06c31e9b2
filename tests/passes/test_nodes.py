"""static/nodes.py: walking and converting trees give what ast and gast give."""

import ast
import pathlib

import gast
import numpy as np
import pytest

import srcdiff
from srcdiff.static.nodes import to_ast, to_gast, walk

SOURCES = sorted(pathlib.Path(srcdiff.__file__).parent.rglob("*.py"))

CONSTRUCTS = """
class Point:
    def __init__(self, x: float, *rest, scale=2.0, **options) -> None:
        self.x = x

async def fetch(session):
    async with session as s:
        async for item in s:
            yield item

def body(x, /, y, *, z=1):
    global counter
    f = lambda a, b=2, *c, d, **e: a + b
    try:
        v = [i for i in range(3) if i] + list({k: v for k, v in x.items()})
    except (KeyError, ValueError) as error:
        raise RuntimeError("no") from error
    finally:
        del y
    with open("f") as handle, open("g"):
        pass
    match x:
        case [1, *others]:
            pass
        case {"a": 1, **kw}:
            pass
        case Point(x=0) | None:
            pass
    return f"{x!r:>{z}}", x[1:2, ::3], (w := 3), not -x, b"bytes", ..., 1j
"""


def _dump(tree):
    return ast.dump(tree, include_attributes=True)


def _trees():
    for path in SOURCES:
        yield path.name, ast.parse(path.read_text())
    yield "constructs", ast.parse(CONSTRUCTS)


@pytest.mark.parametrize(("label", "tree"), list(_trees()), ids=lambda v: str(v)[:30])
def test_conversions_equal_gasts_own(label, tree):
    expected = gast.ast_to_gast(tree)
    converted = to_gast(tree)
    assert gast.dump(converted, include_attributes=True) == gast.dump(
        expected, include_attributes=True
    )
    assert _dump(to_ast(expected)) == _dump(gast.gast_to_ast(expected))
    # The same attributes on every node, not only the same values.
    pairs = zip(ast.walk(to_ast(expected)), ast.walk(gast.gast_to_ast(expected)))
    assert all(vars(a).keys() == vars(b).keys() for a, b in pairs)


@pytest.mark.parametrize(("label", "tree"), list(_trees()), ids=lambda v: str(v)[:30])
def test_walk_yields_ast_walks_nodes_in_its_order(label, tree):
    for t in (tree, gast.ast_to_gast(tree)):
        mine, theirs = list(walk(t)), list(ast.walk(t))
        assert len(mine) == len(theirs)
        assert all(a is b for a, b in zip(mine, theirs))


def test_walk_of_a_generated_adjoint_is_ast_walks():
    def f(x):
        y = np.sin(x) * 2
        for i in range(3):
            y = y + x[i]
        return np.sum(y)

    generated = to_gast(ast.parse(srcdiff.grad(f).source))
    assert all(a is b for a, b in zip(walk(generated), ast.walk(generated), strict=True))
