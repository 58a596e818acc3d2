"""Problems found in a case, reported as ``FILE:LINE: level: message``."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


class TimelineError(Exception):
    """A user-facing error: printed as one line, never as a traceback.

    ``param`` is the name of the parameter the error is about (``"max_hops"``), as click's
    ``BadParameter.param_hint`` is for an option: the message names it as a Python caller knows it
    (``said``, by default ``param`` itself; ``"engine='pyshacl'"``), and a caller that calls it
    something else (the command line's ``--max-hops``) says so with :meth:`naming`. ``value`` is what
    that caller writes after its own name (``"pyshacl"``; empty for a flag).
    """

    def __init__(self, *args: object, param: str | None = None, said: str | None = None, value: str = "") -> None:
        super().__init__(*args)
        self.param = param
        self.said = said or param
        self.value = value

    def naming(self, name: str) -> str:
        """The message with the parameter called ``name`` (``--max-hops``), followed by ``value``.

        Where the message does not say the parameter's name, ``name`` leads it, as a hint.
        """
        text = str(self)
        if self.said and self.said in text:
            return text.replace(self.said, f"{name} {self.value}".rstrip(), 1)
        return f"{name}: {text}"


@dataclass(frozen=True, order=True)
class Problem:
    """An error or warning about an input, at a file and line (0: the whole file)."""

    path: str
    line: int
    message: str
    level: str = "error"
    #: What sort of problem this is (``single-source``, ...), for grouping warnings; not part of the order.
    kind: str = field(default="", compare=False)
    #: The record the problem is about, shown as the example of its group.
    subject: str = field(default="", compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.level == "error"


#: How a group of warnings of one kind is summed up: ``{n}`` is their number.
WARNING_GROUPS = {
    "single-source": ("{n} event is reported by a single source", "{n} events are reported by a single source"),
    "unreferenced-entity": ("{n} entity is not referenced by any event, claim or source",
                            "{n} entities are not referenced by any event, claim or source"),
    "uncited-source": ("{n} source is not cited by any event or claim",
                       "{n} sources are not cited by any event or claim"),
    "draft": ("{n} problem in draft records (checked as if accepted; not built until they are)",
              "{n} problems in draft records (checked as if accepted; not built until they are)"),
    "draft-contradiction": ("{n} draft record contradicts an accepted one (the same quote, another date)",
                            "{n} draft records contradict accepted ones (the same quote, another date)"),
    "reported-before-it-happened": ("{n} event is dated after every article that reports it",
                                    "{n} events are dated after every article that reports them"),
}


def warning_groups(problems: list[Problem], hint: str = "") -> list[str]:
    """One line per kind of warning, with a count and the first one as an example.

    ``32 events are reported by a single source, e.g. events.yaml:548 'x'`` + ``hint``. A warning
    of no known kind is listed as it is, so nothing is hidden.
    """
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        if not problem.is_error:
            key = problem.kind if problem.kind in WARNING_GROUPS else f"\0{problem.message}"
            groups.setdefault(key, []).append(problem)
    lines = []
    for key, members in groups.items():
        if key not in WARNING_GROUPS:
            lines.extend(str(p) for p in members)
            continue
        first = members[0]
        one, many = WARNING_GROUPS[key]
        where = f"{first.path}:{first.line}" if first.line else first.path
        example = f"{where} {first.subject!r}" if first.subject else where
        summary = (one if len(members) == 1 else many).format(n=len(members))
        lines.append(f"warning: {summary}, e.g. {example}{hint}")
    return lines


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


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The (at most ``n``) ``choices`` close enough to ``word`` to be a likely typo, closest first, as written.

    The one closest-match search behind every "did you mean": compared case-insensitively, so ``EVENTS``
    finds ``events``.
    """
    import difflib  # here: most runs never suggest anything, and every command imports this module

    written: dict[str, list[str]] = {}
    for choice in sorted(choices):
        written.setdefault(choice.casefold(), []).append(choice)
    found = difflib.get_close_matches(word.casefold(), list(written), n=n, cutoff=0.6)
    return [choice for key in found for choice in written[key]][:n]


def did_you_mean_text(suggestions: list[str]) -> str:
    """`` (did you mean 'x' or 'y'?)``, or an empty string when there is nothing to suggest."""
    if not suggestions:
        return ""
    return " (did you mean " + " or ".join(repr(s) for s in suggestions) + "?)"


def did_you_mean(word: str, choices: Iterable[str], n: int = 3) -> str:
    """`` (did you mean 'x'?)`` with the choices closest to ``word`` (:func:`close_matches`), or an empty string."""
    return did_you_mean_text(close_matches(word, choices, n))


def closest(word: str, choices: Iterable[str], n: int = 3) -> tuple[list[str], bool]:
    """The ``n`` choices closest to ``word``, and whether they are close enough to be a likely typo.

    When none is that close, the nearest ones by spelling all the same, so a message can always list
    valid values instead of leaving the user to find them.
    """
    import difflib

    ordered = sorted(choices)
    close = close_matches(word, ordered, n)
    if close:
        return close, True
    matcher = difflib.SequenceMatcher(b=word.casefold())
    ratios = []
    for choice in ordered:
        matcher.set_seq1(choice.casefold())
        ratios.append((-matcher.ratio(), choice))
    return [choice for _ratio, choice in sorted(ratios)[:n]], False
