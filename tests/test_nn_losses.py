"""Losses: values and gradients against PyTorch (float64) for every reduction, gradcheck, stability at
extreme inputs, the modules, and clear errors for bad shapes and targets."""

import numpy as np
import pytest

from tinygrad_edu import Value, gradcheck, nn
from tinygrad_edu.nn import functional as F

torch = pytest.importorskip("torch", reason="PyTorch (the 'oracle' extra) is the reference for these tests")
TF = torch.nn.functional

RTOL = 1e-12
REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(0)


def compare(ours_fn, torch_fn, x, target, *, rtol=RTOL):
    """Loss value and ∂loss/∂input of both frameworks, with a random upstream gradient for 'none'."""
    ours_x = Value(x)
    torch_x = torch.tensor(x, requires_grad=True)
    torch_target = torch.from_numpy(np.asarray(target))
    ours_loss, torch_loss = ours_fn(ours_x, target), torch_fn(torch_x, torch_target)
    np.testing.assert_allclose(ours_loss.data, torch_loss.detach().numpy(), rtol=rtol, atol=1e-14)
    upstream = np.random.default_rng(1).normal(size=ours_loss.shape)
    ours_loss.backward(upstream if ours_loss.shape else None)
    torch_loss.backward(torch.from_numpy(upstream) if ours_loss.shape else None)
    np.testing.assert_allclose(ours_x.grad, torch_x.grad.numpy(), rtol=rtol, atol=1e-14)


def pair(ours, theirs, reduction):
    """Our loss function and PyTorch's, both with ``reduction``."""
    return (lambda a, b: ours(a, b, reduction=reduction), lambda a, b: theirs(a, b, reduction=reduction))


# ---------------------------------------------------------------------------------------- regression
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_squared_error_is_half_the_summed_squares(reduction):
    x, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    half_mse = lambda a, b, reduction: 0.5 * TF.mse_loss(a, b, reduction=reduction)
    compare(*pair(F.squared_error, half_mse, reduction), x, t)


def test_squared_error_defaults_to_the_lectures_sum():
    o, t = np.array([0.75136507, 0.772928465]), np.array([0.01, 0.99])
    assert F.squared_error(o, t).item() == pytest.approx(0.298371109, abs=1e-9)
    assert nn.SquaredError()(o, t).item() == F.squared_error(o, t).item()
    assert nn.SquaredError().reduction == "sum"


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss(reduction):
    x, t = rng.normal(size=(5,)), rng.normal(size=(5,))
    compare(*pair(F.mse_loss, TF.mse_loss, reduction), x, t)


def test_mse_loss_differentiates_a_target_that_requires_grad():
    x, t = Value([1.0, 2.0]), Value([0.5, 3.0])
    F.mse_loss(x, t).backward()
    assert t.grad.tolist() == [-0.5, 1.0] and x.grad.tolist() == [0.5, -1.0]


# ---------------------------------------------------------------------------------------- binary cross-entropy
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted):
    p = rng.uniform(0.05, 0.95, size=(6, 2))
    t = rng.uniform(0.0, 1.0, size=(6, 2)).round(1)
    w = rng.uniform(0.5, 2.0, size=(2,)) if weighted else None
    torch_w = None if w is None else torch.from_numpy(w)
    compare(
        lambda a, b: F.binary_cross_entropy(a, b, w, reduction),
        lambda a, b: TF.binary_cross_entropy(a, b, torch_w, reduction=reduction),
        p, t,
    )


def test_binary_cross_entropy_clamps_its_logs_at_minus_100_like_torch():
    p, t = np.array([0.0, 1.0, 0.0, 1.0, 1e-50]), np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    ours = F.binary_cross_entropy(p, t, reduction="none").data
    theirs = TF.binary_cross_entropy(torch.from_numpy(p), torch.from_numpy(t), reduction="none").numpy()
    assert ours.tolist() == theirs.tolist() == [100.0, 100.0, 0.0, 0.0, 100.0]


def test_binary_cross_entropy_gradient_is_torchs_at_and_near_zero_and_one():
    """(p − t)/max(p(1 − p), 1e-12): the worst prediction (p = 0, t = 1) still gets a push, and p just above
    the clamp gets no 1/p blow-up (differentiating the clamped logs would give 0 and −1e20 here)."""
    p = np.array([0.0, 1e-20, 1e-50, 1 - 1e-16, 0.0, 1.0, 0.3])
    t = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.5])
    compare(
        lambda a, b: F.binary_cross_entropy(a, b, reduction="sum"),
        lambda a, b: TF.binary_cross_entropy(a, b, reduction="sum"),
        p, t,
    )


