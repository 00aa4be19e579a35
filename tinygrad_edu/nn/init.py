"""Initializers: fill a parameter with the numbers a network starts from.

Every random initializer takes ``seed``: an int (the same int gives the same numbers), a
``numpy.random.Generator`` (draws continue its stream, so one generator can seed a whole network), or
None (fresh randomness from the operating system). Nothing here reads or advances numpy's global
random state, so ``np.random.seed`` neither helps nor hurts reproducibility.

The functions follow PyTorch's ``torch.nn.init`` (names, arguments, formulas) and work in place: they
replace ``value.data`` (keeping its shape and dtype) and return the Value.

Fans, for a weight of shape (out, in, *kernel): fan_in = in · Πkernel, fan_out = out · Πkernel.

- uniform:  U(a, b); micrograd's choice is U(−1, 1).
- Xavier/Glorot (for tanh/sigmoid): keeps the variance of activations and gradients level,
  Var = gain² · 2 / (fan_in + fan_out); uniform bound = gain · √(6 / (fan_in + fan_out)).
- He/Kaiming (for ReLU): Var = gain² / fan, gain = √(2 / (1 + a²)) for a leaky ReLU of slope a;
  uniform bound = gain · √(3 / fan). PyTorch's default ``Linear`` init is kaiming_uniform with a = √5,
  i.e. U(−1/√fan_in, 1/√fan_in).
"""

from __future__ import annotations

import math

import numpy as np

from tinygrad_edu.engine import Value

Seed = int | np.random.Generator | None


def as_generator(seed: Seed) -> np.random.Generator:
    """A Generator from a seed: the Generator itself, a new one seeded by the int, or an unseeded one."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy.random.Generator or None, got {type(seed).__name__} {seed!r}")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance level through a nonlinearity (PyTorch's table)."""
    linear_like = ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d")
    if nonlinearity in linear_like:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}")


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel)."""
    if len(shape) < 2:
        raise ValueError(
            f"fan_in and fan_out need a weight with at least 2 dimensions (out, in), got shape {shape}"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fill(value: Value, numbers: np.ndarray | float) -> Value:
    """Replace value's numbers, keeping its shape and dtype."""
    if not isinstance(value, Value):
        raise TypeError(f"initializers fill a Value, got {type(value).__name__}")
    value.data = np.asarray(numbers, dtype=value.dtype).reshape(value.shape)
    return value


def uniform_(value: Value, a: float = 0.0, b: float = 1.0, seed: Seed = None) -> Value:
    """Fill with U(a, b) (PyTorch's defaults a = 0, b = 1; micrograd uses a = −1, b = 1)."""
    if not a <= b:
        raise ValueError(f"uniform_: the lower bound a={a} exceeds the upper bound b={b}")
    return _fill(value, as_generator(seed).uniform(a, b, size=value.shape))


def normal_(value: Value, mean: float = 0.0, std: float = 1.0, seed: Seed = None) -> Value:
    """Fill with N(mean, std²)."""
    if std < 0:
        raise ValueError(f"normal_: std must be ≥ 0, got {std}")
    return _fill(value, as_generator(seed).normal(mean, std, size=value.shape))


def constant_(value: Value, val: float) -> Value:
    """Fill with one number (e.g. the lecture's shared bias b1 = 0.35)."""
    return _fill(value, np.full(value.shape, float(val)))


def zeros_(value: Value) -> Value:
    """Fill with 0."""
    return constant_(value, 0.0)


def ones_(value: Value) -> Value:
    """Fill with 1."""
    return constant_(value, 1.0)


def xavier_uniform_(value: Value, gain: float = 1.0, seed: Seed = None) -> Value:
    """Glorot & Bengio (2010): U(−r, r) with r = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(value.shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(value, as_generator(seed).uniform(-bound, bound, size=value.shape))


def xavier_normal_(value: Value, gain: float = 1.0, seed: Seed = None) -> Value:
    """Glorot & Bengio (2010): N(0, σ²) with σ = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(value.shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(value, as_generator(seed).normal(0.0, std, size=value.shape))


def _kaiming_std(shape: tuple[int, ...], a: float, mode: str, nonlinearity: str) -> float:
    """σ = gain / √fan for He et al. (2015)."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    value: Value, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", seed: Seed = None
) -> Value:
    """He et al. (2015): U(−r, r) with r = √3 · gain / √fan (the uniform law with σ = gain / √fan)."""
    bound = math.sqrt(3.0) * _kaiming_std(value.shape, a, mode, nonlinearity)
    return _fill(value, as_generator(seed).uniform(-bound, bound, size=value.shape))


def kaiming_normal_(
    value: Value, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", seed: Seed = None
) -> Value:
    """He et al. (2015): N(0, σ²) with σ = gain / √fan."""
    std = _kaiming_std(value.shape, a, mode, nonlinearity)
    return _fill(value, as_generator(seed).normal(0.0, std, size=value.shape))


glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_
