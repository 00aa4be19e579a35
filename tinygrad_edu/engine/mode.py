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
    """Context manager (and decorator) that sets grad mode to the subclass's ``enabled`` and restores
    the old mode on exit. (Entering costs two Python calls: backward and every optimizer step use it.)"""

    enabled: bool  # the mode inside the block
    _previous: list[bool]  # the modes to restore, one per ``with`` that has not exited yet

    def __new__(cls, *args: Any) -> Any:
        if args:
            # ``@no_grad`` without parentheses hands the function straight to the class (PyTorch accepts it too)
            if len(args) == 1 and callable(args[0]):
                return cls()(args[0])
            raise TypeError(f"{cls.__name__}() takes no arguments")
        mode = super().__new__(cls)
        mode._previous = []
        return mode

    def __enter__(self) -> None:
        self._previous.append(GRAD_MODE.enabled)
        GRAD_MODE.enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        GRAD_MODE.enabled = self._previous.pop()

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_SetGradMode):
    """Inside ``with no_grad():`` results record no graph: no parents, ``requires_grad=False``.

    Use it for evaluation and for parameter updates, as in PyTorch.
    """

    enabled = False


class enable_grad(_SetGradMode):
    """Switch recording back on inside a ``no_grad`` block."""

    enabled = True