def test_binary_cross_entropy_differentiates_a_target_that_requires_grad_as_torch():
    p, t = rng.uniform(0.05, 0.95, size=4), rng.uniform(0.0, 1.0, size=4)
    ours_p, ours_t = Value(p), Value(t)
    F.binary_cross_entropy(ours_p, ours_t).backward()
    torch_p, torch_t = torch.tensor(p, requires_grad=True), torch.tensor(t, requires_grad=True)
    TF.binary_cross_entropy(torch_p, torch_t).backward()
    np.testing.assert_allclose(ours_t.grad, torch_t.grad.numpy(), rtol=RTOL)
    np.testing.assert_allclose(ours_p.grad, torch_p.grad.numpy(), rtol=RTOL)


def test_binary_cross_entropy_of_a_perfect_prediction_is_plus_zero():
    loss = F.binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0]), reduction="none")
    assert np.signbit(loss.data).tolist() == [False, False]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_with_logits(reduction, weighted):
    x = rng.normal(size=(5, 3)) * 4.0
    t = rng.integers(0, 2, size=(5, 3)).astype(float)
    w = rng.uniform(0.5, 2.0, size=(5, 1)) if weighted else None
    pos = rng.uniform(0.5, 3.0, size=(3,)) if weighted else None
    compare(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, w, reduction, pos),
        lambda a, b: TF.binary_cross_entropy_with_logits(
            a, b, None if w is None else torch.from_numpy(w), reduction=reduction,
            pos_weight=None if pos is None else torch.from_numpy(pos),
        ),
        x, t,
    )


def test_binary_cross_entropy_with_logits_is_stable_at_extreme_logits_and_exact_at_zero():
    x = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    t = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    compare(*pair(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, "none"), x, t)
    zero = Value(0.0)
    F.binary_cross_entropy_with_logits(zero, 0.25).backward()
    assert zero.grad == 0.25  # σ(0) − t = 0.5 − 0.25, even at the kink-free point 0


@pytest.mark.parametrize("pos_weight", [None, np.array([2.5, 0.5, 1.0])])
def test_binary_cross_entropy_with_logits_is_torchs_to_the_last_digit_where_the_loss_is_tiny(pos_weight):
    """A confident right answer has a loss of about e^−|x|: log(1 + e^−40) computed as written rounds to 0;
    both libraries keep it, and agree on the loss and on ∂E/∂x bit for bit."""
    x, t = np.array([40.0, 20.0, -35.0]), np.array([1.0, 1.0, 0.0])
    ours_x, ours_t = Value(x), Value(t)
    loss = F.binary_cross_entropy_with_logits(ours_x, ours_t, reduction="none", pos_weight=pos_weight)
    loss.backward(np.ones(3))
    torch_x, torch_t = torch.tensor(x, requires_grad=True), torch.tensor(t, requires_grad=True)
    torch_pos_weight = None if pos_weight is None else torch.from_numpy(pos_weight)
    torch_loss = TF.binary_cross_entropy_with_logits(torch_x, torch_t, reduction="none", pos_weight=torch_pos_weight)
    torch_loss.backward(torch.ones(3, dtype=torch.float64))
    assert loss.data[0] > 0.0
    assert loss.data.tolist() == torch_loss.detach().numpy().tolist()
    assert ours_x.grad.tolist() == torch_x.grad.numpy().tolist()
    # ∂E/∂t with a pos_weight: PyTorch's log_sigmoid takes log(1 + e^−x), not log1p, so a last digit may differ
    np.testing.assert_allclose(ours_t.grad, torch_t.grad.numpy(), rtol=1e-15)


def test_softplus_keeps_the_digits_of_tiny_values_and_never_overflows():
    x = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    compare(lambda a, _: F.softplus(a), lambda a, _: TF.softplus(a), x, x)
    assert F.softplus(np.array([-40.0])).data[0] == pytest.approx(4.248354255291589e-18, rel=1e-15)


