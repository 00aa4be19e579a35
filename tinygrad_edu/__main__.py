"""``python -m tinygrad_edu`` and the ``tinygrad-edu`` command (see :mod:`tinygrad_edu.cli`)."""

from tinygrad_edu.cli.main import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
