"""Tensor layers and activation modules: forward and gradients against PyTorch (float64), gradcheck,
setting weights from given numbers, and clear errors."""

import re

import numpy as np
import pytest

from tinygrad_edu import Value, gradcheck, nn

torch = pytest.importorskip("torch", reason="PyTorch (the 'oracle' extra) is the reference for these tests")

RTOL = 1e-12


def backward_with(out, upstream):
    """out.backward(upstream) for both frameworks' outputs."""
    if isinstance(out, Value):
        out.backward(upstream)
    else:
        out.backward(torch.from_numpy(upstream))


def compare_with_torch(ours_fn, torch_fn, *arrays, seed=0):
    """Run both functions on the same inputs and one random upstream gradient; compare everything."""
    ours_inputs = [Value(a) for a in arrays]
    torch_inputs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    ours_out, torch_out = ours_fn(*ours_inputs), torch_fn(*torch_inputs)
    np.testing.assert_allclose(ours_out.data, torch_out.detach().numpy(), rtol=RTOL, atol=1e-15)
    upstream = np.random.default_rng(seed).normal(size=ours_out.shape)
    backward_with(ours_out, upstream)
    backward_with(torch_out, upstream)
    for mine, theirs in zip(ours_inputs, torch_inputs):
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=RTOL, atol=1e-15)


