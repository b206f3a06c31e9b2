"""``scripts/mutants.py`` makes the one-token mutants it promises, and only those."""

import importlib.util
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("mutants", ROOT / "scripts" / "mutants.py")
mutants = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutants)

SOURCE = '''\
"""A docstring is left alone."""


def f(x, items):
    """So is this one."""
    y = x + 1
    y -= 2.0
    if x < 0 and y >= 1 or x is None:
        y = y * 3 / x
    while x != 0:
        x = x - 1
    return [i for i in items if i not in (True, False) and i == 0] if y > 0 else y; z = 1
'''


def descriptions(source):
    return [(m.line, m.description) for m in mutants.mutants_of("f.py", source)]


def test_every_kind_of_mutant_is_made_where_the_code_has_it():
    found = descriptions(SOURCE)
    expected = [
        (6, "'+' -> '-'"),
        (6, "1 -> 0"),
        (6, "statement replaced by pass"),
        (7, "'-=' -> '+='"),
        (7, "statement replaced by pass"),
        (8, "condition negated"),
        (8, "'and' -> 'or'"),
        (8, "'<' -> '<='"),
        (8, "0 -> 1"),
        (8, "'>=' -> '>'"),
        (8, "1 -> 0"),
        (8, "'or' -> 'and'"),
        (8, "'is' -> 'is not'"),
        (9, "'*' -> '/'"),
        (9, "'/' -> '*'"),
        (9, "statement replaced by pass"),
        (10, "condition negated"),
        (10, "'!=' -> '=='"),
        (10, "0 -> 1"),
        (11, "'-' -> '+'"),
        (11, "1 -> 0"),
        (11, "statement replaced by pass"),
        (12, "'not in' -> 'in'"),
        (12, "True -> False"),
        (12, "False -> True"),
        (12, "'and' -> 'or'"),
        (12, "'==' -> '!='"),
        (12, "0 -> 1"),
        (12, "condition negated"),
        (12, "'>' -> '>='"),
        (12, "0 -> 1"),
        (12, "1 -> 0"),
    ]
    assert sorted(found) == sorted(expected)


def test_each_mutant_changes_one_place_and_parses():
    original = SOURCE.splitlines()
    for mutant in mutants.mutants_of("f.py", SOURCE):
        changed = mutant.source.splitlines()
        assert len(changed) == len(original), mutant.description
        different = [i for i, (a, b) in enumerate(zip(original, changed)) if a != b]
        assert len(different) == 1 and different[0] + 1 == mutant.line, mutant
        assert mutant.parses()
        compile(mutant.source, "f.py", "exec")


def test_a_statement_sharing_its_line_is_not_dropped():
    source = "def f(x):\n    y = x; z = 1\n    return y\n"
    dropped = [m for m in mutants.mutants_of("f.py", source) if "pass" in m.description]
    assert [m.line for m in dropped] == [3]


def test_a_multiline_statement_is_dropped_whole():
    source = "def f(x):\n    y = g(\n        x,\n    )\n    return y\n"
    (mutant,) = [m for m in mutants.mutants_of("f.py", source) if m.line == 2]
    assert mutant.source == "def f(x):\n    pass\n    return y\n"


def test_the_sample_is_the_same_for_the_same_seed():
    every = mutants.all_mutants()
    assert len(every) > 1000
    first = random.Random(1).sample(every, 5)
    again = random.Random(1).sample(mutants.all_mutants(), 5)
    assert first == again
    assert all(m.path.startswith("srcdiff/") for m in every)


def test_the_listing_runs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "mutants.py"), "--list"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.rstrip().endswith(f"{len(mutants.all_mutants())} mutants")
