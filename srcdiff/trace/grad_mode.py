"""Whether operations on Tensors record a graph: ``no_grad`` and friends.

Grad mode is one process-wide flag, as in PyTorch's default (single-thread)
use.  Every recorded operation reads it once, so it is a plain attribute of a
small state object rather than anything slower.
"""

import functools


class _GradState:
    """The flag the tracing hot path reads (``GRAD_STATE.enabled``)."""

    __slots__ = ("enabled", "strict")

    def __init__(self):
        self.enabled = True
        # True while ``trace_vjp`` runs user code: silently leaving the graph
        # (``float(t)``, ``math.exp(t)``, ``np.asarray(t)``) raises instead of warning.
        self.strict = False


GRAD_STATE = _GradState()


def is_grad_enabled():
    """True when operations on Tensors that require grad record a graph."""
    return GRAD_STATE.enabled


class _GradModeContext:
    """A context manager that is also a decorator and restores the previous mode."""

    _mode = True

    def __init__(self):
        self._saved = []

    def __enter__(self):
        self._saved.append(GRAD_STATE.enabled)
        GRAD_STATE.enabled = self._mode
        return None

    def __exit__(self, *exc):
        GRAD_STATE.enabled = self._saved.pop()
        return False

    def __call__(self, fn):
        """Use as a decorator: run ``fn`` in this grad mode."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Disable graph recording inside a ``with`` block or a decorated function.

    Results computed inside have ``requires_grad=False`` and no ``grad_fn``,
    exactly as ``torch.no_grad`` does; in-place updates of leaves are allowed.
    """

    _mode = False


class enable_grad(_GradModeContext):
    """Re-enable graph recording, for example inside a ``no_grad`` block."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode: takes effect at once, and as a context manager restores it on exit."""

    def __init__(self, mode):
        super().__init__()
        self._mode = bool(mode)
        self._previous = GRAD_STATE.enabled
        GRAD_STATE.enabled = self._mode

    def __enter__(self):
        self._saved.append(self._previous)
        GRAD_STATE.enabled = self._mode
        return None

    def __call__(self, fn):
        """Use as a decorator: run ``fn`` in this grad mode."""
        GRAD_STATE.enabled = self._previous
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class strict_tracing:
    """While active, leaving the graph silently is an error (used by ``trace_vjp``).

    ``patches`` maps ``(module, name)`` to a replacement installed for the
    duration (``trace_vjp`` uses it to make ``math.exp(t)`` traceable) and
    restored on exit.
    """

    def __init__(self, patches=()):
        self._patches = patches

    def __enter__(self):
        self._saved = (GRAD_STATE.enabled, GRAD_STATE.strict)
        GRAD_STATE.enabled = True
        GRAD_STATE.strict = True
        self._originals = [
            (module, name, getattr(module, name)) for module, name, _ in self._patches
        ]
        for module, name, replacement in self._patches:
            setattr(module, name, replacement)

    def __exit__(self, *exc):
        for module, name, original in self._originals:
            setattr(module, name, original)
        GRAD_STATE.enabled, GRAD_STATE.strict = self._saved
        return False
