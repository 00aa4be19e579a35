"""Saving and loading weights: ``nn.save(model, "model.npz")``, ``model.load_state_dict(nn.load("model.npz"))``.

The file is a numpy ``.npz`` archive (a zip of ``.npy`` arrays, one per state entry, named by its dotted
name). It holds numbers only and is read with ``allow_pickle=False``, so loading a file can never run
code. Each array keeps its dtype, so a round trip is bit-exact. Each zip member carries a CRC-32
checksum, so a truncated or altered file is detected when it is read.

Saving is atomic (:mod:`tinygrad_edu.files`): the archive is written to a temporary file in the same
directory, flushed to disk, then renamed over the target — a crash mid-save leaves the old file intact.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from tinygrad_edu.engine import Value
from tinygrad_edu.files import atomic_writer
from tinygrad_edu.nn.module import Module

FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


class CheckpointError(ValueError):
    """A file is not a readable tinygrad_edu checkpoint (truncated, corrupted or not an .npz)."""


def _arrays_to_save(module_or_state: Module | Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The module's state dict, or the given mapping checked to hold float arrays under str names."""
    if isinstance(module_or_state, Module):
        return module_or_state.state_dict()
    if not isinstance(module_or_state, Mapping):
        raise TypeError(f"save: expected a Module or a state dict, got {type(module_or_state).__name__}")
    arrays = {}
    for name, item in module_or_state.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"save: state names must be non-empty strings, got {name!r}")
        array = np.asarray(item.data if isinstance(item, Value) else item)
        if array.dtype not in FLOAT_DTYPES:
            raise TypeError(f"save: {name!r} holds dtype {array.dtype}; only float64 and float32 arrays are saved")
        arrays[name] = array
    return arrays


def _write_npz(file: Any, arrays: dict[str, np.ndarray]) -> None:
    """The .npz layout ``numpy.savez`` writes (one ``<name>.npy`` member per array), built directly so
    that any name works, even one that is also an argument of ``savez`` (such as ``file``)."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def save(module_or_state: Module | Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a module's ``state_dict()`` (or a state dict) to ``path`` as .npz, atomically.

    The file is written to exactly ``path`` (no suffix is added).
    """
    arrays = _arrays_to_save(module_or_state)
    with atomic_writer(path, "wb") as file:
        _write_npz(file, arrays)


def load(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read a state dict written by :func:`save`: {dotted name: array}, in the saved order.

    Raises ``CheckpointError`` for a file that is truncated, corrupted, not an .npz archive, or holds
    anything but float64/float32 arrays; ``FileNotFoundError`` if there is no file.
    """
    target = os.fspath(path)
    try:
        loaded = np.load(target, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise CheckpointError(f"load: {target!r} holds a single .npy array, not an .npz state dict")
        with loaded as archive:  # read every array now: a damaged member fails here, inside the try
            state = {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, MemoryError) as err:
        # (MemoryError: a header that claims an array bigger than memory)
        if isinstance(err, (FileNotFoundError, IsADirectoryError, PermissionError, CheckpointError)):
            raise
        raise CheckpointError(
            f"load: {target!r} is not a readable checkpoint (truncated or corrupted?): {type(err).__name__}: {err}"
        ) from None
    for name, array in state.items():
        if not isinstance(array, np.ndarray):  # numpy hands a member that is not an .npy array over as bytes
            raise CheckpointError(f"load: {target!r} entry {name!r} is not a numpy array (.npy) but raw bytes")
        if array.dtype not in FLOAT_DTYPES:
            raise CheckpointError(f"load: {target!r} entry {name!r} holds dtype {array.dtype}, not float64/float32")
    return state
