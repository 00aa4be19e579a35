"""``tinygrad-edu train``: train a tensor network on a built-in data set or a CSV file, then save it and its plots.

The steps, in order: load the data; split it (stratified, seeded) into training, validation and test
parts; standardize with the training part's mean and standard deviation; build
``Sequential(Linear, activation, …, Linear)`` ending in one output per class; minimize the cross-entropy
with the chosen optimizer (:func:`tinygrad_edu.training.fit`, early stopping on the validation loss);
report the accuracy on each part; save the model and the plots.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import nn, optim
from tinygrad_edu.cli import options
from tinygrad_edu.cli.csvdata import read_csv
from tinygrad_edu.cli.drawing import warn
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.data import TOY_DATASETS, Standardization, load_digits, load_iris, make_toy, train_val_test_split
from tinygrad_edu.files import write_text_atomically
from tinygrad_edu.training import Callback, EarlyStopping, EpochRecord, History, accuracy, confusion_matrix, evaluate

NAME = "train"
SUMMARY = "train a network on a built-in data set or a CSV file; save the model and its plots"
REAL_DATASETS = {"digits": load_digits, "iris": load_iris}
DATASETS = (*REAL_DATASETS, *TOY_DATASETS)
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU}
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.05, "rmsprop": 0.005, "adam": 0.005,
              "adamw": 0.005}
OPTIMIZERS = tuple(DEFAULT_LR)
# which optimizers each optional setting applies to
OPTIMIZER_SETTINGS = {
    "momentum": ("sgd", "momentum", "nesterov", "rmsprop"),
    "weight_decay": ("sgd", "nesterov", "adagrad", "rmsprop", "adam", "adamw"),
    "betas": ("adam", "adamw"),
}
EXAMPLES = f"""\
examples:
  tinygrad-edu train digits --hidden 64,32 --out digits-run       handwritten digits, model and plots saved
  tinygrad-edu train moons --hidden 16 --activation tanh          two interleaved half circles
  tinygrad-edu train xor --optimizer momentum --lr 0.1 --momentum 0.9 --batch-size full
  tinygrad-edu train iris --optimizer sgd --lr 0.05 --batch-size 1 --epochs 50   online learning
  tinygrad-edu train --csv flowers.csv --hidden 8 --patience 20   your own data: the class in the last column

data sets: {", ".join(DATASETS)}
optimizers: sgd (--momentum, --weight-decay), momentum (the lecture's Δw(n) = −η∇E + αΔw(n−1), α from
  --momentum, default 0.9), nesterov (--momentum, default 0.9), adagrad, rmsprop (--momentum), adam and
  adamw (--betas, --weight-decay); each has a learning rate η that suits it as default.
