"""Helpers for input from outside the process: bounded YAML, shortened reprs for error messages.

An error message quotes the offending value so the author can find it, but a
value can be megabytes (a pasted file, an expanded YAML alias): :func:`short`
keeps the quote to a few dozen characters whatever its size or nesting.
:func:`load_yaml` is the one way configuration YAML (rules, channels, feeds) is read;
:func:`open_regular` the one way a named input file is opened (regular files only, size cap first).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import reprlib
import stat
from pathlib import Path
from typing import Any, BinaryIO

_REPR = reprlib.Repr()
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlong = 40
_REPR.maxlevel = 2
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = 6


MAX_CHARS = 200


def clip(text: str, limit: int = 120) -> str:
    """``text`` cut to ``limit`` characters (for names quoted as they are, such as a key in a path)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def short(value: Any) -> str:
    """``repr(value)`` bounded in depth and to :data:`MAX_CHARS` characters."""
    text = _REPR.repr(value)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 3] + "..."


# YAML anchors are shared references once loaded, so a 500-byte file can stand
# for billions of nodes that a repr, a JSON dump or a loop over the rules then
# expands. Documents are measured as if every alias were copied out.
MAX_YAML_NODES = 200_000
MAX_YAML_DEPTH = 64


class YAMLLimitError(ValueError):
    """A YAML document is invalid or over the size bounds; the message says which."""


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` bounded: at most :data:`MAX_YAML_NODES` nodes (aliases
    counted each time they are used) nested at most :data:`MAX_YAML_DEPTH` deep."""
    # Imported here: the logging setup needs :func:`short`, and the commands
    # that read no YAML (``newsmon classify``) should not load the parser.
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise YAMLLimitError(f"invalid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise YAMLLimitError(f"invalid YAML: nested more than {MAX_YAML_DEPTH} levels deep") from None
    nodes = 0
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_YAML_NODES:
            raise YAMLLimitError(
                f"YAML too large: more than {MAX_YAML_NODES} values once anchors and aliases are expanded"
            )
        if depth > MAX_YAML_DEPTH:
            raise YAMLLimitError(f"YAML nested more than {MAX_YAML_DEPTH} levels deep (or an alias refers to itself)")
        if isinstance(value, dict):
            stack.extend((k, depth + 1) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return doc


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# Here rather than in ingest.netguard: configuration checks the setting at start
# and sits below ingest.
def parse_allow(value: str) -> tuple[tuple[IPNetwork, ...], frozenset[str]]:
    """``NEWSMON_FETCH_ALLOW`` as (networks, host names); ValueError names a bad entry."""
    nets: list[IPNetwork] = []
    hosts: set[str] = set()
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        name = entry.lower().rstrip(".")
        labels = name.split(".")
        if "/" in name or not all(lbl and len(lbl) <= 63 and lbl.replace("-", "").isalnum() for lbl in labels):
            raise ValueError(f"{entry[:60]!r} is neither a network (10.0.0.0/8) nor a host name")
        hosts.add(name)
    return tuple(nets), frozenset(hosts)


# The default of NEWSMON_MAX_FILE_BYTES (newsmon.config): files over it are refused unread.
MAX_FILE_BYTES = 256_000_000


class FileRefused(Exception):
    """A file newsmon will not read (not a regular file, over the size cap); the message says why."""


def open_regular(path: Path, *, follow_symlinks: bool = True, max_bytes: int | None = None) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file.

    The check is made on the opened descriptor, so a file swapped for a link
    or a FIFO after a directory scan is still refused; ``O_NONBLOCK`` keeps
    the open of a FIFO from waiting for a writer. ``follow_symlinks=False``
    (the watch folder) refuses a symlink itself, and a hard link to a file
    elsewhere: only files put into the folder are read.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise FileRefused("not a regular file: symlink") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused(f"not a regular file: {file_kind(st.st_mode)}")
        if not follow_symlinks and st.st_nlink > 1:
            raise FileRefused(f"hard link ({st.st_nlink} names): only files put into the folder are read")
        if max_bytes is not None and st.st_size > max_bytes:
            raise FileRefused(f"too large: {st.st_size} bytes > limit {max_bytes} (NEWSMON_MAX_FILE_BYTES)")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISLNK, "symlink"), (stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "directory"),
    )  # fmt: skip
    for test, name in kinds:
        if test(mode):
            return name
    return "special file"
