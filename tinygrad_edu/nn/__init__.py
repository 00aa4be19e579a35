"""``tinygrad_edu.nn``: modules, layers, activations, losses, initializers and save/load.

- :mod:`.module`        ``Module``: parameters, named_parameters, train/eval, state_dict, repr
- :mod:`.scalar`        micrograd-style ``Neuron``, ``Layer``, ``MLP`` (one scalar Value per weight)
- :mod:`.layers`        tensor layers ``Linear`` and ``Sequential`` (one matrix per layer)
- :mod:`.activations`   ``Sigmoid``, ``Tanh``, ``ReLU``, ``LeakyReLU``, ``Step``, ``Softmax``, ...
- :mod:`.functional`    the same activations and every loss as functions (``nn.functional``)
- :mod:`.losses`        the losses as modules (``SquaredError``, ``MSELoss``, ``CrossEntropyLoss``, ...)
- :mod:`.init`          initializers (uniform, Xavier/Glorot, He/Kaiming, zeros), all seeded
- :mod:`.serialization` ``save`` / ``load`` of state dicts as .npz
"""

from tinygrad_edu.nn import functional, init
from tinygrad_edu.nn.activations import Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Step, Tanh
from tinygrad_edu.nn.layers import Linear, Sequential
from tinygrad_edu.nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    MaxMarginLoss,
    MSELoss,
    SquaredError,
)
from tinygrad_edu.nn.module import IncompatibleKeys, Module, StateDictError
from tinygrad_edu.nn.scalar import MLP, Layer, Neuron
from tinygrad_edu.nn.serialization import CheckpointError, load, save

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CheckpointError",
    "CrossEntropyLoss",
    "HingeLoss",
    "Identity",
    "IncompatibleKeys",
    "Layer",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MLP",
    "MSELoss",
    "MaxMarginLoss",
    "Module",
    "Neuron",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "SquaredError",
    "StateDictError",
    "Step",
    "Tanh",
    "functional",
    "init",
    "load",
    "save",
]
