"""Property-based search for silently wrong forward-mode derivatives.

The random programs of ``fuzz_programs.py`` (branches, loops, item
assignment, helpers) go through ``srcdiff.jvp``; each result is checked
against the static vjp of the same program with the dot-product test
``<v, J t> == <J^T v, t>``, and the vjp against finite differences as in
``test_fuzz.py``.  A failing example prints the program's source.
"""

import numpy as np
from hypothesis import assume, given, settings

import srcdiff
from tests.gradcheck import _inner
from tests.static.fuzz_programs import examine, inputs, load
from tests.static.test_fuzz import SETTINGS, programs


def check_forward(program, tmp_path):
    reverse = examine(program, tmp_path, "static")
    assume(reverse.verdict == "ok")
    f = load(program.source, tmp_path)
    args = inputs(program.shapes, program.seed)
    rng = np.random.default_rng(program.seed + 1)
    tangents = tuple(rng.standard_normal(np.shape(args[i])) for i in program.wrt)
    tangents = tuple(
        float(t) if isinstance(args[i], float) else t for i, t in zip(program.wrt, tangents)
    )
    value, tangent = srcdiff.jvp(f, wrt=program.wrt)(*args, tangent=tangents)
    expected = f(*args)
    assert np.shape(tangent) == np.shape(expected), program.source
    v = rng.standard_normal(np.shape(expected))
    cotangents = srcdiff.vjp(f, wrt=program.wrt)(*args, seed=v)
    left, right = _inner(v, tangent), _inner(cotangents, tangents)
    assert abs(left - right) <= 1e-7 * max(1.0, abs(left), abs(right)), (
        f"<v, J t> = {left!r} but <J^T v, t> = {right!r}\n{program.source}\nwrt={program.wrt}"
    )


FEWER = settings(SETTINGS, max_examples=10)  # each program also runs through the vjp


@FEWER
@given(programs(kind="control"))
def test_control_flow_programs(tmp_path, program):
    check_forward(program, tmp_path)


@FEWER
@given(programs(kind="stores"))
def test_programs_that_write_into_arrays(tmp_path, program):
    check_forward(program, tmp_path)


@FEWER
@given(programs(kind="loops", helper=True))
def test_loops_calling_a_helper(tmp_path, program):
    check_forward(program, tmp_path)
