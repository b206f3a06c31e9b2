"""The static compiler's pipeline, stage by stage.

    source --parse--> gast tree --lower--> no nested functions or comprehensions
    --desugar--> small language --activity-->
    active names --anf--> one operation per statement --reverse--> adjoint
    --optimize--> fewer statements --compile--> function

Each stage lives in its own module and states its invariant there.
"""

import dataclasses

import gast

from srcdiff.arguments import resolve_wrt
from srcdiff.errors import DifferentiationError
from srcdiff.static.activity import active_names, resolve, varied_names
from srcdiff.static.anf import normalize
from srcdiff.static.broadcast import lazy_names
from srcdiff.static.calls import _in_progress
from srcdiff.static.compile import compile_function
from srcdiff.static.desugar import desugar
from srcdiff.static.dict_loops import rewrite_dict_loops
from srcdiff.static.freshness import Dependencies
from srcdiff.static.inplace import rewrite_inplace_calls
from srcdiff.static.inputs import check_no_input_mutation
from srcdiff.static.lower import lower
from srcdiff.static.names import (
    Namer,
    assign,
    assigned_names,
    clone,
    const,
    name,
    names_in,
    reserve_runtime_names,
    runtime_name,
)
from srcdiff.static.nodes import walk
from srcdiff.static.optimize import eliminate_dead_code, forward_copies, propagate_copies
from srcdiff.static.parse import parse_function
from srcdiff.static.primal import Sweeps
from srcdiff.static.pullbacks import split_function, split_helper_calls
from srcdiff.static.recursion import deep_expressions
from srcdiff.static.reverse import ReverseAD, State
from srcdiff.static.shapes import (
    ShapeFacts,
    array_names,
    reduced_parents,
    scalar_names,
    shape_twins,
    stable_names,
)
from srcdiff.static.specialise import specialise
from srcdiff.static.uniform import fold_scalar_gradients

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


def reverse_transform(fn, wrt=0, kind="grad", optimize=True, numbers=(), split_helpers=True):
    """Compile the adjoint of ``fn``: see ``KINDS`` for what it returns.

    ``numbers`` are positions of arguments that the adjoint may assume are
    Python numbers (``static/specialise.py``); its caller guards that.  With
    ``split_helpers=False`` a helper runs forward as itself and backward as its
    vjp (no pullback objects): the form srcdiff differentiates again (``higher.py``).
    """
    _in_progress.add(fn)
    try:
        with deep_expressions(fn):
            return _reverse_transform(fn, wrt, kind, optimize, numbers, split_helpers)
    finally:
        _in_progress.discard(fn)


@dataclasses.dataclass
class FrontEnd:
    """A function read, desugared and normalized, with what the back ends need to know."""

    source: object  # parse.Source (its tree as the user wrote it)
    tree: gast.FunctionDef  # the normalized function
    wrt: list  # the parameter names differentiated
    every: list  # every parameter name
    user_names: set  # every name the user's function mentions
    namer: Namer
    active: set  # names that carry a derivative
    scalars: set  # names surely scalar
    shapes: ShapeFacts
    namespace: dict = dataclasses.field(default_factory=dict)  # names rules bring in
    keyword: str | None = None  # the generated function's keyword-only argument, as named


