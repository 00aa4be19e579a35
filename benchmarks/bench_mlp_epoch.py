"""One training epoch of a tensor MLP: tinygrad_edu against PyTorch and hand-written numpy (issue 3 §4).

Two workloads, each an MLP of Linear layers with ReLU between them, cross-entropy from logits and SGD with
momentum 0.9 and learning rate 0.01, float64 throughout:

- ``digits``: 64 → 128 → 64 → 10, batch 32, on the 1,797 standardized 8×8 digit images (57 batches);
  small matrices, so the time per operation (Python, framework overhead) dominates;
- ``wide``: 784 → 1024 → 1024 → 10, batch 256, on 8,192 random samples (32 batches); large matrix
  products, so the BLAS dominates.

Each runs in four implementations, the first three written as their users write them:

- tinygrad_edu: ``nn.Sequential(nn.Linear, nn.ReLU, ...)``, ``nn.functional.cross_entropy``, ``optim.SGD``;
- PyTorch on the CPU with ``torch.set_num_threads(1)``: the same three lines in torch;
- numpy: the forward and backward written out by hand, and the momentum update — the floor for any
  framework that computes with numpy;
- a minimal graph engine written here (``MinimalNode``: numbers, gradient, inputs, one rule; no checks):
  the floor for any framework that records a graph and walks it backward.

All four start from the same initial weights and visit the batches in the same order, so they compute the
same loss for every batch (checked to 1e-10). Every measurement runs in a fresh subprocess with one BLAS
thread; processes of the implementations alternate over several rounds. An epoch is timed in CPU
time (robust when the cores are shared with other work) and in wall-clock time; the figures are the
median and minimum over all timed epochs (the first epochs of each process warm up and are not counted).

    python benchmarks/bench_mlp_epoch.py                     # both workloads, under 3 minutes
    python benchmarks/bench_mlp_epoch.py --workload digits   # one of them
    python benchmarks/bench_mlp_epoch.py --quick             # smoke run, a few seconds
    python benchmarks/bench_mlp_epoch.py --profile digits    # where tinygrad_edu's epoch spends its time
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.metadata
import importlib.util
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _common import (
    Stats,
    Stopwatch,
    blas_report,
    describe_blas,
    emit_result,
    format_ratio,
    format_seconds,
    format_table,
    goal_line,
    max_difference,
    run_worker,
    single_thread_env,
)

LEARNING_RATE = 0.01
MOMENTUM = 0.9
WEIGHT_SEED = 0
ORDER_SEED = 1  # epoch e visits the samples in the order numpy.random.default_rng(ORDER_SEED + e).permutation(n)
DATA_SEED = 2  # the wide workload's random samples
SAME_LOSS_ATOL = 1e-10

NUMPY = "numpy (by hand)"
TINY = "tinygrad_edu"
TORCH = "torch"
MINIMAL = "minimal graph engine"
FRAMEWORKS = (NUMPY, TINY, MINIMAL, TORCH)


@dataclass(frozen=True)
class Workload:
    name: str
    sizes: tuple[int, ...]  # layer widths, input first
    batch: int
    samples: int  # 0: the whole digits set
    goal: float  # tinygrad_edu time / numpy time must be at most this
    warmup_epochs: int
    timed_epochs: int  # per process
    rounds: int  # processes per implementation, interleaved with the others'

    def describe(self) -> str:
        data = "1,797 standardized digits" if self.name == "digits" else f"{self.samples:,} random samples"
        return f"MLP {' -> '.join(map(str, self.sizes))}, batch {self.batch}, {data}"


WORKLOADS = {
    "digits": Workload("digits", (64, 128, 64, 10), 32, 0, 1.3, warmup_epochs=3, timed_epochs=30, rounds=5),
    "wide": Workload("wide", (784, 1024, 1024, 10), 256, 8192, 1.1, warmup_epochs=1, timed_epochs=2, rounds=3),
}
QUICK = {
    "digits": Workload("digits", (64, 128, 64, 10), 32, 0, 1.3, warmup_epochs=1, timed_epochs=3, rounds=1),
    "wide": Workload("wide", (784, 1024, 1024, 10), 256, 1024, 1.1, warmup_epochs=1, timed_epochs=1, rounds=1),
}


# ====================================================================== what every implementation shares
def load_data(workload: Workload) -> tuple[Any, Any]:
    """Features (float64) and integer class labels."""
    import numpy as np

    if workload.name == "digits":
        from tinygrad_edu.data import load_digits, standardize

        digits = load_digits()
        X, _ = standardize(digits.X)
        return np.ascontiguousarray(X), digits.y.astype(np.int64)
    rng = np.random.default_rng(DATA_SEED)
    X = rng.standard_normal((workload.samples, workload.sizes[0]))
    return X, rng.integers(0, workload.sizes[-1], size=workload.samples)


def initial_weights(sizes: tuple[int, ...]) -> list[tuple[Any, Any]]:
    """(W, b) per layer, W of shape (out, in): PyTorch's default U(−1/√in, 1/√in), drawn from a fixed seed."""
    import numpy as np

    rng = np.random.default_rng(WEIGHT_SEED)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(n_in)
        layers.append((rng.uniform(-bound, bound, (n_out, n_in)), rng.uniform(-bound, bound, n_out)))
    return layers


