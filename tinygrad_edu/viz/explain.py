"""``explain(root, wrt)``: the chain rule behind ∂root/∂wrt, written out with numbers, as the lecture does.

For the lecture's worked example, ``print(explain(E_total, w5))`` derives::

    ∂E_total/∂w5 = ∂E_total/∂out_o1 × ∂out_o1/∂net_o1 × ∂net_o1/∂w5
                 = 0.74136507 × 0.186815602 × 0.593269992 = 0.082167041

then lists each local derivative with its formula (∂out_o1/∂net_o1 = out_o1(1 - out_o1) = 0.186815602),
sums over paths where a quantity reaches the root in several ways (w1 reaches E_total through out_o1 and
out_o2), and, where the graph has the lecture's shape (labelled sigmoid units out = σ(net)), the same
derivation in the slides' δ notation. The derivation itself is :func:`tinygrad_edu.viz.chain.chain_rule`;
this module only writes it, as plain text or as Markdown with LaTeX.
"""

from __future__ import annotations

from tinygrad_edu.engine import Value
from tinygrad_edu.viz.chain import Derivation, Factor, Path, RecursionLine, Segment, chain_rule
from tinygrad_edu.viz.latex import latex_expression, latex_name
from tinygrad_edu.viz.local import is_atomic
from tinygrad_edu.viz.numbers import MINUS, lecture_number


def explain(
    root: Value,
    wrt: Value,
    *,
    markdown: bool = False,
    decimals: int = 9,
    max_paths: int = 16,
    stops: str = "auto",
) -> str:
    """Derive ∂root/∂wrt by the chain rule and return the derivation as text.

    - Each path from ``wrt`` to ``root`` is a product of named local derivatives, with their numbers at
      the graph's current values; paths are summed; the result agrees with ``wrt.grad`` after
      ``root.backward()`` (up to rounding in the last digits). Nothing in the graph is changed.
    - Unlabelled nodes between labelled ones are collapsed into one factor each (``stops`` chooses:
      "auto", "labelled" or "all", see :func:`~tinygrad_edu.viz.chain.chain_rule`).
    - More than ``max_paths`` paths in one place: that part is written node by node (the δ recursion).
    - Numbers: ``decimals`` decimals, trailing zeros dropped, as the lecture prints them.
    - ``markdown=True``: Markdown with LaTeX formulas (``$$…$$``) for notebooks and documentation.

    Scalars only (along the paths); for tensors use ``draw_graph`` or ``backward_steps``.
    """
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 1:
        raise ValueError(f"explain: decimals must be a whole number ≥ 1, got {decimals!r}")
    derivation = chain_rule(root, wrt, stops=stops, max_paths=max_paths)
    style = MarkdownStyle(decimals) if markdown else TextStyle(decimals)
    return _Writer(derivation, style).write()


class TextStyle:
    """Plain text: ∂top/∂bottom, ×, and a true minus sign in numbers."""

    times = " × "

    def __init__(self, decimals: int) -> None:
        self.decimals = decimals

    def name(self, text: str) -> str:
        return text

    def partial(self, top: str, bottom: str) -> str:
        return f"∂{_bracketed(top)}/∂{_bracketed(bottom)}"

    def number(self, x: float) -> str:
        return lecture_number(x, self.decimals)

    def term(self, x: float) -> str:
        """A number inside a product or sum: negative ones in brackets, 0.4 × (−0.5)."""
        text = self.number(x)
        return f"({text})" if text.startswith(MINUS) else text

    def formula(self, text: str) -> str:
        return text

    def delta(self, unit: str) -> str:
        return f"δ{unit}"

    def math(self, text: str) -> str:
        return text

    def equation(self, sides: list[str], indent: str = "") -> list[str]:
        """``a = b = c`` on one line; a long first side gets the rest aligned on the next line."""
        if len(sides) > 2 and len(" = ".join(sides)) > 100:
            pad = " " * len(sides[0])
            return [f"{indent}{sides[0]} = {sides[1]}", f"{indent}{pad} = {' = '.join(sides[2:])}"]
        return [indent + " = ".join(sides)]

    def bullet(self, text: str) -> str:
        return "  " + text

    def sub_bullet(self, text: str) -> str:
        return "      " + text

    def heading(self, text: str) -> str:
        return text


