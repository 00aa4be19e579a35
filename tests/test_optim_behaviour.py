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
        optim.SGD([{"params": []}, {"params": iter([])}], lr=0.1)


def test_a_group_may_hold_a_single_value():
    w = Value(np.ones(3))
    opt = optim.SGD([{"params": w}], lr=0.1)
    assert opt.param_groups[0]["params"] == [w]


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
    assert params[2].has_grad and params[2].grad == 0.0  # a float parameter keeps a real zero too


def test_zero_grad_without_none_still_steps_momentum_as_pytorch_does():
    """θ = 1, g = 2, lr = 0.1, μ = 0.9: step 1 gives b = 2, θ = 0.8. After zero_grad(set_to_none=False)
    and no backward, g = 0: b = 0.9·2 = 1.8 and θ = 0.8 − 0.18 = 0.62 (a float and an array alike)."""
    scalar, vector = Value(1.0), Value(np.array([1.0]))
    opt = optim.SGD([scalar, vector], lr=0.1, momentum=0.9)
    (scalar * 2.0 + (vector * 2.0).sum()).backward()
    opt.step()
    opt.zero_grad(set_to_none=False)
    opt.step()
    assert scalar.data == pytest.approx(0.62, abs=1e-15)
    np.testing.assert_allclose(vector.data, [0.62], atol=1e-15)
    opt.zero_grad()  # unset: the next step skips both
    opt.step()
    assert scalar.data == pytest.approx(0.62, abs=1e-15)


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


# ---------------------------------------------------------------------- the other optimizers' options
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda ps: optim.Adam(ps, betas=(1.0, 0.999)), r"betas\[0\]=1.0; it must lie in \[0, 1\)"),
        (lambda ps: optim.Adam(ps, betas=(0.9, -0.1)), r"betas\[1\]=-0.1"),
        (lambda ps: optim.AdamW(ps, betas=(0.9, 1.5)), r"betas\[1\]=1.5"),
        (lambda ps: optim.Adam(ps, eps=-1e-8), "eps=-1e-08"),
        (lambda ps: optim.Adam(ps, lr=-1e-3), "lr=-0.001"),
        (lambda ps: optim.AdamW(ps, weight_decay=-0.01), "weight_decay=-0.01"),
        (lambda ps: optim.Adagrad(ps, lr_decay=-0.1), "lr_decay=-0.1"),
        (lambda ps: optim.Adagrad(ps, initial_accumulator_value=-1.0), "initial_accumulator_value=-1.0"),
        (lambda ps: optim.Adagrad(ps, eps=-1.0), "eps=-1.0"),
        (lambda ps: optim.RMSprop(ps, alpha=-0.5), "alpha=-0.5"),
        (lambda ps: optim.RMSprop(ps, momentum=-0.5), "momentum=-0.5"),
        (lambda ps: optim.RMSprop(ps, eps=-1.0), "eps=-1.0"),
        (lambda ps: optim.LectureMomentum(ps, lr=0.1, alpha=-0.9), "alpha=-0.9"),
        (lambda ps: optim.Adam([{"params": ps[:1]}, {"params": ps[1:], "betas": (0.9, 1.0)}]), r"betas\[1\]=1.0"),
    ],
)
def test_bad_options_are_rejected_at_construction(make, message):
    with pytest.raises(ValueError, match=message):
        make(make_params())


def test_betas_must_be_a_pair_of_numbers():
    with pytest.raises(TypeError, match="betas must be a pair"):
        optim.Adam(make_params(), betas=0.9)
    with pytest.raises(TypeError, match=r"betas\[0\] must be a number"):
        optim.Adam(make_params(), betas=("0.9", 0.999))


def test_torch_defaults():
    params = make_params()
    assert optim.SGD(params).defaults["lr"] == 1e-3
    adagrad = optim.Adagrad(params).defaults
    assert (adagrad["lr"], adagrad["lr_decay"], adagrad["initial_accumulator_value"], adagrad["eps"]) == (
        1e-2, 0.0, 0.0, 1e-10
    )
    rmsprop = optim.RMSprop(params).defaults
    assert (rmsprop["lr"], rmsprop["alpha"], rmsprop["eps"], rmsprop["momentum"], rmsprop["centered"]) == (
        1e-2, 0.99, 1e-8, 0.0, False
    )
    adam, adamw = optim.Adam(params).defaults, optim.AdamW(params).defaults
    assert (adam["lr"], adam["betas"], adam["eps"], adam["weight_decay"], adam["amsgrad"]) == (
        1e-3, (0.9, 0.999), 1e-8, 0.0, False
    )
    assert adamw["weight_decay"] == 1e-2 and adamw["betas"] == (0.9, 0.999)


# ---------------------------------------------------------------------- state_dict: resume exactly
CONFIGS = {
    "SGD nesterov": lambda ps, lr=0.05: optim.SGD(ps, lr=lr, momentum=0.9, nesterov=True, weight_decay=0.01),
    "SGD dampening": lambda ps, lr=0.05: optim.SGD(ps, lr=lr, momentum=0.5, dampening=0.5),
    "LectureMomentum": lambda ps, lr=0.05: optim.LectureMomentum(ps, lr=lr, alpha=0.8),
    "Adagrad": lambda ps, lr=0.05: optim.Adagrad(ps, lr=lr, lr_decay=0.01, initial_accumulator_value=0.1),
    "RMSprop": lambda ps, lr=0.05: optim.RMSprop(ps, lr=lr, momentum=0.5, centered=True),
    "Adam amsgrad": lambda ps, lr=0.05: optim.Adam(ps, lr=lr, amsgrad=True, weight_decay=0.01),
    "AdamW groups": lambda ps, lr=0.05: optim.AdamW([{"params": ps[:1], "lr": 0.2 * lr}, {"params": ps[1:]}], lr=lr),
}


