"""Property-based search for silently wrong gradients.

Hypothesis writes small random user-style programs as Python source text: a
``def f(x, y)`` (and sometimes a helper ``def g(a, b)`` in the same file)
made of smooth NumPy operations on arrays of the shapes ``()``, ``(3,)``,
``(2, 3)``, ``(1, 3)`` and ``(2, 1)``, with broadcasting, reductions,
transposes, reshapes, basic and fancy indexing and ``@``, inside straight-line
code, ``if`` on computed values, ``for`` and ``while`` loops with loop-carried
values, ``break``, ``continue``, early ``return``, item assignment into local
arrays, list ``append`` + ``np.stack``, tuple unpacking and augmented
assignment.  Each program is written to a real file (the static compiler reads
source) and imported; its static vector-Jacobian product is checked against
central finite differences along a random direction and against the tracing
mode.  A failing example prints the program's source.

The generator keeps values away from kinks and domain edges: only smooth
operations, divisions by ``1 + b * b``, ``exp`` of ``tanh``-squashed values,
and conditions that compare a reduced value with a constant (the inputs come
from a seeded NumPy generator, so a finite-difference step crossing a branch
boundary is a one-in-a-million event).
"""

import hashlib
import importlib.util
import sys

import numpy as np
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

import srcdiff
from tests.gradcheck import check_vjp

BASE_SHAPES = [(), (3,), (2, 3), (1, 3), (2, 1)]
CONSTANTS = ["0.5", "2.0", "-1.5", "0.25", "3.0"]


def broadcast(a, b):
    """The broadcast of shapes ``a`` and ``b``, or None when they do not broadcast."""
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return None


def shape_text(shape):
    return "(" + "".join(f"{n}, " for n in shape).rstrip(" ") + ")" if shape else "()"


class Var:
    """A name the program may read: its shape and whether it owns a fresh buffer."""

    def __init__(self, shape, fresh):
        self.shape = shape
        self.fresh = fresh


