"""The exceptions srcdiff raises.

Every error srcdiff raises on purpose derives from :class:`SrcdiffError`, so a
caller can catch them all at once.  Errors about the user's code carry the
user's file and line, so the message reads like a compiler error.
"""


class SrcdiffError(Exception):
    """Base class of every error srcdiff raises on purpose."""


class UnsupportedSyntax(SrcdiffError):
    """The static compiler met Python it does not differentiate.

    The message starts with ``FILE:LINE:``, names the construct and says what to
    do instead (often: ``mode="trace"``).
    """


class DifferentiationError(SrcdiffError):
    """A function cannot be differentiated as asked.

    Raised for a non-scalar output under ``grad``, a ``wrt`` that names no
    argument, a call with no rule and no source, or a non-float argument in
    ``wrt``.
    """


def located(filename, lineno, message):
    """Prefix ``message`` with ``FILE:LINE:`` as compilers do."""
    return f"{filename}:{lineno}: {message}"
