"""Whether operations on Tensors record a graph: ``no_grad`` and friends.

Grad mode is per thread, as in PyTorch: ``with no_grad():`` in one thread
never changes what another thread records.  ``GRAD_STATE`` is a
``threading.local`` whose attributes every recorded operation reads once
(``GRAD_STATE.enabled``), so it stays a plain attribute read on the hot path.

``GRAD_STATE.strict`` is True while the current thread runs a traced function
for ``trace_vjp`` (``tracing()``): then silently leaving the graph
(``float(t)``, ``t.item()``, storing a Tensor into an ndarray) raises instead
of warning, and in-place updates follow NumPy's semantics
(``numpy_writes.py``).  Nothing here touches any module.
"""

import functools
import threading


class _GradState(threading.local):
    """The per-thread flags the tracing hot path reads."""

    def __init__(self):
        self.enabled = True
        self.strict = False


GRAD_STATE = _GradState()


def is_grad_enabled():
    """True when operations on Tensors that require grad record a graph (in this thread)."""
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


class tracing:
    """This thread records, strictly, while ``trace_vjp`` runs the user's function."""

    def __enter__(self):
        self._saved = (GRAD_STATE.enabled, GRAD_STATE.strict)
        GRAD_STATE.enabled = True
        GRAD_STATE.strict = True

    def __exit__(self, *exc):
        GRAD_STATE.enabled, GRAD_STATE.strict = self._saved
        return False
