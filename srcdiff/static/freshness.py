"""Compiled adjoints that stay the derivative of the code that runs now.

A compiled adjoint depends on more than the function's text: on the objects
the names it calls resolved to (helpers, modules, rules' owners), on the rule
table, and on the function's code object.  ``Dependencies`` records them when
the adjoint is generated; ``fresh_adjoint`` returns a thin function that checks
them on each call (identity checks, a few hundred nanoseconds) and compiles
again when one of them changed.  Closure variables that hold data need no
check: the adjoint reads them through the function's own cells.

Invariant: a call of the returned function runs an adjoint compiled against
the function's current code, names and rules; its ``source`` is that
adjoint's code.
"""

import threading
import types

from srcdiff.rules import registry

_MISSING = object()


def _by_identity(value):
    """Callables and modules are compared by identity; data only by type.

    The adjoint reads data (an array, a number) when it runs, so only the
    kind of value it was compiled for matters; a function or module decided
    which adjoint code was generated.
    """
    return callable(value) or isinstance(value, types.ModuleType)


class Dependencies:
    """What an adjoint of ``fn`` was compiled against, as read from its ``Source``.

    ``stale(fn)`` checks it all in one generated boolean expression, such as
    ``fn.__code__ is not code or version[0] != 7 or scope.get('np', MISSING)
    is not e0``, so a call pays a few hundred nanoseconds.  It holds no
    reference to ``fn`` (a cache of adjoints must not keep functions alive).
    """

    def __init__(self, fn, source):
        values = {
            "code": fn.__code__,
            "version": registry._version,
            "scope": source.globals,
            "MISSING": _MISSING,
        }
        tests = ["fn.__code__ is not code", f"version[0] != {registry.version()}"]

        def expect(read, value):
            key = f"e{len(values)}"
            values[key] = value if _by_identity(value) else type(value)
            read = read if _by_identity(value) else f"type({read})"
            tests.append(f"{read} is not {key}")

        for name, (scope, value) in source.reads.items():
            if scope == "closure":
                values[f"c{len(values)}"] = source.cells[name]
                expect(f"c{len(values) - 1}.cell_contents", value)
            elif scope == "global":
                expect(f"scope.get({name!r}, MISSING)", value)
            else:  # a builtin: stays one while no global of that name hides it
                tests.append(f"{name!r} in scope")
        for (owner, attribute), value in source.attributes.items():
            values[f"o{len(values)}"] = owner
            tests.append(
                f"getattr(o{len(values) - 1}, {attribute!r}, MISSING) is not e{len(values)}"
            )
            values[f"e{len(values)}"] = value
        self.text = " or ".join(tests)
        body = (
            f"def make({', '.join(values)}):\n"
            "    def stale(fn):\n"
            "        try:\n"
            f"            return {self.text}\n"
            "        except ValueError:  # a closure cell was emptied\n"
            "            return True\n"
            "    return stale\n"
        )
        scope = {}
        exec(compile(body, "<srcdiff: freshness check>", "exec"), {}, scope)
        self.stale = scope["make"](**values)


class Compiled:
    """The current adjoint of a function for one set of options, and what it depends on.

    ``build(fn)`` returns ``(adjoint, dependencies)``; neither this record nor
    ``build`` refers to ``fn``, so a cache may keep the record as long as
    ``fn`` lives without keeping ``fn`` alive.
    """

    def __init__(self, fn, build):
        self.build = build
        self.lock = threading.Lock()
        self.by_types = {}  # tuple of argument types -> the record of the adjoint for them
        self.adjoint, self.dependencies = build(fn)

    def current(self, fn):
        """The adjoint to run for ``fn`` now, compiled again first if it is stale."""
        if self.dependencies.stale(fn):
            with self.lock:
                if self.dependencies.stale(fn):
                    self.adjoint, self.dependencies = self.build(fn)
        return self.adjoint


_NUMBERS = (float, int)


def fresh_adjoint(fn, compiled, check_arguments, specialised=None):
    """A function that runs the adjoint ``compiled`` holds for ``fn``, kept up to date.

    ``check_arguments(args, kwargs)`` runs first on each call.  With
    ``specialised(fn, positions)``, which builds a ``Compiled`` record of the
    adjoint for calls whose arguments at ``positions`` are Python numbers,
    each call runs the record made for the types of its positional
    arguments (``static/specialise.py``); the guard is one dictionary look-up.
    The returned function carries the ``source`` of the adjoint its last call
    ran, ``sources_by_signature``, and ``current()``, the adjoint that a
    call would run now (compiling it again first if needed).
    """
    by_types = compiled.by_types
    last = [compiled]

    def record_for(args):
        types = tuple(map(type, args))
        record = by_types.get(types)
        if record is None:
            positions = _positions(types)
            same = [r for t, r in by_types.items() if _positions(t) == positions]
            if same:
                record = same[0]
            elif positions and specialised is not None:
                record = specialised(fn, positions)
            else:
                record = compiled
            by_types[types] = record
        return record

    def current():
        adjoint = last[0].current(fn)
        if wrapper.__wrapped__ is not adjoint:
            _show(wrapper, adjoint)
        return adjoint

    def wrapper(*args, **kwargs):
        check_arguments(args, kwargs)
        record = record_for(args) if specialised is not None else compiled
        if record is not last[0]:
            last[0] = record
            return current()(*args, **kwargs)
        if record.dependencies.stale(fn):
            return current()(*args, **kwargs)
        return record.adjoint(*args, **kwargs)

    def sources_by_signature():
        """The adjoint's source for each signature of argument types seen so far."""
        return {
            ", ".join(t.__name__ for t in types): record.adjoint.source
            for types, record in by_types.items()
        }

    wrapper.current = current
    wrapper.sources_by_signature = sources_by_signature
    _show(wrapper, compiled.adjoint)
    return wrapper


def _positions(types):
    return tuple(i for i, t in enumerate(types) if t in _NUMBERS)


def _show(adjoint, compiled):
    """The wrapper shows the adjoint it runs: its name, source and signature."""
    adjoint.__name__ = compiled.__name__
    adjoint.__qualname__ = compiled.__qualname__
    adjoint.__wrapped__ = compiled  # inspect.getsource and inspect.signature read it
    adjoint.source = compiled.source
    adjoint.sources = getattr(compiled, "sources", {})