# ---------------------------------------------------------------------------------------- Linear
@pytest.mark.parametrize("x_shape", [(5, 3), (3,), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_and_gradients_match_torch(x_shape, bias):
    rng = np.random.default_rng(1)
    layer = nn.Linear(3, 2, bias=bias, seed=2)
    x = rng.normal(size=x_shape)
    arrays = [x, layer.weight.data] + ([layer.bias.data] if bias else [])

    def ours(x, weight, b=None):
        layer.weight, layer.bias = weight, b
        return layer(x)

    compare_with_torch(ours, torch.nn.functional.linear, *arrays)


def test_linear_computes_x_times_w_transposed_plus_b():
    layer = nn.Linear.from_weights([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], bias=[0.5, 0.0, -0.5])
    assert (layer.in_features, layer.out_features) == (2, 3)
    assert layer.weight.shape == (3, 2)  # (out, in) as in PyTorch
    out = layer(np.array([[1.0, 1.0], [0.0, 2.0]]))
    assert out.data.tolist() == [[3.5, 7.0, 10.5], [4.5, 8.0, 11.5]]


def test_linear_passes_gradcheck():
    layer = nn.Linear(4, 3, seed=0)
    x = np.random.default_rng(3).normal(size=(2, 4))

    def fn(x, weight, bias):
        layer.weight, layer.bias = weight, bias
        return layer(x).tanh()

    assert gradcheck(fn, [Value(x), Value(layer.weight.data), Value(layer.bias.data)])


@pytest.mark.parametrize("x_shape", [(5, 3), (3,), (2, 4, 3)])
def test_linear_rules_on_arrays_equal_the_rules_on_values(x_shape):
    """An ordinary backward runs Linear's rules on arrays, with shortcuts (Gᵀx for a batch of rows, G W with
    no reshape); grad(..., create_graph=True) runs the same rules on Values, through the general path. Both
    give the same gradients, and the second derivatives pass gradgradcheck."""
    import tinygrad_edu as tg

    rng = np.random.default_rng(4)
    x, weight, bias = Value(rng.normal(size=x_shape)), Value(rng.normal(size=(2, 3))), Value(rng.normal(size=2))
    out = (nn.functional.tanh(tg.linear(x, weight, bias)) ** 2).sum()
    on_arrays = tg.grad(out, [x, weight, bias])
    on_values = tg.grad(out, [x, weight, bias], create_graph=True)
    for numbers, values in zip(on_arrays, on_values):
        np.testing.assert_allclose(values.data, numbers.data, rtol=1e-14, atol=1e-15)
    if len(x_shape) == 2:  # a batch of rows: ∂E/∂b is one sum over the batch on Values too, not sum + reshape
        assert on_values[2].op.name == "sum"
    assert tg.gradgradcheck(lambda a, w, b: tg.linear(a, w, b).tanh(), [x, weight, bias])


def test_linear_keeps_float32():
    layer = nn.Linear(3, 2, seed=0, dtype=np.float32)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert layer(np.ones((4, 3), dtype=np.float32)).dtype == np.float32
    assert nn.Linear.from_weights(np.ones((2, 2), dtype=np.float32), bias=0.0).bias.dtype == np.float32


def test_linear_rejects_inputs_of_the_wrong_width():
    layer = nn.Linear(2, 3, seed=0)
    with pytest.raises(ValueError, match=r"Linear\(2, 3\): input has shape \(4, 5\), but its last dimension "
                                         r"must be in_features=2"):
        layer(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"input has shape \(\)"):
        layer(1.0)
    with pytest.raises(ValueError, match="in_features must be a positive integer"):
        nn.Linear(0, 3)
    with pytest.raises(ValueError, match="out_features must be a positive integer"):
        nn.Linear(2, 2.5)


@pytest.mark.parametrize(
    ("x_shape", "weight_shape"),
    [((4, 5), (3, 2)), ((), (3, 2)), ((4, 2), (2,)), ((4, 2), (1, 3, 2)), ((2,), (3, 4))],
)
def test_functional_linear_names_both_shapes_when_input_and_weight_do_not_fit(x_shape, weight_shape):
    weight = Value(np.ones(weight_shape))
    x = np.ones(x_shape) if x_shape else 1.0
    shapes = f"input of shape {x_shape} does not fit weight of shape {weight_shape}"
    message = "linear: " + re.escape(shapes)
    with pytest.raises(ValueError, match=message):
        nn.functional.linear(x, weight)
    assert weight.grad.sum() == 0.0  # nothing was recorded


def test_from_weights_shares_a_single_bias_or_takes_none():
    layer = nn.Linear.from_weights([[0.15, 0.20], [0.25, 0.30]], bias=0.35)  # the lecture's b1, shared
    assert layer.bias.data.tolist() == [0.35, 0.35]
    assert nn.Linear.from_weights([[1.0, 2.0]]).bias is None
    with pytest.raises(ValueError, match="weight must have shape"):
        nn.Linear.from_weights([1.0, 2.0])
    with pytest.raises(ValueError, match=r"bias must be one number or have shape \(2,\)"):
        nn.Linear.from_weights(np.eye(2), bias=[1.0, 2.0, 3.0])


def test_weights_can_be_assigned_through_data():
    layer = nn.Linear(2, 2, seed=0)
    layer.weight.data = [[0.15, 0.20], [0.25, 0.30]]
    assert layer.weight.data.tolist() == [[0.15, 0.20], [0.25, 0.30]]
    with pytest.raises(ValueError, match="shape"):
        layer.weight.data = np.ones((3, 2))


def test_a_pytorch_state_dict_loads_into_the_same_sequential():
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    ours.load_state_dict({name: t.detach().numpy() for name, t in reference.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(ours(x).data, reference(torch.from_numpy(x)).detach().numpy(), rtol=RTOL)


# ---------------------------------------------------------------------------------------- activations
ACTIVATION_CASES = [
    (nn.Identity(), lambda x: x * 1.0),
    (nn.Sigmoid(), torch.sigmoid),
    (nn.Tanh(), torch.tanh),
    (nn.ReLU(), torch.relu),
    (nn.LeakyReLU(), torch.nn.functional.leaky_relu),
    (nn.LeakyReLU(0.2), lambda x: torch.nn.functional.leaky_relu(x, 0.2)),
    (nn.Softmax(), lambda x: torch.softmax(x, -1)),
    (nn.Softmax(dim=0), lambda x: torch.softmax(x, 0)),
    (nn.LogSoftmax(), lambda x: torch.log_softmax(x, -1)),
    (nn.LogSoftmax(dim=0), lambda x: torch.log_softmax(x, 0)),
]


@pytest.mark.parametrize("module, reference", ACTIVATION_CASES, ids=[repr(m) for m, _ in ACTIVATION_CASES])
def test_activation_modules_match_torch(module, reference):
    x = np.random.default_rng(4).normal(size=(4, 3)) * 3.0
    x[np.abs(x) < 0.05] = 0.5  # keep clear of relu's kink
    compare_with_torch(module, reference, x)


def test_step_is_the_perceptrons_threshold_with_zero_gradient():
    x = Value([-1.0, 0.0, 2.0])
    out = nn.Step()(x)
    assert out.data.tolist() == [0.0, 1.0, 1.0]
    assert out.data.tolist() == torch.heaviside(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor(1.0)).tolist()
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_activation_modules_work_on_scalars_and_plain_arrays():
    assert nn.Sigmoid()(Value(0.0)).data == 0.5
    assert nn.ReLU()(np.array([-1.0, 2.0])).data.tolist() == [0.0, 2.0]


def test_a_sequential_tensor_network_runs_end_to_end():
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1), nn.LogSoftmax())
    out = model(np.random.default_rng(0).normal(size=(6, 2)))
    assert out.shape == (6, 3)
    np.testing.assert_allclose(np.exp(out.data).sum(axis=1), np.ones(6))