The plots (learning curves, confusion matrix, decision regions of a 2-D set) need matplotlib."""


def dataset_name(text: str) -> str:
    if text.lower() not in DATASETS:
        raise argparse.ArgumentTypeError(
            f"unknown data set {text!r}; choose from {', '.join(DATASETS)} (or --csv FILE)"
        )
    return text.lower()


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        NAME, help=SUMMARY, description="Train a fully connected network with a softmax output (cross-entropy loss) "
        "and report its accuracy on held-out data.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = parser.add_argument_group("data")
    data.add_argument("dataset", nargs="?", type=dataset_name, metavar="DATASET", help="a built-in data set (below)")
    data.add_argument("--csv", type=Path, metavar="FILE",
                      help="a CSV file: features, then the class in the last column")
    data.add_argument("--samples", type=options.positive_int, metavar="N",
                      help="2-D toy sets only: how many points (default: 400)")
    data.add_argument("--noise", type=options.nonnegative_float, metavar="σ",
                      help="2-D toy sets only: Gaussian jitter of the points (default: the set's own)")
    data.add_argument("--val-size", type=options.unit_interval, default=0.15, metavar="F",
                      help="fraction of the data for validation (default: 0.15)")
    data.add_argument("--test-size", type=options.unit_interval, default=0.15, metavar="F",
                      help="fraction of the data for the final test (default: 0.15)")
    network = parser.add_argument_group("network")
    network.add_argument("--hidden", type=options.layer_sizes, default=(32,), metavar="SIZES",
                         help="hidden layer sizes, e.g. 64,32 (default: 32; none: no hidden layer)")
    network.add_argument("--activation", choices=tuple(ACTIVATIONS), default="relu",
                         help="activation of the hidden layers (default: relu)")
    learning = parser.add_argument_group("learning")
    learning.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="(default: adam)")
    learning.add_argument("--lr", type=options.positive_float, metavar="η",
                          help="learning rate η (default: one that suits the optimizer)")
    learning.add_argument("--momentum", type=options.unit_interval, metavar="α", help="momentum α in [0, 1)")
    learning.add_argument("--weight-decay", type=options.nonnegative_float, metavar="λ",
                          help="L2 weight decay λ (default: 0; adamw: 0.01)")
    learning.add_argument("--betas", type=options.betas, metavar="β1,β2",
                          help="Adam's decay rates of its averages (default: 0.9,0.999)")
    learning.add_argument("--batch-size", type=options.batch_size, default=32, metavar="K",
                          help="examples per update: 1 online, K mini-batches, full (or 0) batch (default: 32)")
    learning.add_argument("--epochs", type=options.positive_int, default=100, metavar="N",
                          help="at most N passes over the training data (default: 100)")
    learning.add_argument("--patience", type=options.nonnegative_int, default=10, metavar="N",
                          help="stop when the validation loss has not improved for N epochs; 0: never (default: 10)")
    learning.add_argument("--seed", type=options.nonnegative_int, default=0, metavar="N",
                          help="seed for the data, the split, the initial weights and the shuffling (default: 0)")
    output = parser.add_argument_group("output")
    output.add_argument("--out", type=Path, metavar="DIR",
                        help="save the model (model.npz, model.json) and the plots here")
    output.add_argument("--quiet", action="store_true", help="no progress bar or progress lines")
    return parser


@dataclass
class LabelledData:
    """Features, class indices 0 … K−1 and what they are."""

    X: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]
    name: str


# ====================================================================== the command
def run(args: argparse.Namespace) -> int:
    _check_choices(args)
    data = _load(args)
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = train_val_test_split(
        data.X, data.y, args.val_size, args.test_size, stratify=True, seed=args.seed
    )
    scaling = Standardization.fit(X_train)
    X_train, X_val, X_test = (scaling.apply(X) for X in (X_train, X_val, X_test))
    model = build_model(X_train.shape[1], args.hidden, len(data.class_names), args.activation, args.seed)
    optimizer = build_optimizer(args, model.parameters())
    early_stopping = args.patience > 0 and len(X_val) > 0

    sizes = "-".join(map(str, [X_train.shape[1], *args.hidden, len(data.class_names)]))
    print(f"Training a {sizes} network ({args.activation}) on {data.name}: {len(X_train)} training, "
          f"{len(X_val)} validation and {len(X_test)} test examples, {len(data.class_names)} classes")
    batch = "the full training set" if args.batch_size is None else str(args.batch_size)
    stopping = f"early stopping after {args.patience} epochs without improvement" if early_stopping else "no early stop"
    print(f"{describe_optimizer(optimizer)}; batch size {batch}; up to {args.epochs} epochs; {stopping}; "
          f"seed {args.seed}")

    callbacks: list[Callback] = [EarlyStopping(patience=args.patience)] if early_stopping else []
    if not args.quiet and not sys.stderr.isatty():  # no progress bar without a terminal: print a few lines instead
        callbacks.append(ProgressLines(args.epochs))
    from tinygrad_edu.training import TrainingDiverged, fit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingDiverged)  # describe_stop says it, with what to do
        history = fit(
            model, nn.functional.cross_entropy, optimizer, X_train, y_train, epochs=args.epochs,
            batch_size=args.batch_size, validation=(X_val, y_val) if len(X_val) else None, seed=args.seed,
            callbacks=callbacks, progress=not args.quiet, metrics=["accuracy"],
        )
    print(describe_stop(history))

    parts = {"train": (X_train, y_train), "validation": (X_val, y_val), "test": (X_test, y_test)}
    scores = {name: _accuracy(model, X, y) for name, (X, y) in parts.items() if len(X)}
    print("accuracy: " + "   ".join(f"{name} {100 * score:.1f}%" for name, score in scores.items()))
    shown = "test" if len(X_test) else "validation" if len(X_val) else "train"
    matrix = _confusion(model, *parts[shown], len(data.class_names))
    print(f"\nconfusion matrix of the {shown} set (rows: true class, columns: predicted class)")
    print(format_matrix(matrix, data.class_names))
    if args.out is not None:
        save_run(args, data, model, scaling, history, scores, matrix, shown, X_train, y_train)
    return 0


def _check_choices(args: argparse.Namespace) -> None:
    """Combinations argparse cannot check alone: one data source; settings that fit the data and the optimizer."""
    if (args.dataset is None) == (args.csv is None):
        raise UsageError("train: give a data set (" + ", ".join(DATASETS) + ") or --csv FILE"
                         + (", not both" if args.dataset is not None else ""))
    for option in ("samples", "noise"):
        if getattr(args, option) is not None and args.dataset not in TOY_DATASETS:
            raise UsageError(f"train: --{option} applies to the 2-D toy sets ({', '.join(TOY_DATASETS)})")
    for setting, optimizers in OPTIMIZER_SETTINGS.items():
        if getattr(args, setting) is not None and args.optimizer not in optimizers:
            raise UsageError(f"train: --{setting.replace('_', '-')} does not apply to --optimizer {args.optimizer}; "
                             f"it applies to {', '.join(optimizers)}")
    if args.optimizer == "nesterov" and args.momentum == 0:
        raise UsageError("train: Nesterov momentum needs --momentum > 0")
    if args.val_size + args.test_size >= 1:
        raise UsageError(
            f"train: --val-size {args.val_size:g} and --test-size {args.test_size:g} leave no training data"
        )


def _load(args: argparse.Namespace) -> LabelledData:
    if args.csv is not None:
        table = read_csv(args.csv)
        y, names = table.class_labels()
        return LabelledData(table.features, y, names, str(args.csv))
    if args.dataset in REAL_DATASETS:
        dataset = REAL_DATASETS[args.dataset]()
        return LabelledData(dataset.X, dataset.y, dataset.target_names, args.dataset)
    X, y = make_toy(args.dataset, n_samples=args.samples or 400, noise=args.noise, seed=args.seed)
    classes = np.unique(y)
    return LabelledData(X, np.searchsorted(classes, y), tuple(str(c) for c in classes), args.dataset)


# ====================================================================== model and optimizer
def build_model(n_features: int, hidden: tuple[int, ...], n_classes: int, activation: str, seed: int) -> nn.Sequential:
    """Linear layers of the given sizes with the activation between them; the last gives one logit per class."""
    rng = np.random.default_rng(seed)
    sizes = [n_features, *hidden]
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out, seed=rng), ACTIVATIONS[activation]()]
    layers.append(nn.Linear(sizes[-1], n_classes, seed=rng))
    return nn.Sequential(*layers)


def build_optimizer(args: argparse.Namespace, params: Any) -> optim.Optimizer:
    """The chosen optimizer with the given settings, or each setting's default."""
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    decay = args.weight_decay if args.weight_decay is not None else 0.0
    betas = args.betas if args.betas is not None else (0.9, 0.999)
    name = args.optimizer
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=args.momentum or 0.0, weight_decay=decay)
    if name == "momentum":
        return optim.LectureMomentum(params, lr=lr, alpha=0.9 if args.momentum is None else args.momentum)
    if name == "nesterov":
        momentum = 0.9 if args.momentum is None else args.momentum
        return optim.SGD(params, lr=lr, momentum=momentum, nesterov=True, weight_decay=decay)
    if name == "adagrad":
        return optim.Adagrad(params, lr=lr, weight_decay=decay)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=args.momentum or 0.0, weight_decay=decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, betas=betas, weight_decay=decay)
    return optim.AdamW(params, lr=lr, betas=betas, weight_decay=0.01 if args.weight_decay is None else decay)


