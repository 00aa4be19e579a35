"""Plots: learning curves with the early-stop marker, decision regions (with the perceptron's line), the
learning-rate slide, and optimizer paths on the Rosenbrock valley and the saddle. Each figure is checked
for what it holds and saved as a valid PNG and SVG."""

import struct
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="plotting needs matplotlib (pip install 'tinygrad_edu[plot]')")

from tinygrad_edu import Value, data, nn, optim, plotting  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402
from tinygrad_edu.perceptron import DecisionLine, Perceptron  # noqa: E402
from tinygrad_edu.plotting import (  # noqa: E402
    ROSENBROCK,
    SADDLE,
    default_optimizers,
    optimizer_path,
    optimizer_paths,
    plot_decision_regions,
    plot_learning_curves,
    plot_learning_rate_comparison,
    plot_optimizer_paths,
    predictor,
    save_figure,
)
from tinygrad_edu.training import EarlyStopping, EpochRecord, History, TrainingDiverged, fit  # noqa: E402

OPTIMIZERS = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


# ---------------------------------------------------------------------- saved files
def check_png(path):
    """A PNG: the 8-byte signature, then an IHDR chunk with a sensible width and height."""
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", raw[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", raw[16:24])
    assert 200 <= width <= 3000 and 150 <= height <= 2000
    assert raw[-8:-4] == b"IEND"
    return width, height


def check_svg(path, ids=()):
    """An SVG: parses as XML, its root is <svg>, and the artists' gids appear as element ids."""
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    found = {element.get("id") for element in root.iter()}
    for gid in ids:
        assert gid in found, f"no element with id {gid!r} in {path.name}"


def save_both(fig, tmp_path, name, ids=()):
    png = save_figure(fig, tmp_path / f"{name}.png")
    svg = save_figure(fig, tmp_path / "svg" / f"{name}.svg")  # the folder is created
    check_svg(svg, ids)
    return check_png(png)


