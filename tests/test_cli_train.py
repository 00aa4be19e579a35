"""``tinygrad-edu train``: built-in and CSV data, every optimizer, the saved model and plots, and input errors.

Runs are tiny (few points, few epochs) so the file stays fast; what is checked is the wiring and the output.
"""

import json
import re

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_cli

from tinygrad_edu import nn
from tinygrad_edu.cli.train import DATASETS, OPTIMIZERS
from tinygrad_edu.plotting import INSTALL_HINT

TINY = ["--samples", "60", "--epochs", "4", "--hidden", "4", "--quiet"]


def accuracies(out: str) -> dict[str, float]:
    line = next(line for line in out.splitlines() if line.startswith("accuracy: "))
    words = line.removeprefix("accuracy: ").split()
    return {name: float(score.rstrip("%")) / 100 for name, score in zip(words[::2], words[1::2])}


def test_toy_set_summary_accuracy_and_confusion_matrix(capsys):
    run = run_cli(capsys, "train", "moons", *TINY)
    assert run.status == 0 and run.err == ""
    lines = run.out.splitlines()
    assert lines[0] == ("Training a 2-4-2 network (relu) on moons: 42 training, 9 validation and 9 test examples, "
                        "2 classes")
    assert lines[1].startswith("Adam(lr=0.005, betas=(0.9, 0.999), weight_decay=0); batch size 32; up to 4 epochs")
    assert "trained all 4 epochs" in run.out
    assert set(accuracies(run.out)) == {"train", "validation", "test"}
    assert all(0 <= a <= 1 for a in accuracies(run.out).values())
    matrix = lines[lines.index("confusion matrix of the test set (rows: true class, columns: predicted class)") + 1:]
    assert matrix[0].split() == ["0", "1"] and sum(int(n) for row in matrix[1:3] for n in row.split()[1:]) == 9


def test_digits_learns_and_saves_the_model_and_plots(capsys, tmp_path):
    out = tmp_path / "run"
    run = run_cli(capsys, "train", "digits", "--hidden", "16", "--epochs", "3", "--quiet", "--out", str(out))
    assert run.status == 0, run.err
    assert accuracies(run.out)["test"] > 0.8  # three epochs of Adam already beat chance (10%) by far
    for name in ["model.npz", "model.json", "learning_curves.png", "confusion_matrix.png"]:
        assert (out / name).stat().st_size > 0, name
    assert not (out / "decision_regions.png").exists()  # 64 features: no plane to colour
    state = nn.load(out / "model.npz")
    assert {k: v.shape for k, v in state.items()} == {
        "0.weight": (16, 64), "0.bias": (16,), "2.weight": (10, 16), "2.bias": (10,)}
    description = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert description["layers"] == [64, 16, 10] and description["classes"] == [str(d) for d in range(10)]
    assert len(description["standardization"]["mean"]) == 64
    assert description["accuracy"]["test"] == pytest.approx(accuracies(run.out)["test"], abs=0.0006)
    assert run.out.splitlines()[-1].startswith(f"saved: {out / 'model.npz'}, {out / 'model.json'}")


def test_two_features_also_get_decision_regions(capsys, tmp_path):
    run = run_cli(capsys, "train", "xor", *TINY, "--out", str(tmp_path))
    assert run.status == 0
    assert (tmp_path / "decision_regions.png").stat().st_size > 0


def test_without_matplotlib_the_plots_are_skipped_with_a_hint(capsys, tmp_path, monkeypatch):
    from tinygrad_edu.plotting import backend

    def missing():
        raise ImportError(INSTALL_HINT)

    monkeypatch.setattr(backend, "pyplot", missing)
    run = run_cli(capsys, "train", "xor", *TINY, "--out", str(tmp_path))
    assert run.status == 0
    assert (tmp_path / "model.npz").exists() and not list(tmp_path.glob("*.png"))
    assert run.err == f"tinygrad-edu: warning: {INSTALL_HINT}; the plots were skipped\n"


def test_progress_lines_without_a_terminal(capsys):
    run = run_cli(capsys, "train", "blobs", "--samples", "60", "--epochs", "20", "--hidden", "none")
    assert run.status == 0
    progress = [line for line in run.out.splitlines() if line.startswith("  epoch ")]
    assert [line.split()[1] for line in progress] == ["1:", "2:", "4:", "6:", "8:", "10:", "12:", "14:", "16:",
                                                      "18:", "20:"]
    assert "validation accuracy" in progress[0]
    assert "2-3 network" in run.out  # no hidden layer: softmax regression


def test_early_stopping_restores_the_best_epoch(capsys):
    run = run_cli(capsys, "train", "circle", "--samples", "60", "--hidden", "8", "--epochs", "200", "--patience", "2",
                  "--lr", "0.3", "--quiet")
    assert run.status == 0
    assert "stopped after epoch" in run.out and "early stopping" in run.out


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_trains(capsys, optimizer):
    run = run_cli(capsys, "train", "xor", *TINY, "--optimizer", optimizer, "--batch-size", "full")
    assert run.status == 0, run.err
    assert "batch size the full training set" in run.out
    expected = {"sgd": "SGD(", "momentum": "LectureMomentum(lr=0.05, alpha=0.9)", "nesterov": "nesterov",
                "adagrad": "Adagrad(", "rmsprop": "RMSprop(", "adam": "Adam(", "adamw": "weight_decay=0.01"}
    assert expected[optimizer] in run.out.splitlines()[1]