class MarkdownStyle(TextStyle):
    """Markdown with LaTeX: \\frac{\\partial top}{\\partial bottom}, \\times, display equations."""

    times = r" \times "

    def name(self, text: str) -> str:
        return latex_name(text)

    def partial(self, top: str, bottom: str) -> str:
        return rf"\frac{{\partial {latex_name(top)}}}{{\partial {latex_name(bottom)}}}"

    def number(self, x: float) -> str:
        return lecture_number(x, self.decimals).replace(MINUS, "-")

    def term(self, x: float) -> str:
        text = self.number(x)
        return f"({text})" if text.startswith("-") else text

    def formula(self, text: str) -> str:
        return latex_expression(text)

    def delta(self, unit: str) -> str:
        return rf"\delta_{{{unit.lstrip('_')}}}"

    def math(self, text: str) -> str:
        return f"${text}$"

    def equation(self, sides: list[str], indent: str = "") -> list[str]:
        return ["", "$$" + " = ".join(sides) + "$$", ""]

    def bullet(self, text: str) -> str:
        return "- " + text

    def sub_bullet(self, text: str) -> str:
        return "    - " + text

    def heading(self, text: str) -> str:
        return f"**{text}**"


def _bracketed(name: str) -> str:
    return name if is_atomic(name) else f"({name})"