class Generator:
    """Writes one random program from hypothesis draws."""

    def __init__(self, draw, features):
        self._draw = draw
        self.features = features
        self.lines = []
        self.counter = 0
        self.helper = None  # (param shapes, result shape)

    # ---- draws

    def draw(self, strategy):
        return self._draw(strategy)

    def choice(self, options):
        return self.draw(st.sampled_from(options))

    def integer(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def coin(self, p=0.5):
        return self.draw(st.integers(0, 99)) < int(p * 100)

    def fresh_name(self, prefix="v"):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def emit(self, indent, text):
        self.lines.append("    " * indent + text)

    # ---- expressions: each returns (text, shape, fresh)

    def leaf(self, env, ctx):
        names = sorted(env)
        options = ["var"] * 3 + ["const"]
        if ctx.get("loop_var"):
            options.append("loop_var")
        kind = self.choice(options) if names else "const"
        if kind == "var":
            name = self.choice(names)
            return name, env[name].shape, False
        if kind == "loop_var":
            return ctx["loop_var"], (), False
        return self.choice(CONSTANTS), (), False

    def expr(self, env, ctx, depth):
        if depth <= 0 or self.coin(0.25):
            return self.leaf(env, ctx)
        kinds = ["unary", "binary", "binary", "divide", "reduce", "shape", "index", "matmul"]
        if self.helper is not None and ctx.get("may_call", True):
            kinds.append("call")
        kind = self.choice(kinds)
        text, shape, fresh = getattr(self, "expr_" + kind)(env, ctx, depth)
        # an operation's scalar result is a NumPy scalar: ``+=`` rebinds it (not so
        # for an element read by indexing, a view of the array in the trace mode)
        return text, shape, fresh or (shape == () and kind not in ("index", "shape"))

    def expr_unary(self, env, ctx, depth):
        text, shape, _ = self.expr(env, ctx, depth - 1)
        form = self.choice(
            ["np.sin({})", "np.tanh({})", "np.exp(np.tanh({}))", "np.cos({})", "-({})", "({}) ** 2"]
        )
        return form.format(text), shape, True

    def expr_binary(self, env, ctx, depth):
        a, sa, _ = self.expr(env, ctx, depth - 1)
        b, sb, _ = self.expr(env, ctx, depth - 1)
        if broadcast(sa, sb) is None:
            b, sb = self.coerce(b, sb, sa, env, ctx)
        op = self.choice(["+", "-", "*"])
        return f"({a} {op} {b})", broadcast(sa, sb), True

    def expr_divide(self, env, ctx, depth):
        a, sa, _ = self.expr(env, ctx, depth - 1)
        b, sb, _ = self.expr(env, ctx, depth - 1)
        if broadcast(sa, sb) is None:
            b, sb = self.coerce(b, sb, sa, env, ctx)
        return f"({a} / (1.0 + {b} * {b}))", broadcast(sa, sb), True

    def expr_reduce(self, env, ctx, depth):
        text, shape, _ = self.expr(env, ctx, depth - 1)
        fn = self.choice(["sum", "mean"])
        if not shape:
            return f"np.{fn}({text})", (), False
        axis = self.choice([None, 0, -1])
        keepdims = self.coin(0.4)
        if axis is None:
            result = tuple(1 for _ in shape) if keepdims else ()
        else:
            position = axis % len(shape)
            result = tuple(
                1 if i == position else n for i, n in enumerate(shape) if keepdims or i != position
            )
        if self.coin(0.3):
            args = ", ".join(
                part
                for part in (
                    f"axis={axis}" if axis is not None else "",
                    "keepdims=True" if keepdims else "",
                )
                if part
            )
            return f"({text}).{fn}({args})", result, True
        extra = (f", axis={axis}" if axis is not None else "") + (
            ", keepdims=True" if keepdims else ""
        )
        return f"np.{fn}({text}{extra})", result, True

    def expr_shape(self, env, ctx, depth):
        text, shape, _ = self.expr(env, ctx, depth - 1)
        size = int(np.prod(shape))
        options = ["reshape_flat"]
        if len(shape) == 2:
            options.append("T")
        if size == 6:
            options.append("reshape_32")
        if size >= 1 and shape:
            options.append("expand")
        kind = self.choice(options)
        if kind == "T":
            return f"({text}).T", shape[::-1], False
        if kind == "reshape_32":
            target = self.choice([(3, 2), (2, 3), (6,)])
            return (
                f"({text}).reshape{shape_text(target) if len(target) > 1 else '(6)'}",
                target,
                False,
            )
        if kind == "expand":
            return f"({text})[None]", (1,) + shape, False
        return f"np.reshape({text}, -1)", (size,), False

    def expr_index(self, env, ctx, depth):
        text, shape, _ = self.expr(env, ctx, depth - 1)
        options = []
        if shape:
            options += ["first", "last"]
            if shape[0] >= 2:
                options += ["fancy", "slice"]
        if len(shape) == 2 and shape[1] >= 2:
            options.append("column")
        if not options:
            return text, shape, False
        kind = self.choice(options)
        if kind == "first":
            return f"({text})[0]", shape[1:], False
        if kind == "last":
            return f"({text})[-1]", shape[1:], False
        if kind == "slice":
            return f"({text})[1:]", (shape[0] - 1,) + shape[1:], False
        if kind == "column":
            return f"({text})[:, 1]", shape[:1], False
        index = self.choice([[0, 0, 1], [1, 0], [1, 1, 1, 0]])
        return f"({text})[{index}]", (len(index),) + shape[1:], True

    def expr_matmul(self, env, ctx, depth):
        a, sa, _ = self.expr(env, ctx, depth - 1)
        if not sa:
            a, sa = self.coerce(a, sa, self.choice([(3,), (2, 3)]), env, ctx)
        k = sa[-1]
        right = self.choice([(k,), (k, 2), (k, 3)])
        b, sb, _ = self.expr(env, ctx, depth - 1)
        b, sb = self.coerce(b, sb, right, env, ctx)
        result = sa[:-1] + sb[1:]
        return f"({a} @ {b})", result, bool(result)

    def expr_call(self, env, ctx, depth):
        params, result = self.helper
        args = []
        for shape in params:
            text, s, _ = self.expr(env, ctx, depth - 1)
            text, s = self.coerce(text, s, shape, env, ctx)
            args.append(text)
        return f"g({', '.join(args)})", result, True

    def coerce(self, text, shape, target, env, ctx):
        """An expression of shape ``target`` computed from ``text`` (of shape ``shape``)."""
        if shape == target:
            return text, shape
        if len(shape) == 2 and shape[::-1] == target:
            return f"({text}).T", target
        if broadcast(shape, target) == target:
            same = sorted(name for name, var in env.items() if var.shape == target)
            if same and self.coin(0.6):
                return f"({text} * {self.choice(same)})", target
            return f"np.broadcast_to({text}, {shape_text(target)})", target
        if int(np.prod(shape)) == int(np.prod(target)) and target and self.coin(0.5):
            return f"np.reshape({text}, {shape_text(target)})", target
        reduced = f"np.{self.choice(['sum', 'mean'])}({text})"
        if not target:
            return reduced, ()
        same = sorted(name for name, var in env.items() if var.shape == target)
        if same and self.coin(0.6):
            return f"({reduced} + {self.choice(same)})", target
        return f"({reduced} * np.ones({shape_text(target)}))", target

    def expr_of_shape(self, env, ctx, depth, target):
        text, shape, fresh = self.expr(env, ctx, depth)
        if shape == target:
            return text, fresh
        text, _ = self.coerce(text, shape, target, env, ctx)
        return text, False

    def condition(self, env, ctx):
        text, shape, _ = self.expr(env, ctx, 2)
        reduced = f"np.{self.choice(['sum', 'mean'])}({text})" if shape or self.coin(0.5) else text
        return f"{reduced} {self.choice(['>', '<'])} {self.choice(['0.0', '0.5', '-0.5', '1.0'])}"

    # ---- statements

    def block(self, env, ctx, indent, count):
        """Emit ``count`` statements; return the environment afterwards."""
        for _ in range(count):
            env = self.statement(env, ctx, indent)
        return env

    def statement(self, env, ctx, indent):
        depth_left = ctx.get("nest", 0) < 2
        kinds = ["assign"] * 4 + ["reassign"] * 2 + ["augment", "unpack"]
        if self.features.get("alias"):
            kinds += ["alias"]
        if depth_left and self.features.get("control"):
            kinds += ["if", "for", "for", "while", "item", "stack"]
            if ctx.get("function") == "f":
                kinds.append("early_return")
        if ctx.get("in_loop") and self.features.get("control"):
            kinds += ["break"]
            if ctx.get("loop_kind") == "for":
                kinds.append("continue")
        kind = self.choice(kinds)
        return getattr(self, "stmt_" + kind)(env, ctx, indent)

    def assign(self, env, ctx, name, text, shape, fresh):
        """Record ``name = <value of shape>``; inside a loop an outer name keeps its shape."""
        env = dict(env)
        env[name] = Var(shape, fresh)
        state = ctx.get("loop_state")
        if state is not None and state["skipped"] and name not in ctx.get("outer", {}):
            state["late"].add(name)
        return env

    def stmt_assign(self, env, ctx, indent):
        text, shape, fresh = self.expr(env, ctx, 3)
        name = self.fresh_name()
        self.emit(indent, f"{name} = {text}")
        return self.assign(env, ctx, name, text, shape, fresh)

    def stmt_reassign(self, env, ctx, indent):
        names = sorted(env)
        if not names:
            return self.stmt_assign(env, ctx, indent)
        name = self.choice(names)
        if name in ctx.get("outer", {}) or self.coin(0.5):
            # keep the shape: a loop-carried value, or a branch that must agree
            target = env[name].shape
            form = self.choice(["np.sin({})", "np.tanh({})", "0.5 * {}", "{}"])
            text, _ = self.expr_of_shape(env, ctx, 2, target)
            text = form.format(f"({name} + {text})" if self.coin(0.5) else f"({name} * {text})")
            self.emit(indent, f"{name} = {text}")
            return self.assign(env, ctx, name, text, target, True)
        text, shape, fresh = self.expr(env, ctx, 3)
        self.emit(indent, f"{name} = {text}")
        return self.assign(env, ctx, name, text, shape, fresh)

    def stmt_augment(self, env, ctx, indent):
        names = sorted(name for name, var in env.items() if var.fresh)
        if not names:
            return self.stmt_assign(env, ctx, indent)
        name = self.choice(names)
        text, _ = self.expr_of_shape(env, ctx, 2, env[name].shape)
        op = self.choice(["+=", "-=", "*="])
        if op == "*=":
            text = f"np.tanh({text})"
        self.emit(indent, f"{name} {op} {text}")
        return self.assign(env, ctx, name, text, env[name].shape, env[name].fresh)

    def stmt_unpack(self, env, ctx, indent):
        names = sorted(env)
        same = [(a, b) for a in names for b in names if a < b and env[a].shape == env[b].shape]
        if same and self.coin(0.3):
            a, b = self.choice(same)
            self.emit(indent, f"{a}, {b} = {b}, {a}")
            env = dict(env)
            env[a], env[b] = env[b], env[a]
            return env
        t1, s1, f1 = self.expr(env, ctx, 2)
        t2, s2, f2 = self.expr(env, ctx, 2)
        n1, n2 = self.fresh_name(), self.fresh_name()
        self.emit(indent, f"{n1}, {n2} = {t1}, {t2}")
        env = self.assign(env, ctx, n1, t1, s1, f1)
        return self.assign(env, ctx, n2, t2, s2, f2)

    def stmt_alias(self, env, ctx, indent):
        names = sorted(env)
        if not names:
            return self.stmt_assign(env, ctx, indent)
        source = self.choice(names)
        name = self.fresh_name()
        self.emit(indent, f"{name} = {source}")
        env = self.assign(env, ctx, name, source, env[source].shape, False)
        env[source] = Var(env[source].shape, env[source].fresh)
        return env

    def stmt_if(self, env, ctx, indent):
        self.emit(indent, f"if {self.condition(env, ctx)}:")
        inner = dict(ctx, nest=ctx.get("nest", 0) + 1)
        then_env = self.block(env, inner, indent + 1, self.integer(1, 3))
        if self.coin(0.6):
            self.emit(indent, "else:")
            else_env = self.block(env, inner, indent + 1, self.integer(1, 3))
        else:
            else_env = env
        merged = {}
        for name, var in then_env.items():
            other = else_env.get(name)
            if other is not None and other.shape == var.shape:
                merged[name] = Var(var.shape, var.fresh and other.fresh)
        return merged

    def loop_context(self, env, ctx, kind, loop_var):
        outer = dict(ctx.get("outer", {}))
        outer.update(env)
        return dict(
            ctx,
            nest=ctx.get("nest", 0) + 1,
            in_loop=True,
            loop_kind=kind,
            loop_var=loop_var or ctx.get("loop_var"),
            outer=outer,
            loop_state={"skipped": False, "late": set()},
        )

    def after_loop(self, env, body_env, inner, ctx):
        """Names the loop body defined after a possible ``break`` may not exist afterwards."""
        result = {}
        for name, var in body_env.items():
            if name in env:
                if var.shape == env[name].shape:
                    result[name] = Var(var.shape, var.fresh and env[name].fresh)
            elif name not in inner["loop_state"]["late"]:
                result[name] = var
        state = ctx.get("loop_state")
        if state is not None and state["skipped"]:
            state["late"].update(name for name in result if name not in env)
        return result

    def stmt_for(self, env, ctx, indent):
        n = self.integer(1, 4)
        loop_var = self.fresh_name("i")
        form = self.choice([f"range({n})", f"range(1, {n + 1})", f"range({n - 1}, -1, -1)"])
        self.emit(indent, f"for {loop_var} in {form}:")
        inner = self.loop_context(env, ctx, "for", loop_var)
        body_env = self.block(env, inner, indent + 1, self.integer(1, 3))
        return self.after_loop(env, body_env, inner, ctx)

    def stmt_while(self, env, ctx, indent):
        n = self.integer(1, 4)
        counter = self.fresh_name("k")
        self.emit(indent, f"{counter} = 0")
        self.emit(indent, f"while {counter} < {n}:")
        inner = self.loop_context(env, ctx, "while", None)
        if self.coin(0.5):
            self.emit(indent + 1, f"{counter} += 1")
            body_env = self.block(env, inner, indent + 1, self.integer(1, 3))
        else:
            body_env = self.block(
                env, dict(inner, loop_kind="while_end"), indent + 1, self.integer(1, 3)
            )
            self.emit(indent + 1, f"{counter} = {counter} + 1")
        return self.after_loop(env, body_env, inner, ctx)

    def stmt_break(self, env, ctx, indent):
        self.emit(indent, f"if {self.condition(env, ctx)}:")
        self.emit(indent + 1, "break")
        if ctx.get("loop_state") is not None:
            ctx["loop_state"]["skipped"] = True
        return env

    def stmt_continue(self, env, ctx, indent):
        self.emit(indent, f"if {self.condition(env, ctx)}:")
        self.emit(indent + 1, "continue")
        if ctx.get("loop_state") is not None:
            ctx["loop_state"]["skipped"] = True
        return env

    def stmt_early_return(self, env, ctx, indent):
        self.emit(indent, f"if {self.condition(env, ctx)}:")
        text, _ = self.expr_of_shape(env, ctx, 2, ctx["result"])
        self.emit(indent + 1, f"return {text}")
        if ctx.get("loop_state") is not None:
            ctx["loop_state"]["skipped"] = True
        return env

    def stmt_item(self, env, ctx, indent):
        """``a = np.zeros(...)`` then ``a[i] = ...`` in a loop, or a few stores outside one."""
        inner_shape = self.choice([(), (3,), (2,)])
        name = self.fresh_name("a")
        if self.coin(0.5):
            n = self.integer(1, 3)
            self.emit(indent, f"{name} = np.zeros({shape_text((n,) + inner_shape)})")
            loop_var = self.fresh_name("i")
            self.emit(indent, f"for {loop_var} in range({n}):")
            inner = self.loop_context(env, ctx, "for", loop_var)
            body_env = self.block(env, inner, indent + 1, self.integer(0, 2))
            text, _ = self.expr_of_shape(body_env, inner, 2, inner_shape)
            op = self.choice(["=", "+="])
            self.emit(indent + 1, f"{name}[{loop_var}] {op} {text}")
            env = self.after_loop(env, body_env, inner, ctx)
            return self.assign(env, ctx, name, "", (n,) + inner_shape, True)
        shape = self.choice([(3,), (2, 3), (3, 2)])
        self.emit(indent, f"{name} = np.{self.choice(['zeros', 'ones'])}({shape_text(shape)})")
        for _ in range(self.integer(1, 2)):
            index, value_shape = self.choice(
                [("[1]", shape[1:]), ("[0]", shape[1:])]
                + ([("[:, 1]", shape[:1]), ("[1, 0]", ())] if len(shape) == 2 else [("[1:]", (2,))])
            )
            text, _ = self.expr_of_shape(env, ctx, 2, value_shape)
            self.emit(indent, f"{name}{index} {self.choice(['=', '+=', '*='])} {text}")
        return self.assign(env, ctx, name, "", shape, True)

    def stmt_stack(self, env, ctx, indent):
        """``parts = []``, append in a loop (no ``break``), then ``np.stack``."""
        item_shape = self.choice([(), (3,), (2, 3)])
        parts = self.fresh_name("parts")
        n = self.integer(1, 3)
        self.emit(indent, f"{parts} = []")
        loop_var = self.fresh_name("i")
        self.emit(indent, f"for {loop_var} in range({n}):")
        inner = self.loop_context(env, ctx, "stack", loop_var)
        inner["nest"] = 9  # no control flow that could skip the append
        body_env = self.block(env, dict(inner, in_loop=False), indent + 1, self.integer(0, 2))
        text, _ = self.expr_of_shape(body_env, inner, 2, item_shape)
        self.emit(indent + 1, f"{parts}.append({text})")
        env = self.after_loop(env, body_env, inner, ctx)
        name = self.fresh_name()
        axis = self.choice([0, -1]) if item_shape else 0
        self.emit(indent, f"{name} = np.stack({parts}{', axis=-1' if axis == -1 else ''})")
        shape = (n,) + item_shape if axis == 0 else item_shape + (n,)
        return self.assign(env, ctx, name, "", shape, True)

    # ---- whole programs

    def function(self, fname, params, result, count):
        self.emit(0, f"def {fname}({', '.join(params)}):")
        env = {name: Var(shape, False) for name, shape in params.items()}
        ctx = {"function": fname, "result": result, "may_call": fname == "f"}
        env = self.block(env, ctx, 1, count)
        names = sorted(env, key=lambda name: -self.lines_index(name))
        text, shape, _ = (
            self.leaf(env, ctx) if not names else (names[0], env[names[0]].shape, False)
        )
        if len(names) > 1 and self.coin(0.5):
            other = names[1]
            if result == ():
                text = f"np.sum({text}) + np.mean({other})"
                shape = ()
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


@st.composite
def programs(draw, control=True, helper=False, alias=False):
    """``(source, input shapes, result shape, wrt, input seed)`` of one random program."""
    gen = Generator(draw, {"control": control, "alias": alias})
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
    return "\n".join(gen.lines), tuple(shapes.values()), wrt, seed


def load(source, tmp_path):
    """Write ``source`` to a file of its own and import it as a module."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    path = tmp_path / f"fuzz_{digest}.py"
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


def check_program(program, tmp_path):
    """Run ``_check_program``; any failure names the program's source."""
    try:
        _check_program(program, tmp_path)
    except AssertionError:
        raise
    except Exception as error:
        if type(error).__name__ == "UnsatisfiedAssumption":
            raise
        raise AssertionError(f"{type(error).__name__}: {error}\n{program[0]}") from error


def _check_program(program, tmp_path):
    source, shapes, wrt, seed = program
    f = load(source, tmp_path)
    args = inputs(shapes, seed)
    output = f(*args)
    assume(np.all(np.isfinite(output)) and np.max(np.abs(output)) < 1e6)

    static = srcdiff.vjp(f, wrt=wrt)
    traced = srcdiff.vjp(f, wrt=wrt, mode="trace")

    def static_vjp(arguments, v):
        result = static(*arguments, seed=v)
        return result if isinstance(result, tuple) else (result,)

    try:
        check_vjp(static_vjp, f, args, wrt, seed=seed)
    except AssertionError as error:
        raise AssertionError(
            f"static vjp vs finite differences: {error}\n{source}\nargs={args!r}"
        ) from None

    v = np.random.default_rng(seed + 1).standard_normal(np.shape(output))
    expected = static_vjp(args, v)
    got = traced(*args, seed=v)
    got = got if isinstance(got, tuple) else (got,)
    for i, (a, b) in enumerate(zip(expected, got)):
        b = b.data if isinstance(b, srcdiff.Tensor) else b
        assert np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-9, atol=1e-12), (
            f"static and trace disagree on argument {wrt[i]}: {a!r} vs {b!r}\n{source}\nargs={args!r}"
        )


# No shrinking: a failing program shrinks for minutes; the failure message
# prints the program, and tests/static/test_fuzz_regressions.py keeps each
# bug's reproduction, reduced by hand.
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(programs(control=False))
def test_straight_line_programs(tmp_path, program):
    check_program(program, tmp_path)


@SETTINGS
@given(programs(control=True))
def test_control_flow_programs(tmp_path, program):
    check_program(program, tmp_path)


@SETTINGS
@given(programs(control=True, helper=True))
def test_programs_with_a_helper(tmp_path, program):
    check_program(program, tmp_path)
