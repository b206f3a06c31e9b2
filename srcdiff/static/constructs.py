"""What each piece of Python syntax is called in messages: the user's words, never a node name.

``describe(node)`` names any gast node the static mode may refuse ("a dict
literal", "a 'with' block", ...), for every message that says what is not
supported.
"""

import gast

_WORDS = {
    # statements
    gast.With: "a 'with' block",
    gast.AsyncWith: "an 'async with' block",
    gast.Try: "a 'try' statement",
    gast.Raise: "a 'raise' statement",
    gast.ClassDef: "a class definition",
    gast.FunctionDef: "a nested function definition",
    gast.AsyncFunctionDef: "a nested async function",
    gast.AsyncFor: "an 'async for' loop",
    gast.Global: "a 'global' statement",
    gast.Nonlocal: "a 'nonlocal' statement",
    gast.Delete: "a 'del' statement",
    gast.Import: "an import inside the function",
    gast.ImportFrom: "an import inside the function",
    gast.AnnAssign: "an annotated assignment",
    gast.Match: "a 'match' statement",
    # expressions
    gast.Yield: "'yield'",
    gast.YieldFrom: "'yield from'",
    gast.Await: "'await'",
    gast.NamedExpr: "an assignment expression (':=')",
    gast.Dict: "a dict literal",
    gast.Set: "a set literal",
    gast.ListComp: "a list comprehension",
    gast.SetComp: "a set comprehension",
    gast.DictComp: "a dict comprehension",
    gast.GeneratorExp: "a generator expression",
    gast.Lambda: "a lambda",
    gast.Starred: "a starred expression ('*x')",
    gast.JoinedStr: "an f-string",
    gast.FormattedValue: "an f-string",
    gast.Compare: "a comparison",
    gast.BoolOp: "'and'/'or'",
    gast.IfExp: "a conditional expression ('a if c else b')",
    gast.Slice: "a slice",
}

for _name in ("TryStar", "TypeAlias"):  # statements of newer Pythons
    if hasattr(gast, _name):
        _WORDS[getattr(gast, _name)] = {"TryStar": "a 'try' statement with 'except*'"}.get(
            _name, "a 'type' statement"
        )


def describe(node):
    """The user's words for the construct ``node`` is."""
    words = _WORDS.get(type(node))
    if words is not None:
        return words
    if isinstance(node, gast.stmt):
        return "this kind of statement"
    return "this kind of expression"
