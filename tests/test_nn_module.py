"""nn.Module: finding parameters by attribute, names, train/eval, zero_grad, state dicts and repr."""

import numpy as np
import pytest

from tinygrad_edu import Value, nn


class Block(nn.Module):
    """A module holding parameters directly, in a list, in a tuple, in a dict and in submodules."""

    def __init__(self):
        self.scale = Value(2.0)
        self.layers = [nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1)]
        self.pair = (Value([1.0, 2.0]), Value([3.0]))
        self.heads = {"left": nn.Linear(2, 1, seed=2), "right": nn.Linear(2, 1, bias=False, seed=3)}
        self.frozen = Value(np.ones(2), requires_grad=False)
        self.note = "not a parameter"
        self.count = 7

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.heads["left"](x) + self.heads["right"](x) * self.scale


EXPECTED_NAMES = [
    "scale",
    "layers.0.weight",
    "layers.0.bias",
    "layers.2.weight",
    "layers.2.bias",
    "pair.0",
    "pair.1",
    "heads.left.weight",
    "heads.left.bias",
    "heads.right.weight",
]


def test_named_parameters_found_by_attribute_list_tuple_and_dict_in_order():
    block = Block()
    assert [name for name, _ in block.named_parameters()] == EXPECTED_NAMES
    assert [p for _, p in block.named_parameters()] == block.parameters()
    assert block.parameters()[0] is block.scale
    assert block.parameters()[1] is block.layers[0].weight


def test_frozen_values_are_state_but_not_parameters():
    block = Block()
    names = [name for name, _ in block.named_state_values()]
    assert names == EXPECTED_NAMES + ["frozen"]
    assert "frozen" not in dict(block.named_parameters())
    assert "frozen" in block.state_dict()


def test_results_of_operations_held_by_a_module_are_not_parameters():
    block = Block()
    block.cached = block.scale * 3.0  # a node of the graph, not a leaf the user made
    assert "cached" not in dict(block.named_state_values())


def test_shared_values_and_modules_are_listed_once_under_their_first_name():
    class Tied(nn.Module):
        def __init__(self):
            self.encoder = nn.Linear(2, 2, seed=0)
            self.decoder = self.encoder
            self.extra = [self.encoder.weight]

    tied = Tied()
    assert [name for name, _ in tied.named_parameters()] == ["encoder.weight", "encoder.bias"]
    assert [name for name, _ in tied.named_modules()] == ["", "encoder"]


def test_a_module_referring_back_to_its_parent_does_not_loop():
    parent = nn.Sequential(nn.Linear(2, 2, seed=0))
    parent[0].owner = parent
    assert len(parent.parameters()) == 2


def test_named_modules_and_children():
    block = Block()
    assert [name for name, _ in block.named_modules()] == [
        "", "layers.0", "layers.1", "layers.2", "heads.left", "heads.right"
    ]
    assert [name for name, _ in block.named_children()] == [name for name, _ in block.named_modules()][1:]
    seq = nn.Sequential(nn.Sequential(nn.Linear(1, 1, seed=0)), nn.ReLU())
    assert [name for name, _ in seq.named_children()] == ["0", "1"]
    assert [name for name, _ in seq.named_modules()] == ["", "0", "0.0", "1"]
    assert [name for name, _ in seq.named_parameters()] == ["0.0.weight", "0.0.bias"]


def test_sequential_names_items_like_pytorch_and_is_indexable():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Sigmoid(), nn.Linear(3, 1, seed=1))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert isinstance(model[1], nn.Sigmoid)
    assert len(model) == 3
    rest = model[1:]
    assert isinstance(rest, nn.Sequential) and len(rest) == 2 and rest[1] is model[2]
    assert [type(m).__name__ for m in model] == ["Linear", "Sigmoid", "Linear"]
    model.append(nn.Sigmoid())
    assert len(model) == 4
    model.temperature = Value(1.0)  # an attribute beside the items is found too
    assert list(model.state_dict())[-1] == "temperature"
    with pytest.raises(TypeError, match="item 1 is a int"):
        nn.Sequential(nn.ReLU(), 3)