def test_save_figure_refuses_other_formats(tmp_path):
    fig = plot_learning_curves(scripted_history())
    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf"):
        save_figure(fig, tmp_path / "curves.jpg")
    assert not (tmp_path / "curves.jpg").exists()
    pdf = save_figure(fig, tmp_path / "curves.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"


# ---------------------------------------------------------------------- learning curves
def scripted_history(stop="early stopping"):
    """Eight epochs; validation loss lowest at epoch 5, early stopping after 3 more."""
    val = [1.0, 0.8, 0.7, 0.65, 0.6, 0.62, 0.66, 0.7]
    history = History()
    for epoch, v in enumerate(val, start=1):
        history.records.append(EpochRecord(epoch, 1.2 / epoch, v, {}, 0.1, 4, 0.01))
    history.stopped_epoch, history.best_epoch, history.best_val_loss, history.stop_reason = 8, 5, 0.6, stop
    return history


def lines_by_gid(ax):
    return {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}


def test_learning_curves_show_both_losses_the_best_epoch_and_the_early_stop(tmp_path):
    history = scripted_history()
    fig = plot_learning_curves(history)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    by_label = {line.get_label(): line for line in ax.get_lines()}
    assert list(by_label["training loss"].get_ydata()) == history.train_loss
    assert list(by_label["validation loss"].get_ydata()) == history.val_loss
    marks = lines_by_gid(ax)
    assert list(marks["best-epoch"].get_xdata()) == [5] and list(marks["best-epoch"].get_ydata()) == [0.6]
    assert list(marks["early-stop"].get_xdata()) == [8, 8]  # a vertical line at the stopping epoch
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "early stop (epoch 8)" in legend and "best epoch (5)" in legend
    save_both(fig, tmp_path, "curves", ids=["early-stop", "best-epoch"])


def test_a_completed_run_has_no_early_stop_marker_and_may_use_a_log_scale():
    fig = plot_learning_curves(scripted_history(stop="completed"), log_scale=True, title="run")
    ax = fig.axes[0]
    assert "early-stop" not in lines_by_gid(ax) and "best-epoch" in lines_by_gid(ax)
    assert ax.get_yscale() == "log" and ax.get_title() == "run"


def test_learning_curves_of_a_real_early_stopped_run(tmp_path):
    X, y = data.make_moons(80, noise=0.35, seed=0)
    model = nn.Sequential(nn.Linear(2, 32, seed=0), nn.Tanh(), nn.Linear(32, 1, seed=1))
    T = y.reshape(-1, 1)
    history = fit(model, F.binary_cross_entropy_with_logits, optim.Adam(model.parameters(), lr=0.05), X[:30], T[:30],
                  200, batch_size=10, validation=(X[30:], T[30:]), callbacks=[EarlyStopping(patience=5)],
                  progress=False)
    assert history.stop_reason == "early stopping"
    marks = lines_by_gid(plot_learning_curves(history).axes[0])
    assert marks["early-stop"].get_xdata()[0] == history.stopped_epoch
    assert marks["best-epoch"].get_xdata()[0] == history.best_epoch < history.stopped_epoch


def test_learning_curves_draw_into_given_axes_and_refuse_an_empty_history():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    assert plot_learning_curves(scripted_history(), ax=axes[1]) is fig
    assert len(axes[1].get_lines()) >= 2 and not axes[0].get_lines()
    with pytest.raises(ValueError, match="no epochs"):
        plot_learning_curves(History())


# ---------------------------------------------------------------------- decision regions
def boundary_of(fig):
    return lines_by_gid(fig.axes[0]).get("boundary")


def test_a_trained_perceptron_is_plotted_directly_with_its_line(tmp_path):
    X, t = data.and_gate()
    perceptron = Perceptron(2)
    assert perceptron.fit(X, t).converged
    fig = plot_decision_regions(perceptron, X, t, title="AND")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2" and ax.get_title() == "AND"
    line = boundary_of(fig)
    w1, w2, b = *perceptron.weights, perceptron.bias  # the lecture's w = (2, 1), b = −3
    xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    assert np.allclose(w1 * xs + w2 * ys + b, 0.0)  # both ends lie on w·x + b = 0
    x_low, x_high = ax.get_xlim()
    y_low, y_high = ax.get_ylim()
    assert np.all((xs >= x_low - 1e-9) & (xs <= x_high + 1e-9) & (ys >= y_low - 1e-9) & (ys <= y_high + 1e-9))
    data_points = [c for c in ax.collections if c.get_gid() == "data"][0]
    assert np.array_equal(data_points.get_offsets(), X)
    assert np.array_equal(predictor(perceptron)(X), t)
    save_both(fig, tmp_path, "and", ids=["boundary", "data"])


def test_a_vertical_line_a_given_line_and_an_untrained_perceptron():
    X, t = data.make_split(30, seed=0)
    vertical = Perceptron(2, activation="bipolar")
    vertical.weights, vertical.bias = np.array([1.0, 0.0]), -0.2  # the line x1 = 0.2
    assert np.allclose(boundary_of(plot_decision_regions(vertical, X, 2 * t - 1)).get_xdata(), 0.2)
    given = boundary_of(plot_decision_regions(vertical, X, 2 * t - 1, line=DecisionLine(0.0, 1.0, -0.1)))
    assert np.allclose(given.get_ydata(), 0.1)  # the given line x2 = 0.1 replaces the perceptron's
    as_tuple = boundary_of(plot_decision_regions(vertical, X, 2 * t - 1, line=(1.0, 1.0, 0.0)))
    assert np.allclose(np.add(as_tuple.get_xdata(), as_tuple.get_ydata()), 0.0)
    assert boundary_of(plot_decision_regions(Perceptron(2), X, t)) is None  # w = 0: no line yet, no error
    assert boundary_of(plot_decision_regions(Perceptron(2), X, t, line=(0.0, 0.0, -1.0))) is None


def region_levels(fig):
    """The class boundaries of the filled contour: one more level than classes shown."""
    contours = [c for c in fig.axes[0].collections if hasattr(c, "levels")]
    return len(contours[0].levels) - 1


def test_a_tensor_network_on_xor_shows_its_two_regions():
    X, t = data.xor_gate()
    model = nn.Sequential(nn.Linear(2, 4, seed=1), nn.Sigmoid(), nn.Linear(4, 1, seed=101), nn.Sigmoid())
    fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=3.0), X, t.reshape(4, 1).astype(float), 800,
        progress=False)
    fig = plot_decision_regions(model, X, t, resolution=60)
    assert region_levels(fig) == 2 and boundary_of(fig) is None
    assert np.array_equal(predictor(model)(X), t)  # the regions' classifier gets XOR right


