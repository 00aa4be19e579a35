"""Optimizers: rules that turn gradients into parameter updates, in PyTorch's names and formulas.

Ordered by increasing complexity: :class:`SGD` (with momentum, Nesterov, weight decay), the lecture's
:class:`LectureMomentum`, :class:`Adagrad`, :class:`RMSprop`, :class:`Adam` and :class:`AdamW`; learning-rate
schedules in :mod:`tinygrad_edu.optim.lr_scheduler`; gradient clipping in :mod:`tinygrad_edu.optim.clip`.
"""

from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.optim.adagrad import Adagrad
from tinygrad_edu.optim.adam import Adam, AdamW
from tinygrad_edu.optim.clip import clip_grad_norm_, clip_grad_value_
from tinygrad_edu.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, ReduceLROnPlateau, StepLR
from tinygrad_edu.optim.momentum import LectureMomentum
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.optim.rmsprop import RMSprop
from tinygrad_edu.optim.sgd import SGD

__all__ = [
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LectureMomentum",
    "Optimizer",
    "RMSprop",
    "ReduceLROnPlateau",
    "SGD",
    "StepLR",
    "clip_grad_norm_",
    "clip_grad_value_",
    "lr_scheduler",
]
