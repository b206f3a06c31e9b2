"""Walking a tree: the nodes of a gast (or ast) tree, in ``ast.walk``'s order.

Every stage looks through trees for names and calls, so walking is most of
the time a transformation takes.  :func:`walk` yields exactly what
``ast.walk`` yields, in the same (breadth-first) order, about twice as fast:
it reads each node's fields directly instead of through two nested
generators.

Invariant: ``list(walk(tree)) == list(ast.walk(tree))``.
"""

from collections import deque

import gast

_AST = gast.AST  # gast's nodes derive from ``ast.AST``, like ast's own


def walk(node):
    """Every node under ``node`` (itself first), breadth-first, as ``ast.walk``."""
    todo = deque([node])
    take, add = todo.popleft, todo.append
    while todo:
        node = take()
        for field in node._fields:
            child = getattr(node, field, None)
            if isinstance(child, list):
                for item in child:
                    if isinstance(item, _AST):
                        add(item)
            elif isinstance(child, _AST):
                add(child)
        yield node
