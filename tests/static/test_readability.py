"""The generated code as a product: golden files, the renderer's invariant, comments.

The golden functions sit at the top of this file so that edits further down
do not move their line numbers (which the generated comments quote).
Run with ``SRCDIFF_UPDATE_GOLDEN=1`` to rewrite ``tests/golden/*.py``.
"""

import ast
import pathlib
import re

import gast
import numpy as np
import pytest

import srcdiff
import srcdiff.static.compile
from srcdiff.static.render import is_comment
from srcdiff.static.transform import reverse_transform
from tests.goldens import assert_golden
from tests.rule_cases import CASES
from tests.static import syntax_goldens, test_api, test_control_flow, test_failure_modes


def quickstart(x):
    y = x + 2
    z = y * y * 3
    return np.mean(z)


def simulate(k, x0):
    x, v = x0, 0.0
    for _step in range(200):
        a = -k * x - 0.1 * v
        v = v + 0.01 * a
        x = x + 0.01 * v
        if x > 2.0:
            break
    return x * x


def logistic_loss(w, X, y):
    logits = X @ w
    p = 1.0 / (1.0 + np.exp(-logits))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def rnn(W, U, b, xs):
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t] + b)
    return np.sum(h)


GOLDENS = [(quickstart, 0), (simulate, 0), (logistic_loss, 0), (rnn, (0, 1, 2))]
GOLDENS += [(syntax_goldens.attention_pool, (0, 1)), (syntax_goldens.rnn_cell_helper, (0, 1, 2))]


@pytest.mark.parametrize("fn, wrt", GOLDENS, ids=[fn.__name__ for fn, _ in GOLDENS])
def test_generated_code_matches_golden_file(fn, wrt):
    assert_golden(fn.__name__, srcdiff.grad(fn, wrt=wrt).source)


def test_quickstart_reads_like_hand_written_code():
    source = srcdiff.grad(quickstart).source
    assert "# grad of line" in source
    assert re.search(r"\bdz\b", source) and re.search(r"\bdy\b", source)
    assert "_tmp" not in source


def test_oscillator_keeps_one_forward_and_one_reverse_loop():
    tree = ast.parse(srcdiff.grad(simulate).source)
    loops = [node for node in ast.walk(tree) if isinstance(node, (ast.For, ast.While))]
    assert len(loops) == 2
    forward, backward = loops
    # The backward loop runs once per forward trip (the forward loop counts them).
    assert ast.unparse(backward.iter) == "range(step_trips)"
    assert "step_trips += 1" in ast.unparse(forward)


# ---- every generated function of the corpus


def _corpus():
    """(function, wrt) for the rule cases and every function in the end-to-end tests."""
    seen = {}
    for case in CASES:
        seen.setdefault(case.fn, tuple(case.wrt))
    for module in (test_api, test_control_flow, test_failure_modes):
        for case in getattr(module, "CASES", []):
            seen.setdefault(case.fn, case.wrt)
    for fn, wrt in GOLDENS:
        seen.setdefault(fn, wrt)
    return list(seen.items())


CORPUS = _corpus()


@pytest.fixture(scope="module")
def corpus():
    """Every corpus function transformed afresh, with the tree handed to the renderer."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _compile_all(monkeypatch)


def _compile_all(monkeypatch):
    rendered = []
    original = srcdiff.static.compile.render

    def recording(tree):
        text = original(tree)
        rendered.append((tree, text))
        return text

    monkeypatch.setattr(srcdiff.static.compile, "render", recording)
    out = []
    failures = []
    for fn, wrt in CORPUS:
        start = len(rendered)
        try:
            compiled = reverse_transform(fn, wrt=wrt, kind="vjp")
        except srcdiff.SrcdiffError as e:
            failures.append(f"{fn.__name__}: {e}")
            continue
        tree, text = rendered[start]  # the adjoint; the factory around it comes next
        out.append((fn, compiled, tree, text))
    return out, failures


def _without_comments(node):
    for field in ("body", "orelse"):
        stmts = getattr(node, field, None)
        if isinstance(stmts, list):
            setattr(node, field, [s for s in stmts if not is_comment(s)])
            for s in getattr(node, field):
                _without_comments(s)
    return node


def test_corpus_compiles(corpus):
    _, failures = corpus
    assert not failures, "\n".join(failures)


def test_every_generated_function_reparses_to_the_rendered_tree(corpus):
    compiled, _ = corpus
    assert len(compiled) > 100
    for fn, _, tree, text in compiled:
        expected = _without_comments(gast.gast_to_ast(gast.Module(body=[tree], type_ignores=[])))
        assert ast.dump(ast.parse(text)) == ast.dump(expected), fn.__name__


def _redundant_parentheses(line):
    """Grouping parentheses on ``line`` whose removal leaves the same tree."""
    stripped = line.strip()
    if stripped.startswith("#") or not stripped:
        return []
    code = stripped + (" pass" if stripped.endswith(":") else "")
    if code.startswith(("elif ", "else")):
        code = "if 0: pass\n" + code
    try:
        reference = ast.dump(ast.parse(code))
    except SyntaxError:
        return []
    found = []
    for start, char in enumerate(code):
        if char != "(" or (start and (code[start - 1].isalnum() or code[start - 1] in "_)]")):
            continue
        depth = 0
        for end in range(start, len(code)):
            depth += {"(": 1, ")": -1}.get(code[end], 0)
            if depth == 0:
                break
        candidate = code[:start] + code[start + 1 : end] + code[end + 1 :]
        try:
            same = ast.dump(ast.parse(candidate)) == reference
        except SyntaxError:
            same = False
        if same:
            found.append(code[start : end + 1])
    return found


def test_no_redundant_parentheses(corpus):
    compiled, _ = corpus
    offenders = [
        f"{fn.__name__}: {line.strip()}  {groups}"
        for fn, _, _, text in compiled
        for line in text.splitlines()
        if (groups := _redundant_parentheses(line))
    ]
    assert not offenders, "\n".join(offenders[:20])


def test_redundant_parentheses_check_can_fail():
    assert _redundant_parentheses("y = (x @ x.T)") == ["(x @ x.T)"]
    assert _redundant_parentheses("y = (a + b) * c") == []
    assert _redundant_parentheses("y = f(a + b)") == []


def test_grad_comments_quote_the_users_lines(corpus):
    compiled, _ = corpus
    pattern = re.compile(r"# grad of line (\d+): (.*)$")
    counted = 0
    for fn, _, _, text in compiled:
        lines = pathlib.Path(fn.__code__.co_filename).read_text().splitlines()
        for line in text.splitlines():
            match = pattern.search(line)
            if match:
                counted += 1
                number, quoted = int(match.group(1)), match.group(2)
                assert lines[number - 1].strip() == quoted, (
                    f"{fn.__name__}: comment quotes {quoted!r} for line {number}, "
                    f"which is {lines[number - 1].strip()!r}"
                )
    assert counted > len(compiled)


def test_every_adjoint_block_has_a_comment():
    source = srcdiff.grad(logistic_loss).source
    quoted = [int(n) for n in re.findall(r"# grad of line (\d+):", source)]
    first = logistic_loss.__code__.co_firstlineno
    assert quoted == [first + 3, first + 2, first + 1]
