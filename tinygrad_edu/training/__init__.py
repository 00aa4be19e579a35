"""Training: the lecture's loops (online, mini-batch, batch), early stopping, cross-validated η,
random restarts, metrics and the history of a run."""

from tinygrad_edu.training.batches import epoch_batches, updates_per_epoch
from tinygrad_edu.training.callbacks import Callback, EarlyStopping
from tinygrad_edu.training.history import EpochRecord, History
from tinygrad_edu.training.loop import TrainingDiverged, evaluate, fit
from tinygrad_edu.training.metrics import accuracy, confusion_matrix, predicted_classes
from tinygrad_edu.training.selection import (
    CrossValidationResult,
    RestartsResult,
    cross_validate,
    k_fold_indices,
    random_restarts,
)

__all__ = [
    "Callback",
    "CrossValidationResult",
    "EarlyStopping",
    "EpochRecord",
    "History",
    "RestartsResult",
    "TrainingDiverged",
    "accuracy",
    "confusion_matrix",
    "cross_validate",
    "epoch_batches",
    "evaluate",
    "fit",
    "k_fold_indices",
    "predicted_classes",
    "random_restarts",
    "updates_per_epoch",
]
