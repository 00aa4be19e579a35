"""``tinygrad-edu graph``: draw the computation graph of a formula typed on the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from tinygrad_edu.cli.drawing import save_drawing, warn
from tinygrad_edu.cli.errors import CommandError, UsageError
from tinygrad_edu.cli.expression import FUNCTIONS, ExpressionError, evaluate, parse, parse_assignments, variable_names
from tinygrad_edu.engine import Value, grad

NAME = "graph"
SUMMARY = "draw the computation graph of a formula such as \"tanh(a*b + c)\", with its gradients"
RESULT_NAMES = ("f", "out", "result")
OPTIONS_WITH_VALUE = ("--out", "--explain", "--rankdir")
OPTIONS_WITHOUT_VALUE = ("-h", "--help", "--backward")
EXAMPLES = f"""\
examples:
  tinygrad-edu graph "tanh(a*b + c)" a=2 b=-3 c=10 --out g.svg
  tinygrad-edu graph "tanh(a*b + c)" a=2 b=-3 c=10 --out g.svg --backward    gradients in the boxes
  tinygrad-edu graph "sigmoid(w1*x1 + w2*x2 + b)" w1=0.5 w2=-1 x1=1 x2=2 b=0.1 --explain w1
  tinygrad-edu graph "(a + b) * (a - b)" a=3 b=1                             numbers only, no drawing

A formula uses numbers, variables given as NAME=NUMBER, + - * / ** and the functions
{", ".join(FUNCTIONS)}. It is read safely: nothing typed here runs as Python code.
The drawing needs Graphviz's `dot`; without it the graph's .dot source is written with a hint."""


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        NAME, help=SUMMARY, description="Build the computation graph of a formula from Values, print its result and "
        "the gradient with respect to every variable, and draw the graph.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expression", metavar="EXPRESSION", help="the formula, in quotes: \"tanh(a*b + c)\"")
    parser.add_argument("assignments", nargs="*", metavar="NAME=NUMBER", help="the value of each variable: a=2")
    parser.add_argument("--out", type=Path, metavar="FILE", help="draw the graph to FILE (.svg, .png, .pdf or .dot)")
    parser.add_argument("--backward", action="store_true",
                        help="run backward before drawing, so every box shows its gradient")
    parser.add_argument("--explain", action="append", default=[], metavar="NAME",
                        help="derive ∂f/∂NAME by the chain rule, step by step (may be repeated)")
    parser.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR",
                        help="direction of the drawing: LR left to right (default), TB top to bottom")
    return parser


def prepare_arguments(arguments: list[str]) -> list[str]:
    """The options first, then the formula and the assignments, so that argparse reads options anywhere; and a
    formula that starts with a minus sign ("-a*b"), which argparse would take for an option, gets a leading space.
    """
    options, positionals = [], []
    k = 0
    while k < len(arguments):
        argument = arguments[k]
        option = _known_option(argument.split("=", 1)[0])
        if argument == "--":
            positionals += arguments[k + 1 :]
            break
        if option in OPTIONS_WITH_VALUE and "=" not in argument:
            options += arguments[k : k + 2]
            k += 2
            continue
        if option is not None or (argument.startswith("-") and positionals):
            options.append(argument)  # a known option, or an unknown one for argparse to report
        else:
            positionals.append(" " + argument if argument.startswith("-") else argument)
        k += 1
    return options + positionals


def _known_option(text: str) -> str | None:
    """The option ``text`` names, also as an unambiguous abbreviation (--back for --backward), as argparse allows."""
    if not text.startswith("-"):
        return None
    known = OPTIONS_WITH_VALUE + OPTIONS_WITHOUT_VALUE
    if text in known:
        return text
    matches = [option for option in known if text.startswith("--") and option.startswith(text)]
    return matches[0] if len(matches) == 1 else None


def run(args: argparse.Namespace) -> int:
    if args.out is not None and args.out.suffix.lower() not in (".svg", ".png", ".pdf", ".dot", ".gv"):
        raise UsageError(f"graph: --out {args.out} must end in .svg, .png, .pdf or .dot")
    try:
        tree = parse(args.expression)
        given = parse_assignments(args.assignments)
    except ExpressionError as err:
        raise CommandError(f"graph: {err}", status=2) from None
    names = variable_names(tree)
    if not names:
        raise UsageError(f"graph: {args.expression!r} has no variables, so there is no graph to draw or differentiate")
    missing = [name for name in names if name not in given]
    if missing:
        example = " ".join(f"{name}=1.5" for name in missing)
        raise UsageError(f"graph: give the value of {', '.join(missing)} after the formula, such as: {example}")
    for name in args.explain:
        if name not in names:
            raise UsageError(f"graph: --explain {name}: not a variable of the formula; it has {', '.join(names)}")

    variables = {name: Value(given[name], label=name) for name in names}
    try:
        result = evaluate(tree, variables, args.expression.strip())
    except ExpressionError as err:
        raise CommandError(f"graph: {err}", status=2) from None
    if not isinstance(result, Value):  # cannot happen: a formula with a variable gives a Value
        raise CommandError(f"graph: {args.expression!r} gives the plain number {result:g}, not a graph")
    for name in given:
        if name not in names:
            warn(f"the variable {name} is not used by the formula {args.expression!r}")
    result_name = _name_result(result, names)
    gradients = grad(result, [variables[n] for n in names], allow_unused=True)

    print(f"{result_name} = {args.expression.strip()}")
    print(f"  with {', '.join(f'{n} = {given[n]:g}' for n in names)}")
    print(f"  {result_name} = {_number(result.item())}")
    print("gradients:")
    for name, g in zip(names, gradients):
        print(f"  ∂{result_name}/∂{name} = {_number(0.0 if g is None else g.item())}")
    for name in args.explain:
        from tinygrad_edu.viz import explain

        print()
        print(explain(result, variables[name]))
    if args.backward:
        result.backward()
    if args.out is not None:
        from tinygrad_edu.viz import draw_graph

        save_drawing(draw_graph(result, rankdir=args.rankdir), args.out)
    else:
        print("\n(add --out graph.svg to draw the graph)")
    return 0


def _name_result(result: Value, variables: list[str]) -> str:
    """Label the result f (or out, result when a variable already has that name) unless it is a variable."""
    if not result.label:
        result.label = next((name for name in RESULT_NAMES if name not in variables), "f_")
    return result.label


def _number(x: float) -> str:
    return f"{x:.10g}"
