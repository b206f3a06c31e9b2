"""Derivatives of derivatives: the static compiler reads the code it generated.

A compiled adjoint is plain Python whose text is registered with
``linecache``, so ``parse.py`` reads it like a user's function, and every
helper it calls has rules (``rules/generated.py``); its save stacks are lists
appended to and popped (``lists.py``).  A function srcdiff made carries
``differentiable_adjoint()``: its adjoint compiled again in the form that is
differentiated (helpers called forward, then through their vjp, instead of
pullback objects kept by the forward pass).  ``differentiate_again`` builds
the derivative of that code and keeps it current: when the user's function
changes, the first adjoint is compiled again, and so is its derivative.

Invariant: the returned function computes the derivative of the code that a
call of the differentiated function runs now.
"""

import threading

from srcdiff.static.calls import HelperJvp, HelperVjp


def made_by_srcdiff(obj):
    """True for a static gradient, vjp or other function srcdiff made from a user's code."""
    return callable(getattr(obj, "differentiable_adjoint", None))


def generated_function(obj):
    """The generated function to differentiate in place of ``obj``, or ``obj`` itself.

    Maps a function srcdiff made (and a helper's vjp or jvp bound in generated
    code) to its generated adjoint or jvp.
    """
    if isinstance(obj, (HelperVjp, HelperJvp)):
        compiled = obj.compiled or obj.compile()
        return generated_function(compiled) if made_by_srcdiff(compiled) else obj
    if made_by_srcdiff(obj):
        return obj.differentiable_adjoint()
    return obj


def differentiate_again(made, build, build_plain):
    """``build(code)`` for the code ``made`` runs, rebuilt when that code is compiled again.

    ``build_plain(code)`` builds the same derivative in the form that is
    differentiated once more (a third derivative).
    """
    lock = threading.Lock()
    last = [None, None]  # (generated function, the function build made of it)

    def derivative():
        target = made.differentiable_adjoint()
        if last[0] is not target:
            with lock:
                if last[0] is not target:
                    last[:] = [target, build(target)]
                    _show(wrapper, last[1])
        return last[1]

    def wrapper(*args, **kwargs):
        return derivative()(*args, **kwargs)

    wrapper.current = lambda: derivative().current()
    wrapper.differentiable_adjoint = lambda: build_plain(made.differentiable_adjoint()).current()
    derivative()
    return wrapper


def _show(wrapper, built):
    """The wrapper shows what it runs: the name, source and signature of the derivative."""
    wrapper.__name__ = built.__name__
    wrapper.__qualname__ = built.__qualname__
    wrapper.__wrapped__ = built
    wrapper.source = built.source
    wrapper.sources = getattr(built, "sources", {})
