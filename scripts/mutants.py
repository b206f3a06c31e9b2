"""Mutation check: do the tests notice a deliberate one-token bug in srcdiff/?

Lists every place in ``srcdiff/**/*.py`` where a one-token change makes a
plausible bug -- an operator swapped (``+``/``-``, ``*``/``/``, ``<``/``<=``,
``>``/``>=``, ``==``/``!=``, ``is``/``is not``, ``in``/``not in``,
``and``/``or``, ``+=``/``-=``), a constant changed (``0``/``1``,
``True``/``False``), a statement dropped (replaced by ``pass``) or a condition
negated -- then draws a seeded sample of them.  Each mutant is applied in a
scratch copy of the repository (never the working tree) and the suite runs
there with ``python -m pytest -x -q``; the mutant is *killed* when the suite
fails (or runs past the timeout) and *survives* when it passes.  The report
gives the kill rate and the diff of every survivor.

    python scripts/mutants.py -n 60 --seed 1 --jobs 2
    python scripts/mutants.py -n 60 --seed 1 --only 3,17     # re-run two of them
    python scripts/mutants.py --at srcdiff/api.py:150 -- tests/test_checkers.py
    python scripts/mutants.py --list | head                  # the mutation sites

The sample depends on the seed and on the source: the same seed at the same
commit draws the same mutants.  A survivor is either a gap in the tests or an
equivalent mutant (a change that cannot alter behaviour); only a reader can
tell which.
"""

import argparse
import ast
import concurrent.futures
import difflib
import io
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tokenize
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "srcdiff"

SWAPS = {
    ast.Add: ("+", "-"), ast.Sub: ("-", "+"), ast.Mult: ("*", "/"), ast.Div: ("/", "*"),
    ast.Lt: ("<", "<="), ast.LtE: ("<=", "<"), ast.Gt: (">", ">="), ast.GtE: (">=", ">"),
    ast.Eq: ("==", "!="), ast.NotEq: ("!=", "=="), ast.Is: ("is", "is not"),
    ast.IsNot: ("is not", "is"), ast.In: ("in", "not in"), ast.NotIn: ("not in", "in"),
    ast.And: ("and", "or"), ast.Or: ("or", "and"),
}  # fmt: skip


def _changed_constant(value):
    """The replacement of a constant worth changing (0/1, True/False), else None."""
    if type(value) is bool:
        return str(not value)
    if type(value) is int and value in (0, 1):
        return str(1 - value)
    return None


class Mutant(NamedTuple):
    path: str  # relative to the repository root
    line: int
    description: str
    original: str  # the whole file
    start: int  # original[start:end] becomes new
    end: int
    new: str

    @property
    def source(self):
        """The whole mutated file."""
        return self.original[: self.start] + self.new + self.original[self.end :]

    def parses(self):
        try:
            ast.parse(self.source)
        except SyntaxError:
            return False
        return True

    def diff(self):
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.source.splitlines(keepends=True),
                f"a/{self.path}",
                f"b/{self.path}",
                n=1,
            )
        )


class Edit(NamedTuple):
    """Replace ``text[start:end]`` (offsets into the file) by ``new``."""

    start: int
    end: int
    new: str
    line: int
    description: str


def _operator_in_gap(text, start, end, symbol):
    """The offsets of ``symbol`` as one token in ``text[start:end]``, or None."""
    gap = text[start:end]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(gap).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    words = [t for t in tokens if t.type in (tokenize.OP, tokenize.NAME)]
    lines = gap.splitlines(keepends=True)

    def offset(position):
        row, col = position
        return start + sum(len(line) for line in lines[: row - 1]) + col

    parts = symbol.split()
    for i in range(len(words) - len(parts) + 1):
        if [w.string for w in words[i : i + len(parts)]] == parts:
            return offset(words[i].start), offset(words[i + len(parts) - 1].end)
    return None


