"""Where each generated line comes from, told in the tracebacks of errors it raises.

Python's default traceback (``sys.excepthook``) reads source lines from files
on disk, so a frame of generated code shows only ``File "<srcdiff: grad of f
at model.py:5 #1>", line 5``.  ``record`` remembers, for the code objects of
one compiled adjoint, which user line each generated line runs or
differentiates; ``add_notes`` gives an exception raised through them one
note per generated frame, with the generated line's text and the user's
``File "...", line N`` with its text, which the default traceback prints
under the error (Python 3.11+; on 3.10 the notes are kept in ``__notes__``
but not printed).

Invariant: a note names the user's line that the generated line was made from.
"""

import linecache
import types
import weakref

# code object -> (user file, user function, {generated line: (user line, kind)}).
# Keys are weak: an entry lives as long as the compiled adjoint does.
_ORIGINS = weakref.WeakKeyDictionary()


def record(code, filename, function, lines):
    """Remember the origins of ``code``'s lines and of every function nested in it."""
    _ORIGINS[code] = (filename, function, lines)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            record(constant, filename, function, lines)


def add_notes(error):
    """Add to ``error`` a note for each frame of generated code it passed through."""
    notes = getattr(error, "__notes__", [])
    traceback = error.__traceback__
    while traceback is not None:
        note = _note(traceback.tb_frame.f_code, traceback.tb_lineno)
        if note is not None and note not in notes:
            notes = [*notes, note]
            if hasattr(error, "add_note"):
                error.add_note(note)
            else:  # Python 3.10: kept for tools that read it
                error.__notes__ = notes
        traceback = traceback.tb_next


def _note(code, line):
    try:
        filename, function, lines = _ORIGINS[code]
    except (KeyError, TypeError):
        return None
    if line not in lines:
        return None
    user_line, kind = lines[line]
    generated = linecache.getline(code.co_filename, line).strip()
    text = linecache.getline(filename, user_line).strip()
    return (
        f"srcdiff: line {line} of the generated {code.co_name}, `{generated}`, "
        f"{kind} line {user_line} of {function}:\n"
        f'  File "{filename}", line {user_line}, in {function}\n'
        f"    {text}"
    )
