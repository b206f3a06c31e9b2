"""Random user-style NumPy programs, and the check one program must pass.

A :class:`ProgramWriter` writes the source of a ``def f(x, y)`` (and
sometimes a helper ``def g(a, b)`` it calls) from the expressions of
``fuzz_expressions.py`` and these statements: assignments and rebindings,
tuple unpacking and swaps (``x, t = t, x``), augmented assignment (``+=``,
``-=``, ``*=``, ``/=``), ``if`` on computed values and on array elements,
``for`` and ``while`` loops with loop-carried values, ``break``,
``continue`` and early ``return``, ``for`` loops whose bound is reassigned in
their body (they cannot be walked backwards), stores into ``np.zeros`` and
``np.ones`` arrays of several shapes through every kind of index (``a[:]``,
``a[0]``, ``a[1:]``, ``a[:, j]``, ``a[i, j]``, ``a[i]`` in a loop) of every
kind of value (a number, a row, a column, a value broadcast into the slice)
with ``=``, ``+=``, ``-=``, ``*=`` and ``/=``, list ``append`` +
``np.stack``, loops reading the rows of an array made before them by the
loop index (which the body may then change or rebind), and
(``fuzz_syntax.py``) comprehensions, generator expressions and nested
helpers reading the function's values.

:func:`examine` runs one program in one mode and says what happened: its
vector-Jacobian product is compared with central finite differences
(``tests/gradcheck.check_vjp``, float64) along a random direction.
"""

import hashlib
import importlib.util
import sys
from dataclasses import dataclass

import numpy as np

import srcdiff
from tests.gradcheck import check_vjp
from tests.static.fuzz_expressions import BASE_SHAPES, ExpressionWriter, Var
from tests.static.fuzz_statements import StatementWriter
from tests.static.fuzz_syntax import SyntaxWriter

# Where finite differences stop meaning anything: values or derivatives this large.
LARGEST_VALUE = 1e6


class ProgramWriter(StatementWriter, SyntaxWriter, ExpressionWriter):
    """Writes whole programs."""

    def function(self, fname, params, result, count):
        self.emit(0, f"def {fname}({', '.join(params)}):")
        floating = fname == "f"  # g may be called with integers (a loop index)
        env = {name: Var(shape, False, floating) for name, shape in params.items()}
        ctx = {"function": fname, "result": result, "may_call": fname == "f"}
        env = self.block(env, ctx, 1, count)
        names = sorted(env, key=lambda name: -self.lines_index(name))
        text, shape, _ = (
            self.leaf(env, ctx) if not names else (names[0], env[names[0]].shape, False)
        )
        if len(names) > 1 and self.coin(0.5) and result == ():
            text, shape = f"np.sum({text}) + np.mean({names[1]})", ()
        text, _ = self.coerce(text, shape, result, env, ctx)
        self.emit(1, f"return {text}")
        self.emit(0, "")
        self.emit(0, "")

    def lines_index(self, name):
        """The last line that assigns ``name`` (to return the most recent value)."""
        for i in range(len(self.lines) - 1, -1, -1):
            stripped = self.lines[i].strip()
            if stripped.startswith(name + " ") or stripped.startswith(name + ","):
                return i
        return -1


@dataclass
class Program:
    source: str
    shapes: tuple  # of the arguments x and y
    wrt: tuple
    seed: int  # of the inputs and the random directions


FEATURES = {
    "straight": dict(where=True, stores=True, swaps=True),
    "control": dict(control=True, where=True, stores=True, swaps=True, element_branches=True),
    "stores": dict(control=True, stores=True, store_heavy=True, swaps=True, shrinking=True),
    "loops": dict(control=True, shrinking=True, loop_heavy=True, element_branches=True),
    "syntax": dict(control=True, where=True, syntax=True, element_branches=True),
    "tables": dict(control=True, tables=True, stores=True, element_branches=True),
}


def write_program(choices, kind="control", helper=False, alias=False):
    """One random :class:`Program`; ``kind`` names a set of :data:`FEATURES`."""
    gen = ProgramWriter(choices, dict(FEATURES[kind], alias=alias))
    gen.emit(0, "import numpy as np")
    gen.emit(0, "")
    gen.emit(0, "")
    if helper:
        params = {"a": gen.choice(BASE_SHAPES), "b": gen.choice(BASE_SHAPES)}
        result = gen.choice(BASE_SHAPES)
        gen.function("g", params, result, gen.integer(1, 3))
        gen.helper = (tuple(params.values()), result)
    shapes = {"x": gen.choice(BASE_SHAPES), "y": gen.choice(BASE_SHAPES)}
    result = () if gen.coin(0.7) else gen.choice(BASE_SHAPES)
    gen.function("f", shapes, result, gen.integer(2, 8))
    wrt = gen.choice([(0, 1), (0,), (1,)])
    seed = gen.integer(0, 2**16)
    return Program("\n".join(gen.lines), tuple(shapes.values()), wrt, seed)