def test_a_scalar_network_with_plus_minus_one_labels_is_thresholded_at_zero():
    X, y = data.make_moons(40, noise=0.1, seed=0)
    labels = 2 * y - 1
    model = nn.MLP(2, [8, 1], activation="tanh", seed=0)
    fit(model, F.hinge_loss, optim.SGD(model.parameters(), lr=0.1, momentum=0.9), X, labels, 30, batch_size=10,
        progress=False)
    fig = plot_decision_regions(model, X, labels, resolution=20)
    assert region_levels(fig) == 2  # −1 and +1, not a third "0" class


def test_decision_regions_need_two_features():
    X, y = data.make_blobs(10, seed=0)
    with pytest.raises(ValueError, match=r"\(N, 2\); got \(10, 3\)"):
        plot_decision_regions(Perceptron(3), np.column_stack([X, X[:, 0]]), y)
    with pytest.raises(ValueError, match="10 points but 9 labels"):
        plot_decision_regions(Perceptron(2), X, y[:9])


# ---------------------------------------------------------------------- the learning-rate slide
def regression_runs(lrs):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X @ np.array([[1.5], [-2.0]]) + 0.5 + 0.1 * rng.normal(size=(40, 1))
    histories = {}
    for label, lr in lrs.items():
        model = nn.Linear(2, 1, seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingDiverged)
            histories[label] = fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=lr), X[:30], y[:30], 25,
                                   batch_size=None if lr < 10 else 5, validation=(X[30:], y[30:]), progress=False)
    return histories


def test_the_learning_rate_slide_puts_too_small_too_large_and_right_side_by_side(tmp_path):
    lrs = {"η too small (0.01)": 0.01, "η too large (1.2)": 1.2, "η about right (0.3)": 0.3}
    histories = regression_runs(lrs)
    small, large, right = (histories[k].train_loss for k in lrs)
    assert large[-1] > large[0] and large[-1] > small[-1] > right[-1]  # too large grows, too small lags
    fig = plot_learning_rate_comparison(histories, log_scale=True)
    assert len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes] == list(lrs)
    assert all(ax.get_xlabel() == "epoch" for ax in fig.axes) and fig.axes[0].get_ylabel() == "loss"
    assert fig.axes[0].get_shared_y_axes().joined(fig.axes[0], fig.axes[2])
    assert all(ax.get_yscale() == "log" for ax in fig.axes)
    for ax, (label, history) in zip(fig.axes, histories.items()):
        lines = lines_by_gid(ax)
        assert list(lines[f"train-{label}"].get_ydata()) == history.train_loss
        assert list(lines[f"val-{label}"].get_ydata()) == history.val_loss
    assert fig.texts[0].get_text() == "Choosing η"  # the suptitle
    width, height = save_both(fig, tmp_path, "slide", ids=["train-η about right (0.3)"])
    assert width > 2 * height  # three panels in a row


def test_a_run_that_diverged_says_so_in_its_panel():
    histories = regression_runs({"η = 0.3": 0.3, "η = 50": 50.0})
    assert histories["η = 50"].diverged_at is not None
    fig = plot_learning_rate_comparison(histories)
    epoch, batch = histories["η = 50"].diverged_at
    notes = [t for t in fig.axes[1].texts if t.get_gid() == "diverged-η = 50"]
    assert notes and notes[0].get_text() == f"diverged\n(epoch {epoch}, batch {batch})"
    assert not fig.axes[0].texts
    with pytest.raises(ValueError, match="at least one"):
        plot_learning_rate_comparison({})


