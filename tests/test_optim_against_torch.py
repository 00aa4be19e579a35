"""Every optimizer against PyTorch (float64): 50-step trajectories agree to rtol 1e-12.

Both libraries start from the same parameters — a matrix, a vector and a scalar (a Python float in
tinygrad_edu) — and at every step receive the same gradient, computed in numpy from their own current
parameters: g = h ⊙ (θ − c) + noiseₜ, a fixed quadratic plus a pre-generated noise sequence. The
optimizers are built by one function applied to both ``tinygrad_edu.optim`` and ``torch.optim``, whose
names and arguments are the same.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Value, optim

torch = pytest.importorskip("torch", reason="the oracle tests need PyTorch (pip install -e .[oracle])")

STEPS = 50
SHAPES = [(3, 4), (5,), ()]
RTOL = 1e-12  # relative to each parameter's magnitude (its largest |entry|): entries that pass near zero
# would otherwise turn an error of one rounding unit of the parameter into a large relative error

_rng = np.random.default_rng(1234)
START = [_rng.uniform(-2, 2, size=shape) for shape in SHAPES]
CURVATURE = [_rng.uniform(0.5, 2.0, size=shape) for shape in SHAPES]
CENTER = [_rng.uniform(-1, 1, size=shape) for shape in SHAPES]
NOISE = [[0.3 * _rng.standard_normal(shape) for shape in SHAPES] for _ in range(STEPS)]

MakeOptimizer = Callable[[Any, list[Any]], Any]


def gradient(i: int, theta: Any, step: int) -> Any:
    """The i-th parameter's gradient at ``step``: h ⊙ (θ − c) + noise (a float for the scalar)."""
    g = CURVATURE[i] * (np.asarray(theta) - CENTER[i]) + NOISE[step][i]
    return float(g) if SHAPES[i] == () else g


def ours_trajectory(make: MakeOptimizer, steps: int = STEPS, lr_at: Callable[[int], float] | None = None):
    params = [Value(float(x) if x.shape == () else x) for x in START]
    assert isinstance(params[2].data, float)  # the scalar parameter is a plain float
    opt = make(optim, params)
    trajectory = []
    for t in range(steps):
        if lr_at is not None:
            for group in opt.param_groups:
                group["lr"] = lr_at(t)
        for i, p in enumerate(params):
            p.grad = gradient(i, p.data, t)
        opt.step()
        trajectory.append([np.array(p.data) for p in params])
    return trajectory


def torch_trajectory(make: MakeOptimizer, steps: int = STEPS, lr_at: Callable[[int], float] | None = None):
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in START]
    opt = make(torch.optim, params)
    trajectory = []
    for t in range(steps):
        if lr_at is not None:
            for group in opt.param_groups:
                group["lr"] = lr_at(t)
        for i, p in enumerate(params):
            p.grad = torch.as_tensor(np.asarray(gradient(i, p.detach().numpy(), t)), dtype=torch.float64)
        opt.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory


def assert_close(a: Any, b: Any, message: str = "") -> None:
    """a == b to RTOL, relative to b's largest entry."""
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=RTOL * np.max(np.abs(b)), err_msg=message)


def assert_same_trajectory(ours, theirs) -> None:
    assert len(ours) == len(theirs)
    for step, (mine, torchs) in enumerate(zip(ours, theirs)):
        for i, (a, b) in enumerate(zip(mine, torchs)):
            assert_close(a, b, f"step {step}, parameter {i}")
    # the test means something only if the parameters moved
    assert not np.allclose(ours[-1][0], START[0])


# ---------------------------------------------------------------------- SGD
def sgd_options() -> list[dict[str, Any]]:
    combos = []
    for momentum, dampening, nesterov, weight_decay, maximize in itertools.product(
        (0.0, 0.9), (0.0, 0.3), (False, True), (0.0, 0.05), (False, True)
    ):
        if nesterov and (momentum == 0 or dampening != 0):
            continue
        combos.append(
            dict(momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay,
                 maximize=maximize)
        )
    return combos