class Sites(ast.NodeVisitor):
    """Collects the one-token edits of one file."""

    def __init__(self, text):
        self.text = text
        self.line_starts = [0]
        for line in text.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.edits = []

    def offset(self, line, col):
        return self.line_starts[line - 1] + col

    def start(self, node):
        return self.offset(node.lineno, node.col_offset)

    def end(self, node):
        return self.offset(node.end_lineno, node.end_col_offset)

    def swap(self, op, left, right):
        old, new = SWAPS.get(type(op), (None, None))
        if old is None:
            return
        found = _operator_in_gap(self.text, self.end(left), self.start(right), old)
        if found:
            self.edits.append(Edit(*found, new, left.end_lineno, f"{old!r} -> {new!r}"))

    def visit_BinOp(self, node):
        self.swap(node.op, node.left, node.right)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        old, new = SWAPS.get(type(node.op), (None, None))
        if old in ("+", "-"):
            found = _operator_in_gap(
                self.text, self.end(node.target), self.start(node.value), old + "="
            )
            if found:
                self.edits.append(Edit(*found, new + "=", node.lineno, f"'{old}=' -> '{new}='"))
        self.statement(node)
        self.generic_visit(node)

    def visit_Compare(self, node):
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            self.swap(op, left, right)
            left = right
        self.generic_visit(node)

    def visit_BoolOp(self, node):
        for left, right in zip(node.values, node.values[1:]):
            self.swap(node.op, left, right)
        self.generic_visit(node)

    def visit_Constant(self, node):
        new = _changed_constant(node.value)
        if new is not None:
            self.edits.append(
                Edit(self.start(node), self.end(node), new, node.lineno, f"{node.value!r} -> {new}")
            )

    def negate_test(self, node):
        """``if c:``, ``while c:`` and ``a if c else b`` with ``not (c)``."""
        start, end = self.start(node.test), self.end(node.test)
        negated = f"not ({self.text[start:end]})"
        self.edits.append(Edit(start, end, negated, node.test.lineno, "condition negated"))
        self.generic_visit(node)

    visit_If = visit_While = visit_IfExp = negate_test

    def statement(self, node):
        """Replace a statement that fills its lines by ``pass``."""
        start, end = self.start(node), self.end(node)
        line_start = self.line_starts[node.lineno - 1]
        line_end = self.line_starts[node.end_lineno]
        before = self.text[line_start:start]
        after = self.text[end:line_end]
        if before.strip() or after.split("#")[0].strip():
            return  # shares its line with another statement
        self.edits.append(Edit(start, end, "pass", node.lineno, "statement replaced by pass"))

    def visit_Expr(self, node):
        if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            self.statement(node)  # docstrings are not statements worth dropping
        self.generic_visit(node)

    def generic_statement(self, node):
        self.statement(node)
        self.generic_visit(node)

    visit_Assign = visit_AnnAssign = visit_Return = visit_Raise = generic_statement
    visit_Delete = visit_Assert = visit_Continue = visit_Break = generic_statement


def mutants_of(path, text):
    """Every one-token mutant of ``text`` (the file at ``path``), in source order.

    A mutant is checked to parse only when it is drawn (``Mutant.parses``):
    parsing thousands of whole files takes longer than the listing is worth.
    """
    sites = Sites(text)
    sites.visit(ast.parse(text))
    edits = sorted(set(sites.edits), key=lambda e: (e.start, e.end, e.new))
    return [
        Mutant(path, e.line, e.description, text, e.start, e.end, e.new)
        for e in edits
        if text[e.start : e.end] != e.new
    ]


def all_mutants(root=ROOT):
    files = sorted((root / PACKAGE).rglob("*.py"))
    mutants = []
    for file in files:
        mutants.extend(mutants_of(str(file.relative_to(root)), file.read_text()))
    return mutants


def repository_files(root):
    """Tracked files and untracked files git does not ignore."""
    listing = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [name for name in listing.split("\0") if name]


def scratch_copy(root):
    """A copy of the repository in a new temporary folder."""
    target = Path(tempfile.mkdtemp(prefix="srcdiff-mutants-"))
    for name in repository_files(root):
        source = root / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def environment(scratch):
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a mutant the size of the original could reuse a .pyc
    env["PYTHONPATH"] = str(scratch)
    env.pop("SRCDIFF_UPDATE_GOLDEN", None)
    return env