def describe_optimizer(optimizer: optim.Optimizer) -> str:
    """``Adam(lr=0.005, betas=(0.9, 0.999), weight_decay=0)``: the settings a reader would tune."""
    group = optimizer.param_groups[0]
    shown = ("lr", "momentum", "alpha", "nesterov", "betas", "weight_decay")
    settings = []
    for key in shown:
        if key in group and not (key == "nesterov" and not group[key]):
            value = group[key]
            text = f"({value[0]:g}, {value[1]:g})" if isinstance(value, tuple) else f"{value:g}"
            settings.append(f"{key}={text}" if key != "nesterov" else "nesterov")
    return f"{type(optimizer).__name__}({', '.join(settings)})"


# ====================================================================== results
class ProgressLines(Callback):
    """About ten lines of progress (loss and accuracy), for when there is no terminal to draw a bar in."""

    def __init__(self, epochs: int) -> None:
        self.every = max(1, epochs // 10)

    def on_epoch_end(self, record: EpochRecord, history: History, model: Any) -> bool:
        if record.epoch == 1 or record.epoch % self.every == 0:
            val = "" if record.val_loss is None else f", validation loss {record.val_loss:.4f}"
            val_acc = record.metrics.get("val_accuracy")
            val += "" if val_acc is None else f", validation accuracy {100 * val_acc:.1f}%"
            print(f"  epoch {record.epoch:>4}: training loss {record.train_loss:.4f}{val}", flush=True)
        return False


def describe_stop(history: History) -> str:
    """Why training ended, and which epoch's weights the model holds."""
    if history.stop_reason == "completed":
        text = f"trained all {history.stopped_epoch} epochs"
    elif history.stop_reason == "diverged":
        text = f"training diverged: {history.message}"
    else:
        text = f"stopped after epoch {history.stopped_epoch}: {history.stop_reason} ({history.message})"
    if history.restored_best:
        text += f"; the weights of epoch {history.best_epoch} (lowest validation loss) were restored"
    return text


def _accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    _, outputs = evaluate(model, nn.functional.cross_entropy, X, y)
    return accuracy(outputs, y)


def _confusion(model: nn.Module, X: np.ndarray, y: np.ndarray, n_classes: int) -> np.ndarray:
    _, outputs = evaluate(model, nn.functional.cross_entropy, X, y)
    return confusion_matrix(outputs, y, n_classes=n_classes)


def format_matrix(matrix: np.ndarray, class_names: tuple[str, ...]) -> str:
    """The confusion matrix as an aligned table with the class names on both sides."""
    width = max(max(len(n) for n in class_names), len(str(int(matrix.max(initial=0)))))
    lines = [" " * width + "  " + " ".join(n.rjust(width) for n in class_names)]
    for name, row in zip(class_names, matrix):
        lines.append(name.rjust(width) + "  " + " ".join(str(int(c)).rjust(width) for c in row))
    return "\n".join(lines)


# ====================================================================== saving
def save_run(
    args: argparse.Namespace, data: LabelledData, model: nn.Sequential, scaling: Standardization, history: History,
    scores: dict[str, float], matrix: np.ndarray, shown: str, X_train: np.ndarray, y_train: np.ndarray,
) -> None:
    """model.npz (the weights), model.json (what they mean), and the plots when matplotlib is there."""
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    nn.save(model, out / "model.npz")
    description = {
        "data": data.name,
        "classes": list(data.class_names),
        "layers": [X_train.shape[1], *args.hidden, len(data.class_names)],
        "activation": args.activation,
        "model": "Sequential of Linear layers with the activation between them; outputs are class logits",
        "standardization": {"mean": scaling.mean.tolist(), "std": scaling.std.tolist()},
        "optimizer": describe_optimizer_settings(args),
        "epochs_trained": history.stopped_epoch,
        "stop_reason": history.stop_reason,
        "accuracy": scores,
    }
    write_text_atomically(out / "model.json", json.dumps(description, indent=2))
    written = [out / "model.npz", out / "model.json"]
    try:
        written += _save_plots(out, data, model, history, matrix, shown, X_train, y_train)
    except ImportError as missing:
        warn(f"{missing}; the plots were skipped")
    print("\nsaved: " + ", ".join(str(p) for p in written))


def describe_optimizer_settings(args: argparse.Namespace) -> dict[str, Any]:
    return {"name": args.optimizer, "lr": args.lr if args.lr is not None else DEFAULT_LR[args.optimizer],
            "momentum": args.momentum, "weight_decay": args.weight_decay, "betas": args.betas,
            "batch_size": args.batch_size, "seed": args.seed}


def _save_plots(
    out: Path, data: LabelledData, model: nn.Sequential, history: History, matrix: np.ndarray, shown: str,
    X_train: np.ndarray, y_train: np.ndarray,
) -> list[Path]:
    from tinygrad_edu.cli.figures import plot_confusion_matrix
    from tinygrad_edu.plotting import plot_decision_regions, plot_learning_curves, save_figure
    from tinygrad_edu.plotting.backend import pyplot

    plt = pyplot()  # raises ImportError with what to install
    figures = {
        "learning_curves.png": plot_learning_curves(history, title=f"Learning curves: {data.name}"),
        "confusion_matrix.png": plot_confusion_matrix(matrix, data.class_names, f"Confusion matrix ({shown} set)"),
    }
    if X_train.shape[1] == 2:
        figures["decision_regions.png"] = plot_decision_regions(
            model, X_train, y_train, title=f"Decision regions on {data.name} (standardized training data)"
        )
    paths = []
    for filename, figure in figures.items():
        paths.append(save_figure(figure, out / filename))
        plt.close(figure)
    return paths
