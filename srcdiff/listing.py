"""The text of a compiled gradient: its adjoint, then the adjoints of the helpers it calls."""


def listing(compiled, what="adjoint"):
    """``compiled.source`` followed by each helper's generated code (its ``what``), by name."""
    text = getattr(compiled, "source", None)
    if not isinstance(text, str):
        raise TypeError(
            f"{compiled!r} has no generated code: pass a static gradient, such as "
            "srcdiff.grad(f) (the tracing mode generates none)"
        )
    for name, source in sorted(getattr(compiled, "sources", {}).items()):
        text += f"\n# {what} of the helper {name}\n{source}"
    return text
