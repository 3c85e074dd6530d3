"""Errors that stop a command: bad input or usage (exit code 2), never a finding."""

from __future__ import annotations

import base64
import datetime
import os
import re
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def printable(text: str) -> str:
    """``text`` with every character that is not printable (``str.isprintable``: control
    characters such as newline, CR, tab, NEL U+0085, ESC; line and paragraph separators
    U+2028/U+2029; format characters such as bidi overrides; lone surrogates, as an
    undecodable file name holds them; unassigned code points; spaces other than U+0020)
    written as a Python-style escape (``\\n`` as ``\\x0a``, ``\\u2028``), so an echoed
    value can never start a line of its own, forge a ``PATH:LINE:COL: error:`` line, move
    the cursor or fail to encode."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_safe(value: Any) -> Any:
    """``value`` (JSON-like: dicts, lists, strings, numbers) with every lone surrogate in
    its strings and keys replaced by U+FFFD: JSON output stays valid Unicode (RFC 8259
    §8.2, I-JSON) whatever a file name or a YAML escape held. The values of explicit YAML
    tags JSON has no type for become strings: ``!!binary`` bytes their base64 text,
    ``!!timestamp`` dates and times their ISO 8601 form."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


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
        """One line: ``PATH:LINE:COL: error: MESSAGE``, path and message made
        :func:`printable`."""
        prefix = printable(self._where())
        message = printable(self.message)
        return f"{prefix}: error: {message}" if prefix else f"error: {message}"

    def located(self) -> str:
        """``PATH:LINE:COL: MESSAGE`` (just ``MESSAGE`` without a path), to quote this
        error inside another one's message."""
        prefix = self._where()
        return f"{prefix}: {self.message}" if prefix else self.message

    def _where(self) -> str:
        where = [self.path] if self.path else []
        if self.path and self.line is not None:
            where.append(str(self.line))
            if self.column is not None:
                where.append(str(self.column))
        return ":".join(where)

    def to_dict(self) -> dict[str, object]:
        """JSON shape: ``{"message", "file", "line", "column"}`` (absent parts are null)."""
        return {
            "message": self.message,
            "file": self.path,
            "line": self.line,
            "column": self.column,
        }


@contextmanager
def shown_as(names: Mapping[str | Path, str], default: str) -> Iterator[None]:
    """Run the body; an InputError it raises about files in a temporary directory is
    re-raised naming them as the user knows them. ``names`` maps a directory to its
    display name: a path at or below a directory (the deepest that holds it) is named
    ``DISPLAY/REST`` (``git:REV:PATH/FILE``, ``IMAGE:/manifests/FILE``); any other path,
    or none, is named ``default``. Line and column are kept."""
    try:
        yield
    except InputError as exc:
        raise InputError(
            exc.message, _display(exc.path, names, default), exc.line, exc.column
        ) from None


def _display(path: str | None, names: Mapping[str | Path, str], default: str) -> str:
    if path is None:
        return default
    found: tuple[int, str] | None = None
    for directory, name in names.items():
        root = os.path.normpath(directory)
        if path == root or path.startswith(root + os.sep):
            rest = path[len(root) + 1 :]
            shown = f"{name.rstrip('/')}/{rest}" if rest else name
            if found is None or len(root) > found[0]:
                found = (len(root), shown)
    return found[1] if found else default


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


def require_path(path: str | Path) -> None:
    """Raise the one InputError every command gives for a path that does not exist
    (``PATH: error: no such file or directory``), a symlink to nothing included, as
    the system says it."""
    if not os.path.exists(path):
        raise InputError("no such file or directory", path)
