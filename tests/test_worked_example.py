"""The lecture's worked back-propagation example, every printed number, from scalar Values."""

import pytest

from tinygrad_edu import worked_example
from tinygrad_edu.__main__ import main


@pytest.fixture
def example():
    ex = worked_example.build()
    ex.total_error.backward()
    return ex


def digits(printed: str) -> int:
    return len(printed.split(".")[1])


def agrees(value: float, printed: str) -> bool:
    """``value`` rounded to as many decimals as the lecture printed equals the printed number."""
    return round(value, digits(printed)) == float(printed)


def test_forward_values(example):
    out_h1, out_h2 = (v.data for v in example.out_h)
    out_o1, out_o2 = (v.data for v in example.out_o)
    assert agrees(example.net_h[0].data, "0.3775")
    assert agrees(out_h1, "0.593269992")
    assert agrees(out_h2, "0.596884378")
    assert agrees(example.net_o[0].data, "1.105905967")
    assert agrees(out_o1, "0.75136507")
    assert agrees(out_o2, "0.772928465")
    assert agrees(example.total_error.data, "0.298371109")


def test_gradients(example):
    w = example.weights
    assert agrees(w[4].grad, "0.082167041")
    assert agrees(w[0].grad, "0.000438568")
    # the intermediate factors the lecture multiplies together
    assert agrees(example.out_o[0].grad, "0.74136507")  # ∂E/∂out_o1
    assert agrees(example.net_o[0].grad, "0.138498562")  # ∂E/∂net_o1 = δ_o1 (with the sign of ∂E)
    assert agrees(example.out_h[0].grad, "0.036350306")  # ∂E/∂out_h1, summed over both outputs


@pytest.mark.parametrize(
    "index, printed",
    [(0, "0.149780716"), (1, "0.19956143"), (2, "0.24975114"), (3, "0.29950229"),
     (4, "0.35891648"), (5, "0.408666186"), (6, "0.511301270"), (7, "0.561370121")],
)
def test_weights_after_one_step(example, index, printed):
    assert agrees(example.updated_weights(0.5)[index], printed)


def test_backprop_command_prints_the_example(capsys):
    assert main(["backprop"]) == 0
    out = capsys.readouterr().out
    for printed in ["0.593269992", "0.751365070", "0.298371109", "0.082167041", "0.000438568", "0.358916480"]:
        assert printed in out


def test_main_without_a_command_prints_an_overview(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ["tour", "perceptron", "backprop", "train", "gradcheck", "graph"]:
        assert f"\n  {command} " in out


def test_main_rejects_unknown_arguments(capsys):
    assert main(["--bogus"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unrecognized arguments: --bogus" in err
