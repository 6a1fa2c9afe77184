"""A per-user disk cache for the built lexicon, so a start-up reads it instead of building it.

Building the matchers from the data files costs most of a second of CPU;
reading them back costs a fraction of that. What is cached is a pickle, and
unpickling runs code, so a cache file is trusted exactly as Python trusts its
own ``__pycache__``: only when nobody but the running user could have written
it. A file is read only when

* the cache directory and the file are not symbolic links,
* both are owned by the running user and not writable by group or others,
* the file is a regular file.

Anything else is refused with one warning, and the lexicon is built from the
data files as if there were no cache. A truncated, corrupt or stale file is a
warning and a rebuild, never a crash; a directory that cannot be created or
written (a read-only home in a container) means no cache, said once in the
log.

The key of a cache file is a hash of every file under the data directory,
the code that builds and defines what is pickled (this package's modules),
newsmon's version, the Python build and the pyahocorasick extension: any
change to one of them builds afresh under a new key.

Environment:

``NEWSMON_CLASSIFY_CACHE_DIR``
    The directory of the cache files. Default: ``$XDG_CACHE_HOME/newsmon``,
    else ``~/.cache/newsmon``.
``NEWSMON_CLASSIFY_CACHE``
    ``off`` (or ``0``, ``false``, ``no``) neither reads nor writes a cache.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import stat
import struct
import sys
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

ENV_DIR = "NEWSMON_CLASSIFY_CACHE_DIR"
ENV_SWITCH = "NEWSMON_CLASSIFY_CACHE"
_OFF = frozenset({"off", "0", "false", "no"})

# Bumped when the layout of a cache file changes in a way the key does not see.
FORMAT = 1
# A file is MAGIC, the payload's length and CRC-32 (a truncated or damaged file
# is told before anything is unpickled), then the payload: the length of a JSON
# index {name: [offset, length]}, the index, and the sections it points to.
MAGIC = b"newsmon-lexicon-cache\n"
_HEADER = struct.Struct("<QI")
_INDEX_LEN = struct.Struct("<I")
PREFIX = "lexicon-"
SUFFIX = ".pickle"
# Older files (other keys: other checkouts, earlier data) are pruned beyond this many.
KEEP_FILES = 6

# Whether the platform lets us check the directory and open the file without following links.
_SAFE_OPEN = hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY") and os.open in os.supports_dir_fd


def enabled() -> bool:
    """Whether NEWSMON_CLASSIFY_CACHE leaves the cache on (the default)."""
    return os.environ.get(ENV_SWITCH, "").strip().lower() not in _OFF


def default_dir() -> Path | None:
    """``NEWSMON_CLASSIFY_CACHE_DIR``, else the XDG cache directory's ``newsmon``; None when there is no home."""
    configured = os.environ.get(ENV_DIR, "").strip()
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    # The XDG spec says a relative path is invalid and must be ignored.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "newsmon"
    try:
        return Path.home() / ".cache" / "newsmon"
    except RuntimeError:  # no HOME and no passwd entry (some containers)
        return None


def fingerprint(data_dir: Path, code_files: Iterable[Path], extra: Iterable[str] = ()) -> str:
    """The cache key: a hash of every file and folder name under ``data_dir``, the code files and ``extra``."""
    h = hashlib.sha256()
    h.update(f"format {FORMAT}\0python {sys.version}\0{sys.implementation.cache_tag}\0".encode())
    for item in extra:
        h.update(item.encode("utf-8", "surrogatepass") + b"\0")
    for path in code_files:
        content = path.read_bytes()
        h.update(b"code\0" + path.name.encode() + b"\0%d\0" % len(content) + content)
    root = str(data_dir)
    # Into linked folders too: the build reads through them.
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        # Folder names count too: an empty lang/xx/ is an error the build must see.
        h.update(b"dir\0" + rel.encode("utf-8", "surrogateescape") + b"\0")
        for name in sorted(filenames):
            with open(os.path.join(dirpath, name), "rb") as fh:
                content = fh.read()
            h.update(b"file\0" + name.encode("utf-8", "surrogateescape") + b"\0%d\0" % len(content) + content)
    return h.hexdigest()[:32]


class CacheUnsafe(Exception):
    """The cache directory or file failed a safety check; the message says which and why."""


def _check_opened(fd: int, what: str, is_kind: Callable[[int], bool], kind: str) -> None:
    """Checks made on the open descriptor (what was looked at is what is used): its kind, then its owner and mode."""
    st = os.fstat(fd)
    if not is_kind(st.st_mode):
        raise CacheUnsafe(f"{what} is not a {kind}")
    _check_owned(st, what)


def _check_owned(st: os.stat_result, what: str) -> None:
    if st.st_uid != os.getuid():
        raise CacheUnsafe(f"{what} is owned by uid {st.st_uid}, not by this user ({os.getuid()})")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheUnsafe(f"{what} is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})")