# ---------------------------------------------------------------------------------------- cross-entropy
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_indices(reduction):
    x, c = rng.normal(size=(7, 4)) * 3.0, rng.integers(0, 4, size=7)
    compare(*pair(F.cross_entropy, TF.cross_entropy, reduction), x, c)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_extra_dimensions_and_a_single_sample(reduction):
    x, c = rng.normal(size=(2, 3, 4)), rng.integers(0, 3, size=(2, 4))
    compare(*pair(F.cross_entropy, TF.cross_entropy, reduction), x, c)
    x1, c1 = rng.normal(size=5), np.array(2)
    compare(*pair(F.cross_entropy, TF.cross_entropy, reduction), x1, c1)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_probabilities(reduction):
    x = rng.normal(size=(3, 4))
    p = rng.dirichlet(np.ones(4), size=3)
    compare(*pair(F.cross_entropy, TF.cross_entropy, reduction), x, p)


def test_cross_entropy_is_stable_for_huge_logits():
    x, c = np.array([[1000.0, 0.0, -1000.0], [5.0, 1005.0, 5.0]]), np.array([2, 1])
    compare(*pair(F.cross_entropy, TF.cross_entropy, "none"), x, c)


# ---------------------------------------------------------------------------------------- hinge
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_loss_is_micrograds_max_margin(reduction):
    s = rng.normal(size=8) * 2.0
    s[np.abs(1.0 - np.abs(s)) < 0.05] = 0.3  # away from the kink y·s = 1
    y = rng.choice([-1.0, 1.0], size=8)

    def reference(a, b):
        loss = torch.relu(1.0 - b * a)
        return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]

    compare(lambda a, b: F.hinge_loss(a, b, reduction=reduction), reference, s, y)


def test_hinge_loss_with_scalar_outputs_as_in_micrograds_demo():
    scores = [Value(0.5), Value(-2.0), Value(1.5)]
    labels = [1.0, -1.0, -1.0]
    loss = F.max_margin_loss(scores, labels)
    expected = sum(max(0.0, 1.0 - y * s.data) for s, y in zip(scores, labels)) / 3
    assert loss.item() == pytest.approx(expected, rel=1e-15)
    loss.backward()
    assert [s.grad for s in scores] == pytest.approx([-1 / 3, 0.0, 1 / 3])
    assert nn.HingeLoss(margin=2.0)(scores, labels).item() == pytest.approx((1.5 + 0.0 + 3.5) / 3)


def test_losses_take_a_scalar_networks_outputs_for_a_batch():
    model = nn.MLP(2, [4, 3], seed=0)  # three class scores per sample, each a scalar Value
    x, classes = rng.normal(size=(5, 2)), np.array([0, 2, 1, 1, 0])
    scores = [model(row) for row in x.tolist()]
    loss = F.cross_entropy(scores, classes)
    loss.backward()
    logits = np.array([[s.data for s in row] for row in scores])
    reference = TF.cross_entropy(torch.from_numpy(logits), torch.from_numpy(classes))
    assert loss.item() == pytest.approx(reference.item(), rel=1e-12)
    assert all(p.has_grad for p in model.parameters())


# ---------------------------------------------------------------------------------------- gradcheck, modules
GRADCHECK_CASES = [
    ("squared_error", lambda x: F.squared_error(x, np.linspace(-1, 1, 6).reshape(2, 3))),
    ("mse_loss", lambda x: F.mse_loss(x, np.ones((2, 3)), reduction="none")),
    ("binary_cross_entropy", lambda x: F.binary_cross_entropy(x.sigmoid(), np.eye(2, 3))),
    ("bce_with_logits", lambda x: F.binary_cross_entropy_with_logits(x, np.eye(2, 3), pos_weight=2.0)),
    ("cross_entropy", lambda x: F.cross_entropy(x, np.array([2, 0]))),
    ("hinge_loss", lambda x: F.hinge_loss(x, -np.ones((2, 3)), margin=5.0)),
]


@pytest.mark.parametrize("name, loss", GRADCHECK_CASES, ids=[name for name, _ in GRADCHECK_CASES])
def test_losses_pass_gradcheck(name, loss):
    x = Value(rng.normal(size=(2, 3)))
    assert gradcheck(loss, [x])