def front_end(fn, wrt, keyword=None, kind="grad", rename_keyword=False, numbers=()):
    """Stages 1-4 for ``fn``; ``keyword`` is the generated function's keyword-only argument
    (``seed``, ``tangent``), freed from the user's names; with ``rename_keyword`` (a vjp split
    again: its ``seed`` is a parameter) the keyword takes a fresh name instead."""
    source = lower(parse_function(fn))
    wrt_list = wrt_names(wrt, source.tree)
    _, every = parameters(source.tree)
    named = keyword
    if keyword is not None and rename_keyword and keyword in every:
        named = Namer(names_in(source.tree)).part(keyword)
    elif keyword is not None:
        source = _free_keyword(source, every, keyword, kind)
    source.locals = assigned_names(source.tree)
    user_names = names_in(source.tree)
    source = rewrite_dict_loops(source)  # after user_names: it writes runtime names
    source = rewrite_inplace_calls(source)
    check_no_input_mutation(source)
    tree = desugar(source)
    namer = Namer(names_in(tree) | set(source.closure), read=_loaded(source.tree))
    namer.use_suffix_for(user_names)
    varied = varied_names(tree, wrt_list, source)
    tree = normalize(tree, source, varied, namer)
    active = active_names(tree, wrt_list, source)
    positional, _ = parameters(source.tree)
    scalars = scalar_names(tree, source, {positional[i] for i in numbers if i < len(positional)})
    twins = shape_twins(tree, scalars, source)
    parents = reduced_parents(tree, source)
    shapes = ShapeFacts(scalars, twins, parents, stable_names(tree), array_names(tree, source))
    return FrontEnd(
        source, tree, wrt_list, every, user_names, namer, active, scalars, shapes, keyword=named
    )


