"""``Module``: the base class of every network, layer and loss in ``tinygrad_edu.nn``.

A module is any object whose attributes hold its parameters and its submodules. Nothing has to be
registered by hand: the module finds them by walking its attributes, and inside them lists, tuples and
dicts, in the order they were assigned. What it finds:

- a **submodule**: any ``Module``;
- a **state Value**: a leaf ``Value`` (one the user made, not the result of an operation). Those with
  ``requires_grad=True`` are the **parameters**, the numbers training changes; frozen ones
  (``requires_grad=False``) are saved and loaded with the rest of the state but not trained.

Each is named by the path that reaches it, joined with dots, as in PyTorch: ``layers.0.weight`` is
``self.layers[0].weight``. An object reachable along two paths is listed once, under the first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from tinygrad_edu.engine import Value


class StateDictError(RuntimeError):
    """A state dict does not fit the module; ``problems`` lists every mismatch found."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` skipped (PyTorch's return value)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class: subclasses set attributes in ``__init__`` and compute in ``forward``.

    ``training`` is True until ``eval()``; layers that act differently while training read it.
    Subclasses need not call ``Module.__init__``.
    """

    training: bool = True

    # ------------------------------------------------------------------ computing
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(...) to be called")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``module(x)`` is ``module.forward(x)``: define ``forward``."""
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ finding members
    def _members(self) -> list[tuple[str, Any]]:
        """The (name, object) pairs this module holds directly: its attributes, in assignment order.

        Containers such as ``Sequential`` override this to name their items ``0``, ``1``, ...
        """
        return [(name, obj) for name, obj in vars(self).items() if name != "training"]

    def _walk(self, recurse: bool = True) -> Iterator[tuple[str, Module | Value]]:
        """Every submodule and state Value reachable from self, depth-first in attribute order.

        Uses an explicit stack (no recursion) and yields each object once, under its first name.
        With ``recurse=False`` it stops at submodules: their own members are not visited.
        """
        seen: set[int] = set()
        stack: list[tuple[str, Any]] = [("", self)]
        while stack:
            name, obj = stack.pop()
            if id(obj) in seen:
                continue
            if isinstance(obj, Value):
                if obj.is_leaf:
                    seen.add(id(obj))
                    yield name, obj
                continue
            if isinstance(obj, Module):
                seen.add(id(obj))
                if obj is not self:
                    yield name, obj
                    if not recurse:
                        continue
                items = obj._members()
            elif isinstance(obj, (list, tuple)):
                seen.add(id(obj))
                items = [(str(i), item) for i, item in enumerate(obj)]
            elif isinstance(obj, dict):
                seen.add(id(obj))
                items = [(str(key), item) for key, item in obj.items()]
            else:
                continue
            prefix = f"{name}." if name else ""
            stack.extend((prefix + key, item) for key, item in reversed(items))

    def named_modules(self) -> list[tuple[str, Module]]:
        """(name, module) for self (named ``""``) and every submodule, outermost first."""
        return [("", self)] + [(name, m) for name, m in self._walk() if isinstance(m, Module)]

    def modules(self) -> list[Module]:
        return [m for _, m in self.named_modules()]

    def named_children(self) -> list[tuple[str, Module]]:
        """(name, module) for the submodules held directly (not their submodules)."""
        return [(name, m) for name, m in self._walk(recurse=False) if isinstance(m, Module)]

    def children(self) -> list[Module]:
        return [m for _, m in self.named_children()]

    def named_state_values(self) -> list[tuple[str, Value]]:
        """(name, Value) for every leaf Value held: trainable parameters and frozen ones."""
        return [(name, v) for name, v in self._walk() if isinstance(v, Value)]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, Value) for every parameter: a leaf Value with ``requires_grad=True``."""
        return [(name, v) for name, v in self.named_state_values() if v.requires_grad]

    def parameters(self) -> list[Value]:
        """The parameters, in attribute order (micrograd's order for its networks)."""
        return [v for _, v in self.named_parameters()]

    # ------------------------------------------------------------------ training helpers
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's accumulated gradient before the next backward pass.

        ``set_to_none=True`` (PyTorch's default) unsets it, so ``has_grad`` is False until a backward
        reaches the parameter; ``set_to_none=False`` keeps a gradient of zeros instead (arrays are
        filled in place), as in PyTorch. Either way ``.grad`` reads as zeros.
        """
        for p in self.parameters():
            p.zero_grad(set_to_none)

    def train(self, mode: bool = True) -> Module:
        """Set ``training`` on this module and every submodule; returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode): mode must be a bool, got {type(mode).__name__}")
        for _, m in self.named_modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        """``train(False)``: switch every submodule to evaluation behaviour; returns self."""
        return self.train(False)

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, np.ndarray]:
        """{dotted name: copy of the numbers} for every state Value, in order; dtypes are kept.

        The arrays are copies: changing them does not change the module (and training does not
        change them).
        """
        return {name: np.array(v.data, dtype=v.dtype) for name, v in self.named_state_values()}

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy numbers from ``state`` into the module's Values, all or nothing.

        Every entry is checked first: its name (with ``strict``, names missing from ``state`` and
        names the module does not have are errors), its shape and its dtype (both must match exactly).
        If anything is wrong a ``StateDictError`` lists every problem and the module is unchanged.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping of name → array, got {type(state).__name__}")
        own = dict(self.named_state_values())
        missing = [name for name in own if name not in state]
        unexpected = [name for name in state if name not in own]
        problems = []
        if strict:
            problems += [f"missing key {name!r} (the module has it, the state does not)" for name in missing]
            problems += [f"unexpected key {name!r} (the module has no such value)" for name in unexpected]
        new_data = {}
        for name, target in own.items():
            if name not in state:
                continue
            given = state[name]
            try:
                array = np.asarray(given.data if isinstance(given, Value) else given)
            except ValueError as err:  # e.g. a ragged nested list
                problems.append(f"{name!r}: not an array of numbers ({err})")
                continue
            if array.shape != target.shape:
                problems.append(f"{name!r}: shape {array.shape} in the state, {target.shape} in the module")
            if array.dtype != target.dtype:
                problems.append(f"{name!r}: dtype {array.dtype} in the state, {target.dtype} in the module")
            new_data[name] = array
        if problems:
            listing = "\n  ".join(problems)
            raise StateDictError(
                f"load_state_dict for {type(self).__name__}: {len(problems)} problem(s), nothing was changed:\n"
                f"  {listing}",
                problems,
            )
        for name, array in new_data.items():
            own[name].data = array
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ display
    def extra_repr(self) -> str:
        """The settings shown inside the parentheses of the repr, e.g. ``in_features=2``."""
        return ""

    def __repr__(self) -> str:
        """PyTorch's layout: the module's settings, then each direct submodule on its own line."""
        head = f"{type(self).__name__}({self.extra_repr()}"
        children = self.named_children()
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            child_text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_text}")
        return "\n".join(lines) + "\n)"
