"""What may run: ``SERVICE`` (and, with rdflib, ``FROM``) refused before a query reaches an engine; FROM found.

What the query lexer skips (comments, strings, IRIs: :data:`timeline.query.sparql.OPAQUE`)
and the variables and local names are blanked out, so that the keywords are found wherever an
engine would read them and nowhere else.
"""

from __future__ import annotations

import re

from timeline.query.sparql import OPAQUE

# Variables and the local part of prefixed names: greedy tokens in every SPARQL parser,
# so a keyword can never start inside them (under-matching only makes the check stricter).
_NAMES = re.compile(r"[?$][A-Za-z0-9_]+|:(?:[A-Za-z0-9_:]|%[0-9A-Fa-f]{2}|\\[-_~.!$&'()*+,;=/?#@%])"
                    r"(?:[A-Za-z0-9_.:-]|%[0-9A-Fa-f]{2}|\\[-_~.!$&'()*+,;=/?#@%])*")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _syntax_only(text: str) -> str:
    """The query with comments, strings, IRIs, variables and local names blanked out."""
    return _NAMES.sub(" ", OPAQUE.sub(" ", text))


def _unescape(text: str) -> str:
    """rdflib applies \\u escapes to the whole query before parsing it."""
    def char(match: re.Match) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except ValueError:
            return match.group(0)
    return _UNICODE_ESCAPE.sub(char, text)


_FROM = re.compile(r"(?<![A-Za-z0-9_])from(?![A-Za-z0-9_])", re.IGNORECASE)
_FROM_KEYWORD = re.compile(r"(?<![A-Za-z0-9_])from(?![A-Za-z0-9_:])", re.IGNORECASE)  # "from:" is a prefix


def declares_dataset(text: str) -> bool:
    """Whether the query names its own dataset (FROM or FROM NAMED), which then replaces the union of all graphs."""
    return bool(_FROM_KEYWORD.search(_syntax_only(text)))


def refused(text: str, remote_from: bool) -> str | None:
    """Why a query may not run here, or None.

    ``SERVICE`` makes the engine fetch a URL (pyoxigraph does so even where the
    keyword is glued to the token before it, as in ``trueSERVICE<...>``), so any
    occurrence of the word outside strings, comments, IRIs, variables and local
    names is refused. ``remote_from``: the engine (rdflib) would also load FROM
    graphs from the web.
    """
    for variant in {text, _unescape(text)}:
        syntax = _syntax_only(variant)
        if re.search(r"service", syntax, re.IGNORECASE):
            return "SERVICE (federated query) is not allowed on this endpoint"
        if remote_from and _FROM.search(syntax):
            return "FROM is not allowed with this engine (it would load graphs from the web); use GRAPH"
    return None
