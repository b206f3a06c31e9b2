"""Whether operations on Tensors record a graph: ``no_grad`` and friends.

Grad mode is per thread, as in PyTorch: ``with no_grad():`` in one thread
never changes what another thread records.  ``GRAD_STATE`` is a
``threading.local``; its ``flags`` are this thread's ``Flags``, which every
operation looks up once (``flags = GRAD_STATE.flags``) and then reads as
plain attributes.

``flags.strict`` is True while the current thread runs a traced function for
``trace_vjp`` (``tracing()``): then silently leaving the graph (``float(t)``,
``t.item()``, storing a Tensor into an ndarray) raises instead of warning,
and in-place updates follow NumPy's semantics (``numpy_writes.py``).
Nothing here touches any module.
"""

import functools
import threading


class Flags:
    """One thread's flags; the hot path reads ``GRAD_STATE.flags`` once per operation."""

    __slots__ = ("enabled", "strict")

    def __init__(self):
        self.enabled = True
        self.strict = False


class _GradState(threading.local):
    """Per thread: ``flags``, this thread's ``Flags``."""

    def __init__(self):
        self.flags = Flags()


GRAD_STATE = _GradState()


def is_grad_enabled():
    """True when operations on Tensors that require grad record a graph (in this thread)."""
    return GRAD_STATE.flags.enabled


class _GradModeContext:
    """A context manager that is also a decorator and restores the previous mode."""

    _mode = True

    def __init__(self):
        self._saved = []

    def __enter__(self):
        self._saved.append(GRAD_STATE.flags.enabled)
        GRAD_STATE.flags.enabled = self._mode
        return None

    def __exit__(self, *exc):
        GRAD_STATE.flags.enabled = self._saved.pop()
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
        self._previous = GRAD_STATE.flags.enabled
        GRAD_STATE.flags.enabled = self._mode

    def __enter__(self):
        self._saved.append(self._previous)
        GRAD_STATE.flags.enabled = self._mode
        return None

    def __call__(self, fn):
        """Use as a decorator: run ``fn`` in this grad mode."""
        GRAD_STATE.flags.enabled = self._previous
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class tracing:
    """This thread records, strictly, while ``trace_vjp`` runs the user's function."""

    def __enter__(self):
        self._saved = (GRAD_STATE.flags.enabled, GRAD_STATE.flags.strict)
        GRAD_STATE.flags.enabled = True
        GRAD_STATE.flags.strict = True

    def __exit__(self, *exc):
        GRAD_STATE.flags.enabled, GRAD_STATE.flags.strict = self._saved
        return False
