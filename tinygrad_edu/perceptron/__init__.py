"""The lecture's perceptron and delta rule (no autograd): training with an epoch table and cycle detection."""

from tinygrad_edu.perceptron.decision_line import DecisionLine
from tinygrad_edu.perceptron.model import ACTIVATIONS, Perceptron
from tinygrad_edu.perceptron.trace import Cycle, PerceptronResult, Trace, TraceRow

__all__ = ["ACTIVATIONS", "Cycle", "DecisionLine", "Perceptron", "PerceptronResult", "Trace", "TraceRow"]
