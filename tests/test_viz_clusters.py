"""Drawing a network with modules=: one labelled cluster per layer holding exactly that layer's nodes
(its parameters and the nodes from them to its result), nested clusters for scalar layers of neurons."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tinygrad_edu import Value, nn
from tinygrad_edu.engine import functions
from tinygrad_edu.viz import draw_graph, save
from tinygrad_edu.viz.clusters import module_clusters
from tinygrad_edu.viz.traverse import forward_order


@pytest.fixture
def tensor_mlp():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))
    x = Value(rng.normal(size=(5, 2)), label="x", requires_grad=False)
    y = rng.normal(size=(5, 1))
    hidden1 = model[1](model[0](x))
    hidden2 = model[3](model[2](hidden1))
    out = model[4](hidden2)
    loss = ((out - y) ** 2).mean()
    loss.label = "loss"
    return model, loss, {"x": x, "hidden1": hidden1, "hidden2": hidden2, "out": out}


def cluster_blocks(source: str) -> list[str]:
    """The text of each top-level ``subgraph cluster_… { … }`` of a DOT source (nested ones included)."""
    blocks, depth, current = [], 0, []
    for line in source.splitlines():
        if re.match(r"\s*subgraph cluster_", line):
            depth += 1
        if depth:
            current.append(line)
            if line.strip() == "}":
                depth -= 1
                if depth == 0:
                    blocks.append("\n".join(current))
                    current = []
    return blocks


def test_a_tensor_mlp_draws_one_cluster_per_layer(tensor_mlp):
    model, loss, values = tensor_mlp
    loss.backward()
    source = draw_graph(loss, modules=model).source
    blocks = cluster_blocks(source)
    assert len(blocks) == 3  # the three Linear layers; Tanh has no parameters, so no cluster
    for block, (index, layer) in zip(blocks, [("0", model[0]), ("2", model[2]), ("4", model[4])]):
        assert f'label="{index}: Linear(in_features={layer.in_features}, out_features={layer.out_features}' in block
        assert block.count("<B>weight</B>") == 1 and block.count("<B>bias</B>") == 1
        assert "subgraph cluster_" not in block.split("\n", 1)[1]  # no nesting for tensor layers
    outside = source
    for block in blocks:
        outside = outside.replace(block, "")
    for name in ("<B>x</B>", "<B>loss</B>", "<I>tanh("):
        assert name in outside  # input, activations and loss stay between the clusters


def test_cluster_members_run_from_the_parameters_to_the_layers_result(tensor_mlp):
    model, loss, values = tensor_mlp
    clusters = module_clusters(model, forward_order(loss))
    layer_outputs = [values["hidden1"].parents[0], values["hidden2"].parents[0], values["out"]]
    for cluster, layer, result in zip(clusters, [model[0], model[2], model[4]], layer_outputs):
        members = set(cluster.members)
        assert {layer.weight, layer.bias, result} <= members
        assert [v.op.name for v in cluster.members if v.op is not None] == ["linear"]  # x Wᵀ + b, one node
        assert values["x"] not in members and loss not in members
    assert all(not (set(a.members) & set(b.members)) for a in clusters for b in clusters if a is not b)


def test_a_scalar_mlp_nests_neurons_in_layers(tmp_path):
    model = nn.MLP(2, [3, 1])
    out = model([0.5, -1.0])
    loss = (out - 1.0) ** 2
    clusters = module_clusters(model, forward_order(loss))
    assert [c.title.split(":")[0] for c in clusters] == ["layers.0", "layers.1"]
    assert [len(c.children) for c in clusters] == [3, 1]
    neuron = clusters[0].children[0]
    assert sorted(neuron.parameter_names.values()) == ["b", "w.0", "w.1"]
    assert len(neuron.members) == 4  # w.0, w.1, b and the neuron's Σwx + b
    drawing = draw_graph(loss, modules=model)
    assert len(re.findall(r"subgraph cluster_", drawing.source)) == 6
    assert "<I>w.0</I>" in drawing.source  # unlabelled parameters drawn by their names in the module
    assert "<svg" in save(drawing, tmp_path / "mlp.svg").read_text()


def test_modules_by_name_and_bad_modules(tensor_mlp):
    model, loss, _ = tensor_mlp
    source = draw_graph(loss, modules={"hidden": model[0], "output": model[4]}).source
    assert len(cluster_blocks(source)) == 2
    assert 'label="hidden: Linear(' in source and 'label="output: Linear(' in source
    unrelated = nn.Linear(2, 2)
    assert module_clusters(unrelated, forward_order(loss)) == []
    with pytest.raises(TypeError, match="nn.Module"):
        draw_graph(loss, modules=42)
    with pytest.raises(TypeError, match="not an nn.Module"):
        draw_graph(loss, modules={"first": "Linear"})


def test_a_fused_linear_node_is_its_layers_result():
    layer = nn.Linear(3, 2)
    x = Value(np.ones((4, 3)), label="x", requires_grad=False)
    out = functions.linear(x, layer.weight, layer.bias)
    (cluster,) = module_clusters(layer, forward_order(out.sum()))
    assert set(cluster.members) == {layer.weight, layer.bias, out}