MODULE_CASES = [
    (nn.SquaredError(reduction="mean"), F.squared_error, {"reduction": "mean"}, np.zeros((4, 3))),
    (nn.MSELoss(reduction="sum"), F.mse_loss, {"reduction": "sum"}, np.zeros((4, 3))),
    (nn.BCEWithLogitsLoss(pos_weight=3.0), F.binary_cross_entropy_with_logits, {"pos_weight": 3.0}, np.eye(4, 3)),
    (nn.CrossEntropyLoss(reduction="none"), F.cross_entropy, {"reduction": "none"}, np.array([0, 2, 1, 1])),
    (nn.HingeLoss(), F.hinge_loss, {}, np.ones((4, 3))),
    (nn.MaxMarginLoss(reduction="sum"), F.hinge_loss, {"reduction": "sum"}, -np.ones((4, 3))),
]


@pytest.mark.parametrize("module, function, kwargs, target", MODULE_CASES, ids=[repr(case[0]) for case in MODULE_CASES])
def test_loss_modules_call_their_functions(module, function, kwargs, target):
    x = rng.normal(size=(4, 3))
    np.testing.assert_array_equal(module(x, target).data, function(x, target, **kwargs).data)


def test_bce_loss_module_with_weight():
    p, t, w = np.array([0.2, 0.9]), np.array([0.0, 1.0]), np.array([2.0, 0.5])
    assert nn.BCELoss(weight=w)(p, t).item() == F.binary_cross_entropy(p, t, w).item()


# ---------------------------------------------------------------------------------------- errors
def test_shape_mismatches_are_refused_not_broadcast():
    with pytest.raises(ValueError, match=r"mse_loss: input has shape \(3,\) but target has shape \(3, 1\)"):
        F.mse_loss(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="squared_error: input has shape"):
        F.squared_error(Value([1.0, 2.0]), 1.0)
    with pytest.raises(ValueError, match=r"needs class indices of shape \(4,\), got target of shape \(3,\)"):
        F.cross_entropy(np.zeros((4, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="weight of shape"):
        F.binary_cross_entropy(np.full(3, 0.5), np.ones(3), weight=np.ones(4))


def test_bad_targets_and_inputs_are_named():
    with pytest.raises(ValueError, match="class 3 is out of range for 3 classes"):
        F.cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="class -1 is out of range"):
        F.cross_entropy(np.zeros((2, 3)), np.array([0, -1]))
    with pytest.raises(TypeError, match="integer class indices"):
        F.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    for bad in (np.array([0, -128], dtype=np.int8), np.array([2**63, 0], dtype=np.uint64)):
        with pytest.raises(ValueError, match="is out of range for 3 classes"):
            F.cross_entropy(np.zeros((2, 3)), bad)
    assert F.cross_entropy(np.zeros((2, 3)), np.array([2, 0], dtype=np.uint8)).item() == pytest.approx(np.log(3.0))
    with pytest.raises(ValueError, match="a single number"):
        F.cross_entropy(1.0, np.array(0))
    with pytest.raises(ValueError, match="every input must be a probability in \\[0, 1\\], found 1.5"):
        F.binary_cross_entropy(np.array([0.5, 1.5]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="every target must be a probability in \\[0, 1\\], found 2.0"):
        F.binary_cross_entropy_with_logits(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match="targets must be −1 or \\+1, found 0.0"):
        F.hinge_loss(np.zeros(2), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.mse_loss(np.zeros(2), np.zeros(2), reduction="average")
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(TypeError, match="cannot use str as an input"):
        F.mse_loss("abc", np.zeros(3))


@pytest.mark.parametrize("size", [0, 1, 40, F.SMALL_BATCH, F.SMALL_BATCH + 1, 5000])
def test_class_range_check_in_python_agrees_with_numpy(size):
    """classes_in_range checks small batches in Python and big ones in numpy: both say the same."""
    rng = np.random.default_rng(size)
    for low, high in ((0, 10), (-1, 10), (0, 11)):
        classes = rng.integers(low, high, size=size)
        if size:
            classes[rng.integers(size)] = low  # make sure the extreme is there
            classes[rng.integers(size)] = high - 1
        expected = bool(size == 0 or (classes.min() >= 0 and classes.max() < 10))
        assert F.classes_in_range(classes, 10) is expected


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_keeps_a_softmax_for_its_backward_only_where_the_backward_uses_it(reduction):
    logits = Value(np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]]))
    by_index = F.cross_entropy(logits, np.array([1, 2]), reduction=reduction)
    by_probability = F.cross_entropy(logits, np.array([[0.2, 0.8, 0.0], [0.0, 0.5, 0.5]]), reduction=reduction)
    assert (by_index.attrs["saved"] is not None) == (reduction != "none")
    assert by_probability.attrs.get("saved") is None