class _Writer:
    """Writes one derivation in one style, section by section."""

    def __init__(self, derivation: Derivation, style: TextStyle) -> None:
        self.d = derivation
        self.style = style
        self.lines: list[str] = []

    # ------------------------------------------------------------------ helpers
    def n(self, v: Value) -> str:
        return self.d.names[v]

    def partial(self, top: Value, bottom: Value) -> str:
        return self.style.partial(self.n(top), self.n(bottom))

    def product(self, numbers: list[float]) -> str:
        first, rest = self.style.number(numbers[0]), [self.style.term(x) for x in numbers[1:]]
        return self.style.times.join([first, *rest])

    def total(self, numbers: list[float]) -> str:
        first, rest = self.style.number(numbers[0]), [self.style.term(x) for x in numbers[1:]]
        return " + ".join([first, *rest])

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    # ------------------------------------------------------------------ sections
    def write(self) -> str:
        d, style = self.d, self.style
        goal = self.partial(d.root, d.wrt)
        self.lines.append(style.heading(f"{style.math(goal)} by the chain rule, at the graph's current values:"))
        self.blank()
        if d.root is d.wrt:
            self.lines += style.equation([goal, "1"])
            return self.joined()
        self.main_product()
        for segment in d.segments:
            if segment.path_count > 1:
                self.blank()
                if segment.paths is not None:
                    self.sum_of_paths(segment, segment.paths)
                elif segment.recursion is not None:
                    self.recursion(segment, segment.recursion)
                else:  # chain_rule fills in one of the two for every segment
                    raise RuntimeError("explain: a segment with several paths has neither its paths nor its recursion")
        self.local_derivatives()
        self.folded_note()
        self.delta_notation()
        return self.joined()

    def joined(self) -> str:
        """The lines as one text, with no run of blank lines and one newline at the end."""
        kept = [line for k, line in enumerate(self.lines) if line or (k > 0 and self.lines[k - 1])]
        return "\n".join(kept).strip("\n") + "\n"

    def main_product(self) -> None:
        d, style = self.d, self.style
        goal = self.partial(d.root, d.wrt)
        if len(d.segments) == 1 and d.segments[0].path_count > 1:
            return  # the sum over paths below is the whole derivation
        names = style.times.join(self.partial(s.top, s.bottom) for s in d.segments)
        values = [s.value for s in d.segments]
        if len(d.segments) == 1:
            self.lines += style.equation([goal, style.number(d.value)])
        else:
            self.lines += style.equation([goal, names, self.product(values), style.number(d.value)])

    def sum_of_paths(self, segment: Segment, paths: tuple[Path, ...]) -> None:
        style = self.style
        whole = self.partial(segment.top, segment.bottom)
        self.lines.append(f"{style.math(whole)} is the sum over its {segment.path_count} paths:")
        values = []
        for path in paths:
            inner = [f.bottom for f in path.factors[:-1]]
            via = (
                "via " + ", ".join(style.math(style.name(self.n(v))) for v in reversed(inner)) if inner else "directly"
            )
            names = style.times.join(self.partial(f.top, f.bottom) for f in path.factors)
            numbers = [f.value for f in path.factors]
            sides = (
                [names, self.product(numbers), style.number(path.value)]
                if len(numbers) > 1
                else [
                    names,
                    style.number(path.value),
                ]
            )
            self.lines.append(style.bullet(f"{via}: {style.math(' = '.join(sides))}"))
            values.append(path.value)
        self.lines += style.equation([whole, self.total(values), style.number(segment.value)], indent="  ")

    def recursion(self, segment: Segment, lines: tuple[RecursionLine, ...]) -> None:
        style = self.style
        whole = self.partial(segment.top, segment.bottom)
        self.lines.append(
            f"{style.math(whole)} sums {segment.path_count} paths, more than max_paths={self.d.max_paths} to "
            f"list, so it is computed node by node, from {style.math(style.name(self.n(segment.top)))} down "
            f"to {style.math(style.name(self.n(segment.bottom)))}: each node's derivative is the sum, over the "
            "nodes that use it, of their derivative × the local derivative (the δ recursion that backward runs)."
        )
        for line in lines:
            names = " + ".join(
                f"{self.partial(segment.top, user)}{style.times}{self.partial(f.top, f.bottom)}"
                for user, _, f in line.terms
            )
            numbers = " + ".join(f"{style.term(g)}{style.times}{style.term(f.value)}" for _, g, f in line.terms)
            sides = [self.partial(segment.top, line.node), names, numbers, style.number(line.value)]
            self.lines.append(style.bullet(style.math(" = ".join(sides))))

    def local_derivatives(self) -> None:
        factors: list[Factor] = []
        for segment in self.d.segments:
            for path in segment.paths or ():
                factors.extend(f for f in path.factors if f not in factors)
        if not factors:
            return
        self.blank()
        self.lines.append("The local derivatives:")
        for f in factors:
            self.lines.append(self.style.bullet(self.describe_factor(f)))

    def describe_factor(self, f: Factor) -> str:
        style = self.style
        sides = [self.partial(f.top, f.bottom)]
        if f.formula is not None:
            formula = style.times.join(style.formula(_factor_text(t)) for t in f.formula) or "1"
            if formula != style.number(f.value):
                sides.append(formula)
        sides.append(style.number(f.value))
        text = style.math(" = ".join(sides))
        if f.routes > 1:
            text += f"   (the sum over {f.routes} routes through unnamed nodes)"
        elif f.through:
            text += "   (through " + ", ".join(style.math(style.name(self.n(v))) for v in f.through) + ")"
        return text

    def folded_note(self) -> None:
        named = [(s, t) for s, t in reversed(self.d.folded) if s.label]
        if not named:
            return
        self.blank()
        ones = ", ".join(self.style.math(f"{self.partial(t, s)} = 1") for s, t in named)
        which = ", ".join(self.style.math(self.style.name(self.n(s))) for s, _ in named)
        verb, pronoun = ("passes", "it") if len(named) == 1 else ("pass", "them")
        self.lines.append(
            f"{which} {verb} the gradient on unchanged ({ones}), so the factors above go straight through {pronoun}."
        )

    # ------------------------------------------------------------------ the lecture's δ notation
    def delta_notation(self) -> None:
        """δ = ∂E/∂net for each sigmoid unit out = σ(net) whose out and net are labelled stops.

        Only units whose net feeds nothing but their σ: then ∂E/∂net = ∂E/∂out · σ'(net), the product the
        line prints. A net used elsewhere too (a penalty on it, a skip connection) has more terms."""
        d, style = self.d, self.style
        units = [(out, net) for out, net in _sigmoid_units(d) if list(d.factors[net]) == [out]]
        if not units:
            return
        delta_of = {net: style.delta(_unit_suffix(out, net)) for out, net in units}
        root_name = self.n(d.root)
        self.blank()
        self.lines.append(
            f"In the lecture's δ notation, δ = {style.math(style.partial(root_name, 'net'))} for each sigmoid unit "
            f"out = σ(net), computed from the outputs back:"
        )
        for out, net in units:
            sigma_prime = d.factors[net][out]
            derivative = style.formula(_factor_text(sigma_prime.formula[0])) if sigma_prime.formula else "σ'"
            users = list(d.factors[out].items())
            if users and all(top in delta_of for top, _ in users):  # a hidden unit: δh = oh(1 − oh) Σ wkh δk
                terms = " + ".join(f"{self.weight(f)} {delta_of[top]}" for top, f in users)
                numbers = " + ".join(
                    f"{style.term(f.value)}{style.times}{style.term(d.gradient[top])}" for top, f in users
                )
                sides = [
                    delta_of[net],
                    f"{derivative}{style.times}({terms})",
                    f"{style.number(sigma_prime.value)}{style.times}({numbers})",
                    style.number(d.gradient[net]),
                ]
            else:  # an output unit: δ = ∂E/∂out × out(1 − out)
                sides = [
                    delta_of[net],
                    f"{self.partial(d.root, out)}{style.times}{derivative}",
                    self.product([d.gradient[out], sigma_prime.value]),
                    style.number(d.gradient[net]),
                ]
            self.lines.append(style.bullet(style.math(" = ".join(sides))))
        users = list(d.factors[d.wrt].items())
        if users and d.wrt not in delta_of and all(top in delta_of for top, _ in users):
            terms = " + ".join(f"{delta_of[top]}{style.times}{self.weight(f)}" for top, f in users)
            numbers = " + ".join(f"{style.term(d.gradient[top])}{style.times}{style.term(f.value)}" for top, f in users)
            sides = [self.partial(d.root, d.wrt), terms, numbers, style.number(d.value)]
            self.lines.append(style.bullet(style.math(" = ".join(sides))))
        self.lines.append(
            "(The slides' δk = ok(1 − ok)(tk − ok) and δh = oh(1 − oh) Σ wkh δk are these δ with the opposite "
            "sign, because their update adds: w ← w + ηδx = w − η ∂E/∂w.)"
        )

    def weight(self, f: Factor) -> str:
        """The factor ∂net_k/∂out_h by the weight's name when it is one (w5), else as a derivative."""
        if f.formula is not None and len(f.formula) == 1 and is_atomic(f.formula[0]):
            return self.style.formula(f.formula[0])
        return self.partial(f.top, f.bottom)


