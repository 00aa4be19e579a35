"""``tinygrad-edu perceptron``: the lecture's epoch tables for the gates and CSV files, and its input errors."""

import pytest
from cli_helpers import assert_one_line_error, run_cli


def rows(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines()]


def test_and_prints_the_lectures_table_and_converges(capsys):
    run = run_cli(capsys, "perceptron", "AND")
    assert run.status == 0 and run.err == ""
    lines = rows(run.out)
    assert lines[0] == ["Perceptron", "on", "AND", "(binary", "encoding):", "4", "examples,", "η", "=", "1,", "binary",
                        "step,", "starting", "from", "w", "=", "(0,", "0),", "b", "=", "0"]
    assert ["x", "t", "y", "Δw1", "Δw2", "Δb", "w1", "w2", "b"] in lines
    # the lecture's first epoch: only (1, 1) is misclassified, w = (1, 1), b = 0 after it
    first = lines.index(["Epoch", "1", "0", "0", "0", "1", "0", "0", "-1", "0", "0", "-1"])
    assert lines[first + 3] == ["1", "1", "1", "0", "1", "1", "1", "1", "1", "0"]
    assert ["Epoch", "6", "0", "0", "0", "0", "0", "0", "0", "2", "1", "-3"] in lines
    assert "converged after 6 epochs (epoch 6 made no change): w = (2, 1), b = -3" in run.out
    assert run.out.rstrip().endswith("decision line w1·x1 + w2·x2 + b = 0: x2 = -2·x1 + 3")


def test_xor_stops_at_a_cycle(capsys):
    run = run_cli(capsys, "perceptron", "xor")
    assert run.status == 0
    cycle = "did not converge: cycle: after epoch 3 the weights w = (-1, 0), b = 0 are the same as after epoch 2"
    assert cycle in run.out
    assert "Epoch 4" not in run.out


def test_bipolar_encoding_uses_the_bipolar_step(capsys):
    run = run_cli(capsys, "perceptron", "OR", "--encoding", "bipolar")
    assert run.status == 0
    assert "OR (bipolar encoding)" in run.out and "bipolar step" in run.out
    # a = 0 at the start gives y = 1 (the step is 1 for a ≥ 0), so (−1, −1) with t = −1 is the first mistake
    assert rows(run.out)[4][:6] == ["Epoch", "1", "-1", "-1", "-1", "1"]
    assert "converged" in run.out


def test_learning_rate_seed_and_epoch_limit(capsys):
    run = run_cli(capsys, "perceptron", "XOR", "--lr", "0.1", "--seed", "3", "--max-epochs", "2")
    assert run.status == 0
    assert "η = 0.1" in run.out and "starting from w = (0, 0)" not in run.out
    assert "Epoch 2" in run.out and "Epoch 3" not in run.out
    assert "did not converge within 2 epochs" in run.out


def test_no_table_prints_the_errors_per_epoch(capsys):
    run = run_cli(capsys, "perceptron", "AND", "--no-table")
    assert run.status == 0 and "Epoch" not in run.out
    assert "misclassified examples per epoch: 2 3 3 2 1 0" in run.out


def test_csv_file_with_header_comments_and_bipolar_targets(capsys, tmp_path):
    data = tmp_path / "points.csv"
    data.write_text("# two clusters\nx1,x2,label\n2,2,1\n\n3,1,1\n-2,-1,-1\n-1,-3,-1\n", encoding="utf-8")
    run = run_cli(capsys, "perceptron", "--csv", str(data))
    assert run.status == 0, run.err
    assert f"Perceptron on {data}: 4 examples" in run.out and "bipolar step" in run.out
    assert "converged after" in run.out


def test_csv_file_with_three_features_and_no_header(capsys, tmp_path):
    data = tmp_path / "points.csv"
    data.write_text("0,0,1,0\n1,1,0,1\n1,0,1,1\n0,1,0,0\n", encoding="utf-8")
    run = run_cli(capsys, "perceptron", "--csv", str(data))
    assert run.status == 0, run.err
    assert rows(run.out)[2][3:7] == ["Δw1", "Δw2", "Δw3", "Δb"]
    assert "decision line" not in run.out  # only for two inputs


