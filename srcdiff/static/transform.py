"""The static compiler's pipeline, stage by stage.

    source --parse--> gast tree --desugar--> small language --activity-->
    active names --anf--> one operation per statement --reverse--> adjoint
    --optimize--> fewer statements --compile--> function

Each stage lives in its own module and states its invariant there.
"""

import gast
import numpy as np

from srcdiff.arguments import resolve_wrt
from srcdiff.errors import DifferentiationError
from srcdiff.static import runtime
from srcdiff.static.activity import active_names, resolve, varied_names
from srcdiff.static.anf import normalize
from srcdiff.static.broadcast import lazy_names
from srcdiff.static.calls import _in_progress
from srcdiff.static.compile import compile_function
from srcdiff.static.desugar import desugar
from srcdiff.static.inputs import check_no_input_mutation
from srcdiff.static.names import Namer, assign, assigned_names, const, name, names_in
from srcdiff.static.optimize import eliminate_dead_code, propagate_copies
from srcdiff.static.parse import parse_function
from srcdiff.static.primal import Sweeps
from srcdiff.static.recursion import deep_expressions
from srcdiff.static.reverse import ReverseAD, State
from srcdiff.static.shapes import ShapeFacts, reduced_parents, scalar_names, shape_twins

# What the generated function returns, by kind of transformation.
KINDS = ("grad", "grad_and_value", "value_and_grad", "vjp")


def parameters(tree):
    """(positional parameter names, every parameter name) of a function tree."""
    args = tree.args
    positional = [a.id for a in args.posonlyargs + args.args]
    every = positional + [a.id for a in args.kwonlyargs]
    return positional, every


def wrt_names(wrt, tree):
    """The parameter names ``wrt`` designates; a DifferentiationError if any is not one."""
    positional, every = parameters(tree)
    keyword_only = every[len(positional) :]
    try:
        resolved = resolve_wrt(wrt, positional, keyword_only, tree.name)
    except DifferentiationError as error:
        if tree.args.vararg is None:
            raise
        raise DifferentiationError(
            f'{error}; arguments gathered by *{tree.args.vararg.id} are differentiated with mode="trace"'
        ) from None
    return [positional[item] if isinstance(item, int) else item for item in resolved]


def reverse_transform(fn, wrt=0, kind="grad", optimize=True):
    """Compile the adjoint of ``fn``: see ``KINDS`` for what it returns."""
    _in_progress.add(fn)
    try:
        with deep_expressions(fn):
            return _reverse_transform(fn, wrt, kind, optimize)
    finally:
        _in_progress.discard(fn)


def _reverse_transform(fn, wrt, kind, optimize):
    source = parse_function(fn)
    wrt_list = wrt_names(wrt, source.tree)
    _, every = parameters(source.tree)
    source.locals = assigned_names(source.tree)
    check_no_input_mutation(source)
    tree = desugar(source)
    namer = Namer(names_in(tree) | set(source.closure))
    varied = varied_names(tree, wrt_list, source)
    tree = normalize(tree, source, varied, namer)
    active = active_names(tree, wrt_list, source)
    namespace = {}
    scalars = scalar_names(tree, source)
    lazy = lazy_names(tree, source, active)
    shapes = ShapeFacts(scalars, shape_twins(tree, scalars, source), reduced_parents(tree, source))
    reverse = ReverseAD(source, tree, wrt_list, active, namer, namespace, shapes, lazy)

    *body, final = tree.body
    result_setup = []
    if isinstance(final.value, gast.Name):
        result = final.value.id
    else:
        result = namer.fresh("result")
        result_setup = [assign(result, final.value, final.lineno)]

    reverse.plan.plan(body, set(every), set(every), 0)
    state = State(zeros=set(active))
    seed = []
    if kind == "vjp":
        seed_value = gast.Call(
            func=name("check_seed"), args=[name("seed"), name(result)], keywords=[]
        )
    elif result in scalars:  # surely a scalar: nothing to check
        seed_value = const(1.0)
    else:
        seed_value = gast.Call(func=name("unit_seed"), args=[name(result)], keywords=[])
    if result in active:
        seed = [assign(reverse.d(result), seed_value)]
        state.zeros.discard(result)
    elif isinstance(seed_value, gast.Call):
        seed = [gast.Expr(value=seed_value)]
    backward = reverse.reverse_block(body, state)
    gradients = [
        gast.Call(
            func=name("gradient_of"),
            args=[
                const(0.0) if w in state.zeros or w not in active else name(reverse.d(w)),
                name(w),
            ],
            keywords=[],
        )
        for w in wrt_list
    ]
    grads = (
        gradients[0] if not isinstance(wrt, tuple) else gast.Tuple(elts=gradients, ctx=gast.Load())
    )
    value = name(result)
    returned = {
        "grad": grads,
        "vjp": grads,
        "grad_and_value": gast.Tuple(elts=[grads, value], ctx=gast.Load()),
        "value_and_grad": gast.Tuple(elts=[value, grads], ctx=gast.Load()),
    }[kind]
    sweeps = Sweeps(reverse)
    backward = sweeps.settle(seed, backward + [gast.Return(value=returned)])
    if result in sweeps.restored and kind in ("grad_and_value", "value_and_grad"):
        # The backward sweep restores ``result`` to older values: keep the output.
        value.id = namer.fresh(result + "_value")
        backward.insert(len(seed), assign(value.id, name(result)))
    forward = sweeps.forward(body)
    adjoint = gast.FunctionDef(
        name=namer.fresh("d" + source.tree.name.strip("<>")),
        args=source.tree.args,
        body=sweeps.prologue() + forward + result_setup + backward,
        decorator_list=[],
        returns=None,
        type_comment=None,
        **({"type_params": []} if "type_params" in gast.FunctionDef._fields else {}),
    )
    if kind == "vjp":
        if "seed" in every:
            raise DifferentiationError(
                f"{source.tree.name}() has an argument named 'seed', which vjp uses for the cotangent"
            )
        adjoint.args.kwonlyargs.append(
            gast.Name(id="seed", ctx=gast.Param(), annotation=None, type_comment=None)
        )
        adjoint.args.kw_defaults.append(const(None))
    if optimize:
        propagate_copies(adjoint)
        eliminate_dead_code(adjoint, pure=lambda call: _is_pure_call(call, source))
    referenced = names_in(adjoint)
    for helper in runtime.__all__:
        if helper in referenced:
            namespace[helper] = getattr(runtime, helper)
    if "np" in referenced and "np" not in namespace and _free("np", source):
        namespace["np"] = np
    for var, value in source.closure.items():
        if var in referenced:
            namespace[var] = value
    compiled = compile_function(adjoint, namespace, source, kind)
    compiled.sources = {}
    for helper in reverse.builder.helpers.values():
        if helper.compiled is not None:
            compiled.sources[helper.fn.__qualname__] = helper.compiled.source
            compiled.sources.update(getattr(helper.compiled, "sources", {}))
    compiled.__defaults__ = getattr(fn, "__defaults__", None)
    compiled.__kwdefaults__ = dict(getattr(fn, "__kwdefaults__", None) or {})
    if kind == "vjp":
        compiled.__kwdefaults__["seed"] = None
    return compiled


def _free(id, source):
    return id not in source.locals


def _is_pure_call(call, source):
    """Calls into NumPy, math and the rule table can be dropped when unused."""
    fn = resolve(call.func, source)
    if fn is None:
        return isinstance(call.func, gast.Attribute)  # array methods
    module = getattr(fn, "__module__", None) or ""
    return module.split(".")[0] in ("numpy", "math", "srcdiff", "builtins", "operator")
