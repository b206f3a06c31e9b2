"""Errors of the static mode: exact types, ``FILE:LINE:`` prefixes, helpful messages.

SPEC §1 "Errors" and §4: an ``UnsupportedSyntax`` message starts with the
real file path and the real line of the offending statement; a
``DifferentiationError`` names what went wrong; no input makes srcdiff fail
with an internal exception or return a silently wrong gradient.
"""

import inspect
import re

import numpy as np
import pytest

import srcdiff

GLOBAL_SCALE = 2.0


def uses_with(x):
    y = x * 2.0
    with np.errstate(all="ignore"):
        y = np.log(y)
    return y


def uses_try(x):
    try:
        y = np.log(x)
    except ValueError:
        y = x
    return y


def uses_yield(x):
    y = x * 2.0
    yield y


def uses_class(x):
    class Box:
        value = 1.0

    return x * Box.value


def uses_global(x):
    global GLOBAL_SCALE
    GLOBAL_SCALE = 3.0
    return x * GLOBAL_SCALE


def lambda_with_gradient(x):
    scale = lambda z: z * x  # noqa: E731
    return scale(2.0)


def set_comprehension(x):
    ys = {v * 2.0 for v in x}
    return sum(ys)


def assigns_into_input(x):
    x[0] = 1.0
    return np.sum(x * x)


def augments_into_input(x):
    x[0] += 1.0
    return np.sum(x * x)


def vector_output(x):
    return x * 2.0


def matrix_output(x):
    return np.outer(x, x)


def two_args(x, y):
    return np.sum(x * y)


def uses_fft(x):
    return np.sum(np.abs(np.fft.fft(x)))


def unknown_method(x):
    return x.ptp()


def times_two(x):
    return x * 2


def ignores_second(x, s):
    return np.sum(x * 2.0)


def _line_of(fn, text):
    """The file line number of the first line of ``fn`` containing ``text``."""
    lines, first = inspect.getsourcelines(fn)
    for offset, line in enumerate(lines):
        if text in line:
            return first + offset
    raise AssertionError(f"{text!r} is not in {fn.__name__}")


UNSUPPORTED = [
    (uses_with, "with np.errstate", "with"),
    (uses_try, "try:", "try"),
    (uses_yield, "yield y", "yield"),
    (uses_class, "class Box", "class"),
    (uses_global, "global GLOBAL_SCALE", "global"),
    (set_comprehension, "for v in x", "a set comprehension"),
]


@pytest.mark.parametrize(
    "fn, text, construct", UNSUPPORTED, ids=[construct for _, _, construct in UNSUPPORTED]
)
def test_unsupported_syntax_names_file_line_and_construct(fn, text, construct):
    with pytest.raises(srcdiff.UnsupportedSyntax) as info:
        srcdiff.grad(fn)
    message = str(info.value)
    prefix = f"{__file__}:{_line_of(fn, text)}:"
    assert message.startswith(prefix), f"{message!r} should start with {prefix!r}"
    assert construct in message
    assert 'mode="trace"' in message or "use a" in message


def test_unsupported_syntax_is_a_srcdiff_error():
    with pytest.raises(srcdiff.SrcdiffError):
        srcdiff.grad(uses_with)
    assert issubclass(srcdiff.UnsupportedSyntax, srcdiff.SrcdiffError)
    assert issubclass(srcdiff.DifferentiationError, srcdiff.SrcdiffError)


def test_lambda_carrying_a_gradient_raises_or_is_right():
    """``scale(2.0)`` is ``2 * x``: UnsupportedSyntax at the lambda, or gradient 2."""
    try:
        df = srcdiff.grad(lambda_with_gradient)
    except srcdiff.UnsupportedSyntax as e:
        assert str(e).startswith(f"{__file__}:{_line_of(lambda_with_gradient, 'lambda z')}:")
        assert "lambda" in str(e)
        return
    assert df(3.0) == pytest.approx(2.0)


@pytest.mark.parametrize(
    "fn, expected",
    [
        (assigns_into_input, lambda x: np.r_[0.0, 2 * x[1:]]),
        (augments_into_input, lambda x: np.r_[2 * (x[0] + 1.0), 2 * x[1:]]),
    ],
    ids=["assign", "augmented"],
)
def test_assignment_into_an_input_raises_or_is_right(fn, expected):
    """SPEC §4: UnsupportedSyntax at the line, or the correct gradient."""
    x = np.array([0.5, -1.5, 2.0])
    try:
        df = srcdiff.grad(fn)
    except srcdiff.UnsupportedSyntax as e:
        assert str(e).startswith(f"{__file__}:{_line_of(fn, 'x[0]')}:")
        assert "copy" in str(e)
        return
    np.testing.assert_allclose(df(x.copy()), expected(x))


