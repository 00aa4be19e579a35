"""Seeded two-dimensional toy classification sets, from a straight line to interleaved spirals.

Every generator is ``make_<name>(n_samples, noise, seed) -> (X, y)`` with X of shape (n_samples, 2)
(float64) and integer class labels y (int64). Points lie roughly in [−1, 1]² (moons: [−1, 2] × [−0.5, 1]).
``noise`` is the standard deviation of Gaussian jitter added to the points *after* they are labelled
(so a label may end up on the "wrong" side), except in ``make_blobs`` where it is the spread of each blob.
The jitter is drawn last, so the same seed gives the same underlying points for every noise level.
``seed`` is an integer, a ``numpy.random.Generator`` or None (fresh randomness); numpy's global random
state is never read.

Roughly in order of difficulty for a classifier:

- linearly separable, diagonal: one straight line suffices (a single perceptron);
- split: two parallel lines (one hidden layer with two units);
- xor: two crossing lines, the lecture's XOR in the plane;
- circle: a closed curve; moons: two interleaved arcs; spiral: two interleaved spirals;
- blobs: several Gaussian clusters, more than two classes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tinygrad_edu.data._checks import Seed, check_count, check_nonnegative, make_rng

Dataset2D = tuple[np.ndarray, np.ndarray]


def make_linearly_separable(
    n_samples: int = 100, noise: float = 0.0, seed: Seed = None, margin: float = 0.1
) -> Dataset2D:
    """Uniform points in [−1, 1]² split by a random line, with an empty band of half-width ``margin`` around it.

    The line n·x = c has a random unit normal n = (cos θ, sin θ), θ ~ U[0, 2π), and offset c ~ U[−0.5, 0.5];
    points closer than ``margin`` (0 ≤ margin < 0.5) to it are redrawn. y = 1 where n·x > c, else 0. With
    ``noise = 0`` the classes are separable with that margin, so the perceptron provably converges.
    """
    where = "make_linearly_separable"
    n, noise, rng = _check(n_samples, noise, seed, where)
    margin = check_nonnegative(margin, "margin", where)
    if margin >= 0.5:
        raise ValueError(f"{where}: margin must be < 0.5 so the band leaves room in [−1, 1]², got {margin}")
    angle, offset = rng.uniform(0, 2 * np.pi), rng.uniform(-0.5, 0.5)
    normal = np.array([np.cos(angle), np.sin(angle)])
    kept: list[np.ndarray] = []
    remaining = n
    while remaining > 0:  # rejection sampling: draw a batch, keep the points outside the band
        batch = rng.uniform(-1, 1, size=(2 * remaining + 16, 2))
        batch = batch[np.abs(batch @ normal - offset) >= margin][:remaining]
        kept.append(batch)
        remaining -= len(batch)
    X = np.concatenate(kept)
    y = (X @ normal - offset > 0).astype(np.int64)
    return _jitter(X, noise, rng), y


def make_diagonal(n_samples: int = 100, noise: float = 0.0, seed: Seed = None) -> Dataset2D:
    """Uniform points in [−1, 1]², y = 1 above the diagonal x2 = x1, else 0.

    The boundary passes through the origin, so even a perceptron without a bias can learn it.
    """
    n, noise, rng = _check(n_samples, noise, seed, "make_diagonal")
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 1] > X[:, 0]).astype(np.int64)
    return _jitter(X, noise, rng), y


def make_split(n_samples: int = 100, noise: float = 0.0, seed: Seed = None) -> Dataset2D:
    """Uniform points in [−1, 1]², y = 1 in the vertical band |x1| < 0.5, else 0.

    Class 0 is split into two halves (left and right of the band), so no single line separates the
    classes but two parallel lines do: the smallest problem that needs a hidden layer (two units).
    """
    n, noise, rng = _check(n_samples, noise, seed, "make_split")
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (np.abs(X[:, 0]) < 0.5).astype(np.int64)
    return _jitter(X, noise, rng), y


def make_xor(n_samples: int = 100, noise: float = 0.0, seed: Seed = None) -> Dataset2D:
    """Uniform points in [−1, 1]², y = 1 where x1 and x2 have opposite signs (x1·x2 < 0), else 0.

    The XOR gate in the plane: y = (x1 > 0) XOR (x2 > 0); the four quadrants alternate classes.
    """
    n, noise, rng = _check(n_samples, noise, seed, "make_xor")
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    return _jitter(X, noise, rng), y


def make_circle(n_samples: int = 100, noise: float = 0.0, seed: Seed = None) -> Dataset2D:
    """A disc inside a ring: class 1 uniform in the disc r ≤ 0.5, class 0 uniform in the ring 0.7 ≤ r ≤ 1.

    ⌊n/2⌋ points are inside; uniform in area means r = √U(r_min², r_max²) and an angle uniform in [0, 2π).
    """
    n, noise, rng = _check(n_samples, noise, seed, "make_circle")
    n_inside = n // 2
    radius2 = np.concatenate([rng.uniform(0.0, 0.5**2, n_inside), rng.uniform(0.7**2, 1.0, n - n_inside)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.sqrt(radius2)[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    y = np.concatenate([np.ones(n_inside, np.int64), np.zeros(n - n_inside, np.int64)])
    return _shuffle_and_jitter(X, y, noise, rng)


def make_spiral(n_samples: int = 100, noise: float = 0.0, seed: Seed = None, turns: float = 1.5) -> Dataset2D:
    """Two interleaved spiral arms, one per class, each winding ``turns`` times around the origin.

    A point at position s ~ U[0, 1) along arm k ∈ {0, 1} has radius r = 0.1 + 0.9·s and angle
    θ = 2π·turns·s + k·π: the second arm is the first turned by half a circle. Class sizes ⌈n/2⌉, ⌊n/2⌋.
    """
    where = "make_spiral"
    n, noise, rng = _check(n_samples, noise, seed, where)
    turns = check_nonnegative(turns, "turns", where)
    y = (np.arange(n) >= n - n // 2).astype(np.int64)
    s = rng.uniform(0, 1, n)
    radius, angle = 0.1 + 0.9 * s, 2 * np.pi * turns * s + np.pi * y
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _shuffle_and_jitter(X, y, noise, rng)


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: Seed = None) -> Dataset2D:
    """Two interleaved half circles of radius 1: class 0 on the upper arc, class 1 on the lower, shifted one.

    With φ ~ U[0, π]: class 0 at (cos φ, sin φ), class 1 at (1 − cos φ, 0.5 − sin φ). Sizes ⌈n/2⌉, ⌊n/2⌋.
    """
    n, noise, rng = _check(n_samples, noise, seed, "make_moons")
    y = (np.arange(n) >= n - n // 2).astype(np.int64)
    phi = rng.uniform(0, np.pi, n)
    upper = np.column_stack([np.cos(phi), np.sin(phi)])
    lower = np.column_stack([1 - np.cos(phi), 0.5 - np.sin(phi)])
    X = np.where(y[:, None] == 0, upper, lower)
    return _shuffle_and_jitter(X, y, noise, rng)


def make_blobs(n_samples: int = 100, noise: float = 0.3, seed: Seed = None, n_classes: int = 3) -> Dataset2D:
    """``n_classes`` round Gaussian clusters of standard deviation ``noise``, one per class.

    Class k is centred on the unit circle at angle π/2 + 2πk/n_classes (evenly spaced, class 0 at the top);
    the class sizes differ by at most one (the first classes get the extra points).
    """
    where = "make_blobs"
    n, noise, rng = _check(n_samples, noise, seed, where)
    k = check_count(n_classes, "n_classes", where)
    y = np.repeat(np.arange(k, dtype=np.int64), [n // k + (c < n % k) for c in range(k)])
    angle = np.pi / 2 + 2 * np.pi * np.arange(k) / k
    centres = np.column_stack([np.cos(angle), np.sin(angle)])
    X = centres[y] + noise * rng.standard_normal((n, 2))
    permutation = rng.permutation(n)
    return X[permutation], y[permutation]


TOY_DATASETS: dict[str, Callable[..., Dataset2D]] = {
    "linearly_separable": make_linearly_separable,
    "diagonal": make_diagonal,
    "split": make_split,
    "xor": make_xor,
    "circle": make_circle,
    "spiral": make_spiral,
    "moons": make_moons,
    "blobs": make_blobs,
}


def make_toy(name: str, n_samples: int = 100, noise: float | None = None, seed: Seed = None, **options) -> Dataset2D:
    """Any toy set by name (``TOY_DATASETS``' keys); ``noise=None`` keeps that set's default."""
    if name not in TOY_DATASETS:
        raise ValueError(f"make_toy: unknown toy set {name!r}; choose one of {', '.join(TOY_DATASETS)}")
    if noise is not None:
        options["noise"] = noise
    return TOY_DATASETS[name](n_samples=n_samples, seed=seed, **options)


# ---------------------------------------------------------------------------- shared steps
def _check(n_samples: int, noise: float, seed: Seed, where: str) -> tuple[int, float, np.random.Generator]:
    n = check_count(n_samples, "n_samples", where)
    return n, check_nonnegative(noise, "noise", where), make_rng(seed, where)


def _jitter(X: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """X plus Gaussian noise of standard deviation ``noise`` (nothing is drawn when noise = 0)."""
    return X + noise * rng.standard_normal(X.shape) if noise > 0 else X


def _shuffle_and_jitter(X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator) -> Dataset2D:
    """Mix the classes (generated one after the other) into random order, then jitter."""
    permutation = rng.permutation(len(y))
    return _jitter(X[permutation], noise, rng), y[permutation]
