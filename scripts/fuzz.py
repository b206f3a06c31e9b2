"""Run thousands of random programs through both modes, outside the test suite.

Each program comes from the writer of ``tests/static/fuzz_programs.py`` with
a seeded ``random.Random`` (program number ``n`` of a run started with
``--seed s`` uses seed ``s + n``, so any failure is reproduced with
``--seed s+n --count 1 --show``).  Each is checked in the static and the trace
mode against central finite differences (float64); the trace mode also
against the static mode.  Programs where finite differences cannot judge
(huge values or derivatives, unstable differences) are filtered, not counted.

    python scripts/fuzz.py --count 3000 --jobs 2
"""

import argparse
import dataclasses
import os
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.static.fuzz_expressions import SeededChoices  # noqa: E402
from tests.static.fuzz_programs import FEATURES, examine_both, write_program  # noqa: E402

KINDS = sorted(FEATURES)


def program_for(seed):
    """The program of one seed: its kind, and whether it has a helper, come from the seed."""
    rng = random.Random(seed)
    kind = KINDS[seed % len(KINDS)]
    return write_program(SeededChoices(rng), kind, helper=rng.random() < 0.3)


IN_PLACE = re.compile(r"^(\s*)([\w\[\]:, -]+?) ([-+*/])= (.*)$", re.MULTILINE)


def spelled_out(source):
    """``source`` with every ``a op= b`` written ``a = a op (b)``."""
    return IN_PLACE.sub(r"\1\2 = \2 \3 (\4)", source)


def run_one(seed):
    program = program_for(seed)
    with tempfile.TemporaryDirectory() as folder:
        try:
            outcomes = examine_both(program, Path(folder))
            summary = {mode: (o.verdict, o.detail) for mode, o in outcomes.items()}
            for mode, (verdict, detail) in summary.items():
                if verdict == "wrong" and spelled_out(program.source) != program.source:
                    other = dataclasses.replace(program, source=spelled_out(program.source))
                    if examine_both(other, Path(folder))[mode].verdict == "ok":
                        note = " [right once every 'a op= b' is written 'a = a op b']"
                        summary[mode] = (verdict, detail + note)
        except Exception:  # noqa: BLE001 - a crash of the checker itself is reported too
            return seed, {"checker": ("crashed", traceback.format_exc())}, program.source
    return seed, summary, program.source


def block_end(lines, i):
    """The index after line ``i`` and the lines indented under it."""
    indent = len(lines[i]) - len(lines[i].lstrip())
    j = i + 1
    while j < len(lines) and (
        not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
    ):
        j += 1
    return j


def reduce(program, mode, verdict):
    """Delete lines (a compound statement with its body) while ``mode`` still gives ``verdict``."""

    def still_fails(source):
        try:
            compile(source, "<program>", "exec")
        except SyntaxError:
            return False
        candidate = dataclasses.replace(program, source=source)
        with tempfile.TemporaryDirectory() as folder:
            try:
                outcomes = examine_both(candidate, Path(folder))
            except Exception:  # noqa: BLE001 - a candidate that breaks the checker is no use
                return False
        return outcomes[mode].verdict == verdict

    lines = program.source.splitlines()
    changed = True
    while changed:
        changed = False
        for i in range(len(lines) - 1, -1, -1):
            if i >= len(lines) or not lines[i].startswith("    ") or "return" in lines[i]:
                continue
            for end in sorted({i + 1, block_end(lines, i)}, reverse=True):
                candidate = lines[:i] + lines[end:]
                if still_fails("\n".join(candidate)):
                    lines, changed = candidate, True
                    break
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="programs to run")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first program")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--show", action="store_true", help="print every program's source")
    parser.add_argument("--reduce", action="store_true", help="print each failure reduced")
    options = parser.parse_args()
    seeds = range(options.seed, options.seed + options.count)
    tally = {mode: Counter() for mode in ("static", "trace")}
    failures = []
    start = time.time()
    with ProcessPoolExecutor(options.jobs) as pool:
        for seed, summary, source in pool.map(run_one, seeds, chunksize=4):
            if options.show:
                print(f"# seed {seed}\n{source}")
            for mode, (verdict, detail) in summary.items():
                tally.setdefault(mode, Counter())[verdict] += 1
                if verdict not in ("ok", "filtered"):
                    failures.append((seed, mode, verdict, detail, source))
                    program = program_for(seed)
                    print(
                        f"seed {seed} {mode}: {verdict}: {detail}\n"
                        f"# shapes={program.shapes} wrt={program.wrt} input seed={program.seed}\n"
                        f"{source}",
                        flush=True,
                    )
                    if options.reduce:
                        reduced = reduce(program, mode, verdict)
                        print(f"seed {seed} {mode} reduced:\n{reduced}\n", flush=True)
    elapsed = time.time() - start
    print(f"{options.count} programs (seeds {options.seed}..{seeds[-1]}) in {elapsed:.0f} s")
    for mode, counts in tally.items():
        judged = sum(counts.values()) - counts["filtered"] - counts["invalid"]
        parts = ", ".join(f"{verdict} {n}" for verdict, n in sorted(counts.items()))
        print(f"{mode}: {judged} judged against finite differences ({parts})")
        in_place = sum(1 for f in failures if f[1] == mode and "op= b" in f[3])
        if in_place:
            print(
                f"{mode}: {in_place} of the wrong are right once in-place operators are spelled out"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