@pytest.mark.parametrize(
    "fn, x, shape",
    [(vector_output, np.ones(3), (3,)), (matrix_output, np.ones(2), (2, 2))],
    ids=["vector", "matrix"],
)
def test_non_scalar_output_under_grad(fn, x, shape):
    with pytest.raises(srcdiff.DifferentiationError) as info:
        srcdiff.grad(fn)(x)
    message = str(info.value)
    assert str(shape) in message
    assert "vjp" in message and "seed" in message


def test_non_scalar_output_with_vjp_and_no_seed():
    with pytest.raises(srcdiff.DifferentiationError, match=r"\(3,\).*vjp"):
        srcdiff.vjp(vector_output)(np.ones(3))


def test_seed_of_the_wrong_shape():
    with pytest.raises(srcdiff.DifferentiationError, match=re.escape("(3,)")):
        srcdiff.vjp(vector_output)(np.ones(3), seed=np.ones(4))


@pytest.mark.parametrize("wrt", [2, -3, 10, (0, 5)])
def test_wrt_out_of_range(wrt):
    with pytest.raises(srcdiff.DifferentiationError) as info:
        srcdiff.grad(two_args, wrt=wrt)
    assert "out of range" in str(info.value)
    assert "two_args" in str(info.value)


@pytest.mark.parametrize("wrt", ["z", ("x", "nope")])
def test_wrt_naming_no_argument(wrt):
    with pytest.raises(srcdiff.DifferentiationError) as info:
        srcdiff.grad(two_args, wrt=wrt)
    assert "names no argument" in str(info.value)
    assert "x, y" in str(info.value)


@pytest.mark.parametrize("wrt", [1.5, None, True, (), [0]])
def test_wrt_of_the_wrong_type(wrt):
    with pytest.raises(srcdiff.DifferentiationError):
        srcdiff.grad(two_args, wrt=wrt)


def test_call_with_no_rule_names_the_function_and_the_line():
    with pytest.raises(srcdiff.DifferentiationError) as info:
        srcdiff.grad(uses_fft)
    message = str(info.value)
    assert message.startswith(f"{__file__}:{_line_of(uses_fft, 'np.fft.fft')}:")
    assert "fft" in message and "register_vjp" in message


def test_unknown_method_names_the_method_and_the_line():
    with pytest.raises(srcdiff.DifferentiationError) as info:
        srcdiff.grad(unknown_method)
    message = str(info.value)
    assert message.startswith(f"{__file__}:{_line_of(unknown_method, 'ptp')}:")
    assert "ptp" in message


@pytest.mark.parametrize("value", ["abc", None, object()], ids=["str", "None", "object"])
def test_non_float_argument_in_wrt(value):
    """SPEC §1: a non-float argument in ``wrt`` is a DifferentiationError, not a zero."""
    with pytest.raises(srcdiff.DifferentiationError):
        srcdiff.grad(ignores_second, wrt=1)(np.ones(2), value)


def test_string_as_the_differentiated_argument():
    """``"abc" * 2`` runs, but a string has no gradient."""
    with pytest.raises(srcdiff.DifferentiationError):
        srcdiff.grad(times_two)("abc")


def test_not_a_function():
    with pytest.raises(srcdiff.DifferentiationError):
        srcdiff.grad(42)


def test_builtin_without_source():
    with pytest.raises(srcdiff.DifferentiationError, match="register_vjp|trace"):
        srcdiff.grad(np.sin)


def test_unknown_mode():
    with pytest.raises(srcdiff.DifferentiationError, match="mode"):
        srcdiff.grad(two_args, mode="forward-ish")


def test_errors_are_never_internal():
    """Each bad use raises a SrcdiffError, never a KeyError/TypeError from inside."""
    attempts = [
        lambda: srcdiff.grad(two_args, wrt=7),
        lambda: srcdiff.grad(two_args, wrt="w"),
        lambda: srcdiff.grad(two_args, wrt=2.0),
        lambda: srcdiff.grad(vector_output)(np.ones(3)),
        lambda: srcdiff.grad(uses_fft),
        lambda: srcdiff.grad(unknown_method),
        lambda: srcdiff.grad(uses_with),
        lambda: srcdiff.grad(set_comprehension),
        lambda: srcdiff.grad(ignores_second, wrt=1)(np.ones(2), "abc"),
    ]
    for attempt in attempts:
        with pytest.raises(srcdiff.SrcdiffError):
            attempt()


def star_args(*xs):
    return sum(x * x for x in xs)


def test_wrt_into_star_args_points_to_the_trace_mode():
    with pytest.raises(srcdiff.DifferentiationError, match='mode="trace"'):
        srcdiff.grad(star_args)
    np.testing.assert_allclose(srcdiff.grad(star_args, mode="trace")(3.0, 4.0), 6.0)
