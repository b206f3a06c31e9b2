"""Every refusal names the construct in the user's words, never a syntax-tree class name.

Each function below uses one construct the static mode refuses; its message
must start with ``FILE:LINE:`` of the construct, name it as the user would
("a 'with' block", "a set comprehension"), offer a way out, and contain no
``ast``/``gast`` class name ("With", "SetComp", "Lambda", ...).
"""

import ast
import re

import gast
import numpy as np
import pytest

import srcdiff
from srcdiff.static.constructs import describe
from tests.static.test_errors import _line_of

GLOBAL_SCALE = 2.0

# The CamelCase class names of Python's and gast's syntax trees.
NODE_NAMES = sorted(
    {
        name
        for module in (ast, gast)
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, ast.AST) and name[:1].isupper()
    }
)


def uses_with(x):
    with np.errstate(all="ignore"):
        y = x * 2.0
    return np.sum(y)


def uses_try(x):
    try:
        y = x * 2.0
    except ValueError:
        y = x
    return np.sum(y)


def uses_raise(x):
    if np.sum(x) > 100.0:
        raise ValueError("too big")
    return np.sum(x)


def uses_class(x):
    class Box:
        value = 1.0

    return np.sum(x * Box.value)


def uses_global(x):
    global GLOBAL_SCALE
    GLOBAL_SCALE = 3.0
    return np.sum(x * GLOBAL_SCALE)


def uses_del(x):
    y = x * 2.0
    del y
    return np.sum(x)


def uses_import(x):
    import math

    return np.sum(x) * math.pi


def uses_annotation(x):
    y: float = np.sum(x)
    return y


def uses_yield(x):
    yield np.sum(x)


def uses_walrus(x):
    return np.sum((y := x * 2.0) * y)


def uses_set_literal(x):
    return sum({x[0], x[1]})


def uses_set_comprehension(x):
    return sum({v * 2.0 for v in x})


def uses_dict_comprehension(x):
    return sum({i: v for i, v in enumerate(x)}.values())


def uses_generator_in_stack(x):
    return np.sum(np.stack(v * 2.0 for v in x))


def uses_for_else(x):
    total = 0.0
    for v in x:
        total = total + v
    else:
        total = total * 2.0
    return total


def uses_nonlocal(x):
    total = 0.0

    def add(v):
        nonlocal total
        total = total + v

    add(np.sum(x))
    return total


def passes_nested_function(x):
    def square(v):
        return v * v

    return np.sum(np.vectorize(square)(x))


def decorated_nested_function(x):
    @np.vectorize
    def square(v):
        return v * v

    return np.sum(square(x))


def nested_function_with_star_args(x):
    def total(*vs):
        return sum(vs)

    return total(x[0], x[1])


def nested_function_calls_itself(x):
    def power(v, n):
        if n == 0:
            return 1.0
        return v * power(v, n - 1)

    return np.sum(power(x, 3))


def return_inside_nested_loop(x):
    def first_positive(vs):
        for v in vs:
            if v > 0:
                return v
        return 0.0

    return first_positive(x)


def call_before_definition(x):
    y = half(x)  # noqa: F821

    def half(v):
        return v * 0.5

    return np.sum(y)


def call_after_a_branch_that_defines(x):
    if x[0] > 0:

        def half(v):
            return v * 0.5

    return np.sum(half(x))


def generator_in_lambda(x):
    return np.sum(np.apply_along_axis(lambda row: sum(v for v in row), 0, x))


CONSTRUCTS = [
    (uses_with, "with np.errstate", "a 'with' block"),
    (uses_try, "try:", "a 'try' statement"),
    (uses_raise, "raise ValueError", "a 'raise' statement"),
    (uses_class, "class Box", "a class definition"),
    (uses_global, "global GLOBAL_SCALE", "a 'global' statement"),
    (uses_del, "del y", "a 'del' statement"),
    (uses_import, "import math", "an import inside the function"),
    (uses_annotation, "y: float", "an annotated assignment"),
    (uses_yield, "yield np", "'yield'"),
    (uses_walrus, ":=", "an assignment expression"),
    (uses_set_literal, "sum({x[0]", "a set literal"),
    (uses_set_comprehension, "for v in x", "a set comprehension"),
    (uses_dict_comprehension, "for i, v in", "a dict comprehension"),
    (
        uses_generator_in_stack,
        "np.stack(v",
        "a generator expression other than the argument of sum()",
    ),
    (uses_for_else, "for v in x", "a for-else clause"),
    (uses_nonlocal, "nonlocal total", "'nonlocal' in the nested function 'add'"),
    (passes_nested_function, "np.vectorize(square)", "the nested function 'square' used other"),
    (decorated_nested_function, "def square", "a decorated nested function ('square')"),
    (nested_function_with_star_args, "def total", "a nested function taking *args"),
    (nested_function_calls_itself, "v * power", "the nested function 'power' calling itself"),
    (return_inside_nested_loop, "return v", "a 'return' inside a loop of the nested function"),
    (
        call_before_definition,
        "y = half(x)",
        "a call of the nested function 'half' where its 'def' may not have run",
    ),
    (call_after_a_branch_that_defines, "return np.sum(half", "where its 'def' may not have run"),
    (generator_in_lambda, "lambda row", "inside a lambda"),
]


@pytest.mark.parametrize(
    "fn, text, words", CONSTRUCTS, ids=[fn.__name__ for fn, _, _ in CONSTRUCTS]
)
def test_refusal_names_the_construct_in_words(fn, text, words):
    with pytest.raises(srcdiff.UnsupportedSyntax) as info:
        srcdiff.grad(fn)(np.array([0.5, -1.0, 2.0]))
    message = str(info.value)
    assert message.startswith(f"{__file__}:{_line_of(fn, text)}:"), message
    assert words in message, message
    assert 'mode="trace"' in message or "instead" in message, message
    named = [n for n in NODE_NAMES if re.search(rf"\b{n}\b", message)]
    assert not named, f"{message!r} names {named}"


@pytest.mark.parametrize("kind", [getattr(gast, n) for n in NODE_NAMES if hasattr(gast, n)])
def test_every_syntax_class_is_described_in_words(kind):
    words = describe(kind.__new__(kind))
    assert not any(re.search(rf"\b{n}\b", words) for n in NODE_NAMES), words
    assert words[:1].islower() or words[:1] == "'", words


def test_dict_literal_is_called_a_dict_literal():
    assert describe(gast.Dict(keys=[], values=[])) == "a dict literal"
    assert describe(gast.Lambda(args=None, body=None)) == "a lambda"
    assert describe(gast.Starred(value=None, ctx=gast.Load())) == "a starred expression ('*x')"
