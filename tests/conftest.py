"""Fixtures shared by the whole suite."""

import pytest

from srcdiff.rules import registry


@pytest.fixture
def rules():
    """Undo every rule and declaration a test makes (the rule table is global state)."""
    vjps = dict(registry._VJPS)
    jvps = {fn: dict(rules) for fn, rules in registry._JVPS.items()}
    nondifferentiable = set(registry._NONDIFFERENTIABLE)
    yield
    registry._VJPS.clear()
    registry._VJPS.update(vjps)
    registry._JVPS.clear()
    registry._JVPS.update(jvps)
    registry._NONDIFFERENTIABLE.clear()
    registry._NONDIFFERENTIABLE.update(nondifferentiable)
    registry._version[0] += 1