def batch_order(samples: int, batch: int, epoch: int) -> list[Any]:
    """The index arrays of epoch ``epoch``'s mini-batches (the last one may be smaller)."""
    import numpy as np

    order = np.random.default_rng(ORDER_SEED + epoch).permutation(samples)
    return [order[start : start + batch] for start in range(0, samples, batch)]


# ====================================================================== the implementations
class NumpyMLP:
    """Linear → ReLU → … → Linear with cross-entropy and momentum SGD, forward and backward by hand.

    Forward: zₗ = aₗ₋₁ Wₗᵀ + bₗ, aₗ = max(zₗ, 0), loss = −(1/B) Σₙ log softmax(z_L)ₙ,yₙ.
    Backward: ∂loss/∂z_L = (softmax(z_L) − onehot(y)) / B; for each layer ∂W = gᵀ aₗ₋₁, ∂b = Σₙ g,
    and g ← (g Wₗ) ⊙ [aₗ₋₁ > 0] for the layer below. Update (PyTorch's SGD): v ← g on the first step,
    else v ← μv + g; θ ← θ − ηv.
    """

    def __init__(self, layers: list[tuple[Any, Any]]) -> None:
        self.params = [p.copy() for layer in layers for p in layer]
        self.buffers: list[Any] | None = None

    def forward(self, x: Any, y: Any) -> tuple[float, list[Any], Any]:
        """The loss, the layers' inputs aₗ₋₁ and log softmax(z_L), kept for the backward pass."""
        import numpy as np

        params = self.params
        n_layers = len(params) // 2
        activations = [x]
        for i in range(n_layers):
            z = activations[-1] @ params[2 * i].T
            z += params[2 * i + 1]
            if i < n_layers - 1:
                np.maximum(z, 0.0, out=z)
            activations.append(z)
        logits = activations.pop()
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(len(y)), y].mean()
        return float(loss), activations, log_probs

    def backward(self, y: Any, activations: list[Any], log_probs: Any) -> list[Any]:
        """∂loss/∂θ for every parameter, in ``params`` order."""
        import numpy as np

        params = self.params
        g = np.exp(log_probs)
        g[np.arange(len(y)), y] -= 1.0
        g /= len(y)
        grads: list[Any] = [None] * len(params)
        for i in reversed(range(len(activations))):
            below = activations[i]
            grads[2 * i] = g.T @ below
            grads[2 * i + 1] = g.sum(axis=0)
            if i > 0:
                g = g @ params[2 * i]
                g *= below > 0
        return grads

    def update(self, grads: list[Any]) -> None:
        if self.buffers is None:
            self.buffers = [grad.copy() for grad in grads]
        else:
            for buf, grad in zip(self.buffers, grads):
                buf *= MOMENTUM
                buf += grad
        for p, buf in zip(self.params, self.buffers):
            p -= LEARNING_RATE * buf

    def train_step(self, x: Any, y: Any) -> float:
        loss, activations, log_probs = self.forward(x, y)
        self.update(self.backward(y, activations, log_probs))
        return loss


