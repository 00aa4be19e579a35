"""Gradient clipping against PyTorch's ``clip_grad_norm_`` / ``clip_grad_value_`` (float64), and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_edu import Value
from tinygrad_edu.optim import SGD, clip_grad_norm_, clip_grad_value_

_rng = np.random.default_rng(7)
GRADS = [_rng.standard_normal((4, 3)), 3.0 * _rng.standard_normal(5), -2.5]  # the last one a float


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="the oracle tests need PyTorch (pip install -e .[oracle])")


def ours_with_grads():
    params = [Value(np.zeros(np.shape(g))) if np.shape(g) else Value(0.0) for g in GRADS]
    for p, g in zip(params, GRADS):
        p.grad = g
    return params + [Value(np.ones(2))]  # a parameter without a gradient is skipped


def torch_with_grads(torch):
    params = [torch.zeros(np.shape(g), dtype=torch.float64, requires_grad=True) for g in GRADS]
    for p, g in zip(params, GRADS):
        p.grad = torch.as_tensor(np.asarray(g), dtype=torch.float64)
    return params + [torch.ones(2, dtype=torch.float64, requires_grad=True)]


def assert_same_grads(ours, theirs, torch):
    for p, q in zip(ours, theirs):
        if q.grad is None:
            assert not p.has_grad
        else:
            np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 3.0, 1e6])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm):
    ours, theirs = ours_with_grads(), torch_with_grads(torch)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type, foreach=False)
    assert isinstance(total, float)
    assert total == pytest.approx(expected.item(), rel=1e-12)
    assert_same_grads(ours, theirs, torch)
    assert type(ours[2].grad) is float


def test_clip_grad_norm_keeps_the_direction_and_limits_the_length():
    ours = ours_with_grads()
    flat = lambda ps: np.concatenate([np.ravel(p.grad) for p in ps[:3]])
    before = flat(ours)
    total = clip_grad_norm_(ours, 1.0)
    after = flat(ours)
    assert total == pytest.approx(np.linalg.norm(before))
    assert np.linalg.norm(after) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(after / np.linalg.norm(after), before / total, rtol=1e-12)


@pytest.mark.parametrize("clip_value", [0.0, 0.3, 1.0, 100.0])
def test_clip_grad_value_matches_torch(torch, clip_value):
    ours, theirs = ours_with_grads(), torch_with_grads(torch)
    assert clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value, foreach=False)
    assert_same_grads(ours, theirs, torch)


def test_clipping_a_single_value_works_in_place():
    w = Value(np.array([3.0, -4.0]))
    w.grad = np.array([3.0, -4.0])
    grad_array = w.grad
    assert clip_grad_norm_(w, 1.0) == pytest.approx(5.0)
    assert w.grad is grad_array
    np.testing.assert_allclose(w.grad, [0.6, -0.8], rtol=1e-6)
    clip_grad_value_(w, 0.7)
    np.testing.assert_allclose(w.grad, [0.6, -0.7], rtol=1e-6)


def test_nonfinite_norm_gives_nan_gradients_or_an_error_on_request(torch):
    ours, theirs = ours_with_grads(), torch_with_grads(torch)
    ours[0].grad = np.full((4, 3), np.nan)
    theirs[0].grad = torch.full((4, 3), math.nan, dtype=torch.float64)
    assert math.isnan(clip_grad_norm_(ours, 1.0))
    assert math.isnan(torch.nn.utils.clip_grad_norm_(theirs, 1.0, foreach=False).item())
    for p, q in zip(ours[:2], theirs[:2]):
        np.testing.assert_array_equal(np.isnan(p.grad), np.isnan(q.grad.numpy()))
    fresh = ours_with_grads()
    fresh[1].grad = np.array([np.inf, 0, 0, 0, 0])
    with pytest.raises(RuntimeError, match="norm of the gradients is inf"):
        clip_grad_norm_(fresh, 1.0, error_if_nonfinite=True)


def test_no_gradients_means_norm_zero_and_nothing_to_do():
    params = [Value(np.ones(3)), Value(2.0)]
    assert clip_grad_norm_(params, 1.0) == 0.0
    clip_grad_value_(params, 1.0)
    assert not any(p.has_grad for p in params)


@pytest.mark.parametrize("clip", [lambda ps: clip_grad_value_(ps, 0.0), lambda ps: clip_grad_norm_(ps, 0.0)])
def test_a_float_gradient_clipped_to_zero_is_still_a_gradient_so_momentum_steps(clip):
    """As in PyTorch, a gradient clipped to 0 is a zero gradient, not a missing one: momentum moves on."""
    w = Value(0.0)
    opt = SGD([w], lr=1.0, momentum=0.5)
    w.grad = 2.0
    opt.step()  # buffer 2, w = −2
    w.grad = 0.7
    clip([w])
    assert w.has_grad and w.grad == 0.0
    opt.step()  # buffer 0.5 · 2 + 0 = 1, w = −3
    assert w.data == -3.0


def test_clipping_then_stepping():
    w = Value(np.array([0.0, 0.0]))
    opt = SGD([w], lr=1.0)
    w.grad = np.array([30.0, 40.0])
    clip_grad_norm_(opt.param_groups[0]["params"], max_norm=5.0)
    opt.step()
    np.testing.assert_allclose(w.data, [-3.0, -4.0], rtol=1e-6)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=0), ValueError, "norm_type must be > 0"),
        (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=-2.0), ValueError, "norm_type must be > 0"),
        (lambda ps: clip_grad_value_(ps, -1.0), ValueError, "clip_value must be ≥ 0"),
        (lambda ps: clip_grad_norm_(ps + [np.ones(2)], 1.0), TypeError, "expected Values, got a ndarray"),
        (lambda ps: clip_grad_value_([1.0], 1.0), TypeError, "expected Values, got a float"),
    ],
)
def test_bad_arguments_are_rejected_and_change_nothing(call, error, message):
    params = ours_with_grads()
    with pytest.raises(error, match=message):
        call(params)
    for p, g in zip(params, GRADS):
        np.testing.assert_array_equal(p.grad, g)
