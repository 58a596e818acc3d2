"""Problems found in a case, reported as ``FILE:LINE: level: message``."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path


class TimelineError(Exception):
    """A user-facing error: printed as one line, never as a traceback."""


@dataclass(frozen=True, order=True)
class Problem:
    """An error or warning about an input, at a file and line (0: the whole file)."""

    path: str
    line: int
    message: str
    level: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.level == "error"


class CaseInvalid(TimelineError):
    """Raised when a case has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.is_error]
        super().__init__(f"{len(errors)} error(s) in the case")


def display_path(path: Path | str) -> str:
    """A path relative to the working directory when it is inside it."""
    return _display(str(path), os.getcwd())


@functools.lru_cache(maxsize=1024)
def _display(text: str, cwd: str) -> str:
    # Cached: a large case names the same few files for every record and problem (pathlib's parents
    # test cost 5 s over the 170,000 calls of a 100k-event build).
    path = Path(text)
    try:
        return os.path.relpath(path, cwd) if path.is_absolute() and Path(cwd) in path.parents else str(path)
    except ValueError:  # different drive on Windows
        return str(path)


def did_you_mean(word: str, choices: list[str] | set[str], n: int = 3) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    import difflib  # here: most runs never suggest anything, and every command imports this module

    close = difflib.get_close_matches(word, sorted(choices), n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"
