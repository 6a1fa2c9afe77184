"""Helpers for values that come from outside the process: shortened reprs for error messages.

An error message quotes the offending value so the author can find it, but a
value can be megabytes (a pasted file, an expanded YAML alias): :func:`short`
keeps the quote to a few dozen characters whatever its size or nesting.
"""

from __future__ import annotations

import reprlib
from typing import Any

_REPR = reprlib.Repr()
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlong = 40
_REPR.maxlevel = 2
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = 6


MAX_CHARS = 200


def short(value: Any) -> str:
    """``repr(value)`` bounded in depth and to :data:`MAX_CHARS` characters."""
    text = _REPR.repr(value)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 3] + "..."
