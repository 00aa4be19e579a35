"""The tour: the whole lecture, run from start to end, written up as a browsable report folder.

``run_tour(folder)`` computes every section — the perceptron on AND and XOR, back-propagation on the
worked example, a gradient check of every operation, online / batch / mini-batch training, optimizer
paths, choosing η and early stopping — and writes ``folder/index.html`` with its pictures beside it.
"""

from tinygrad_edu.tour.run import SECTIONS, TourError, run_tour

__all__ = ["SECTIONS", "TourError", "run_tour"]
