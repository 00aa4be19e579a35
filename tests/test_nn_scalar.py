"""Scalar networks: micrograd's API and numbers, the one-node weighted sum, and the lecture's network."""

import numpy as np
import pytest

from tinygrad_edu import Value, grad, gradcheck, gradgradcheck, nn, worked_example
from tinygrad_edu.engine.functions import weighted_sum
from tinygrad_edu.engine.ops import WeightedSum
from tinygrad_edu.nn import functional as F


# ---------------------------------------------------------------------------------------- micrograd's API
def test_micrograd_signatures_work_unchanged():
    relu_neuron = nn.Neuron(3)
    linear_neuron = nn.Neuron(3, False)
    assert relu_neuron.nonlin and not linear_neuron.nonlin
    assert nn.Neuron(2, nonlin=True).activation == "relu"
    assert nn.Layer(3, 2, nonlin=False).neurons[1].activation == "linear"
    model = nn.MLP(2, [16, 16, 1])
    assert [layer.neurons[0].activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1


def test_micrograd_reads_nonlin_by_truth_value_and_so_do_we():
    assert nn.Neuron(2, nonlin=0).activation == "linear"
    assert nn.Neuron(2, nonlin=np.False_).activation == "linear"
    assert nn.Neuron(2, nonlin=1).activation == "relu"


def test_activation_none_means_linear_for_neurons_layers_and_mlps():
    """None is the identity everywhere in nn (get_activation(None)); a scalar network must not read it as
    'not given' and fall back to ReLU, which would silently keep every output at or above 0."""
    neuron = nn.Neuron.from_weights([1.0, -5.0], 0.0, activation=None)
    assert neuron([1.0, 1.0]).data == -4.0
    assert nn.Neuron(2, activation=None).activation == "linear"
    assert nn.Layer(2, 3, activation=None).neurons[2].activation == "linear"
    model = nn.MLP(2, [3, 1], activation=None, output_activation=None, seed=0)
    assert [layer.neurons[0].activation for layer in model.layers] == ["linear", "linear"]
    with pytest.raises(TypeError, match="either nonlin"):
        nn.Neuron(2, nonlin=True, activation=None)


def test_weights_start_uniform_in_minus_one_one_and_biases_at_zero():
    model = nn.MLP(4, [50, 50, 1], seed=0)
    weights = np.array([w.data for layer in model.layers for n in layer.neurons for w in n.w])
    biases = [n.b.data for layer in model.layers for n in layer.neurons]
    assert weights.min() >= -1.0 and weights.max() < 1.0
    assert abs(weights.mean()) < 0.03 and abs(weights.var() - 1.0 / 3.0) < 0.02
    assert biases == [0.0] * len(biases)


def test_parameter_order_and_names_follow_micrograd():
    model = nn.MLP(2, [3, 1], seed=0)
    expected = [p for layer in model.layers for n in layer.neurons for p in n.w + [n.b]]
    assert model.parameters() == expected
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b",
                         "layers.0.neurons.1.w.0"]
    assert names[-1] == "layers.1.neurons.0.b"


def test_same_numbers_as_micrograd_given_the_same_weights():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    ours = nn.MLP(3, [4, 4, 1], seed=1)
    theirs = micrograd_nn.MLP(3, [4, 4, 1])
    for mine, other in zip(ours.parameters(), theirs.parameters(), strict=True):
        other.data = mine.data
    rng = np.random.default_rng(0)
    for x in rng.normal(size=(5, 3)).tolist():
        ours.zero_grad()
        theirs.zero_grad()
        out, ref = ours(x), theirs(x)
        assert out.data == ref.data  # same terms added in the same order: bit-identical
        out.backward()
        ref.backward()
        for mine, other in zip(ours.parameters(), theirs.parameters()):
            assert mine.grad == pytest.approx(other.grad, rel=1e-12, abs=1e-15)


def test_layer_returns_a_single_value_for_one_neuron_and_a_list_otherwise():
    x = [0.5, -1.0]
    assert isinstance(nn.Layer(2, 1, seed=0)(x), Value)
    outs = nn.Layer(2, 3, seed=0)(x)
    assert isinstance(outs, list) and len(outs) == 3


def test_inputs_may_be_lists_numpy_rows_values_or_a_vector_value():
    model = nn.MLP(2, [3, 1], seed=2)
    reference = model([0.5, -1.0]).data
    assert model(np.array([0.5, -1.0])).data == reference
    assert model((Value(0.5), Value(-1.0))).data == reference
    x = Value([0.5, -1.0])
    out = model(x)
    assert out.data == reference
    out.backward()
    assert x.grad.shape == (2,)  # the gradient flows back into the vector input