class Store:
    """The cache directory, checked and held open (files are opened relative to it, never through a link)."""

    def __init__(self, path: Path, dir_fd: int) -> None:
        self.path = path
        self._fd = dir_fd

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def name(key: str) -> str:
        return f"{PREFIX}{key}{SUFFIX}"

    def read(self, key: str) -> dict[str, memoryview] | None:
        """The sections stored under ``key``; None (after one warning, unless simply absent) when unusable.

        The sections are views of one buffer (not copied); a caller may keep
        some for later and drop the rest.
        """
        name = self.name(key)
        where = self.path / name
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), dir_fd=self._fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            # O_NOFOLLOW on a symbolic link fails with ELOOP.
            why = "is a symbolic link" if exc.errno == errno.ELOOP else f"cannot be opened ({exc.strerror})"
            logger.warning("classifier cache %s %s: not used, building the lexicon", where, why)
            return None
        try:
            _check_opened(fd, str(where), stat.S_ISREG, "regular file")
            with os.fdopen(fd, "rb", closefd=False) as fh:
                blob = fh.read()
        except CacheUnsafe as exc:
            logger.warning("classifier cache refused: %s; building the lexicon", exc)
            return None
        except OSError as exc:
            logger.warning("classifier cache %s cannot be read (%s); building the lexicon", where, exc)
            return None
        finally:
            os.close(fd)
        sections = _unwrap(blob)
        if sections is None:
            logger.warning("classifier cache %s is truncated or damaged; building the lexicon", where)
        return sections

    def write(self, key: str, sections: Mapping[str, bytes]) -> bool:
        """Store ``sections`` under ``key`` atomically (mode 0600); False (logged) when the directory refuses."""
        name = self.name(key)
        tmp = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(tmp, flags, 0o600, dir_fd=self._fd)
            try:
                with os.fdopen(fd, "wb", closefd=False) as fh:
                    fh.write(_wrap(sections))
            finally:
                os.close(fd)
            # Readers see the old file or the whole new one, never a part.
            os.replace(tmp, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
        except OSError as exc:
            logger.info("classifier cache not written to %s (%s); the next start builds again", self.path, exc)
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=self._fd)
            return False
        self._prune(keep=name)
        return True

    def _prune(self, keep: str) -> None:
        """Drop the oldest cache files beyond KEEP_FILES (each checkout or data change leaves one)."""
        try:
            found = []
            for entry in os.scandir(self._fd):
                if entry.name.startswith(PREFIX) and entry.name.endswith(SUFFIX) and entry.name != keep:
                    found.append((entry.stat(follow_symlinks=False).st_mtime, entry.name))
            for _mtime, name in sorted(found, reverse=True)[KEEP_FILES - 1 :]:
                os.unlink(name, dir_fd=self._fd)
        except OSError as exc:
            logger.debug("classifier cache: pruning old files failed: %s", exc)


def _wrap(sections: Mapping[str, bytes]) -> bytes:
    index: dict[str, list[int]] = {}
    offset = 0
    for name, data in sections.items():
        index[name] = [offset, len(data)]
        offset += len(data)
    head = json.dumps(index).encode()
    payload = b"".join([_INDEX_LEN.pack(len(head)), head, *sections.values()])
    return MAGIC + _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def _unwrap(blob: bytes) -> dict[str, memoryview] | None:
    start = len(MAGIC) + _HEADER.size
    if len(blob) < start + _INDEX_LEN.size or not blob.startswith(MAGIC):
        return None
    length, crc = _HEADER.unpack_from(blob, len(MAGIC))
    payload = memoryview(blob)[start:]
    if len(payload) != length or zlib.crc32(payload) != crc:
        return None
    try:
        (head_len,) = _INDEX_LEN.unpack_from(payload)
        base = _INDEX_LEN.size + head_len
        index = json.loads(bytes(payload[_INDEX_LEN.size : base]))
        sections = {str(name): payload[base + off : base + off + size] for name, (off, size) in index.items()}
    except (ValueError, TypeError, struct.error):
        return None
    if any(base + off + size > length for off, size in index.values()):
        return None
    return sections


def open_store(path: Path | None = None, create: bool = True) -> Store | None:
    """The cache directory at ``path`` (default: :func:`default_dir`), checked; None when off or unusable.

    Creates the directory (mode 0700) when missing and ``create``. Unusable
    means: disabled by NEWSMON_CLASSIFY_CACHE, no home directory, cannot be
    created (read-only file system), or fails a safety check (a warning).
    """
    if not enabled():
        return None
    if not _SAFE_OPEN:
        logger.info("classifier cache: this platform cannot open files without following links; no cache")
        return None
    path = path or default_dir()
    if path is None:
        logger.info("classifier cache: no home directory and %s unset; no cache", ENV_DIR)
        return None
    try:
        if create and not os.path.lexists(path):
            os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            raise CacheUnsafe(f"{path} is a symbolic link")
        if not stat.S_ISDIR(st.st_mode):
            raise CacheUnsafe(f"{path} is not a directory")
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except CacheUnsafe as exc:
        logger.warning("classifier cache refused: %s; building the lexicon without a cache", exc)
        return None
    except OSError as exc:
        logger.info("classifier cache unavailable at %s (%s); building the lexicon without a cache", path, exc)
        return None
    try:
        _check_opened(fd, str(path), stat.S_ISDIR, "directory")
    except (CacheUnsafe, OSError) as exc:
        os.close(fd)
        logger.warning("classifier cache refused: %s; building the lexicon without a cache", exc)
        return None
    return Store(path, fd)