def _sigmoid_units(d: Derivation) -> list[tuple[Value, Value]]:
    """(out, net) for each labelled out = sigmoid(net) with both on the paths, as on the slides; output
    units first (fewest steps from the root), then each layer back, in the graph's order within a layer."""
    steps_to_root = {d.root: 0}
    for stop in reversed(d.stops):
        if stop is not d.root:
            steps_to_root[stop] = 1 + max(steps_to_root[top] for top in d.factors[stop])
    units = []
    for out in d.stops:
        parent = out.parents[0] if out.op is not None and out.op.name == "sigmoid" else None
        if out.label and isinstance(parent, Value) and parent.label and out in d.factors.get(parent, {}):
            units.append((out, parent))
    return sorted(units, key=lambda unit: (steps_to_root[unit[0]], d.stops.index(unit[0])))


def _unit_suffix(out: Value, net: Value) -> str:
    """``_o1`` for net_o1 / out_o1 (so δ_o1); else ``_`` and the net's label."""
    if net.label.startswith("net") and out.label.startswith("out") and net.label[3:] == out.label[3:]:
        return net.label[3:]
    return "_" + net.label


def _factor_text(formula: str) -> str:
    """A formula inside a product: negative constants bracketed, (-1)."""
    return f"({formula})" if formula.startswith("-") and " " not in formula else formula