# ---------------------------------------------------------------------- optimizer paths
@pytest.fixture(scope="module")
def paths():
    return {"rosenbrock": optimizer_paths(ROSENBROCK), "saddle": optimizer_paths(SADDLE)}


def test_the_default_optimizers_are_optims_classes_with_their_settings():
    for surface in (ROSENBROCK, SADDLE):
        makers = default_optimizers(surface)
        assert list(makers) == OPTIMIZERS
        built = {name: make([Value(np.zeros(2))]) for name, make in makers.items()}
        kinds = {name: type(o) for name, o in built.items()}
        assert kinds == {"SGD": optim.SGD, "Momentum": optim.SGD, "Nesterov": optim.SGD,
                         "AdaGrad": optim.Adagrad, "RMSProp": optim.RMSprop, "Adam": optim.Adam}
        group = {name: o.param_groups[0] for name, o in built.items()}
        assert group["SGD"]["momentum"] == 0 and group["Momentum"]["momentum"] == 0.9
        assert group["Nesterov"]["nesterov"] and not group["Momentum"]["nesterov"]
        assert group["SGD"]["lr"] == group["Momentum"]["lr"] == group["Nesterov"]["lr"]


def test_the_first_sgd_step_is_minus_eta_times_the_gradient():
    x, y = ROSENBROCK.start
    gradient = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])  # ∇ of (1−x)² + 100(y−x²)²
    path = optimizer_path(ROSENBROCK, lambda p: optim.SGD(p, lr=1e-3), steps=1)
    assert np.allclose(path[1], np.array(ROSENBROCK.start) - 1e-3 * gradient, rtol=1e-12, atol=0)


def test_a_path_may_start_anywhere_given_as_a_pair_or_an_array():
    make = lambda p: optim.SGD(p, lr=1e-3)
    for start in ((0.5, -0.5), np.array([0.5, -0.5]), [0.0, 0.0]):
        path = optimizer_path(ROSENBROCK, make, steps=2, start=start)
        np.testing.assert_array_equal(path[0], np.asarray(start, dtype=float))
    with pytest.raises(ValueError, match=r"start must be a point \(w1, w2\).*shape \(3,\)"):
        optimizer_path(ROSENBROCK, make, steps=2, start=np.zeros(3))


@pytest.mark.parametrize("surface", ["rosenbrock", "saddle"])
def test_every_path_starts_together_stays_in_the_window_and_differs_from_the_others(paths, surface):
    found = paths[surface]
    window = {"rosenbrock": ROSENBROCK, "saddle": SADDLE}[surface]
    assert list(found) == OPTIMIZERS
    for name, points in found.items():
        assert points.shape == (301, 2), name
        assert np.array_equal(points[0], window.start)
        assert np.all(np.isfinite(points)), name
        assert np.all((points[:, 0] >= window.xlim[0]) & (points[:, 0] <= window.xlim[1])), name
        assert np.all((points[:, 1] >= window.ylim[0]) & (points[:, 1] <= window.ylim[1])), name
    for i, a in enumerate(OPTIMIZERS):
        for b in OPTIMIZERS[i + 1 :]:
            gap = np.max(np.linalg.norm(found[a] - found[b], axis=1))
            assert gap > 0.05, f"{a} and {b} follow the same path on the {surface}"


def test_on_the_rosenbrock_valley_momentum_and_adam_get_along_the_valley_and_sgd_crawls(paths):
    found = paths["rosenbrock"]
    height = {name: float(ROSENBROCK.height(*points[-1])) for name, points in found.items()}
    # plain descent has slid into the valley but barely moved along its floor
    assert height["SGD"] > 3.0 and np.linalg.norm(found["SGD"][-1] - ROSENBROCK.minimum) > 2.0
    for name in ("Momentum", "Nesterov", "Adam"):
        assert height[name] < 0.1 * height["SGD"], name
        assert found[name][-1][0] > 0.3, name  # round the bend, heading for (1, 1)
    for name in ("AdaGrad", "RMSProp"):
        assert height[name] < height["SGD"], name


