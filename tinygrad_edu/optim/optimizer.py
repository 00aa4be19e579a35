"""``Optimizer``: what every update rule shares — parameter groups, per-parameter state, the step loop.

An optimizer changes each parameter θ using its gradient g = ∂E/∂θ. The base class keeps

* ``param_groups``: a list of dicts, each ``{"params": [Value, ...], "lr": ..., <options>}``, so that
  different parts of a network can use different learning rates or options (PyTorch's layout);
* ``state``: a dict from each parameter to its own dict of running quantities (a momentum buffer,
  Adam's moments, a step counter), created on the parameter's first update;

and runs :meth:`step`: for every parameter a backward pass reached, call the subclass's ``_update``.
A subclass adds only its update rule (``_update``) and the checks of its options (``_check_group``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tinygrad_edu.engine.mode import enable_grad, no_grad
from tinygrad_edu.engine.value import Value
from tinygrad_edu.optim import numeric

ParamsT = Iterable[Value] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class of the optimizers; ``defaults`` holds each option's value for groups that omit it."""

    #: names a parameter's state may hold (checked when a state dict is loaded)
    state_names: tuple[str, ...] = ()

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: defaultdict[Value, dict[str, Any]] = defaultdict(dict)
        for group in self._as_groups(params):
            self.add_param_group(group)
        if not self._all_params():
            raise ValueError(f"{self.name}: got an empty parameter list; give it the Values it should update")

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        lines = [f"{self.name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items()) if key != "params"]
        return "\n".join(lines) + "\n)"

    # ------------------------------------------------------------------ parameter groups
    def _as_groups(self, params: Any) -> list[dict[str, Any]]:
        """``params`` as a list of group dicts: a list of Values makes one group."""
        if isinstance(params, Value):
            raise TypeError(f"{self.name}: params must be an iterable of Values, got a single Value; write [v]")
        if isinstance(params, (dict, set, str)):
            raise TypeError(
                f"{self.name}: params must be a list of Values or a list of dicts (parameter groups), "
                f"got a {type(params).__name__}"
            )
        try:
            items = list(params)
        except TypeError:
            raise TypeError(
                f"{self.name}: params must be an iterable of Values or of dicts, got {type(params).__name__}"
                + ("; did you mean model.parameters()?" if hasattr(params, "parameters") else "")
            ) from None
        if all(isinstance(item, dict) for item in items):
            return [dict(item) for item in items]
        if any(isinstance(item, dict) for item in items):
            raise TypeError(f"{self.name}: params mixes Values and dicts; give either Values or parameter groups")
        return [{"params": items}]

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Append a group ``{"params": [...], <option>: value, ...}``; options it omits take the defaults.

        The group is checked completely before anything changes: its parameters must be leaf Values not
        already in this optimizer, and its options known and valid.
        """
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"{self.name}: a parameter group is a dict with a 'params' entry, got {param_group!r}")
        group_index = len(self.param_groups)
        unknown = sorted(set(param_group) - set(self.defaults) - {"params", "initial_lr"})
        if unknown:
            raise ValueError(
                f"{self.name}: parameter group {group_index} has unknown option(s) {', '.join(unknown)}; "
                f"the options are {', '.join(self.defaults)}"
            )
        params = self._checked_params(param_group["params"], group_index)
        group = {**self.defaults, **param_group, "params": params}
        self._check_group(group)
        self.param_groups.append(group)

    def _checked_params(self, params: Any, group_index: int) -> list[Value]:
        if isinstance(params, Value):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(f"{self.name}: give parameters in a list or tuple, not a set (its order is random)")
        params = list(params)
        seen = {id(p): i for i, group in enumerate(self.param_groups) for p in group["params"]}
        for position, p in enumerate(params):
            where = f"parameter {position} of group {group_index}"
            if not isinstance(p, Value):
                raise TypeError(f"{self.name}: {where} is a {type(p).__name__}, not a Value")
            if not p.is_leaf:
                raise ValueError(
                    f"{self.name}: {where} was computed by {p.op.name}; an optimizer updates leaf Values "
                    "(the ones you created), not results of operations"
                )
            if id(p) in seen:
                other = "this group" if seen[id(p)] == group_index else f"group {seen[id(p)]}"
                raise ValueError(f"{self.name}: {where} is given twice (it is also in {other})")
            seen[id(p)] = group_index
        return params

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError/TypeError for an invalid option (a subclass checks its own options)."""
        check_nonnegative(self.name, group, "lr")

    # ------------------------------------------------------------------ training
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient before the next backward pass.

        ``set_to_none=True`` (PyTorch's default) makes ``.grad`` unset: a parameter that the next
        backward does not reach is then skipped by :meth:`step`. ``set_to_none=False`` keeps a
        gradient of zeros instead (arrays filled in place), so such a parameter is still stepped
        with a zero gradient (momentum, weight decay), as in PyTorch.
        """
        for group in self.param_groups:
            for p in group["params"]:
                p.zero_grad(set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, by the optimizer's rule; return closure's loss.

        ``closure``, if given, re-evaluates the model and returns the loss (it runs with grad mode on,
        before the update). The update itself only changes raw data, under ``no_grad``.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    g = p._grad  # p.grad without the property's call (this loop runs for every parameter)
                    if g is not None:  # a parameter no backward reached is skipped, as in PyTorch
                        self._update(p, g, self.state[p], group)
        return loss

    def _update(self, p: Value, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Apply the update rule to one parameter ``p`` with gradient ``g`` (a subclass defines it)."""
        raise NotImplementedError(f"{self.name} does not define an update rule (_update)")

    # ------------------------------------------------------------------ saving and resuming
    def state_dict(self) -> dict[str, Any]:
        """A copy of everything needed to resume: options per group and the state of each parameter.

        Parameters are named by their position (0, 1, ... across the groups in order), as in PyTorch:
        ``{"state": {index: {name: value}}, "param_groups": [{<options>, "params": [index, ...]}]}``.
        Arrays are copied, so later steps do not change a saved state dict.
        """
        index_of = {id(p): i for i, p in enumerate(self._all_params())}
        groups = []
        for group in self.param_groups:
            saved = {key: value for key, value in group.items() if key != "params"}
            saved["params"] = [index_of[id(p)] for p in group["params"]]
            groups.append(saved)
        state = {
            index_of[id(p)]: {name: _copy_state(value) for name, value in pstate.items()}
            for p, pstate in self.state.items()
            if id(p) in index_of and pstate  # no state (SGD without momentum): left out, as in PyTorch
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume from :meth:`state_dict`'s result, so that training continues exactly.

        Everything is checked first (same number of groups and parameters, known options, states of
        the parameters' shapes); on a mismatch a ValueError lists the problems and nothing changes.
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(f"{self.name}.load_state_dict: expected a dict with keys 'state' and 'param_groups'")
        saved_groups = state_dict["param_groups"]
        params = self._all_params()
        problems = self._group_problems(saved_groups)
        if not problems:
            problems = self._state_problems(state_dict["state"], params)
        if problems:
            raise ValueError(f"{self.name}.load_state_dict: cannot load:\n  " + "\n  ".join(problems))
        new_groups = [
            {**{key: value for key, value in saved.items() if key != "params"}, "params": group["params"]}
            for saved, group in zip(saved_groups, self.param_groups)
        ]
        new_state: defaultdict[Value, dict[str, Any]] = defaultdict(dict)
        for index, pstate in state_dict["state"].items():
            p = params[int(index)]
            new_state[p] = {name: _state_for(p, value) for name, value in pstate.items()}
        self.param_groups = new_groups
        self.state = new_state

    def _all_params(self) -> list[Value]:
        return [p for group in self.param_groups for p in group["params"]]

    def _group_problems(self, saved_groups: Any) -> list[str]:
        if not isinstance(saved_groups, list) or len(saved_groups) != len(self.param_groups):
            count = len(saved_groups) if isinstance(saved_groups, list) else "no list of"
            return [f"the state dict has {count} parameter groups, this optimizer {len(self.param_groups)}"]
        problems = []
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), list):
                problems.append(f"group {i} is not a dict with a 'params' list")
                continue
            if len(saved["params"]) != len(group["params"]):
                problems.append(f"group {i} has {len(saved['params'])} parameters saved, {len(group['params'])} here")
            missing = [key for key in self.defaults if key not in saved]
            if missing:
                problems.append(
                    f"group {i} lacks the option(s) {', '.join(missing)} (saved from another optimizer than "
                    f"{self.name}?)"
                )
                continue
            try:
                self._check_group(saved)
            except (TypeError, ValueError) as err:
                problems.append(f"group {i}: {err}")
        return problems

    def _state_problems(self, saved_state: Any, params: list[Value]) -> list[str]:
        if not isinstance(saved_state, dict):
            return ["'state' is not a dict"]
        problems = []
        for index, pstate in saved_state.items():
            if not isinstance(index, (int, np.integer)) or not 0 <= index < len(params):
                problems.append(f"state for parameter {index!r}, but there are {len(params)} parameters")
                continue
            if not isinstance(pstate, dict):
                problems.append(f"parameter {index}: its state is a {type(pstate).__name__}, not a dict")
                continue
            shape = params[index].shape
            if pstate and "step" in self.state_names and "step" not in pstate:
                problems.append(f"parameter {index}: its state lacks 'step' ({self.name} counts the steps it took)")
            for name, value in pstate.items():
                if name not in self.state_names:
                    problems.append(
                        f"parameter {index}: unknown state {name!r} ({self.name} keeps {', '.join(self.state_names)})"
                    )
                elif name == "step":
                    if not _is_step_count(value):
                        problems.append(f"parameter {index}: 'step' is {value!r}, not a count of steps (an int ≥ 0)")
                elif value is not None and not _is_numeric(value):
                    problems.append(f"parameter {index}: state {name!r} holds {type(value).__name__}, not numbers")
                elif value is not None and np.shape(value) != shape:
                    problems.append(f"parameter {index}: state {name!r} has shape {np.shape(value)}, expected {shape}")
        return problems


def buffer(state: dict[str, Any], name: str, data: Any) -> Any:
    """``state[name]``, created as zeros shaped like the parameter's ``data`` on first use."""
    value = state.get(name)
    if value is None:
        value = state[name] = numeric.zeros_like(data)
    return value


def _is_step_count(value: Any) -> bool:
    """An int ≥ 0, or a float holding one (as PyTorch saves its step)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        return False
    return bool(value >= 0) and float(value).is_integer()


def _is_numeric(value: Any) -> bool:
    """A real number or an array of them (what a state buffer holds)."""
    return np.asarray(value).dtype.kind in "fiu"


def _copy_state(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


def _state_for(p: Value, value: Any) -> Any:
    """A saved state value in the form the parameter's data has (float, or an array of its dtype)."""
    if value is None or isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return value
    if isinstance(p.data, np.ndarray):
        return np.array(value, dtype=p.dtype, copy=True)
    return float(value)


# ---------------------------------------------------------------------- option checks shared by the rules
def check_number(optimizer: str, group: dict[str, Any], key: str) -> float:
    """The option ``group[key]`` as a float; TypeError unless it is a real number."""
    value = group[key]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{optimizer}: {key} must be a number, got {type(value).__name__} {value!r}")
    return float(value)


def check_nonnegative(optimizer: str, group: dict[str, Any], *keys: str) -> None:
    """Each option in ``keys`` must be a number ≥ 0 (nan fails too)."""
    for key in keys:
        value = check_number(optimizer, group, key)
        if not value >= 0.0:
            raise ValueError(f"{optimizer}: invalid {key}={value}; it must be ≥ 0")


def check_fraction(optimizer: str, key: str, value: Any) -> None:
    """``value`` (named ``key``) must be a number in [0, 1), as Adam's betas."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{optimizer}: {key} must be a number, got {type(value).__name__} {value!r}")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{optimizer}: invalid {key}={value}; it must lie in [0, 1)")


def check_flags(optimizer: str, group: dict[str, Any], *keys: str) -> None:
    """Each option in ``keys`` must be True or False."""
    for key in keys:
        if not isinstance(group[key], (bool, np.bool_)):
            raise TypeError(f"{optimizer}: {key} must be True or False, got {group[key]!r}")
