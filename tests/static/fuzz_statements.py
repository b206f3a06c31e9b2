"""Random statements for the random-program tests (see ``fuzz_programs.py``).

A :class:`StatementWriter` emits statements and tracks the environment: the
names bound afterwards, with their shapes.  Names that a ``break``,
``continue`` or early ``return`` may leave unbound are dropped after the loop;
a loop-carried name keeps its shape.  Stores go only into arrays the program
just made with ``np.zeros`` or ``np.ones``, so neither mode sees an in-place
change of a value some derivative needs.
"""

import re

from tests.static.fuzz_expressions import Var, broadcast, shape_text

ARRAY_SHAPES = [(3,), (4,), (2, 3), (3, 2), (2, 1), (1, 3)]


def store_indexes(shape):
    """``(index text, shape of the slice)`` for the indexes a store may use on ``shape``."""
    rows = shape[0]
    found = [("[:]", shape), ("[0]", shape[1:]), ("[-1]", shape[1:])]
    if rows >= 2:
        found += [("[1]", shape[1:]), ("[1:]", (rows - 1,) + shape[1:])]
    if len(shape) == 2:
        columns = shape[1]
        found += [(f"[:, {j}]", (rows,)) for j in range(columns)]
        found += [("[0, -1]", ()), (f"[{rows - 1}, 0]", ())]
        if columns >= 2:
            found += [("[:, 1:]", (rows, columns - 1)), ("[0, :2]", (2,))]
    return found


def value_shapes(target, op):
    """Shapes a value stored with ``op`` into a slice of shape ``target`` may have.

    NumPy broadcasts a value into the slice, dropping leading ones for ``=``;
    an in-place operator's result must keep the slice's shape."""
    candidates = [(), (1,), target, target[-1:], (1,) + target[1:]]
    if len(target) == 2:
        candidates += [(target[0], 1), (1, 1)]
    if op == "=" and target:
        candidates.append((1,) + target)
    shapes = []
    for shape in candidates:
        widened = op == "=" and target and shape == (1,) + target  # NumPy drops the 1
        fits = broadcast(shape, target) == target or widened
        if fits and shape not in shapes:
            shapes.append(shape)
    return shapes