def load(source, folder):
    """Write ``source`` to a file of its own in ``folder`` and import its ``f``."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    path = folder / f"fuzz_{digest}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"fuzz_{digest}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.f


def inputs(shapes, seed):
    rng = np.random.default_rng(seed)
    return [
        float(rng.uniform(-1.2, 1.2)) if shape == () and seed % 2 else rng.uniform(-1.2, 1.2, shape)
        for shape in shapes
    ]


@dataclass
class Outcome:
    """What one program gave in one mode.

    ``ok``; ``filtered`` (finite differences cannot judge it); ``wrong``; ``refused``
    (a ``SrcdiffError``); ``crashed`` (any other exception from srcdiff); ``invalid``
    (the program itself fails: a bug of the writer).
    """

    verdict: str
    detail: str = ""
    cotangents: tuple = None


def examine(program, folder, mode):
    """Check ``program``'s vjp in ``mode`` ("static" or "trace") against finite differences."""
    f = load(program.source, folder)
    args = inputs(program.shapes, program.seed)
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            output = f(*args)
    except FloatingPointError as error:  # an intermediate value overflows
        return Outcome("filtered", f"the values explode: {error}")
    except Exception as error:
        return Outcome("invalid", f"{type(error).__name__}: {error}")
    if not (np.all(np.isfinite(output)) and np.max(np.abs(output)) < LARGEST_VALUE):
        return Outcome("filtered", "the value is not finite or too large")
    if explodes(f, args, program.wrt, program.seed):
        return Outcome("filtered", "finite differences are meaningless here")
    computed = []

    def vjp(arguments, v):
        result = srcdiff.vjp(f, wrt=program.wrt, mode=mode)(*arguments, seed=v)
        result = result if isinstance(result, tuple) else (result,)
        result = tuple(r.data if isinstance(r, srcdiff.Tensor) else r for r in result)
        computed.append(result)
        return result

    try:
        check_vjp(vjp, f, args, program.wrt, seed=program.seed)
    except AssertionError as error:
        return Outcome("wrong", f"{mode} vjp vs finite differences: {error}")
    except srcdiff.SrcdiffError as error:
        return Outcome("refused", f"{mode}: {type(error).__name__}: {error}")
    except Exception as error:
        return Outcome("crashed", f"{mode}: {type(error).__name__}: {error}")
    return Outcome("ok", cotangents=computed[0])


def explodes(f, args, wrt, seed):
    """Can finite differences not judge here?  Derivatives too large, a kink or a jump
    within a large step or at the point itself (a branch that rounding decides), or
    differences at two small steps that disagree by more than the check's tolerance."""
    rng = np.random.default_rng(seed + 7)
    at = np.asarray(f(*args))
    for i in wrt:
        u = rng.standard_normal(np.shape(args[i]))
        slopes = []
        for eps in (1e-6, 2e-6, 1e-4):
            plus, minus = list(args), list(args)
            plus[i], minus[i] = args[i] + eps * u, args[i] - eps * u
            high, low = np.asarray(f(*plus)), np.asarray(f(*minus))
            if np.max(np.abs(high + low - 2 * at)) > 1e-6 * max(1.0, float(np.max(np.abs(at)))):
                return True  # a jump at the point itself: a branch taken by rounding
            slopes.append((high - low) / (2 * eps))
        scale = max(1.0, float(np.max(np.abs(slopes[0]))))
        if scale > LARGEST_VALUE or np.max(np.abs(slopes[0] - slopes[2])) > 1e-3 * scale:
            return True
        if np.max(np.abs(slopes[0] - slopes[1])) > 1e-6 * scale:
            return True
    return False


def examine_both(program, folder):
    """``{mode: Outcome}`` for both modes; the trace mode must also agree with the static one."""
    outcomes = {mode: examine(program, folder, mode) for mode in ("static", "trace")}
    static, traced = outcomes["static"], outcomes["trace"]
    if static.verdict == "ok" and traced.verdict == "ok":
        for i, (a, b) in enumerate(zip(static.cotangents, traced.cotangents)):
            if not (np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-9, atol=1e-12)):
                detail = f"static and trace disagree on argument {program.wrt[i]}: {a!r} vs {b!r}"
                outcomes["trace"] = Outcome("wrong", detail)
    return outcomes
