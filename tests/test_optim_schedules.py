"""Learning-rate schedules: their lr sequences against PyTorch's, resuming from a state dict, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_edu import Value, optim
from tinygrad_edu.optim import lr_scheduler

EPOCHS = 40
BASE_LRS = (0.1, 0.02)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="the oracle tests need PyTorch (pip install -e .[oracle])")


def two_group_sgd(lib, params):
    return lib.SGD([{"params": params[:1], "lr": BASE_LRS[0]}, {"params": params[1:]}], lr=BASE_LRS[1], momentum=0.9)


def ours_lrs(make_schedule, metrics=None):
    opt = two_group_sgd(optim, [Value(np.ones(2)), Value(1.0)])
    schedule = make_schedule(lr_scheduler, opt)
    lrs = [schedule.get_last_lr()]
    for epoch in range(EPOCHS):
        opt.step()
        schedule.step() if metrics is None else schedule.step(metrics[epoch])
        lrs.append(schedule.get_last_lr())
        assert lrs[-1] == [group["lr"] for group in opt.param_groups]
    return lrs


def torch_lrs(torch, make_schedule, metrics=None):
    params = [torch.ones(2, dtype=torch.float64, requires_grad=True), torch.ones((), requires_grad=True)]
    opt = two_group_sgd(torch.optim, params)
    schedule = make_schedule(torch.optim.lr_scheduler, opt)
    lrs = [list(schedule.get_last_lr())]
    for epoch in range(EPOCHS):
        opt.step()
        schedule.step() if metrics is None else schedule.step(metrics[epoch])
        lrs.append(list(schedule.get_last_lr()))
    return lrs


def assert_same_lrs(ours, theirs):
    assert len(ours) == len(theirs) == EPOCHS + 1
    for epoch, (mine, torchs) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(mine, torchs, rtol=1e-12, atol=1e-15, err_msg=f"epoch {epoch}")
    assert len({tuple(lrs) for lrs in ours}) > 2  # the schedule did change the rates


SCHEDULES = {
    "StepLR": lambda lib, opt: lib.StepLR(opt, step_size=7, gamma=0.5),
    "StepLR default gamma": lambda lib, opt: lib.StepLR(opt, step_size=3),
    "ExponentialLR": lambda lib, opt: lib.ExponentialLR(opt, gamma=0.9),
    "CosineAnnealingLR": lambda lib, opt: lib.CosineAnnealingLR(opt, T_max=15),
    "CosineAnnealingLR eta_min": lambda lib, opt: lib.CosineAnnealingLR(opt, T_max=10, eta_min=0.005),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_epoch_schedules_match_torch(torch, name):
    assert_same_lrs(ours_lrs(SCHEDULES[name]), torch_lrs(torch, SCHEDULES[name]))


# a validation loss that improves, stalls, wobbles, improves a little (below the threshold) and rises
PLATEAU_METRICS = (
    [1.0, 0.8, 0.7, 0.7, 0.7, 0.69995, 0.71, 0.65, 0.65, 0.66] * 2 + [0.5 - 0.01 * k for k in range(5)] + [0.6] * 15
)
PLATEAUS = {
    "defaults": lambda lib, opt: lib.ReduceLROnPlateau(opt, patience=2),
    "cooldown": lambda lib, opt: lib.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=2),
    "abs threshold": lambda lib, opt: lib.ReduceLROnPlateau(opt, patience=0, threshold=0.02, threshold_mode="abs"),
    "min_lr per group": lambda lib, opt: lib.ReduceLROnPlateau(opt, factor=0.3, patience=1, min_lr=[0.01, 0.001]),
    "max mode": lambda lib, opt: lib.ReduceLROnPlateau(opt, mode="max", factor=0.5, patience=1),
    "max abs": lambda lib, opt: lib.ReduceLROnPlateau(
        opt, mode="max", patience=1, threshold=0.05, threshold_mode="abs"
    ),
    "eps": lambda lib, opt: lib.ReduceLROnPlateau(opt, factor=0.5, patience=0, eps=1e-3),
}


@pytest.mark.parametrize("name", list(PLATEAUS))
def test_reduce_lr_on_plateau_matches_torch(torch, name):
    metrics = PLATEAU_METRICS if "max" not in name else [-m for m in PLATEAU_METRICS]
    assert len(metrics) == EPOCHS
    assert_same_lrs(ours_lrs(PLATEAUS[name], metrics), torch_lrs(torch, PLATEAUS[name], metrics))


def test_cosine_annealing_reaches_eta_min_at_t_max_and_follows_the_closed_form():
    opt = optim.SGD([Value(1.0)], lr=0.4)
    schedule = lr_scheduler.CosineAnnealingLR(opt, T_max=8, eta_min=0.1)
    for t in range(1, 17):
        schedule.step()
        assert schedule.get_last_lr()[0] == pytest.approx(0.1 + 0.5 * 0.3 * (1 + math.cos(math.pi * t / 8)))
        if t == 8:
            assert schedule.get_last_lr() == [pytest.approx(0.1)]
    assert schedule.get_last_lr() == [pytest.approx(0.4)]


def test_plateau_accepts_a_value_as_metric():
    opt = optim.SGD([Value(1.0)], lr=0.4)
    schedule = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    schedule.step(Value(1.0))
    schedule.step(Value(np.array([2.0])))
    assert schedule.get_last_lr() == [pytest.approx(0.04)]


# ---------------------------------------------------------------------- resuming
@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR eta_min", "ExponentialLR"])
def test_schedule_and_optimizer_state_dicts_resume_the_same_lrs(name):
    make = SCHEDULES[name]
    straight = ours_lrs(make)
    opt = two_group_sgd(optim, [Value(np.ones(2)), Value(1.0)])
    schedule = make(lr_scheduler, opt)
    for _ in range(15):
        schedule.step()
    saved_opt, saved_schedule = opt.state_dict(), schedule.state_dict()
    schedule.step()  # training on must not change what was saved
    new_opt = two_group_sgd(optim, [Value(np.ones(2)), Value(1.0)])
    new_opt.load_state_dict(saved_opt)
    new_schedule = make(lr_scheduler, new_opt)
    new_schedule.load_state_dict(saved_schedule)
    resumed = [new_schedule.get_last_lr()]
    for _ in range(EPOCHS - 15):
        new_schedule.step()
        resumed.append(new_schedule.get_last_lr())
    assert resumed == straight[15:]


def test_plateau_state_dict_resumes_its_counters():
    metrics = PLATEAU_METRICS
    straight = ours_lrs(PLATEAUS["cooldown"], metrics)
    opt = two_group_sgd(optim, [Value(np.ones(2)), Value(1.0)])
    schedule = PLATEAUS["cooldown"](lr_scheduler, opt)
    for m in metrics[:12]:
        schedule.step(m)
    saved_opt, saved_schedule = opt.state_dict(), schedule.state_dict()
    new_opt = two_group_sgd(optim, [Value(np.ones(2)), Value(1.0)])
    new_opt.load_state_dict(saved_opt)
    new_schedule = PLATEAUS["cooldown"](lr_scheduler, new_opt)
    new_schedule.load_state_dict(saved_schedule)
    resumed = [new_schedule.get_last_lr()]
    for m in metrics[12:]:
        new_schedule.step(m)
        resumed.append(new_schedule.get_last_lr())
    assert resumed == straight[12:]


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda opt: lr_scheduler.StepLR(opt, step_size=0), ValueError, "step_size must be a whole number ≥ 1"),
        (lambda opt: lr_scheduler.StepLR(opt, step_size=2.5), ValueError, "step_size"),
        (lambda opt: lr_scheduler.StepLR(opt, step_size=2, gamma=-0.5), ValueError, "gamma must be > 0"),
        (lambda opt: lr_scheduler.ExponentialLR(opt, gamma="0.9"), TypeError, "gamma must be a number"),
        (lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=0), ValueError, "T_max"),
        (lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=-1.0), ValueError, "eta_min"),
        (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, mode="lowest"), ValueError, "mode must be 'min' or 'max'"),
        (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, factor=1.0), ValueError, r"factor must lie in \(0, 1\)"),
        (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="relative"), ValueError, "threshold_mode"),
        (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, patience=-1), ValueError, "patience"),
        (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2, 0.3]), ValueError, "3 min_lr values"),
        (lambda opt: lr_scheduler.StepLR("sgd", step_size=2), TypeError, "expected an optimizer, got str"),
    ],
)
def test_bad_schedule_arguments_are_rejected(make, error, message):
    opt = two_group_sgd(optim, [Value(np.ones(2)), Value(1.0)])
    with pytest.raises(error, match=message):
        make(opt)
    assert [group["lr"] for group in opt.param_groups] == list(BASE_LRS)