def check_scratch_imports_itself(scratch):
    where = subprocess.run(
        [sys.executable, "-c", "import srcdiff; print(srcdiff.__file__)"],
        cwd=scratch,
        env=environment(scratch),
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not where.startswith(str(scratch)):
        sys.exit(f"the scratch copy imports srcdiff from {where!r}, not from {scratch}")


def run_suite(scratch, pytest_args, timeout):
    """``(outcome, seconds)``: 'killed', 'survived' or 'timeout'."""
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-x", "-q", *pytest_args],
        cwd=scratch,
        env=environment(scratch),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return "timeout", time.monotonic() - began
    return ("survived" if code == 0 else "killed"), time.monotonic() - began


def run_mutant(mutant, scratches, pytest_args, timeout):
    scratch = scratches.get()
    file = scratch / mutant.path
    try:
        file.write_text(mutant.source)
        return run_suite(scratch, pytest_args, timeout)
    finally:
        file.write_text(mutant.original)
        scratches.put(scratch)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=60, help="how many mutants to draw (default 60)")
    parser.add_argument("--seed", type=int, default=1, help="the sample's seed (default 1)")
    parser.add_argument("--jobs", type=int, default=2, help="suites run at once (default 2)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per mutant")
    parser.add_argument("--only", help="comma-separated sample indices to run (a re-run)")
    parser.add_argument("--at", help="every mutant of these PATH:LINE, comma-separated (no sample)")
    parser.add_argument("--list", action="store_true", help="print every mutation site and stop")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    options = parser.parse_args(argv)

    mutants = all_mutants()
    if options.list:
        for mutant in mutants:
            print(f"{mutant.path}:{mutant.line}: {mutant.description}")
        print(f"{len(mutants)} mutants")
        return 0
    if options.at:
        lines = set(options.at.split(","))
        sample = [m for m in mutants if f"{m.path}:{m.line}" in lines]
    else:
        sample = random.Random(options.seed).sample(mutants, min(options.n, len(mutants)))
    unparsable = [i for i, m in enumerate(sample) if not m.parses()]
    if unparsable:
        print(f"left out, as they do not parse: {unparsable}")
    chosen = list(enumerate(sample))
    if options.only:
        wanted = {int(i) for i in options.only.split(",")}
        chosen = [(i, m) for i, m in chosen if i in wanted]
    chosen = [(i, m) for i, m in chosen if i not in unparsable]
    drawn = f"at {options.at}" if options.at else f"seed {options.seed}"
    print(f"{len(chosen)} of {len(mutants)} mutants ({drawn}), {options.jobs} at once")

    scratches = queue.Queue()
    folders = [scratch_copy(ROOT) for _ in range(options.jobs)]
    for folder in folders:
        check_scratch_imports_itself(folder)
        scratches.put(folder)
    results = {}
    try:
        with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
            futures = {
                pool.submit(run_mutant, m, scratches, options.pytest_args, options.timeout): i
                for i, m in chosen
            }
            for future in concurrent.futures.as_completed(futures):
                i = futures[future]
                outcome, seconds = future.result()
                results[i] = outcome
                mutant = sample[i]
                print(
                    f"[{i:3d}] {outcome:8s} {seconds:5.0f} s  "
                    f"{mutant.path}:{mutant.line}: {mutant.description}",
                    flush=True,
                )
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    survivors = sorted(i for i, outcome in results.items() if outcome == "survived")
    killed = len(results) - len(survivors)
    print(f"\nkilled {killed} of {len(results)} ({100.0 * killed / max(len(results), 1):.0f}%)")
    for i in survivors:
        mutant = sample[i]
        print(f"\n--- survivor [{i}] {mutant.path}:{mutant.line}: {mutant.description}")
        print(mutant.diff(), end="")
    if options.json:
        fields = ("path", "line", "description")
        report = [
            {"index": i, "outcome": results[i], "diff": sample[i].diff()}
            | {field: getattr(sample[i], field) for field in fields}
            for i in sorted(results)
        ]
        Path(options.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
