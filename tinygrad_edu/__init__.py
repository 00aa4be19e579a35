"""tinygrad_edu: an autograd micro-framework for learning how neural networks learn.

``Value`` records every operation into a computation graph; ``backward()`` applies the chain rule
over it (the lecture's δ recursion, generalized); ``gradcheck`` verifies it numerically.
"""

from tinygrad_edu import data, nn, optim, perceptron, plotting, training, viz  # plotting imports matplotlib lazily
from tinygrad_edu.engine import *  # noqa: F403
from tinygrad_edu.engine import __all__ as _engine_all
from tinygrad_edu.perceptron import Perceptron
from tinygrad_edu.training import fit
from tinygrad_edu.viz import draw_graph, explain

__version__ = "0.1.0"
__all__ = list(_engine_all) + ["nn", "optim", "data", "perceptron", "Perceptron"]
__all__ += ["viz", "explain", "draw_graph"]
__all__ += ["training", "fit", "plotting"]