def test_call_runs_forward_and_a_module_without_forward_says_so():
    model = nn.Sequential(nn.Linear(2, 1, seed=0))
    x = np.array([[1.0, 2.0]])
    assert np.array_equal(model(x).data, model.forward(x).data)

    class Empty(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        Empty()(1.0)


def test_train_and_eval_set_the_flag_on_every_submodule():
    block = Block()
    assert all(m.training for m in block.modules())
    assert block.eval() is block
    assert not any(m.training for m in block.modules())
    block.train()
    assert all(m.training for m in block.modules())
    with pytest.raises(TypeError, match="mode must be a bool"):
        block.train("no")


def test_zero_grad_resets_every_parameter():
    block = Block()
    out = block(np.ones((5, 3))).sum() + block.pair[0].sum() + block.pair[1].sum()
    out.backward()
    assert all(p.has_grad for p in block.parameters())
    block.zero_grad(set_to_none=False)
    weight_grad = block.layers[0].weight.grad
    assert all(p.has_grad for p in block.parameters())  # zeros kept, for arrays and floats alike
    assert block.scale.grad == 0.0 and block.layers[0].weight.grad is weight_grad  # filled in place
    assert np.array_equal(block.layers[0].weight.grad, np.zeros((4, 3)))
    block.zero_grad()
    assert not any(p.has_grad for p in block.parameters())
    assert np.array_equal(block.layers[0].weight.grad, np.zeros((4, 3)))


def test_modules_subclassed_without_calling_init_work():
    class Plain(nn.Module):
        def __init__(self):  # no super().__init__(), as micrograd's modules do
            self.w = Value(1.5)

        def forward(self, x):
            return self.w * x

    plain = Plain()
    assert plain.training
    assert plain(2.0).data == 3.0
    assert plain.parameters() == [plain.w]


# ---------------------------------------------------------------------------------------- state dicts
def test_state_dict_copies_numbers_with_their_dtype():
    model = nn.Sequential(nn.Linear(3, 2, seed=0, dtype=np.float32), nn.Linear(2, 1, seed=1))
    state = model.state_dict()
    assert state["0.weight"].dtype == np.float32 and state["1.weight"].dtype == np.float64
    assert state["0.weight"].shape == (2, 3)
    state["0.weight"][:] = 99.0  # a copy: changing it leaves the module alone
    assert not np.any(model[0].weight.data == 99.0)


def test_state_dict_round_trips_into_a_fresh_module():
    source, target = Block(), Block()
    for p in source.parameters():
        p.data = p.data + 1.0
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (name, a), (_, b) in zip(source.named_state_values(), target.named_state_values()):
        assert np.array_equal(a.data, b.data), name


def test_scalar_parameters_load_from_floats():
    model = nn.Neuron(2, seed=0)
    model.load_state_dict({"w.0": 0.5, "w.1": -0.25, "b": 1.0})
    assert [w.data for w in model.w] == [0.5, -0.25] and model.b.data == 1.0
    assert type(model.b.data) is float


def test_a_mismatched_state_dict_lists_every_problem_and_changes_nothing():
    model = Block()
    before = model.state_dict()
    state = model.state_dict()
    del state["pair.1"]  # missing
    state["layers.9.weight"] = np.zeros(2)  # unexpected
    state["layers.0.weight"] = np.zeros((3, 4))  # wrong shape (transposed)
    state["layers.0.bias"] = state["layers.0.bias"].astype(np.float32)  # wrong dtype
    state["scale"] = np.array(1, dtype=np.int64)  # wrong dtype
    with pytest.raises(nn.StateDictError) as caught:
        model.load_state_dict(state)
    message = str(caught.value)
    assert "5 problem(s), nothing was changed" in message
    for fragment in [
        "missing key 'pair.1'",
        "unexpected key 'layers.9.weight'",
        "'layers.0.weight': shape (3, 4) in the state, (4, 3) in the module",
        "'layers.0.bias': dtype float32 in the state, float64 in the module",
        "'scale': dtype int64 in the state, float64 in the module",
    ]:
        assert fragment in message
    assert len(caught.value.problems) == 5
    after = model.state_dict()
    assert all(np.array_equal(before[name], after[name]) for name in before)


def test_non_strict_loading_skips_missing_and_unexpected_keys_but_still_checks_shapes():
    model = nn.Sequential(nn.Linear(2, 2, seed=0))
    result = model.load_state_dict({"0.weight": np.eye(2), "extra": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["extra"]
    assert np.array_equal(model[0].weight.data, np.eye(2))
    before = model.state_dict()
    with pytest.raises(nn.StateDictError, match="shape"):
        model.load_state_dict({"0.weight": np.eye(3), "0.bias": np.zeros(2)}, strict=False)
    assert np.array_equal(model.state_dict()["0.bias"], before["0.bias"])


def test_load_state_dict_rejects_what_is_not_a_mapping_or_not_numbers():
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(TypeError, match="mapping"):
        model.load_state_dict([np.zeros((1, 2))])
    with pytest.raises(nn.StateDictError, match="not an array of numbers"):
        model.load_state_dict({"weight": [[1.0], [2.0, 3.0]], "bias": np.zeros(1)})


def test_loaded_values_do_not_alias_the_given_arrays():
    model = nn.Linear(2, 1, seed=0)
    weight = np.array([[1.0, 2.0]])
    model.load_state_dict({"weight": weight, "bias": np.zeros(1)})
    weight[0, 0] = 50.0
    assert model.weight.data[0, 0] == 1.0


# ---------------------------------------------------------------------------------------- repr
def test_repr_shows_the_structure_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.Sigmoid(), nn.Linear(2, 2, bias=False, seed=1), nn.Softmax())
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=2, bias=True)\n"
        "  (1): Sigmoid()\n"
        "  (2): Linear(in_features=2, out_features=2, bias=False)\n"
        "  (3): Softmax(dim=-1)\n"
        ")"
    )
    nested = nn.Sequential(nn.Sequential(nn.ReLU()), nn.LeakyReLU(0.2))
    assert repr(nested) == (
        "Sequential(\n  (0): Sequential(\n    (0): ReLU()\n  )\n  (1): LeakyReLU(negative_slope=0.2)\n)"
    )
    assert repr(nn.MSELoss()) == "MSELoss(reduction='mean')"