def feed_gradients(params, step):
    """A deterministic gradient for every parameter: E = Σ ½(θ − 1)², plus a step-dependent wobble."""
    for p in params:
        p.grad = (np.asarray(p.data) - 1.0) + 0.1 * np.sin(step + np.arange(p.size).reshape(p.shape))


def train(opt, params, steps):
    for step in steps:
        if step == 10:
            for group in opt.param_groups:
                group["lr"] *= 0.5  # as a schedule would
        feed_gradients(params, step)
        opt.step()


@pytest.mark.parametrize("name", list(CONFIGS))
def test_state_dict_round_trip_resumes_exactly(name):
    """Train 20 steps, save, load into a new optimizer, train 30 more: the same numbers as 50 straight."""
    make = CONFIGS[name]
    straight = make_params()
    train(make(straight), straight, range(50))

    first = make_params()
    opt = make(first)
    train(opt, first, range(20))
    saved_state = opt.state_dict()
    saved_params = [np.copy(p.data) if isinstance(p.data, np.ndarray) else p.data for p in first]
    train(opt, first, range(20, 25))  # training on must not change what was saved

    resumed = [Value(data) for data in saved_params]
    resumed_opt = make(resumed, lr=123.0)  # the options, too, come from the state dict
    resumed_opt.load_state_dict(saved_state)
    train(resumed_opt, resumed, range(20, 50))
    for p, q in zip(straight, resumed):
        np.testing.assert_array_equal(p.data, q.data)
    assert type(resumed[2].data) is float


def test_state_dict_names_parameters_by_position():
    params = make_params()
    opt = optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}], lr=0.1, momentum=0.9)
    feed_gradients(params, 0)
    opt.step()
    saved = opt.state_dict()
    assert [group["params"] for group in saved["param_groups"]] == [[0], [1, 2]]
    assert saved["param_groups"][1]["lr"] == 0.5 and saved["param_groups"][0]["momentum"] == 0.9
    assert set(saved["state"]) == {0, 1, 2}
    np.testing.assert_array_equal(saved["state"][0]["momentum_buffer"], params[0].grad)
    assert saved["state"][0]["momentum_buffer"] is not opt.state[params[0]]["momentum_buffer"]


def test_state_dict_leaves_out_parameters_without_state_as_pytorch_does():
    """Plain SGD keeps no state: its state dict has none to list (PyTorch's is ``{"state": {}, ...}``)."""
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    feed_gradients(params, 0)
    opt.step()
    assert opt.state_dict()["state"] == {}
    resumed = optim.SGD(make_params(), lr=0.5)
    resumed.load_state_dict(opt.state_dict())
    assert resumed.param_groups[0]["lr"] == 0.1


def _trained_adam():
    params = make_params()
    opt = optim.Adam(params, lr=0.1)
    feed_gradients(params, 0)
    opt.step()
    return params, opt


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0], params=[])), "2 parameter groups, .* 1"),
        (lambda sd: sd["param_groups"][0]["params"].pop(), "group 0 has 2 parameters saved, 3 here"),
        (lambda sd: sd["state"][0].update(exp_avg=np.zeros(5)), r"state 'exp_avg' has shape \(5,\), expected \(2, 3\)"),
        (lambda sd: sd["state"][1].update(momentum_buffer=np.zeros(2)), "unknown state 'momentum_buffer'"),
        (lambda sd: sd["param_groups"][0].pop("betas"), "lacks the option.*betas"),
        (lambda sd: sd["param_groups"][0].update(lr=-1.0), "lr=-1.0"),
        (lambda sd: sd["state"].update({7: {}}), "state for parameter 7"),
        (lambda sd: sd["state"][0].pop("step"), "parameter 0: its state lacks 'step'"),
        (lambda sd: sd["state"][0].update(step=-1), "'step' is -1, not a count of steps"),
        (lambda sd: sd["state"][0].update(step="3"), "'step' is '3', not a count of steps"),
        (lambda sd: sd["state"][1].update(exp_avg="abc"), "state 'exp_avg' holds str, not numbers"),
    ],
)
def test_a_mismatched_state_dict_is_refused_and_changes_nothing(spoil, message):
    params, opt = _trained_adam()
    state_dict = opt.state_dict()
    spoil(state_dict)
    before = opt.state_dict()
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(state_dict)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for index, pstate in before["state"].items():
        for name, value in pstate.items():
            np.testing.assert_array_equal(after["state"][index][name], value)


def test_loading_another_optimizers_state_is_refused():
    params = make_params()
    sgd = optim.SGD(params, lr=0.1, momentum=0.9)
    feed_gradients(params, 0)
    sgd.step()
    with pytest.raises(ValueError, match="saved from another optimizer than Adam"):
        optim.Adam(params).load_state_dict(sgd.state_dict())


def test_every_optimizer_works_on_float_parameters_alone():
    for name, make in CONFIGS.items():
        w = Value(3.0)
        opt = make([w])
        for _ in range(3):
            opt.zero_grad()
            (w * w).backward()
            opt.step()
        assert type(w.data) is float and w.data < 3.0, name
        assert all(type(v) in (float, int) for v in opt.state[w].values()), name


def test_an_sgd_subclass_with_its_own_per_parameter_rule_is_honoured():
    class SignSGD(optim.SGD):
        def _update(self, p, g, state, group):
            p.data -= group["lr"] * np.sign(g)

    w = Value(np.array([0.5, -2.0]))
    opt = SignSGD([w], lr=0.1)
    (w * np.array([3.0, -4.0])).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.data, [0.4, -1.9])
