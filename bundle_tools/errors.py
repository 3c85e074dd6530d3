"""Errors that stop a command: bad input or usage (exit code 2), never a finding."""

from __future__ import annotations

import signal
from pathlib import Path


class BundleToolsError(Exception):
    """Base class of every error bundle-tools reports to the user with exit code 2."""


class InputError(BundleToolsError):
    """Input that cannot be processed: unreadable file, YAML syntax error, duplicate key,
    a file that is not what it must be (no CSV in a bundle), or a refused edit.

    ``line`` and ``column`` are 1-based when known. ``str(error)`` is the message the CLI
    prints on stderr: ``PATH:LINE:COL: error: MESSAGE`` (position parts omitted when
    unknown).
    """

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        if line is not None and line < 1:
            raise ValueError(f"line is 1-based, got {line}")
        if column is not None and column < 1:
            raise ValueError(f"column is 1-based, got {column}")
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = [self.path] if self.path else []
        if self.path and self.line is not None:
            where.append(str(self.line))
            if self.column is not None:
                where.append(str(self.column))
        prefix = ":".join(where)
        return f"{prefix}: error: {self.message}" if prefix else f"error: {self.message}"

    def to_dict(self) -> dict[str, object]:
        """JSON shape: ``{"message", "file", "line", "column"}`` (absent parts are null)."""
        return {
            "message": self.message,
            "file": self.path,
            "line": self.line,
            "column": self.column,
        }


class UsageError(BundleToolsError):
    """Options that contradict each other or name something that does not exist."""


class Interrupted(BaseException):
    """A signal (``signum``: SIGINT, SIGTERM or SIGHUP) stopped a write before any file
    was replaced; what was staged is removed. A ``BaseException``, like
    ``KeyboardInterrupt``, so no ``except Exception`` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"interrupted by {signal.Signals(self.signum).name}: nothing was written"
