"""Writing files so that a crash, a full disk or an error midway leaves the old file intact.

A file is written to a temporary file beside it, flushed to disk, then renamed over the target with
``os.replace`` (atomic): a reader finds the old file or the new one, never half of one. The new file
gets the permissions a plain ``open`` would give it: those of the file it replaces, or for a new file
0o666 less the user's umask (``tempfile.mkstemp`` would make it 0o600, and the rename would keep that).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """``with atomic_writer(path) as file:`` — the file appears at ``path`` only if the block succeeds.

    ``mode`` is "wb" (bytes) or "w" (text, UTF-8).
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_writer: mode must be 'wb' or 'w', got {mode!r}")
    target = os.fspath(path)
    handle, temporary = _new_temporary_file(os.path.dirname(os.path.abspath(target)))
    try:
        if os.path.exists(target):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        with os.fdopen(handle, mode, encoding="utf-8" if mode == "w" else None) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


def write_text_atomically(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` with :func:`atomic_writer`; return the path."""
    with atomic_writer(path, "w") as file:
        file.write(text)
    return Path(path)


def _new_temporary_file(directory: str) -> tuple[int, str]:
    """A new file in ``directory``, open for writing, with the permissions ``open`` would give it."""
    while True:
        name = os.path.join(directory, f".tmp-{secrets.token_hex(8)}")
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), name
        except FileExistsError:
            continue