class StatementWriter:
    """Statement methods of the program writer; each returns the environment afterwards."""

    def block(self, env, ctx, indent, count):
        """Emit ``count`` statements; return the environment afterwards."""
        for _ in range(count):
            env = self.statement(env, ctx, indent)
        return env

    def statement(self, env, ctx, indent):
        features = self.features
        depth_left = ctx.get("nest", 0) < 2
        kinds = ["assign"] * 4 + ["reassign"] * 2 + ["augment", "unpack"]
        if features.get("alias"):
            kinds += ["alias"]
        if features.get("stores"):
            kinds += ["store"] * (4 if features.get("store_heavy") else 1)
            if any(_made_here(n) and v.shape != () for n, v in env.items()):
                kinds += ["in_place_call"]
        if depth_left and features.get("control"):
            kinds += ["if", "for", "for", "while", "item", "stack"]
            if features.get("shrinking"):
                kinds += ["shrinking_for"] * (3 if features.get("loop_heavy") else 1)
            if features.get("store_heavy"):
                kinds += ["item"] * 3
            if features.get("tables"):
                kinds += ["table"] * 3
            if ctx.get("function") == "f":
                kinds.append("early_return")
        if features.get("syntax"):
            kinds += ["comprehension", "comprehension", "nested", "nested"]
        if ctx.get("in_loop") and features.get("control"):
            kinds += ["break"]
            if ctx.get("loop_kind") == "for":
                kinds.append("continue")
        kind = self.choice(kinds)
        return getattr(self, "stmt_" + kind)(env, ctx, indent)

    def assign(self, env, ctx, name, text, shape, fresh):
        """Record ``name = <value of shape>``; inside a loop an outer name keeps its shape."""
        env = dict(env)
        reads = set(re.findall(r"[A-Za-z_]\w*", text)) & set(env)
        if not fresh:  # ``v = w`` or ``v = w.T``, a view: an in-place update of w changes v
            for read in reads:
                env[read] = Var(env[read].shape, False, env[read].floating)
        floating = not text or "." in re.sub(r"np\.\w+", "", text)  # a float constant
        floating = floating or any(env[read].floating for read in reads)
        floating = floating and not re.search(r"\bg\(", text)  # g may return an integer
        env[name] = Var(shape, fresh, floating)
        state = ctx.get("loop_state")
        if state is not None and state["skipped"] and name not in ctx.get("outer", {}):
            state["late"].add(name)
        return env

    def value(self, env, ctx, depth):
        """An expression; inside a loop never a view of a name (an alias that a ``+=`` on
        an earlier line would write through on the next trip: the static mode refuses
        that), but a copy made with ``np.array``."""
        text, shape, fresh = self.expr(env, ctx, depth)
        if not fresh and "outer" in ctx and set(re.findall(r"[A-Za-z_]\w*", text)) & set(env):
            return f"np.array({text})", shape, True
        return text, shape, fresh

    def stmt_assign(self, env, ctx, indent):
        text, shape, fresh = self.value(env, ctx, 3)
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
        text, shape, fresh = self.value(env, ctx, 3)
        self.emit(indent, f"{name} = {text}")
        return self.assign(env, ctx, name, text, shape, fresh)

    def stmt_augment(self, env, ctx, indent):
        names = sorted(name for name, var in env.items() if var.fresh and var.floating)
        if not names:
            return self.stmt_assign(env, ctx, indent)
        name = self.choice(names)
        text, _ = self.expr_of_shape(env, ctx, 2, env[name].shape)
        op = self.choice(["+=", "-=", "*=", "/="])
        self.emit(indent, f"{name} {op} {self.in_place_operand(op, text)}")
        return self.assign(env, ctx, name, text, env[name].shape, env[name].fresh)

    def in_place_operand(self, op, text):
        """Keep ``*=`` and ``/=`` tame: a factor in (-1, 1), a divisor of at least 1."""
        if op == "*=":
            return f"np.tanh({text})"
        if op == "/=":
            return f"(1.0 + ({text}) ** 2)"
        return text

    def stmt_unpack(self, env, ctx, indent):
        names = sorted(env)
        # same shape, and (a loop swaps on every trip) the same freshness and dtype
        same = [
            (a, b)
            for a in names
            for b in names
            if a < b
            and env[a].shape == env[b].shape
            and (
                "outer" not in ctx
                or (env[a].fresh == env[b].fresh and env[a].floating == env[b].floating)
            )
        ]
        if same and self.coin(0.6 if self.features.get("swaps") else 0.3):
            a, b = self.choice(same)
            self.emit(indent, f"{a}, {b} = {b}, {a}")
            env = dict(env)
            env[a], env[b] = env[b], env[a]
            return env
        t1, s1, f1 = self.value(env, ctx, 2)
        t2, s2, f2 = self.value(env, ctx, 2)
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
        return env

    # ---- stores into arrays

    def stmt_store(self, env, ctx, indent):
        """``a = np.zeros(shape)`` then one to three stores through any index."""
        shape = self.choice(ARRAY_SHAPES)
        name = self.fresh_name("a")
        self.emit(indent, f"{name} = np.{self.choice(['zeros', 'ones'])}({shape_text(shape)})")
        for _ in range(self.integer(1, 3)):
            index, slice_shape = self.choice(store_indexes(shape))
            op = self.choice(["=", "=", "+=", "-=", "*=", "/="])
            value_shape = self.choice(value_shapes(slice_shape, op))
            text, _ = self.expr_of_shape(env, ctx, 2, value_shape)
            self.emit(indent, f"{name}{index} {op} {self.in_place_operand(op, text)}")
        return self.assign(env, ctx, name, "", shape, True)

    def stmt_in_place_call(self, env, ctx, indent):
        """``np.copyto(a, c)``, ``a.fill(c)`` or ``np.add(a, v, out=a)`` on an array the
        program made with ``np.zeros``, maybe after statements that read it."""
        name = self.choice(sorted(n for n, v in env.items() if _made_here(n) and v.shape != ()))
        shape = env[name].shape
        form = self.choice(["copyto", "fill", "out"])
        if form == "out":
            value_shape = self.choice(value_shapes(shape, "+="))
            text, _ = self.expr_of_shape(env, ctx, 2, value_shape)
            self.emit(indent, f"np.add({name}, {text}, out={name})")
        else:
            constant = self.choice(["0.25", "-1.5", "2.0"])
            call = (
                f"np.copyto({name}, {constant})" if form == "copyto" else f"{name}.fill({constant})"
            )
            self.emit(indent, call)
        return self.assign(env, ctx, name, "", shape, True)

    def stmt_item(self, env, ctx, indent):
        """``a = np.zeros(...)``, then ``a[i] = ...`` (or ``a[:, i]``) in a loop over ``i``."""
        inner_shape = self.choice([(), (3,), (2,)])
        n = self.integer(1, 3)
        shape, index = (n,) + inner_shape, "[{}]"
        if inner_shape and self.coin(0.3):
            shape, index = inner_shape + (n,), "[:, {}]"
        name = self.fresh_name("a")
        self.emit(indent, f"{name} = np.{self.choice(['zeros', 'ones'])}({shape_text(shape)})")
        loop_var = self.fresh_name("i")
        self.emit(indent, f"for {loop_var} in range({n}):")
        inner = self.loop_context(env, ctx, "for", loop_var)
        body_env = self.block(env, inner, indent + 1, self.integer(0, 2))
        target = shape[:1] if index == "[:, {}]" else inner_shape
        op = self.choice(["=", "+=", "-=", "*=", "/="])
        value_shape = self.choice(value_shapes(target, op))
        text, _ = self.expr_of_shape(body_env, inner, 2, value_shape)
        if self.coin(0.3):  # a recurrence: read the previous item (the last one on trip 0)
            text = f"0.5 * {name}{index.format(loop_var + ' - 1')} + {text}"
        operand = self.in_place_operand(op, text)
        self.emit(indent + 1, f"{name}{index.format(loop_var)} {op} {operand}")
        env = self.after_loop(env, body_env, inner, ctx)
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
        text, fresh = self.expr_of_shape(body_env, inner, 2, item_shape)
        if not fresh and set(re.findall(r"[A-Za-z_]\w*", text)) & set(body_env):
            text = f"np.array({text})"  # the list would show a later in-place update
        self.emit(indent + 1, f"{parts}.append({text})")
        env = self.after_loop(env, body_env, inner, ctx)
        name = self.fresh_name()
        axis = self.choice([0, -1]) if item_shape else 0
        self.emit(indent, f"{name} = np.stack({parts}{', axis=-1' if axis == -1 else ''})")
        shape = (n,) + item_shape if axis == 0 else item_shape + (n,)
        return self.assign(env, ctx, name, text, shape, True)  # floats if the items are

    def stmt_table(self, env, ctx, indent):
        """``table = np.stack(...)``, then a loop reading its rows by the loop index
        (``row = table[i]``, ``table[2 - i]``, ``table[i, ...]``), values the backward loop
        reads again; sometimes the body then rebinds the table or the index, after which
        they may not be read again."""
        row_shape = self.choice([(), (3,), (2, 3)])
        n = self.integer(1, 3)
        base, _ = self.expr_of_shape(env, ctx, 2, row_shape)
        table, acc = self.fresh_name("table"), self.fresh_name("acc")
        rows = ", ".join(f"{c} * ({base})" for c in ["1.0", "-0.5", "2.0"][:n])
        self.emit(indent, f"{table} = np.stack([{rows}])")
        self.emit(indent, f"{acc} = np.zeros({shape_text(row_shape)})")
        # Not fresh: no in-place update of the table while a row (a view) may be alive.
        env = self.assign(env, ctx, table, "", (n,) + row_shape, False)
        env = self.assign(env, ctx, acc, "", row_shape, True)
        loop_var = self.fresh_name("i")
        self.emit(indent, f"for {loop_var} in range({n}):")
        inner = self.loop_context(env, ctx, "for", loop_var)
        index = self.choice([loop_var, f"{n - 1} - {loop_var}", f"{loop_var}, ..."])
        row = self.fresh_name("row")
        self.emit(indent + 1, f"{row} = {table}[{index}]")
        body_env = self.block(env, inner, indent + 1, self.integer(0, 1))  # may rebind table
        body_env = self.assign(body_env, inner, row, f"{table}[{index}]", row_shape, False)
        text, _ = self.expr_of_shape(body_env, inner, 2, row_shape)
        self.emit(indent + 1, f"{acc} = 0.5 * {acc} + {row} * ({text})")
        # (Not a store into the table: the static mode refuses it while a row, maybe a
        # view, is alive.)
        change = self.choice(
            [None, None, f"{table} = {table} * 0.9", f"{loop_var} = {loop_var} + 1"]
        )
        if change:
            self.emit(indent + 1, change)
        return self.after_loop(env, body_env, inner, ctx)

    # ---- control flow

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
                floating = var.floating and other.floating
                merged[name] = Var(var.shape, var.fresh and other.fresh, floating)
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
                    floating = var.floating and env[name].floating
                    result[name] = Var(var.shape, var.fresh and env[name].fresh, floating)
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
        if self.features.get("shrinking") and self.coin(0.2):
            self.emit(indent + 1, f"{loop_var} = {loop_var} * 2 + 1")  # the body rebinds it
        body_env = self.block(env, inner, indent + 1, self.integer(1, 3))
        return self.after_loop(env, body_env, inner, ctx)

    def stmt_shrinking_for(self, env, ctx, indent):
        """A ``for`` loop whose bound changes inside it: it cannot be walked backwards."""
        bound = self.fresh_name("n")
        loop_var = self.fresh_name("i")
        self.emit(indent, f"{bound} = {self.integer(2, 5)}")
        start = self.choice(["", "1, "])
        step = self.choice(["", ", 2"]) if start else ""
        self.emit(indent, f"for {loop_var} in range({start}{bound}{step}):")
        inner = self.loop_context(env, ctx, "for", loop_var)
        change = f"{bound} = {bound} {self.choice(['-', '+'])} {self.integer(1, 2)}"
        early = self.coin(0.5)
        if early:
            self.emit(indent + 1, change)
        body_env = self.block(env, inner, indent + 1, self.integer(0, 2))
        carried = sorted(name for name in body_env if name in env)
        if carried:  # the loop name is read by the backward pass
            name = self.choice(carried)
            self.emit(indent + 1, f"{name} = np.sin({name}) * {loop_var}")
            body_env = self.assign(body_env, inner, name, "", env[name].shape, True)
        if not early:
            self.emit(indent + 1, change)
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
        return self.exit(env, ctx, indent, "break")

    def stmt_continue(self, env, ctx, indent):
        return self.exit(env, ctx, indent, "continue")

    def stmt_early_return(self, env, ctx, indent):
        text, _ = self.expr_of_shape(env, ctx, 2, ctx["result"])
        return self.exit(env, ctx, indent, f"return {text}")

    def exit(self, env, ctx, indent, statement):
        """``if <condition>: <statement>``; later names of the loop may stay unbound."""
        self.emit(indent, f"if {self.condition(env, ctx)}:")
        self.emit(indent + 1, statement)
        if ctx.get("loop_state") is not None:
            ctx["loop_state"]["skipped"] = True
        return env


def _made_here(name):
    """A name ``stmt_store`` or ``stmt_item`` bound to an array of zeros or ones."""
    return re.fullmatch(r"a\d+", name) is not None
