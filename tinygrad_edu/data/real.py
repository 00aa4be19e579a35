"""Two small real data sets shipped inside the package (``tinygrad_edu/data/files``), so nothing is downloaded.

- **Iris** (150 × 4, 3 classes of 50): R. A. Fisher (1936), "The use of multiple measurements in taxonomic
  problems", Annals of Eugenics 7(2), 179–188; UCI Machine Learning Repository, https://doi.org/10.24432/C56C76.
  The values are those of Fisher's paper (as in R and scikit-learn), which differ from the UCI file in two
  flowers (rows 35 and 38). Licence: CC BY 4.0.
- **Digits** (1,797 × 64, 10 classes, integer pixels 0..16): E. Alpaydin and C. Kaynak (1998), "Optical
  Recognition of Handwritten Digits", UCI Machine Learning Repository, https://doi.org/10.24432/C50P49; the
  writer-independent test set (``optdigits.tes``): 32×32 bitmaps from 13 writers, each 4×4 block reduced to
  its count of "on" pixels. Licence: CC BY 4.0.

Both files were taken from the copies bundled with scikit-learn 1.9.1 and re-written as gzip-compressed CSV
with a header row (features, then the integer class). See docs/datasets.md.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np

IRIS_DESCRIPTION = (
    "Iris: 150 flowers, 50 each of Iris setosa, versicolor and virginica; sepal and petal length and width in cm. "
    "Source: R. A. Fisher (1936), Annals of Eugenics 7(2), 179-188, via the UCI Machine Learning Repository "
    "(doi:10.24432/C56C76), values as in Fisher's paper. Licence: CC BY 4.0."
)
DIGITS_DESCRIPTION = (
    "Digits: 1,797 handwritten digits 0-9 as 8x8 images of integer pixels 0..16 (on-pixel counts of 4x4 blocks "
    "of 32x32 bitmaps). Source: E. Alpaydin and C. Kaynak (1998), Optical Recognition of Handwritten Digits, "
    "UCI Machine Learning Repository (doi:10.24432/C50P49), test set optdigits.tes. Licence: CC BY 4.0."
)
IRIS_SPECIES = ("setosa", "versicolor", "virginica")


@dataclass(frozen=True)
class Dataset:
    """A labelled data set: features X (n_samples, n_features) float64 and class labels y (n_samples,) int64.

    ``target_names[k]`` names class k; ``description`` states the source and the licence.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    description: str

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def n_classes(self) -> int:
        return len(self.target_names)


def load_iris() -> Dataset:
    """Fisher's Iris flowers: X (150, 4) in cm (sepal length, sepal width, petal length, petal width), y in {0, 1, 2}.

    Classes (50 each, in this order in the file): 0 setosa, 1 versicolor, 2 virginica. Setosa is linearly
    separable from the other two; versicolor and virginica are not from each other.
    Source: Fisher (1936) via UCI (doi:10.24432/C56C76). Licence: CC BY 4.0.
    """
    X, y, feature_names = _read_csv("iris.csv.gz")
    return Dataset(X, y, feature_names, IRIS_SPECIES, IRIS_DESCRIPTION)


def load_digits() -> Dataset:
    """Handwritten digits: X (1797, 64) with integer values 0..16 (as float64), y the digit 0..9.

    Row i of X is an 8×8 image read row by row (``X[i].reshape(8, 8)``; feature ``pixel_r_c`` is row r,
    column c). Source: Alpaydin & Kaynak (1998), UCI Optical Recognition of Handwritten Digits
    (doi:10.24432/C50P49), test set. Licence: CC BY 4.0.
    """
    X, y, feature_names = _read_csv("digits.csv.gz")
    return Dataset(X, y, feature_names, tuple(str(d) for d in range(10)), DIGITS_DESCRIPTION)


def _read_csv(filename: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Read a shipped gzip CSV: a header row, then rows of features followed by the integer class."""
    data = (resources.files("tinygrad_edu.data") / "files" / filename).read_bytes()
    with io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(data)), encoding="ascii") as text:
        header = text.readline().strip().split(",")
        table = np.loadtxt(text, delimiter=",", dtype=np.float64, ndmin=2)
    if table.shape[1] != len(header):
        raise RuntimeError(f"{filename}: {len(header)} header names but {table.shape[1]} columns; the file is damaged")
    return table[:, :-1].copy(), table[:, -1].astype(np.int64), tuple(header[:-1])
