"""Learning curves: training and validation loss per epoch, with the early-stopping point marked."""

from __future__ import annotations

from typing import Any

from tinygrad_edu.plotting.backend import new_axes
from tinygrad_edu.training.history import History


def plot_learning_curves(
    history: History, ax: Any = None, title: str = "Learning curves", log_scale: bool = False
) -> Any:
    """Plot ``history``'s training loss and (if recorded) validation loss against the epoch.

    The best epoch (lowest validation loss) gets a marker, and when early stopping ended the run a
    dashed line marks the epoch where it stopped. Returns the figure.
    """
    if not history.records:
        raise ValueError("plot_learning_curves: the history has no epochs to plot")
    fig, ax = new_axes(ax)
    epochs = history.epochs
    ax.plot(epochs, history.train_loss, label="training loss", color="tab:blue")
    val = history.val_loss
    if any(v is not None for v in val):
        ax.plot(epochs, val, label="validation loss", color="tab:orange")
    if history.best_epoch is not None and history.best_val_loss is not None:
        ax.plot([history.best_epoch], [history.best_val_loss], marker="o", color="tab:red", linestyle="none",
                 label=f"best epoch ({history.best_epoch})", gid="best-epoch")
    if history.stop_reason == "early stopping":
        ax.axvline(history.stopped_epoch, color="gray", linestyle="--", gid="early-stop",
                   label=f"early stop (epoch {history.stopped_epoch})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log_scale:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    return fig
