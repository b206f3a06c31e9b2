"""Random NumPy expressions for the random-program tests.

An :class:`ExpressionWriter` writes expression text together with the shape
of its value, from the shapes ``()``, ``(3,)``, ``(2, 3)``, ``(1, 3)`` and
``(2, 1)`` and the shapes they make: broadcasting, reductions, transposes,
reshapes, basic and fancy indexing, ``@``, ``np.where`` and calls to a helper.
Its random choices come from a :class:`Choices`: hypothesis draws in the test
suite, a seeded ``random.Random`` in ``scripts/fuzz.py``, so the same writer
serves both and a script failure is reproduced by its seed.

Values stay away from kinks and domain edges: only smooth operations,
divisions by ``1 + b * b``, ``exp`` of ``tanh``-squashed values, and
conditions that compare a value with a constant (a finite-difference step
crossing a branch boundary is a one-in-a-million event).
"""

import numpy as np

BASE_SHAPES = [(), (3,), (2, 3), (1, 3), (2, 1)]
CONSTANTS = ["0.5", "2.0", "-1.5", "0.25", "3.0"]
THRESHOLDS = ["0.0", "0.5", "-0.5", "1.0"]


class Choices:
    """Where a writer's random choices come from: ``choice`` and ``integer`` (both ends in)."""

    def choice(self, options):
        raise NotImplementedError

    def integer(self, lo, hi):
        raise NotImplementedError


class DrawnChoices(Choices):
    """Choices drawn by hypothesis (``draw`` is a composite strategy's draw)."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self._draw, self._st = draw, st

    def choice(self, options):
        return self._draw(self._st.sampled_from(options))

    def integer(self, lo, hi):
        return self._draw(self._st.integers(lo, hi))


class SeededChoices(Choices):
    """Choices from a seeded ``random.Random``."""

    def __init__(self, rng):
        self._rng = rng

    def choice(self, options):
        return options[self._rng.randrange(len(options))]

    def integer(self, lo, hi):
        return self._rng.randint(lo, hi)


def broadcast(*shapes):
    """The broadcast of ``shapes``, or None when they do not broadcast."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


def shape_text(shape):
    return "(" + "".join(f"{n}, " for n in shape).rstrip(" ") + ")" if shape else "()"


def fits_into(shapes_of, target):
    """The shapes among ``shapes_of`` that broadcast to exactly ``target``."""
    return [s for s in shapes_of if broadcast(s, target) == target]


class Var:
    """A name the program may read: its shape, whether it owns a fresh buffer, and
    whether it surely holds floats (``np.sum(i)`` of a loop index is an integer)."""

    def __init__(self, shape, fresh, floating=True):
        self.shape = shape
        self.fresh = fresh
        self.floating = floating


class ExpressionWriter:
    """Writes expressions; each ``expr_*`` returns ``(text, shape, fresh)``."""

    def __init__(self, choices, features):
        self.choices = choices
        self.features = features
        self.lines = []
        self.counter = 0
        self.helper = None  # (param shapes, result shape)

    # ---- choices

    def choice(self, options):
        return self.choices.choice(options)

    def integer(self, lo, hi):
        return self.choices.integer(lo, hi)

    def coin(self, p=0.5):
        return self.integer(0, 99) < int(p * 100)

    def fresh_name(self, prefix="v"):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def emit(self, indent, text):
        self.lines.append("    " * indent + text)

    # ---- expressions

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
        if self.features.get("where"):
            kinds.append("where")
        if self.helper is not None and ctx.get("may_call", True):
            kinds.append("call")
        kind = self.choice(kinds)
        text, shape, fresh = getattr(self, "expr_" + kind)(env, ctx, depth)
        # an operation's scalar result is a NumPy scalar: ``+=`` rebinds it (not so
        # for an element read by indexing, a view of the array in the trace mode)
        scalar = shape == () and kind not in ("index", "shape", "call")
        return text, shape, fresh or scalar

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

    def expr_where(self, env, ctx, depth):
        """``np.where(c > t, a, b)``: three operands broadcast together."""
        c, sc, _ = self.expr(env, ctx, depth - 1)
        a, sa, _ = self.expr(env, ctx, depth - 1)
        b, sb, _ = self.expr(env, ctx, depth - 1)
        if broadcast(sa, sb) is None:
            b, sb = self.coerce(b, sb, sa, env, ctx)
        if broadcast(sc, sa, sb) is None:
            c, sc = self.coerce(c, sc, broadcast(sa, sb), env, ctx)
        test = f"{c} {self.choice(['>', '<'])} {self.choice(THRESHOLDS)}"
        return f"np.where({test}, {a}, {b})", broadcast(sc, sa, sb), True

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
        options = [f"axis={axis}" if axis is not None else "", "keepdims=True" if keepdims else ""]
        if self.coin(0.3):
            args = ", ".join(part for part in options if part)
            return f"({text}).{fn}({args})", result, True
        extra = "".join(f", {part}" for part in options if part)
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
            spelled = shape_text(target) if len(target) > 1 else "(6)"
            return f"({text}).reshape{spelled}", target, False
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
        return f"g({', '.join(args)})", result, False  # g may return a read-only view

    def coerce(self, text, shape, target, env, ctx):
        """An expression of shape ``target`` computed from ``text`` (of shape ``shape``)."""
        if shape == target:
            return text, shape
        if len(shape) == 2 and shape[::-1] == target:
            return f"({text}).T", target
        same = sorted(name for name, var in env.items() if var.shape == target)
        if broadcast(shape, target) == target:
            if same and self.coin(0.6):
                return f"({text} * {self.choice(same)})", target
            return f"np.broadcast_to({text}, {shape_text(target)})", target
        if int(np.prod(shape)) == int(np.prod(target)) and target and self.coin(0.5):
            return f"np.reshape({text}, {shape_text(target)})", target
        reduced = f"np.{self.choice(['sum', 'mean'])}({text})"
        if not target:
            return reduced, ()
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
        """A reduced value, or one element of an array, compared with a constant."""
        arrays = sorted(name for name, var in env.items() if var.shape)
        if arrays and self.features.get("element_branches") and self.coin(0.4):
            name = self.choice(arrays)
            shape = env[name].shape
            index = ", ".join(str(self.integer(-n, n - 1)) for n in shape)
            value = f"{name}[{index}]"
        else:
            text, shape, _ = self.expr(env, ctx, 2)
            reduce = shape or self.coin(0.5)
            value = f"np.{self.choice(['sum', 'mean'])}({text})" if reduce else text
        return f"{value} {self.choice(['>', '<'])} {self.choice(THRESHOLDS)}"
