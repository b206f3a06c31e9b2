"""Which values the forward sweep may have to save for the backward sweep.

A statement that overwrites a name (inside a loop, or a name already bound)
destroys a value some adjoint may read.  This pre-pass walks the normalized
function forward and records, per statement, a ``Save``: what would be saved
(a name, or ``a[i]`` before an item assignment), and whether on a stack (inside
loops) or in a plain name.  It also names each branch condition and plans
each loop (walk its ``range`` backwards, or count its trips).  Whether a save
is really made is decided once the backward sweep is written and it is known
which values it reads (``primal.py``).

Inside a loop, a cheap value whose inputs stay unchanged for the rest of the
iteration (``x_t = xs[t]``) is computed again by the backward loop instead
(``recompute.py``): its ``Save`` carries the statement to run again.

Invariant: every overwrite of a value that may be live has a ``Save``;
loop-invariant values (``t = -k`` in a loop that never assigns ``k``) need none.
"""

from collections import Counter
from dataclasses import dataclass

import gast

from srcdiff.static.nodes import walk
from srcdiff.static.recompute import loads_of, recomputable
from srcdiff.static.statements import is_loop_exit


@dataclass
class Save:
    """One forward value the backward pass may need back."""

    var: str
    in_loop: bool
    overwrite: bool
    index: gast.AST = None  # save var[index] rather than var
    slot: str = None  # the name (or stack) holding the saved value
    used: bool = False
    recompute: gast.AST = None  # the statement the backward loop runs again instead


class Restore:
    """Placeholder in backward code; becomes a restore if its value is needed."""

    def __init__(self, save):
        self.save = save


class Recompute(Restore):
    """Placeholder at the top of a backward loop's body: runs ``save.recompute`` again
    there, if its value is needed."""


@dataclass
class LoopPlan:
    trips: str = None  # name counting iterations, when the loop cannot be walked backwards
    reverse_range: bool = False


class SavePlan:
    """The saves, branch conditions and loop plans of one normalized function."""

    def __init__(self, tree, namer, scalars=frozenset(), source=None):
        self.namer = namer
        self.scalars = scalars
        self.source = source
        self.saves = {}  # id(statement) -> list of Save
        self.conditions = {}  # id(If) -> condition name
        self.loops = {}  # id(loop) -> LoopPlan
        self.preinit = set()  # names a loop saves before they are surely bound
        self.defined_before = {}  # id(If or loop) -> names surely bound when it starts
        self.loop_assigned = []  # names assigned by each enclosing loop, innermost last
        self.recomputes = {}  # id(loop) -> the saves its backward loop computes again
        self.invariant = set()  # names assigned in a loop, the same value every trip
        self.loads = loads_of([tree])
        self.definitions = Counter(
            n.id for n in walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
        )

    def plan(self, body, defined, maybe, depth):
        """Walk forward, recording for each statement the saves it may need."""
        for stmt in body:
            if isinstance(stmt, gast.Assign):
                target = stmt.targets[0]
                if isinstance(target, gast.Subscript):
                    var = target.value.id
                    self.saves[id(stmt)] = [Save(var, depth > 0, True, index=target.slice)]
                else:
                    names = [t.id for t in getattr(target, "elts", [target])]
                    if self.is_loop_invariant(stmt, maybe):
                        saves = []  # the same value every iteration: nothing to restore
                        self.invariant |= set(names)
                    else:
                        saves = [self.save_for(v, defined, maybe, depth) for v in names]
                    self.saves[id(stmt)] = saves
                    defined |= set(names)
                    maybe |= set(names)
            elif isinstance(stmt, gast.If):
                self.defined_before[id(stmt)] = set(defined)
                cond = self.namer.fresh("cond")
                self.conditions[id(stmt)] = cond
                self.saves[id(stmt)] = [self.save_for(cond, defined, maybe, depth)]
                defined.add(cond)
                maybe.add(cond)
                left, right = set(defined), set(defined)
                self.plan(stmt.body, left, maybe, depth)
                self.plan(stmt.orelse, right, maybe, depth)
                defined |= left & right
            elif isinstance(stmt, (gast.For, gast.While)):
                self.plan_loop(stmt, defined, maybe, depth)

    def is_loop_invariant(self, stmt, maybe):
        """``t = -k`` inside a loop that never assigns ``k``, ``t`` assigned only here
        and unbound before: every trip gives it the same value, so nothing to restore."""
        if not self.loop_assigned:
            return False
        target = stmt.targets[0]
        if not isinstance(target, gast.Name) or self.definitions[target.id] != 1:
            return False
        if target.id in maybe:  # it had a value before (an argument, say): keep it
            return False
        nodes = list(walk(stmt.value))
        reads = {n.id for n in nodes if isinstance(n, gast.Name)}
        # A call may differ each time; a list, dict or set literal is a new object each time.
        fresh = (gast.Call, gast.List, gast.Dict, gast.Set, gast.ListComp, gast.DictComp)
        return not any(isinstance(n, fresh) for n in nodes) and not reads & self.loop_assigned[-1]

    def save_for(self, var, defined, maybe, depth):
        overwrite = depth > 0 or var in maybe
        if overwrite and var not in defined:
            self.preinit.add(var)
        return Save(var, depth > 0, overwrite)

    def plan_loop(self, stmt, defined, maybe, depth):
        assigned = {
            n.id for n in walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
        }
        self.defined_before[id(stmt)] = set(defined)
        plan = LoopPlan()
        if isinstance(stmt, gast.For):
            range_names = {n.id for n in walk(stmt.iter) if isinstance(n, gast.Name)}
            plan.reverse_range = not (range_names & assigned) and _is_range(stmt.iter)
        exits = bool(stmt.body) and is_loop_exit(stmt.body[-1])
        if not plan.reverse_range or exits:
            base = stmt.target.id if isinstance(stmt, gast.For) else "while"
            plan.trips = self.namer.fresh(f"{base}_trips")
            self.saves[id(stmt)] = [self.save_for(plan.trips, defined, maybe, depth)]
        else:
            self.saves[id(stmt)] = []
        if isinstance(stmt, gast.For):
            target = stmt.target.id
            self.saves[id(stmt)].append(self.save_for(target, defined, maybe, depth))
            if not plan.reverse_range:  # the target changes every iteration
                self.saves[("target", id(stmt))] = [Save(target, True, True)]
        self.loops[id(stmt)] = plan
        inner_defined, inner_maybe = set(defined), maybe
        self.loop_assigned.append(
            assigned | (self.loop_assigned[-1] if self.loop_assigned else set())
        )
        self.plan(stmt.body, inner_defined, inner_maybe, depth + 1)
        if self.source is not None:
            self.recomputes[id(stmt)] = recomputable(
                stmt,
                self.saves,
                (self.definitions, self.loads),
                self.scalars,
                self.source,
                assigned - self.invariant,
            )
        self.loop_assigned.pop()
        maybe |= assigned


def _is_range(node):
    return (
        isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == "range"
    )
