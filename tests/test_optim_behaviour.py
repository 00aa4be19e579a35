"""The optimizers' shared behaviour: construction errors, parameter groups, zero_grad, which parameters
a step touches, float (scalar) and float32 parameters, closures, and state_dict round trips."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Value, no_grad, optim


def quadratic_loss(params):
    """E = Σ ½ (θ − 1)² over all parameters: its gradient is θ − 1."""
    total = None
    for p in params:
        term = (0.5 * (p - 1.0) ** 2).sum()
        total = term if total is None else total + term
    return total


def make_params():
    return [Value(np.arange(6.0).reshape(2, 3)), Value(np.array([-1.0, 2.0])), Value(0.5)]


# ---------------------------------------------------------------------- construction errors
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-0.1), "lr=-0.1"),
        (dict(lr=float("nan")), "lr=nan"),
        (dict(lr=0.1, momentum=-0.5), "momentum=-0.5"),
        (dict(lr=0.1, weight_decay=-1e-4), "weight_decay"),
        (dict(lr=0.1, nesterov=True), "Nesterov momentum requires momentum > 0"),
        (dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening = 0"),
    ],
)
def test_sgd_rejects_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.SGD(make_params(), **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [(dict(lr="0.1"), "lr must be a number"), (dict(nesterov=1, momentum=0.9), "nesterov must be True or False")],
)
def test_sgd_rejects_options_of_the_wrong_type(kwargs, message):
    with pytest.raises(TypeError, match=message):
        optim.SGD(make_params(), **kwargs)


def test_empty_parameter_list_is_an_error():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD(iter([]), lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([{"params": []}], lr=0.1)


def test_a_parameter_given_twice_is_an_error_within_and_across_groups():
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(ValueError, match="parameter 2 of group 0 is given twice"):
        optim.SGD([a, b, a], lr=0.1)
    with pytest.raises(ValueError, match="parameter 0 of group 1 is given twice .*group 0"):
        optim.SGD([{"params": [a]}, {"params": [b, a][1:]}], lr=0.1)


def test_parameters_must_be_leaf_values_in_an_ordered_collection():
    a = Value(1.0)
    with pytest.raises(TypeError, match="parameter 1 of group 0 is a ndarray, not a Value"):
        optim.SGD([a, np.zeros(3)], lr=0.1)
    with pytest.raises(TypeError, match="single Value"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD([{"params": {a}}], lr=0.1)
    with pytest.raises(TypeError, match="got a set"):
        optim.SGD({a}, lr=0.1)
    with pytest.raises(TypeError, match="got int"):
        optim.SGD(3, lr=0.1)
    with pytest.raises(ValueError, match="computed by .* leaf Values"):
        optim.SGD([a * 2.0], lr=0.1)
    with pytest.raises(TypeError, match="mixes Values and dicts"):
        optim.SGD([a, {"params": [Value(2.0)]}], lr=0.1)


def test_an_unknown_group_option_is_an_error():
    with pytest.raises(ValueError, match="unknown option.*momentun"):
        optim.SGD([{"params": make_params(), "momentun": 0.9}], lr=0.1)


def test_add_param_group_checks_everything_before_changing_anything():
    params = make_params()
    opt = optim.SGD(params[:2], lr=0.1)
    with pytest.raises(ValueError, match="given twice"):
        opt.add_param_group({"params": [params[2], params[0]]})
    with pytest.raises(ValueError, match="lr=-1"):
        opt.add_param_group({"params": [params[2]], "lr": -1.0})
    assert len(opt.param_groups) == 1
    opt.add_param_group({"params": params[2], "lr": 0.5})
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["momentum"] == 0.0


# ---------------------------------------------------------------------- stepping
def test_step_descends_a_quadratic_with_float_and_array_parameters():
    params = make_params()
    opt = optim.SGD(params, lr=0.5, momentum=0.5)
    for _ in range(60):
        opt.zero_grad()
        quadratic_loss(params).backward()
        opt.step()
    assert isinstance(params[2].data, float)
    for p in params:
        np.testing.assert_allclose(p.data, 1.0, atol=1e-9)


def test_step_updates_arrays_in_place_and_records_no_graph():
    w = Value(np.array([1.0, 2.0]))
    array = w.data
    opt = optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1)
    (w * w).sum().backward()
    opt.step()
    assert w.data is array and w.is_leaf
    np.testing.assert_allclose(w.data, [1.0 - 0.1 * 2.1, 2.0 - 0.1 * 4.2])


def test_step_leaves_the_gradient_unchanged():
    w = Value(np.array([1.0, 2.0]))
    opt = optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True)
    w.grad = np.array([3.0, 4.0])
    opt.step()
    opt.step()
    np.testing.assert_array_equal(w.grad, [3.0, 4.0])


def test_a_parameter_without_gradient_is_skipped_and_gets_no_state():
    used, unused = Value(np.ones(3)), Value(np.ones(3))
    opt = optim.SGD([used, unused], lr=0.1, momentum=0.9, weight_decay=0.5)
    (used * 2.0).sum().backward()
    opt.step()
    np.testing.assert_array_equal(unused.data, np.ones(3))
    np.testing.assert_allclose(used.data, 1.0 - 0.1 * (2.0 + 0.5))
    assert "momentum_buffer" not in opt.state[unused]


def test_zero_grad_unsets_gradients_or_fills_them_with_zeros():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    quadratic_loss(params).backward()
    opt.zero_grad()
    assert not any(p.has_grad for p in params)
    quadratic_loss(params).backward()
    grad_array = params[0].grad
    opt.zero_grad(set_to_none=False)
    assert params[0].has_grad and params[0].grad is grad_array
    np.testing.assert_array_equal(params[0].grad, 0.0)
    assert params[2].grad == 0.0


def test_float32_parameters_stay_float32():
    w = Value(np.array([1.0, -2.0], dtype=np.float32))
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w.dtype == np.float32
    assert opt.state[w]["momentum_buffer"].dtype == np.float32


def test_step_returns_the_closure_loss_computed_with_grad_mode_on():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)

    def closure():
        opt.zero_grad()
        loss = quadratic_loss(params)
        loss.backward()
        return loss

    with no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(0.5 * (1 + 0 + 1 + 4 + 9 + 16 + 4 + 1 + 0.25))
    np.testing.assert_allclose(params[2].data, 0.5 - 0.1 * (0.5 - 1.0))


def test_repr_lists_the_groups_and_their_options():
    text = repr(optim.SGD(make_params(), lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text
