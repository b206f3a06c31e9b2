"""Property-based search for silently wrong gradients.

Hypothesis writes small random user-style programs as Python source text (see
``fuzz_programs.py`` for what they contain), each is written to a real file
(the static compiler reads source) and imported, and its vector-Jacobian
product in each mode is checked against central finite differences along a
random direction, and the two modes against each other.  A failing example
prints the program's source.  ``scripts/fuzz.py`` runs the same writer over
thousands of programs, outside the suite's time budget.
"""

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from tests.static.fuzz_expressions import DrawnChoices
from tests.static.fuzz_programs import examine_both, write_program


@st.composite
def programs(draw, kind="control", helper=False, alias=False):
    """One random :class:`fuzz_programs.Program`."""
    return write_program(DrawnChoices(draw), kind, helper=helper, alias=alias)


def check_program(program, tmp_path):
    """Both modes agree with finite differences; the failure message prints the program."""
    outcomes = examine_both(program, tmp_path)
    assert outcomes["static"].verdict != "invalid", (
        f"the writer made a program that fails: {outcomes['static'].detail}\n{program.source}"
    )
    assume(all(o.verdict != "filtered" for o in outcomes.values()))
    for mode, outcome in outcomes.items():
        assert outcome.verdict == "ok", (
            f"{mode} mode, {outcome.verdict}: {outcome.detail}\n{program.source}\n"
            f"wrt={program.wrt} seed={program.seed}"
        )


# No shrinking: a failing program shrinks for minutes; the failure message
# prints the program, and tests/static/test_fuzz_regressions.py keeps each
# bug's reproduction, reduced by hand.
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(programs(kind="straight"))
def test_straight_line_programs(tmp_path, program):
    check_program(program, tmp_path)


@SETTINGS
@given(programs(kind="control"))
def test_control_flow_programs(tmp_path, program):
    check_program(program, tmp_path)


@SETTINGS
@given(programs(kind="control", helper=True))
def test_programs_with_a_helper(tmp_path, program):
    check_program(program, tmp_path)


@SETTINGS
@given(programs(kind="stores"))
def test_programs_that_store_into_arrays(tmp_path, program):
    check_program(program, tmp_path)


@SETTINGS
@given(programs(kind="loops"))
def test_programs_with_loops_that_cannot_be_walked_backwards(tmp_path, program):
    check_program(program, tmp_path)


@SETTINGS
@given(programs(kind="tables"))
def test_programs_with_loops_reading_arrays_by_index(tmp_path, program):
    check_program(program, tmp_path)


@SETTINGS
@given(programs(kind="syntax"))
def test_programs_with_comprehensions_and_nested_helpers(tmp_path, program):
    check_program(program, tmp_path)