def test_other_activations_and_functions():
    x = [0.3, -0.7]
    for name, fn in [("sigmoid", Value.sigmoid), ("tanh", Value.tanh), ("step", Value.step)]:
        neuron = nn.Neuron(2, activation=name, seed=3)
        net = neuron.b.data + sum(w.data * xi for w, xi in zip(neuron.w, x))
        assert neuron(x).data == pytest.approx(fn(Value(net)).data, abs=1e-15)
    squared = nn.Neuron(2, activation=lambda v: v * v, seed=3)
    assert squared(x).data >= 0.0
    model = nn.MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    assert all(0.0 < o.data < 1.0 for o in model(x))


def test_bad_arguments_give_clear_errors():
    with pytest.raises(ValueError, match=r"Neuron\(2\): expected 2 inputs, got 3"):
        nn.Neuron(2, seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"Layer\(2, 3\): expected 2 inputs, got 1"):
        nn.Layer(2, 3, seed=0)([1.0])
    with pytest.raises(TypeError, match="either nonlin"):
        nn.Neuron(2, True, activation="tanh")
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        nn.Neuron(2, activation="softsign")
    with pytest.raises(ValueError, match="nin must be a positive integer"):
        nn.Neuron(0)
    with pytest.raises(ValueError, match="nout must be a positive integer"):
        nn.Layer(2, 0)
    with pytest.raises(ValueError, match="at least one layer"):
        nn.MLP(2, [])


def test_repr_is_compact():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    assert repr(model) == (
        "MLP(\n"
        "  (layers.0): Layer(2, 16, activation='relu')\n"
        "  (layers.1): Layer(16, 16, activation='relu')\n"
        "  (layers.2): Layer(16, 1, activation='linear')\n"
        ")"
    )
    assert repr(nn.Neuron(3, activation="tanh", seed=0)) == "Neuron(3, activation='tanh')"


# ---------------------------------------------------------------------------------------- the weighted sum node
def test_weighted_sum_is_one_node_with_every_weight_as_an_input():
    neuron = nn.Neuron(3, activation="linear", seed=0)
    net = neuron([1.0, 2.0, 3.0])
    assert net.op is WeightedSum
    assert net.parents[0] is neuron.b and list(net.parents[1:4]) == neuron.w
    assert net.parents[4:] == (1.0, 2.0, 3.0)


def test_weighted_sum_equals_the_sum_of_products_bit_for_bit():
    rng = np.random.default_rng(1)
    ws = [Value(float(u)) for u in rng.normal(size=7)]
    xs = [Value(float(u)) for u in rng.normal(size=7)]
    b = Value(0.3)
    fused = weighted_sum(ws, xs, b)
    expanded = b
    for w, x in zip(ws, xs):
        expanded = expanded + w * x
    assert fused.data == expanded.data
    fused_grads = grad(fused, ws + xs + [b])
    expanded_grads = grad(expanded, ws + xs + [b])
    assert [g.data for g in fused_grads] == [g.data for g in expanded_grads]


def test_weighted_sum_passes_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(2)
    inputs = [Value(float(u)) for u in rng.normal(size=9)]  # b, 4 weights, 4 inputs

    def net(b, *rest):
        return weighted_sum(rest[:4], rest[4:], b) ** 2

    assert gradcheck(net, inputs)
    assert gradgradcheck(net, inputs)


def test_weighted_sum_rejects_unequal_lengths():
    with pytest.raises(ValueError, match="2 weights but 3 inputs"):
        weighted_sum([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0], Value(0.0))


# ---------------------------------------------------------------------------------------- the lecture, scalar
def test_the_lectures_network_from_given_weights_reproduces_its_gradients():
    w1, w2, w3, w4, w5, w6, w7, w8 = worked_example.WEIGHTS
    b1, b2 = worked_example.BIASES
    hidden = nn.Layer.from_weights([[w1, w2], [w3, w4]], b1, activation="sigmoid")
    output = nn.Layer.from_weights([[w5, w6], [w7, w8]], [b2, b2], activation="sigmoid")
    out = output(hidden(list(worked_example.INPUTS)))
    error = F.squared_error(out, list(worked_example.TARGETS))
    error.backward()

    reference = worked_example.build()
    reference.total_error.backward()
    assert error.data == pytest.approx(reference.total_error.data, abs=1e-15)
    ours = [w for n in hidden.neurons + output.neurons for w in n.w]
    for mine, theirs in zip(ours, reference.weights, strict=True):
        assert mine.data == theirs.data
        assert mine.grad == pytest.approx(theirs.grad, rel=1e-12)
    assert round(ours[4].grad, 9) == 0.082167041  # ∂E/∂w5 as the lecture prints it


def test_from_weights_checks_its_arguments():
    with pytest.raises(ValueError, match="2 rows of weights but 3 biases"):
        nn.Layer.from_weights([[1.0], [2.0]], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="row 1 has 1 weights, row 0 has 2"):
        nn.Layer.from_weights([[1.0, 2.0], [3.0]])
    neuron = nn.Neuron.from_weights([0.5, -2.0], bias=0.25, activation="linear")
    assert neuron([2.0, 1.0]).data == 0.25 + 1.0 - 2.0
