"""The ``tinygrad-edu`` command (also ``python -m tinygrad_edu``): one module per subcommand.

:mod:`.main` builds the argument parser and runs a subcommand; :mod:`.tour`, :mod:`.perceptron`,
:mod:`.backprop`, :mod:`.train`, :mod:`.gradcheck` and :mod:`.graph` each add their options and do
their work; :mod:`.expression` parses the formulas ``graph`` draws, without ``eval``; :mod:`.csvdata`
reads the CSV files ``perceptron`` and ``train`` accept; :mod:`.options` checks option values.
The entry point is :func:`tinygrad_edu.cli.main.main`.
"""
