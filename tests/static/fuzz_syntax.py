"""Random comprehensions and nested helpers for the random-program tests (``fuzz_programs.py``).

``stmt_comprehension`` writes ``np.stack([... for k in range(n) if ...])``,
``sum(... for k in range(n))`` or a comprehension over the rows of a matrix;
``stmt_nested`` writes a ``def h(a):`` that reads the function's own values
(a closure) and calls it once or twice.  Both read the loop variable or the
closure like any expression of ``fuzz_expressions.py``; items are made floats
(``1.0 * ...``), as an item may read only the integer loop variable.
"""

from tests.static.fuzz_expressions import Var


class SyntaxWriter:
    """Statement methods for comprehensions and nested functions; each returns the environment."""

    def stmt_comprehension(self, env, ctx, indent):
        k = self.fresh_name("k")
        n = self.integer(1, 3)
        inner = dict(ctx, loop_var=k, may_call=False)
        form = self.choice(["stack", "sum", "filtered", "rows"])
        matrices = sorted(name for name, var in env.items() if len(var.shape) == 2)
        if form == "rows" and matrices:
            matrix = self.choice(matrices)
            rows, row_shape = env[matrix].shape[0], env[matrix].shape[1:]
            body_env = dict(env, **{k: Var(row_shape, False, env[matrix].floating)})
            # The rows are views: an in-place update of the matrix later is refused
            # as for any loop over its rows (the fence of static/inputs.py).
            env = dict(env, **{matrix: Var(env[matrix].shape, False, env[matrix].floating)})
            item_shape = self.choice([(), row_shape])
            text, _ = self.expr_of_shape(body_env, dict(ctx, may_call=False), 2, item_shape)
            value = f"np.stack([1.0 * {text} for {k} in {matrix}])"
            shape = (rows,) + item_shape
        elif form == "sum":
            shape = self.choice([(), (3,), (2, 3)])
            text, _ = self.expr_of_shape(env, inner, 2, shape)
            value = f"sum({text} for {k} in range({n}))"
            value = f"np.asarray({value}, dtype=float)"  # sum() of nothing is the int 0
        else:
            item_shape = self.choice([(), (3,)])
            text, _ = self.expr_of_shape(env, inner, 2, item_shape)
            kept = n
            condition = ""
            if form == "filtered":
                n, kept = n + 1, n
                condition = f" if {k} != {n - 1}"
            value = f"np.stack([1.0 * {text} for {k} in range({n}){condition}])"
            shape = (kept,) + item_shape
        name = self.fresh_name()
        self.emit(indent, f"{name} = {value}")
        return self.assign(env, ctx, name, value, shape, True)

    def stmt_nested(self, env, ctx, indent):
        helper = self.fresh_name("h")
        param = self.fresh_name("a")
        param_shape = self.choice([(), (3,), (2, 3)])
        result_shape = self.choice([(), (3,)])
        body_env = dict(env, **{param: Var(param_shape, False, True)})
        body_ctx = dict(ctx, may_call=False, loop_var=None)
        self.emit(indent, f"def {helper}({param}):")
        if self.coin(0.5):
            local = self.fresh_name("t")
            text, shape, _ = self.expr(body_env, body_ctx, 2)
            self.emit(indent + 1, f"{local} = {text}")
            body_env[local] = Var(shape, False, True)
        text, _ = self.expr_of_shape(body_env, body_ctx, 2, result_shape)
        self.emit(indent + 1, f"return {text}")
        calls = []
        for _ in range(self.integer(1, 2)):
            argument, _ = self.expr_of_shape(env, dict(ctx, may_call=False), 2, param_shape)
            calls.append(f"{helper}({argument})")
        name = self.fresh_name()
        value = " + ".join(calls)
        self.emit(indent, f"{name} = {value}")
        # Not fresh: the helper may return its argument, or a value that carries no gradient.
        return self.assign(env, ctx, name, value, result_shape, False)
