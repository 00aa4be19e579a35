"""What a training run records, epoch by epoch."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EpochRecord:
    """One epoch: the loss on the whole training set once its updates are done, validation loss, metrics, η,
    updates, seconds."""

    epoch: int
    train_loss: float
    val_loss: float | None
    metrics: dict[str, float]
    lr: float | None
    updates: int
    seconds: float


@dataclass
class History:
    """The records of a run, and where and why it stopped.

    ``best_epoch`` is the epoch with the lowest validation loss (training loss when there is no
    validation set); ``stopped_epoch`` is the last epoch trained to its end; ``stop_reason`` says why
    training ended ("completed", "early stopping", "diverged"); ``diverged_at`` is the (epoch, batch)
    where the loss or the parameters stopped being finite, if they did.
    """

    records: list[EpochRecord] = field(default_factory=list)
    stopped_epoch: int = 0
    best_epoch: int | None = None
    best_val_loss: float | None = None
    stop_reason: str = "completed"
    restored_best: bool = False
    diverged_at: tuple[int, int] | None = None
    message: str = ""

    def column(self, name: str) -> list:
        """One field over all epochs, e.g. ``history.column("val_loss")``."""
        return [getattr(r, name) if hasattr(r, name) else r.metrics.get(name) for r in self.records]

    @property
    def train_loss(self) -> list[float]:
        return self.column("train_loss")

    @property
    def val_loss(self) -> list[float | None]:
        return self.column("val_loss")

    @property
    def epochs(self) -> list[int]:
        return self.column("epoch")

    def __len__(self) -> int:
        return len(self.records)

    def __str__(self) -> str:
        metric_names = sorted({k for r in self.records for k in r.metrics})
        widths = {m: max(10, len(m)) for m in metric_names}
        header = f"{'epoch':>5} {'train loss':>12} {'val loss':>12}"
        header += "".join(f" {m:>{widths[m]}}" for m in metric_names)
        lines = [header]
        for r in self.records:
            val = f"{r.val_loss:12.6f}" if r.val_loss is not None else f"{'-':>12}"
            mark = "  ← best" if r.epoch == self.best_epoch else ""
            lines.append(
                f"{r.epoch:>5} {r.train_loss:12.6f} {val}"
                + "".join(f" {r.metrics.get(m, float('nan')):{widths[m]}.4f}" for m in metric_names)
                + mark
            )
        reason = f"{self.stop_reason} ({self.message})" if self.message else self.stop_reason
        lines.append(f"stopped after epoch {self.stopped_epoch}: {reason}")
        return "\n".join(lines)
