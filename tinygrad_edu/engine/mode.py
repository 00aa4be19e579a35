"""Grad mode: whether operations record the graph (PyTorch's ``no_grad`` / ``enable_grad``).

This is the engine's only switch; it lives here alone so that it is easy to find.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode:
    enabled = True


GRAD_MODE = _GradMode()


def is_grad_enabled() -> bool:
    """True when new operations record their inputs for backward."""
    return GRAD_MODE.enabled


class _SetGradMode:
    """Context manager (and decorator) that sets grad mode and restores the old one on exit."""

    def __new__(cls, *args: Any) -> Any:
        # ``@no_grad`` without parentheses hands the function straight to the class (PyTorch accepts it too)
        if len(args) == 1 and callable(args[0]) and cls is not _SetGradMode:
            return cls()(args[0])  # type: ignore[call-arg]  # (no_grad and enable_grad take no arguments)
        return super().__new__(cls)

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(GRAD_MODE.enabled)
        GRAD_MODE.enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        GRAD_MODE.enabled = self._previous.pop()

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _SetGradMode(self.enabled):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_SetGradMode):
    """Inside ``with no_grad():`` results record no graph: no parents, ``requires_grad=False``.

    Use it for evaluation and for parameter updates, as in PyTorch.
    """

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(_SetGradMode):
    """Switch recording back on inside a ``no_grad`` block."""

    def __init__(self) -> None:
        super().__init__(True)