def _reverse_transform(fn, wrt, kind, optimize, numbers, split_helpers):
    keyword = "seed" if kind in ("vjp", "split") else None
    front = front_end(fn, wrt, keyword, "vjp", rename_keyword=kind == "split", numbers=numbers)
    seed_name = front.keyword
    source, tree, wrt_list, every = front.source, front.tree, front.wrt, front.every
    namer, active, scalars, namespace = front.namer, front.active, front.scalars, front.namespace
    lazy = lazy_names(tree, source, active)
    shapes = front.shapes
    reverse = ReverseAD(source, tree, wrt_list, active, namer, namespace, shapes, lazy)
    if split_helpers:
        reverse.split_calls = split_helper_calls(tree, source, active, namer, reverse.builder)
    reverse.functional_scatter = not split_helpers

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
    if kind in ("vjp", "split"):
        seed_value = gast.Call(
            func=runtime_name("check_seed"), args=[name(seed_name), name(result)], keywords=[]
        )
    elif result in scalars:  # surely a scalar: nothing to check
        seed_value = const(1.0)
    else:
        seed_value = gast.Call(func=runtime_name("unit_seed"), args=[name(result)], keywords=[])
    if result in active:
        seed = [assign(reverse.d(result), seed_value)]
        state.zeros.discard(result)
    elif isinstance(seed_value, gast.Call):
        seed = [gast.Expr(value=seed_value)]
    backward = reverse.reverse_block(body, state)
    gradients = [
        gast.Call(
            func=runtime_name("gradient_of"),
            args=[
                const(0.0) if w in state.zeros or w not in active else reverse.gradient_value(w),
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
        "split": gast.Tuple(elts=gradients, ctx=gast.Load()),
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
        name=namer.gradient(source.tree.name.strip("<>")),
        args=source.tree.args,
        body=sweeps.prologue() + forward + result_setup + backward,
        decorator_list=[],
        returns=None,
        type_comment=None,
        **({"type_params": []} if "type_params" in gast.FunctionDef._fields else {}),
    )
    if kind in ("vjp", "split"):
        adjoint.args.kwonlyargs.append(
            gast.Name(id=seed_name, ctx=gast.Param(), annotation=None, type_comment=None)
        )
        adjoint.args.kw_defaults.append(const(None))
    live = [result] if kind == "split" else []  # a split helper's forward returns ``result``
    prepare(adjoint, front, optimize, live, numbers, reverse.builder.scalar_gradients)
    if kind == "split":
        adjoint.args.kwonlyargs.pop()
        adjoint.args.kw_defaults.pop()
        adjoint.name = namer.fresh(source.tree.name.strip("<>") + "_forward")
        split_function(adjoint, {id(s) for s in backward}, result, namer, seed_name)
    compiled = compile_generated(fn, adjoint, front, kind, reverse.builder.helpers.values())
    if kind == "vjp":
        compiled.__kwdefaults__["seed"] = None
    return compiled


def prepare(generated, front, optimize, live=(), numbers=(), scalar_gradients=()):
    """Specialise for the arguments at positions ``numbers`` (``static/specialise.py``), name
    the runtime references; with ``optimize``, drop copies and unused statements, and fold
    the ``scalar_gradients`` (uniform gradients, ``static/uniform.py``) into their readers."""
    if numbers:
        positional, _ = parameters(front.source.tree)
        numbers = {positional[i] for i in numbers if i < len(positional)}
        specialise(generated, numbers, lambda id: _sees(id, front.source))
    reserve_runtime_names(
        generated,
        front.user_names,
        lambda id: _sees(id, front.source),
        front.namer,
        front.namespace,
    )
    if optimize:
        propagate_copies(generated, keep=live)
        forward_copies(generated, keep=live)
        fold_scalar_gradients(generated, set(scalar_gradients) - set(live))
        pure = lambda call: _is_pure_call(call, front.source)  # noqa: E731
        eliminate_dead_code(generated, pure=pure, live=live)


def compile_generated(fn, generated, front, kind, helpers):
    """Stage 7 for either back end: the live function, its helpers' sources, its dependencies."""
    source = front.source
    referenced = names_in(generated)
    namespace = {var: value for var, value in front.namespace.items() if var in referenced}
    for var, value in source.closure.items():
        if var in referenced:
            namespace[var] = value
    compiled = compile_function(generated, namespace, source, kind)
    compiled.sources = {}
    for helper in helpers:
        if helper.compiled is not None:
            compiled.sources[helper.fn.__qualname__] = helper.compiled.source
            compiled.sources.update(getattr(helper.compiled, "sources", {}))
    compiled.__defaults__ = getattr(fn, "__defaults__", None)
    compiled.__kwdefaults__ = dict(getattr(fn, "__kwdefaults__", None) or {})
    compiled.dependencies = Dependencies(fn, source)
    return compiled


def _loaded(tree):
    return {n.id for n in walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def _sees(id, source):
    """The object the user's function reads under ``id``; None for a local or an unbound name."""
    if id in source.locals:
        return None
    try:
        return source.resolve(id)
    except KeyError:
        return None


def _free_keyword(source, every, keyword, kind):
    """Make room for the ``keyword`` (``seed``) of a ``kind`` (vjp): a local of that name is
    renamed.

    Returns ``source``, or a copy whose tree has the local renamed.
    """
    tree = source.tree
    what = "cotangent" if keyword == "seed" else "tangent"
    if keyword in every:
        raise DifferentiationError(
            f"{tree.name}() has an argument named {keyword!r}, which {kind} uses for the {what}"
        )
    reads = [n for n in walk(tree) if isinstance(n, gast.Name) and n.id == keyword]
    if not reads:
        return source
    if keyword not in assigned_names(tree):
        raise source.error(
            reads[0],
            f"{tree.name}() reads {keyword!r} from outside the function, but {kind} passes "
            f"the {what} as the keyword argument {keyword!r}; rename that variable",
            DifferentiationError,
        )
    # A local ``seed`` means nothing outside the function: it gets another name.
    fresh = Namer(names_in(tree)).part(keyword)
    tree = clone(tree)  # the parsed tree stays as the user wrote it
    for node in walk(tree):
        if isinstance(node, gast.Name) and node.id == keyword:
            node.id = fresh
    return dataclasses.replace(source, tree=tree)


def _is_pure_call(call, source):
    """Calls into NumPy, math and the rule table can be dropped when unused."""
    func = call.func
    owner = func.value if isinstance(func, gast.Attribute) else func
    if hasattr(owner, "runtime"):  # a runtime reference: its object, whatever its name
        fn = owner.runtime if owner is func else getattr(owner.runtime, func.attr, None)
    else:
        fn = resolve(func, source)
    if fn is None:
        return isinstance(call.func, gast.Attribute)  # array methods
    module = getattr(fn, "__module__", None) or ""
    return module.split(".")[0] in ("numpy", "math", "srcdiff", "builtins", "operator")