@pytest.mark.parametrize("options", sgd_options(), ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_sgd_matches_torch(options):
    make = lambda lib, ps: lib.SGD(ps, lr=0.03, **options)
    assert_same_trajectory(ours_trajectory(make), torch_trajectory(make))


def test_sgd_default_lr_matches_torch():
    make = lambda lib, ps: lib.SGD(ps)
    assert_same_trajectory(ours_trajectory(make), torch_trajectory(make))


def test_sgd_param_groups_with_their_own_options_match_torch():
    make = lambda lib, ps: lib.SGD(
        [{"params": ps[:1], "lr": 0.1, "nesterov": True}, {"params": ps[1:], "weight_decay": 0.1}],
        lr=0.02,
        momentum=0.8,
    )
    assert_same_trajectory(ours_trajectory(make), torch_trajectory(make))


def test_sgd_follows_a_changing_learning_rate_like_torch():
    make = lambda lib, ps: lib.SGD(ps, lr=0.05, momentum=0.9)
    lr_at = lambda t: 0.05 if t < 20 else 0.01 * (1 + t % 3)
    assert_same_trajectory(ours_trajectory(make, lr_at=lr_at), torch_trajectory(make, lr_at=lr_at))


# ---------------------------------------------------------------------- the lecture's momentum
def test_lecture_momentum_equals_torch_momentum_while_lr_is_constant():
    ours = ours_trajectory(lambda lib, ps: optim.LectureMomentum(ps, lr=0.03, alpha=0.9))
    theirs = torch_trajectory(lambda lib, ps: lib.SGD(ps, lr=0.03, momentum=0.9))
    assert_same_trajectory(ours, theirs)


def test_lecture_momentum_differs_from_torch_momentum_when_lr_changes():
    """After η changes from η₁ to η₂, SGD steps by −η₂(g + αb) and the lecture's form by −η₂g + αΔ,
    where Δ = −η₁b: the lecture's step is larger by α(η₂ − η₁)b (a cut in η keeps more of the old speed)."""
    alpha, lr1, lr2, change = 0.9, 0.1, 0.01, 10
    grads = [np.array(g[0]) for g in NOISE[: change + 1]]  # gradients that do not depend on θ
    lecture_w, sgd_w = Value(np.zeros(SHAPES[0])), Value(np.zeros(SHAPES[0]))
    lecture = optim.LectureMomentum([lecture_w], lr=lr1, alpha=alpha)
    sgd = optim.SGD([sgd_w], lr=lr1, momentum=alpha)
    torch_w = torch.zeros(SHAPES[0], dtype=torch.float64, requires_grad=True)
    torch_sgd = torch.optim.SGD([torch_w], lr=lr1, momentum=alpha)
    for t, g in enumerate(grads):
        if t == change:
            for opt in (lecture, sgd, torch_sgd):
                opt.param_groups[0]["lr"] = lr2
            buffer_before = sgd.state[sgd_w]["momentum_buffer"].copy()
            lecture_before, sgd_before = lecture_w.data.copy(), sgd_w.data.copy()
            assert_close(lecture_before, sgd_before)  # the same path up to now
        lecture_w.grad, sgd_w.grad, torch_w.grad = g, g, torch.tensor(g)
        for opt in (lecture, sgd, torch_sgd):
            opt.step()
    assert_close(sgd_w.data, torch_w.detach().numpy())
    lecture_step, sgd_step = lecture_w.data - lecture_before, sgd_w.data - sgd_before
    np.testing.assert_allclose(sgd_step, -lr2 * (g + alpha * buffer_before), rtol=1e-10)
    np.testing.assert_allclose(lecture_step, -lr2 * g - alpha * lr1 * buffer_before, rtol=1e-10)
    np.testing.assert_allclose(lecture_step - sgd_step, alpha * (lr2 - lr1) * buffer_before, rtol=1e-8)
    assert np.abs(lecture_step - sgd_step).max() > 0.1 * np.abs(sgd_step).max()


# ---------------------------------------------------------------------- Adagrad, RMSprop, Adam, AdamW
def options_grid(**choices: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Every combination of the given option values."""
    names = list(choices)
    return [dict(zip(names, values)) for values in itertools.product(*choices.values())]


def option_id(options: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in options.items())


@pytest.mark.parametrize(
    "options",
    options_grid(
        lr_decay=(0.0, 0.05), weight_decay=(0.0, 0.1), initial_accumulator_value=(0.0, 0.5), maximize=(False, True)
    ),
    ids=option_id,
)
def test_adagrad_matches_torch(options):
    make = lambda lib, ps: lib.Adagrad(ps, lr=0.1, **options)
    assert_same_trajectory(ours_trajectory(make), torch_trajectory(make))


@pytest.mark.parametrize(
    "options",
    options_grid(
        momentum=(0.0, 0.8), centered=(False, True), weight_decay=(0.0, 0.1), maximize=(False, True), alpha=(0.99, 0.9)
    ),
    ids=option_id,
)
def test_rmsprop_matches_torch(options):
    make = lambda lib, ps: lib.RMSprop(ps, lr=0.01, **options)
    assert_same_trajectory(ours_trajectory(make), torch_trajectory(make))


@pytest.mark.parametrize("optimizer", ["Adam", "AdamW"])
@pytest.mark.parametrize(
    "options",
    options_grid(
        amsgrad=(False, True), weight_decay=(0.0, 0.1), maximize=(False, True), betas=((0.9, 0.999), (0.5, 0.9))
    ),
    ids=option_id,
)
def test_adam_and_adamw_match_torch(optimizer, options):
    make = lambda lib, ps: getattr(lib, optimizer)(ps, lr=0.05, **options)
    assert_same_trajectory(ours_trajectory(make), torch_trajectory(make))


def test_adam_with_a_short_memory_follows_torch_closely():
    """β₁ = 0.09375 (the running mean moves 0.90625 of the way: lerp's second form) and β₂ = 0 (the step is
    η·m/|g|, which amplifies rounding): interpolating and ordering η·m/(√v + ε) as PyTorch does keeps the
    trajectories within 1e-10 (otherwise they part by 2e-8 within 50 steps)."""
    make = lambda lib, ps: lib.Adam(ps, lr=0.09375, betas=(0.09375, 0.0), eps=1e-8)
    for ours, theirs in zip(ours_trajectory(make), torch_trajectory(make)):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10 * np.max(np.abs(b)))


@pytest.mark.parametrize("optimizer", ["Adagrad", "RMSprop", "Adam", "AdamW"])
def test_defaults_match_torch(optimizer):
    make = lambda lib, ps: getattr(lib, optimizer)(ps)
    assert_same_trajectory(ours_trajectory(make), torch_trajectory(make))


def test_param_groups_with_their_own_options_match_torch_for_adam_and_rmsprop():
    make_adam = lambda lib, ps: lib.Adam(
        [{"params": ps[:1], "lr": 0.1, "amsgrad": True}, {"params": ps[1:], "betas": (0.8, 0.99)}], lr=0.02
    )
    assert_same_trajectory(ours_trajectory(make_adam), torch_trajectory(make_adam))
    make_rmsprop = lambda lib, ps: lib.RMSprop(
        [{"params": ps[1:], "centered": True, "momentum": 0.5}, {"params": ps[:1], "lr": 0.003}], lr=0.02
    )
    assert_same_trajectory(ours_trajectory(make_rmsprop), torch_trajectory(make_rmsprop))


# ---------------------------------------------------------------------- random hyper-parameters
def _hyper_parameters(draw: Any, name: str) -> dict[str, Any]:
    """Options for optimizer ``name`` drawn with hypothesis's ``draw``."""
    fraction = st.floats(0.0, 0.99)
    small = st.floats(0.0, 0.2)
    options: dict[str, Any] = dict(
        lr=draw(st.floats(1e-4, 0.1)), weight_decay=draw(small), maximize=draw(st.booleans())
    )
    if name == "SGD":
        options.update(momentum=draw(fraction), dampening=draw(st.floats(0.0, 1.0)))
        if options["momentum"] > 0 and draw(st.booleans()):
            options.update(nesterov=True, dampening=0.0)
    elif name == "Adagrad":
        options.update(lr_decay=draw(small), initial_accumulator_value=draw(small), eps=draw(st.floats(1e-10, 1e-3)))
    elif name == "RMSprop":
        # α ≥ 0.5: with α near 0 the centered variance v − ḡ² averages about one gradient, so it is ~0 and
        # its rounding (which PyTorch's fused multiply-add does differently) decides the step, even its nan-ness
        options.update(alpha=draw(st.floats(0.5, 0.999)), momentum=draw(fraction), centered=draw(st.booleans()))
    else:
        # β₂ ≥ 0.5 for the same reason as RMSprop's α: with β₂ near 0 the step is η·m/|g|, whose rounding
        # near g = 0 grows from step to step (PyTorch's vectorized lerp rounds once, by fused multiply-add)
        options.update(
            betas=(draw(fraction), draw(st.floats(0.5, 0.999))), amsgrad=draw(st.booleans()),
            eps=draw(st.floats(1e-8, 1e-3)),
        )
    return options


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_random_hyper_parameters_match_torch(name, data):
    options = _hyper_parameters(data.draw, name)
    make = lambda lib, ps: getattr(lib, name)(ps, **options)
    assert_same_trajectory(ours_trajectory(make, steps=20), torch_trajectory(make, steps=20))