@pytest.mark.parametrize(
    "argv, fragments, status",
    [
        (["NOR"], ["unknown gate 'NOR'", "AND, OR, NAND, XOR"], 2),
        ([], ["give a gate (AND, OR, NAND or XOR) or --csv FILE"], 2),
        (["AND", "--csv", "x.csv"], ["or --csv FILE, not both"], 2),
        (["AND", "--encoding", "ternary"], ["argument --encoding: invalid choice: 'ternary'"], 2),
        (["AND", "--lr", "0"], ["argument --lr: must be a number > 0, got '0'"], 2),
        (["AND", "--lr", "fast"], ["argument --lr: expected a number, got 'fast'"], 2),
        (["AND", "--max-epochs", "0"], ["argument --max-epochs: must be a whole number ≥ 1"], 2),
        (["AND", "--activation", "sigmoid"], ["argument --activation: invalid choice: 'sigmoid'"], 2),
        (["--csv", "does-not-exist.csv"], ["cannot read does-not-exist.csv: No such file or directory"], 1),
    ],
)
def test_wrong_command_lines(capsys, argv, fragments, status):
    assert_one_line_error(run_cli(capsys, "perceptron", *argv), *fragments, status=status)


def test_activation_that_does_not_fit_the_targets(capsys):
    run = run_cli(capsys, "perceptron", "AND", "--activation", "bipolar")
    assert_one_line_error(run, "targets must be -1 or 1", "use activation='binary'", status=1)


@pytest.mark.parametrize(
    "content, fragments",
    [
        ("a,b,t\n1,2,0\n3,x,1\n", ["line 3, column 2 (b): 'x' is not a number"]),
        ("a,b,t\n1,2,0\n3,4\n", ["line 3: 2 columns, but the first row has 3"]),
        ("a,b,t\n1,2,0\n3,4,2\n", ["targets must be 0/1 (binary) or −1/1 (bipolar); the last column holds 0, 2"]),
        ("a,b,t\n1,2,yes\n3,4,no\n", ["line 2: the target 'yes' (last column) is not a number"]),
        ("a,b,t\n1,inf,0\n", ["line 2, column 2 (b): 'inf' is not a finite number"]),
        ("a,b,t\n", ["has a header row but no data rows"]),
        ("# only a comment\n\n", ["holds no rows"]),
        ("1\n2\n", ["line 1: found 1 column; a data set needs at least two"]),
    ],
)
def test_bad_csv_files(capsys, tmp_path, content, fragments):
    data = tmp_path / "data.csv"
    data.write_text(content, encoding="utf-8")
    run = run_cli(capsys, "perceptron", "--csv", str(data))
    assert_one_line_error(run, str(data), *fragments, status=1)


def test_binary_file_and_encoding_with_csv(capsys, tmp_path):
    data = tmp_path / "data.csv"
    data.write_bytes(b"\xff\xfe\x00binary")
    assert_one_line_error(run_cli(capsys, "perceptron", "--csv", str(data)), "is not a UTF-8 text file", status=1)
    run = run_cli(capsys, "perceptron", "--csv", str(data), "--encoding", "bipolar")
    assert_one_line_error(run, "--encoding applies to the gates", status=2)


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_gzip_and_other_delimiters(capsys, tmp_path, delimiter):
    import gzip

    data = tmp_path / "gate.csv.gz"
    rows = ["x1,x2,t", "0,0,0", "0,1,1", "1,0,1", "1,1,1"]
    data.write_bytes(gzip.compress("\n".join(rows).replace(",", delimiter).encode()))
    run = run_cli(capsys, "perceptron", "--csv", str(data))
    assert run.status == 0, run.err
    assert "converged" in run.out and "4 examples" in run.out


def test_damaged_gzip_file(capsys, tmp_path):
    data = tmp_path / "gate.csv.gz"
    data.write_bytes(b"not gzip at all")
    assert_one_line_error(run_cli(capsys, "perceptron", "--csv", str(data)), "is not a valid gzip file", status=1)