def numpy_trainer(layers: list[tuple[Any, Any]], X: Any, y: Any) -> Callable[[list[Any]], list[float]]:
    model = NumpyMLP(layers)

    def epoch(batches: list[Any]) -> list[float]:
        return [model.train_step(X[idx], y[idx]) for idx in batches]

    return epoch


def tinygrad_model(layers: list[tuple[Any, Any]]) -> tuple[Any, Any]:
    """``nn.Sequential(Linear, ReLU, ..., Linear)`` holding the given weights, and its ``optim.SGD``."""
    from tinygrad_edu import nn, optim

    modules: list[Any] = []
    for W, b in layers:
        linear = nn.Linear(W.shape[1], W.shape[0], seed=0)
        linear.weight.data = W.copy()
        linear.bias.data = b.copy()
        modules += [linear, nn.ReLU()]
    model = nn.Sequential(*modules[:-1])
    return model, optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)


def tinygrad_trainer(layers: list[tuple[Any, Any]], X: Any, y: Any) -> Callable[[list[Any]], list[float]]:
    from tinygrad_edu.nn import functional as F

    model, optimizer = tinygrad_model(layers)

    def epoch(batches: list[Any]) -> list[float]:
        losses = []
        for idx in batches:
            loss = F.cross_entropy(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    return epoch


def torch_trainer(layers: list[tuple[Any, Any]], X: Any, y: Any) -> Callable[[list[Any]], list[float]]:
    import torch

    torch.set_num_threads(1)
    modules: list[Any] = []
    for W, b in layers:
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        modules += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*modules[:-1])
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)

    def epoch(batches: list[Any]) -> list[float]:
        losses = []
        for idx in batches:
            loss = torch.nn.functional.cross_entropy(model(X_t[idx]), y_t[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    return epoch


# ---------------------------------------------------------------------- the floor of the graph design
class MinimalNode:
    """A graph node with only what backward needs: its numbers, its gradient, the nodes it was computed
    from, and one rule mapping its gradient to theirs. No checks, no modes, no inspection."""

    __slots__ = ("data", "grad", "inputs", "rule")

    def __init__(self, data: Any, inputs: tuple[MinimalNode, ...] = (), rule: Callable[[Any], Any] | None = None):
        self.data, self.grad, self.inputs, self.rule = data, None, inputs, rule


def minimal_linear(x: Any, weight: MinimalNode, bias: MinimalNode) -> MinimalNode:
    """x Wᵀ + b; rule: G ↦ (G W, Gᵀ x, Σ_batch G), without ∂E/∂x when x is the data."""
    x_data = x.data if type(x) is MinimalNode else x
    out = x_data @ weight.data.T
    out += bias.data
    if type(x) is not MinimalNode:
        return MinimalNode(out, (weight, bias), lambda g: (g.T @ x_data, g.sum(axis=0)))
    return MinimalNode(out, (x, weight, bias), lambda g: (g @ weight.data, g.T @ x_data, g.sum(axis=0)))


def minimal_relu(x: MinimalNode) -> MinimalNode:
    """max(x, 0); rule: G ↦ G ⊙ [x > 0]."""
    import numpy as np

    return MinimalNode(np.maximum(x.data, 0.0), (x,), lambda g: (g * (x.data > 0),))


def minimal_cross_entropy(logits: MinimalNode, targets: Any) -> MinimalNode:
    """mean over rows of logsumexp(z) − z[target]; rule: G ↦ G (softmax(z) − onehot) / N."""
    import numpy as np

    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    sums = exps.sum(axis=1, keepdims=True)
    rows = np.arange(len(targets))
    loss = float((np.log(sums[:, 0]) - shifted[rows, targets]).mean())

    def rule(g: float) -> tuple[Any]:
        probabilities = exps / sums
        probabilities[rows, targets] -= 1.0
        probabilities *= g / len(targets)
        return (probabilities,)

    return MinimalNode(loss, (logits,), rule)


def minimal_backward(root: MinimalNode) -> None:
    """Depth-first order (each node after its inputs), then every rule in reverse order."""
    order: list[MinimalNode] = []
    visited: set[MinimalNode] = set()
    stack: list[MinimalNode | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # a marker: the node under it has all of its inputs in the order
            order.append(stack.pop())  # type: ignore[arg-type]
        elif node not in visited:
            visited.add(node)
            stack += [node, None, *(p for p in node.inputs if p not in visited)]
    root.grad = 1.0
    for node in reversed(order):
        if node.rule is not None:
            for parent, grad in zip(node.inputs, node.rule(node.grad)):
                parent.grad = grad if parent.grad is None else parent.grad + grad


def minimal_trainer(layers: list[tuple[Any, Any]], X: Any, y: Any) -> Callable[[list[Any]], list[float]]:
    """The tinygrad_edu loop on the minimal engine above; the update is NumpyMLP's, on the nodes' arrays."""
    updater = NumpyMLP(layers)
    params = [MinimalNode(p) for p in updater.params]  # the same arrays: updater.update changes them in place

    def train_step(idx: Any) -> float:
        h: Any = X[idx]
        for i in range(0, len(params), 2):
            h = minimal_linear(minimal_relu(h) if i else h, params[i], params[i + 1])
        loss = minimal_cross_entropy(h, y[idx])
        for p in params:
            p.grad = None
        minimal_backward(loss)
        updater.update([p.grad for p in params])
        return loss.data

    def epoch(batches: list[Any]) -> list[float]:
        return [train_step(idx) for idx in batches]

    return epoch


TRAINERS = {NUMPY: numpy_trainer, TINY: tinygrad_trainer, TORCH: torch_trainer, MINIMAL: minimal_trainer}


def framework_version(framework: str) -> str:
    if framework == TORCH:
        import torch

        return f"torch {torch.__version__} ({torch.get_num_threads()} thread)"
    if framework == TINY:
        return f"tinygrad_edu {importlib.metadata.version('tinygrad_edu')}"
    import numpy as np

    return f"numpy {np.__version__}"


# ====================================================================== worker side
def prepared(spec: dict[str, Any]) -> tuple[Workload, Callable[[list[Any]], list[float]], list[list[Any]]]:
    """The workload, an epoch function of the framework, and the batch order of every epoch it will run."""
    workload = Workload(**{**spec["workload"], "sizes": tuple(spec["workload"]["sizes"])})
    X, y = load_data(workload)
    epoch = TRAINERS[spec["framework"]](initial_weights(workload.sizes), X, y)
    epochs = workload.warmup_epochs + workload.timed_epochs
    orders = [batch_order(len(X), workload.batch, e) for e in range(epochs)]
    if spec["framework"] == TORCH:
        import torch

        orders = [[torch.from_numpy(idx) for idx in order] for order in orders]
    return workload, epoch, orders


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Run warm-up and timed epochs of one implementation; every epoch's batch losses come back too."""
    workload, epoch, orders = prepared(spec)
    cpu, wall, losses = [], [], []
    for e, batches in enumerate(orders):
        with Stopwatch() as watch:
            losses.append(epoch(batches))
        if e >= workload.warmup_epochs:
            cpu.append(watch.cpu)
            wall.append(watch.wall)
    return {
        "status": "ok",
        "version": framework_version(spec["framework"]),
        "cpu_times": cpu,
        "wall_times": wall,
        "losses": losses,
        "blas": blas_report(),
    }


PHASES = ("batch", "forward", "loss", "zero_grad", "backward", "step", "item")


def phase_times(workload: Workload) -> dict[str, dict[str, float]]:
    """CPU time per mini-batch (seconds) of each phase of a training step, numpy's and tinygrad_edu's.

    The same calls as the timed epochs, with a clock read between them. numpy's forward includes its
    loss and its backward the gradient of the loss; it has no zero_grad and no item (its loss is a float).
    """
    from tinygrad_edu.nn import functional as F

    X, y = load_data(workload)
    layers = initial_weights(workload.sizes)
    reference, (model, optimizer) = NumpyMLP(layers), tinygrad_model(layers)
    clock = time.process_time
    numpy_sums = dict.fromkeys(PHASES, 0.0)
    tiny_sums = dict.fromkeys(PHASES, 0.0)
    batches_timed = 0
    epochs = workload.warmup_epochs + workload.timed_epochs
    for e in range(epochs):
        for idx in batch_order(len(X), workload.batch, e):
            t0 = clock()
            xb, yb = X[idx], y[idx]
            t1 = clock()
            loss, activations, log_probs = reference.forward(xb, yb)
            t2 = clock()
            grads = reference.backward(yb, activations, log_probs)
            t3 = clock()
            reference.update(grads)
            t4 = clock()
            logits = model(xb)
            t5 = clock()
            loss = F.cross_entropy(logits, yb)
            t6 = clock()
            optimizer.zero_grad()
            t7 = clock()
            loss.backward()
            t8 = clock()
            optimizer.step()
            t9 = clock()
            loss.item()
            t10 = clock()
            if e < workload.warmup_epochs:
                continue
            batches_timed += 1
            for phase, seconds in (("batch", t1 - t0), ("forward", t2 - t1), ("backward", t3 - t2), ("step", t4 - t3)):
                numpy_sums[phase] += seconds
            tiny_sums["batch"] += t1 - t0
            for phase, seconds in zip(PHASES[1:], (t5 - t4, t6 - t5, t7 - t6, t8 - t7, t9 - t8, t10 - t9)):
                tiny_sums[phase] += seconds
    return {
        NUMPY: {phase: total / batches_timed for phase, total in numpy_sums.items()},
        TINY: {phase: total / batches_timed for phase, total in tiny_sums.items()},
    }


def profile(spec: dict[str, Any]) -> dict[str, Any]:
    """Where tinygrad_edu's epoch spends its time: phases against numpy's, then cProfile's function listing."""
    workload, epoch, orders = prepared(spec)
    phases = phase_times(workload)
    for batches in orders[: workload.warmup_epochs]:
        epoch(batches)
    profiler = cProfile.Profile()
    with Stopwatch() as watch:
        profiler.enable()
        for batches in orders[workload.warmup_epochs :]:
            epoch(batches)
        profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(30)
    return {
        "status": "ok",
        "phases": phases,
        "profile": text.getvalue(),
        "epochs": workload.timed_epochs,
        "cpu": watch.cpu,
    }


def worker_main(spec_json: str) -> None:
    """Profile one workload, or measure each workload listed, one result line each."""
    spec = json.loads(spec_json)
    if spec.get("profile"):
        emit_result(profile(spec))
        return
    for workload in spec["workloads"]:
        emit_result(measure({"framework": spec["framework"], "workload": workload}))


# ====================================================================== parent side
Results = dict[str, dict[str, list[dict[str, Any]]]]  # workload name -> implementation -> one result per process


def run_plan(workloads: list[Workload], frameworks: tuple[str, ...]) -> Results:
    """Every implementation's results on every workload, their processes interleaved round by round.

    In round r each implementation runs in one fresh process the workloads that want more than r
    rounds (one process, so PyTorch is imported once per round). numpy, tinygrad_edu and the minimal
    engine run back to back, their order reversed every other round (ratios to numpy are taken within a
    round); torch follows them.
    """
    env, _ = single_thread_env()
    script = os.path.abspath(__file__)
    results: Results = {w.name: {f: [] for f in frameworks} for w in workloads}
    rounds = max(w.rounds for w in workloads)
    for r in range(rounds):
        todo = [w for w in workloads if w.rounds > r]
        paired = [f for f in (NUMPY, TINY, MINIMAL) if f in frameworks]
        order = (paired if r % 2 == 0 else paired[::-1]) + [f for f in frameworks if f not in paired]
        for framework in order:
            names = ", ".join(w.name for w in todo)
            print(f"[round {r + 1}/{rounds}] {framework}: {names} ...", end=" ", file=sys.stderr, flush=True)
            started = time.perf_counter()
            spec = {"framework": framework, "workloads": [w.__dict__ for w in todo]}
            outcomes = run_worker(script, spec, timeout=900, env=env)
            print(f"{time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
            for i, w in enumerate(todo):  # a crash stands for every workload it left unmeasured
                results[w.name][framework].append(outcomes[min(i, len(outcomes) - 1)])
    return results


def ok(result: dict[str, Any]) -> bool:
    return result.get("status") == "ok"


def stats(runs: list[dict[str, Any]], key: str) -> Stats | None:
    samples = [t for run in runs if ok(run) for t in run[key]]
    return Stats.of(samples) if samples else None


def loss_check(results: dict[str, list[dict[str, Any]]]) -> tuple[bool, str]:
    """Does every process compute numpy's loss for every batch of every epoch (to SAME_LOSS_ATOL)?"""
    reference = next((r for r in results.get(NUMPY, []) if ok(r)), None)
    if reference is None:
        return False, "no numpy process completed, nothing to compare with"
    expected = [loss for epoch in reference["losses"] for loss in epoch]
    worst: dict[str, float] = {}
    for framework, runs in results.items():
        for run in runs:
            if ok(run):
                got = [loss for epoch in run["losses"] for loss in epoch]
                worst[framework] = max(worst.get(framework, 0.0), max_difference(got, expected))
    agree = all(d <= SAME_LOSS_ATOL for d in worst.values())
    detail = ", ".join(f"{f} {d:.1e}" for f, d in worst.items() if f != NUMPY or d > 0)
    return agree, f"{len(expected)} batch losses, largest |difference| from numpy: {detail}"


def round_ratios(results: dict[str, list[dict[str, Any]]], framework: str = TINY) -> list[float]:
    """``framework``'s CPU-time median over numpy's, round by round (each round's processes ran one right
    after the other). Less swayed by load that comes and goes than the ratio of the overall medians."""
    ratios = []
    for run, reference in zip(results.get(framework, []), results.get(NUMPY, [])):
        if ok(run) and ok(reference):
            ratios.append(statistics.median(run["cpu_times"]) / statistics.median(reference["cpu_times"]))
    return ratios


def workload_report(workload: Workload, results: dict[str, list[dict[str, Any]]], quick: bool) -> list[str]:
    cpu = {f: stats(runs, "cpu_times") for f, runs in results.items()}
    wall = {f: stats(runs, "wall_times") for f, runs in results.items()}
    base_cpu, base_wall = cpu.get(NUMPY), wall.get(NUMPY)
    header = ["implementation", "CPU median", "CPU min", "wall median", "wall min", "epochs", "/numpy (CPU med)"]
    header += ["/numpy (wall min)", "version"]
    rows = []
    for framework, runs in results.items():
        version = next((r["version"] for r in runs if ok(r)), "?")
        failures = [f"{r['status']}: {r.get('error', '')[:70]}" for r in runs if not ok(r)]
        c, w = cpu[framework], wall[framework]
        if c is None or w is None:
            rows.append([framework, (failures or ["no run"])[0]] + [""] * 6 + [version])
            continue
        times = [format_seconds(t) for t in (c.median, c.minimum, w.median, w.minimum)]
        epochs = f"{c.count}" + (f" ({len(failures)} failed)" if failures else "")
        ratios = [
            format_ratio(c.median / base_cpu.median if base_cpu else None),
            format_ratio(w.minimum / base_wall.minimum if base_wall else None),
        ]
        rows.append([framework, *times, epochs, *ratios, version])
    lines = [
        f"Workload {workload.name}: {workload.describe()}; {workload.timed_epochs} timed epochs per process after "
        f"{workload.warmup_epochs} warm-up, {workload.rounds} process(es) per implementation",
        format_table(header, rows),
    ]
    blas = next((r["blas"] for r in results.get(NUMPY, []) if ok(r)), None)
    if blas is not None:
        lines.append("numpy worker: " + describe_blas(blas))
    paired = round_ratios(results)
    if paired:
        listing = " ".join(format_ratio(r) for r in paired)
        lines.append(
            f"tinygrad_edu / numpy per round (CPU medians of the two processes run back to back, so under the same "
            f"load): {listing}; median {format_ratio(statistics.median(paired))}"
        )
    agree, detail = loss_check(results)
    verdict = "yes" if agree else "NO"
    lines.append(f"Same loss for every batch (|difference| <= {SAME_LOSS_ATOL:g}): {verdict}; {detail}")
    caveat = "  (quick run: too few epochs to judge; run without --quick)" if quick else ""
    c_tiny, w_tiny = cpu.get(TINY), wall.get(TINY)
    if c_tiny and base_cpu and w_tiny and base_wall:
        ratio = c_tiny.median / base_cpu.median
        text = (
            f"{workload.name}: tinygrad_edu at most {workload.goal:g}x the hand-written numpy time: "
            f"{format_ratio(ratio)} ({format_ratio(w_tiny.minimum / base_wall.minimum)} on wall-clock minimums)"
        )
        lines.append(goal_line(ratio <= workload.goal, text) + caveat)
    else:
        lines.append(goal_line(False, f"{workload.name}: tinygrad_edu or numpy did not complete") + caveat)
    floor = round_ratios(results, MINIMAL)
    if paired and floor:
        lines.append(
            f"  (the floor of the graph design: the minimal engine / numpy per round "
            f"{' '.join(format_ratio(r) for r in floor)}; median {format_ratio(statistics.median(floor))}, "
            f"where tinygrad_edu's is {format_ratio(statistics.median(paired))})"
        )
    c_torch = cpu.get(TORCH)
    if c_tiny and c_torch:
        versus_torch = format_ratio(c_torch.median / c_tiny.median)
        lines.append(f"  (for reference: torch / tinygrad_edu = {versus_torch}, CPU medians)")
    return lines


def run_profile(workload: Workload) -> str:
    env, _ = single_thread_env()
    spec = {"framework": TINY, "workload": workload.__dict__, "profile": True}
    result = run_worker(os.path.abspath(__file__), spec, timeout=900, env=env)[-1]
    if not ok(result):
        return f"profiling failed: {result.get('status')}: {result.get('error')}"
    numpy_phases, tiny_phases = result["phases"][NUMPY], result["phases"][TINY]
    rows = []
    totals = [("total", sum(numpy_phases.values()), sum(tiny_phases.values()))]
    for phase, floor, mine in [(p, numpy_phases[p], tiny_phases[p]) for p in PHASES] + totals:
        rows.append([phase, format_seconds(floor), format_seconds(mine), format_seconds(mine - floor)])
    lines = [
        f"Workload {workload.name} ({workload.describe()}): CPU time per mini-batch by phase, without the profiler",
        "(numpy's forward includes its loss, its backward the loss gradient; 'batch' is X[idx], y[idx]):",
        format_table(["phase", NUMPY, TINY, "difference"], rows),
        "",
        f"cProfile of tinygrad_edu, {result['epochs']} epochs, {format_seconds(result['cpu'] / result['epochs'])} "
        "CPU per epoch under the profiler (which inflates small functions):",
        result["profile"],
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs, a smaller wide set: a smoke run")
    parser.add_argument("--workload", choices=[*WORKLOADS, "all"], default="all")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch column")
    parser.add_argument("--profile", choices=list(WORKLOADS), help="profile tinygrad_edu's epoch instead")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker)
        return
    plans = QUICK if args.quick else WORKLOADS
    if args.profile:
        print(run_profile(plans[args.profile]))
        return
    with_torch = not args.no_torch and importlib.util.find_spec("torch") is not None
    frameworks = FRAMEWORKS if with_torch else (NUMPY, TINY, MINIMAL)
    names = list(WORKLOADS) if args.workload == "all" else [args.workload]
    _, env_note = single_thread_env()
    lines = [
        "One training epoch: Linear+ReLU MLP, cross-entropy, SGD(lr=0.01, momentum=0.9), float64"
        + ("  [--quick]" if args.quick else ""),
        f"Python {platform.python_version()} on {platform.system()}, {os.cpu_count()} CPUs (shared with other work).",
        "Every process starts from the same weights and visits the batches in the same order. Times per epoch:",
        "CPU time (process_time; excludes waiting for a shared core) and wall-clock time, median and minimum over",
        "all timed epochs of all processes. Goals are judged on CPU-time medians; wall-clock minimums beside them.",
        env_note,
    ]
    if with_torch:
        lines.append("torch runs with torch.set_num_threads(1) (and the same environment).")
    results = run_plan([plans[name] for name in names], frameworks)
    for name in names:
        lines += [""] + workload_report(plans[name], results[name], args.quick)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