def test_on_the_saddle_the_adaptive_methods_escape_first(paths):
    found = paths["saddle"]
    escape = {name: int(np.argmax(np.abs(points[:, 1]) > 0.5)) for name, points in found.items()}
    assert all(step > 0 for step in escape.values())  # every method leaves the ridge w2 ≈ 0
    for name in ("AdaGrad", "RMSProp", "Adam"):
        assert escape[name] < escape["SGD"] / 3, (name, escape)
    assert escape["Momentum"] < escape["SGD"] and escape["Nesterov"] < escape["SGD"]
    for name, points in found.items():  # and all settle in the minimum E = −1 at (0, √2)
        assert float(SADDLE.height(*points[-1])) == pytest.approx(-1.0, abs=1e-3), name


@pytest.mark.parametrize("surface", [ROSENBROCK, SADDLE], ids=["rosenbrock", "saddle"])
def test_the_paths_figure_has_one_labelled_line_per_optimizer(paths, surface, tmp_path):
    found = paths["rosenbrock" if surface is ROSENBROCK else "saddle"]
    fig = plot_optimizer_paths(surface, found)
    ax = fig.axes[0]
    lines = lines_by_gid(ax)
    path_lines = {gid: line for gid, line in lines.items() if gid.startswith("path-")}
    assert sorted(path_lines) == sorted(f"path-{name}" for name in OPTIMIZERS)
    for name in OPTIMIZERS:
        line = path_lines[f"path-{name}"]
        assert line.get_label() == name
        assert np.array_equal(line.get_xydata(), found[name])
        end = lines[f"end-{name}"]
        assert np.array_equal(end.get_xydata()[0], found[name][-1]) and end.get_color() == line.get_color()
    assert len({line.get_color() for line in path_lines.values()}) == 6
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:6] == OPTIMIZERS and "start" in legend and "minimum" in legend
    assert ax.get_xlabel() == "w1" and ax.get_ylabel() == "w2" and surface.name in ax.get_title()
    assert ax.get_xlim() == surface.xlim and ax.get_ylim() == surface.ylim
    save_both(fig, tmp_path, "paths", ids=[f"path-{name}" for name in OPTIMIZERS])


def test_a_diverging_optimizer_path_stops_at_the_first_non_finite_point():
    with np.errstate(all="ignore"):
        path = optimizer_path(ROSENBROCK, lambda p: optim.SGD(p, lr=0.05), steps=100)
    assert len(path) < 101 and not np.all(np.isfinite(path[-1])) and np.all(np.isfinite(path[:-1]))
    fig = plot_optimizer_paths(ROSENBROCK, {"too fast": path})
    end = lines_by_gid(fig.axes[0])["end-too fast"]
    assert np.array_equal(end.get_xydata()[0], path[-2])  # the last finite point is marked


# ---------------------------------------------------------------------- matplotlib is optional
def test_without_matplotlib_plotting_says_what_to_install(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    for draw in (lambda: plot_learning_curves(scripted_history()),
                 lambda: plot_learning_rate_comparison({"η": scripted_history()}),
                 lambda: plot_optimizer_paths(SADDLE, {"SGD": np.zeros((2, 2))}),
                 lambda: plot_decision_regions(Perceptron(2), np.zeros((2, 2)), np.array([0, 1]))):
        with pytest.raises(ImportError, match=r"pip install 'tinygrad_edu\[plot\]'"):
            draw()
    assert plotting.INSTALL_HINT.startswith("plotting needs matplotlib")


def test_importing_tinygrad_edu_and_its_plotting_module_does_not_import_matplotlib():
    code = (
        "import sys, tinygrad_edu, tinygrad_edu.plotting; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'; "
        "assert tinygrad_edu.plotting.plot_learning_curves and tinygrad_edu.training.fit is tinygrad_edu.fit"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