def test_optimizer_settings_are_passed_on(capsys):
    run = run_cli(capsys, "train", "xor", *TINY, "--optimizer", "sgd", "--lr", "0.2", "--momentum", "0.5",
                  "--weight-decay", "0.001", "--batch-size", "1", "--seed", "3")
    assert run.out.splitlines()[1] == ("SGD(lr=0.2, momentum=0.5, weight_decay=0.001); batch size 1; up to 4 epochs; "
                                       "early stopping after 10 epochs without improvement; seed 3")
    run = run_cli(capsys, "train", "xor", *TINY, "--betas", "0.8,0.99", "--patience", "0")
    assert "Adam(lr=0.005, betas=(0.8, 0.99), weight_decay=0)" in run.out and "no early stop" in run.out


def test_same_seed_same_run_other_seed_other_run(capsys):
    first = run_cli(capsys, "train", "moons", *TINY).out
    again = run_cli(capsys, "train", "moons", *TINY).out
    other = run_cli(capsys, "train", "moons", *TINY, "--seed", "1").out
    assert first == again and first != other


def test_csv_with_named_classes(capsys, tmp_path):
    rng = np.random.default_rng(0)
    rows = ["length,width,species"]
    for k, name in enumerate(["setosa", "virginica", "other"]):
        for x in rng.normal(3 * k, 0.3, size=(20, 2)):
            rows.append(f"{x[0]:.3f},{x[1]:.3f},{name}")
    data = tmp_path / "flowers.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = run_cli(capsys, "train", "--csv", str(data), "--hidden", "4", "--epochs", "30", "--quiet", "--lr", "0.05")
    assert run.status == 0, run.err
    assert f"2-4-3 network (relu) on {data}" in run.out
    assert run.out.split("confusion matrix")[1].splitlines()[1].split() == ["other", "setosa", "virginica"]
    assert accuracies(run.out)["train"] > 0.9


def test_diverging_training_is_reported_once(capsys):
    run = run_cli(capsys, "train", "moons", "--samples", "60", "--hidden", "32", "--epochs", "10", "--quiet",
                  "--optimizer", "sgd", "--lr", "1e12", "--momentum", "0.9", "--batch-size", "4")
    assert run.status == 0
    [line] = [line for line in run.out.splitlines() if "diverged" in line]
    # nan or ±inf, whichever the overflow produces first: the message names it, and where
    assert re.match(r"training diverged: the loss became (nan|inf|-inf) at epoch \d+, batch \d+", line)
    assert "try a smaller learning rate" in line
    assert run.err == ""  # said once, on stdout, not again as a warning


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["mnist"], ["argument DATASET: unknown data set 'mnist'; choose from " + ", ".join(DATASETS)]),
        ([], ["train: give a data set (digits, iris"]),
        (["iris", "--csv", "x.csv"], [", not both"]),
        (["iris", "--samples", "10"], ["--samples applies to the 2-D toy sets"]),
        (["digits", "--noise", "0.1"], ["--noise applies to the 2-D toy sets"]),
        (["iris", "--optimizer", "sgd", "--betas", "0.9,0.99"], ["--betas does not apply to --optimizer sgd"]),
        (["iris", "--optimizer", "momentum", "--weight-decay", "0.1"], ["--weight-decay does not apply"]),
        (["iris", "--optimizer", "adam", "--momentum", "0.9"], ["--momentum does not apply to --optimizer adam"]),
        (["iris", "--optimizer", "nesterov", "--momentum", "0"], ["Nesterov momentum needs --momentum > 0"]),
        (["iris", "--optimizer", "lbfgs"], ["argument --optimizer: invalid choice: 'lbfgs'"]),
        (["iris", "--activation", "swish"], ["argument --activation: invalid choice: 'swish'"]),
        (["iris", "--hidden", "8,0"], ["argument --hidden: every layer needs at least one unit"]),
        (["iris", "--hidden", "eight"], ["argument --hidden: expected layer sizes like 64,32"]),
        (["iris", "--batch-size", "half"], ["argument --batch-size: must be a whole number ≥ 1, or full"]),
        (["iris", "--betas", "0.9,1.5"], ["argument --betas: β1 and β2 must be numbers in [0, 1)"]),
        (["iris", "--momentum", "1"], ["argument --momentum: must be a number in [0, 1)"]),
        (["iris", "--lr", "0"], ["argument --lr: must be a number > 0"]),
        (["iris", "--epochs", "1.5"], ["argument --epochs: expected a whole number"]),
        (["iris", "--val-size", "0.6", "--test-size", "0.4"], ["leave no training data"]),
    ],
)
def test_wrong_command_lines(capsys, argv, fragments):
    assert_one_line_error(run_cli(capsys, "train", *argv), *fragments, status=2)


@pytest.mark.parametrize(
    "content, fragments",
    [
        ("a,b,y\n1,2,0\n3,4,0.5\n", ["line 3: the last column must hold class labels, but '0.5' is not a whole"]),
        ("a,b,y\n1,2,cat\n3,4,cat\n", ["the last column holds only the class 'cat'"]),
        ("a;b;y\n1;2;0\n3;;1\n", ["line 3, column 2 (b): '' is not a number"]),
    ],
)
def test_bad_csv_files(capsys, tmp_path, content, fragments):
    data = tmp_path / "data.csv"
    data.write_text(content, encoding="utf-8")
    assert_one_line_error(run_cli(capsys, "train", "--csv", str(data)), str(data), *fragments, status=1)


def test_too_few_rows_to_split_is_one_line(capsys, tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("1,2,0\n3,4,1\n", encoding="utf-8")
    run = run_cli(capsys, "train", "--csv", str(data), "--val-size", "0.5", "--test-size", "0.4")
    assert_one_line_error(run, "leave none for training", status=1)
