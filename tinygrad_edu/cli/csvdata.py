"""Reading a data set from a CSV file: features in every column but the last, the target in the last.

The file may start with a header row (it is one when a feature cell of the first row is not a number),
use commas, semicolons or tabs, be gzip-compressed (``.gz``) and contain blank lines or ``#`` comments.
Every problem is a :class:`CommandError` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygrad_edu.cli.errors import CommandError

DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class CsvTable:
    """The features (n_rows, n_features) float64, the targets as written, and where each row came from."""

    features: np.ndarray
    targets: tuple[str, ...]
    feature_names: tuple[str, ...]
    target_name: str
    line_numbers: tuple[int, ...]
    source: str

    def numeric_targets(self) -> np.ndarray:
        """The last column as numbers (the perceptron's 0/1 or −1/1 targets)."""
        values = []
        for text, line in zip(self.targets, self.line_numbers):
            value = _as_number(text)
            if value is None or not math.isfinite(value):
                raise CommandError(f"{self.source}, line {line}: the target {text!r} (last column) is not a number")
            values.append(value)
        return np.array(values)

    def class_labels(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """The last column as class indices 0 … K−1 and the K class names (sorted; numbers numerically)."""
        numbers = [_as_number(text) for text in self.targets]
        if all(n is not None for n in numbers):
            keys = [self._whole_number(text, line) for text, line in zip(self.targets, self.line_numbers)]
            names = tuple(sorted(set(keys), key=int))
        else:
            keys = list(self.targets)
            names = tuple(sorted(set(keys)))
        if len(names) < 2:
            raise CommandError(
                f"{self.source}: the last column holds only the class {names[0]!r}; a classifier needs at least two"
            )
        index = {name: k for k, name in enumerate(names)}
        return np.array([index[key] for key in keys], dtype=np.int64), names

    def _whole_number(self, text: str, line: int) -> str:
        """A numeric class label as its whole number ("2.0" → "2"), or an error for 0.5."""
        value = float(text)
        if not (math.isfinite(value) and value == round(value)):
            raise CommandError(
                f"{self.source}, line {line}: the last column must hold class labels, but {text!r} is not a "
                "whole number (train classifies; it does not fit continuous targets)"
            )
        return str(int(value))


def read_csv(path: str | Path) -> CsvTable:
    """Read ``path``; the last column is the target, the others must be finite numbers."""
    source = str(path)
    rows = _rows(_read_text(Path(path), source), source)
    if not rows:
        raise CommandError(f"{source} holds no rows (only blank lines or # comments, or nothing)")
    first_line, first = rows[0]
    if len(first) < 2:
        raise CommandError(
            f"{source}, line {first_line}: found {len(first)} column; a data set needs at least two "
            "(the features, then the target in the last column)"
        )
    has_header = any(_as_number(cell) is None for cell in first[:-1])
    if has_header:
        feature_names, target_name = tuple(first[:-1]), first[-1]
        rows = rows[1:]
        if not rows:
            raise CommandError(f"{source} has a header row but no data rows")
    else:
        feature_names, target_name = tuple(f"x{i + 1}" for i in range(len(first) - 1)), "target"
    n_columns = len(feature_names) + 1
    features = np.empty((len(rows), n_columns - 1))
    for r, (line, cells) in enumerate(rows):
        if len(cells) != n_columns:
            raise CommandError(f"{source}, line {line}: {len(cells)} columns, but the first row has {n_columns}")
        for c, cell in enumerate(cells[:-1]):
            value = _as_number(cell)
            if value is None:
                raise CommandError(
                    f"{source}, line {line}, column {c + 1} ({feature_names[c]}): {cell!r} is not a number"
                )
            if not math.isfinite(value):
                raise CommandError(
                    f"{source}, line {line}, column {c + 1} ({feature_names[c]}): {cell!r} is not a finite number"
                )
            features[r, c] = value
    return CsvTable(
        features=features,
        targets=tuple(cells[-1] for _, cells in rows),
        feature_names=feature_names,
        target_name=target_name,
        line_numbers=tuple(line for line, _ in rows),
        source=source,
    )


def _read_text(path: Path, source: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise CommandError(f"cannot read {source}: {err.strerror or err}") from None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise CommandError(f"{source} is not a valid gzip file: {err}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = raw[err.start : err.start + 1]
        raise CommandError(f"{source} is not a UTF-8 text file (byte {err.start} is {bad!r})") from None


def _rows(text: str, source: str) -> list[tuple[int, list[str]]]:
    """(line number, stripped cells) for every row that is neither blank nor a # comment."""
    lines = text.splitlines()
    content = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    delimiter = max(DELIMITERS, key=lambda d: content[0].count(d)) if content else ","
    rows = []
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = next(csv.reader(io.StringIO(line), delimiter=delimiter))
            rows.append((number, [cell.strip() for cell in cells]))
    except csv.Error as err:
        raise CommandError(f"{source}, line {number}: cannot read the row: {err}") from None
    return rows


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
