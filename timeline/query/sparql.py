"""Recognising a SPARQL request's form, and errors that point at line:column."""

from __future__ import annotations

import functools
import re

from timeline.errors import TimelineError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

# Comments, strings and IRIs: text that is not SPARQL syntax, so keywords inside them do not count. Strings
# as in the SPARQL grammar, escapes included, so that a quote inside a string ends nothing. One definition
# for every reader of query text: form_of, the WHERE finder and serve's SERVICE guard.
_OPAQUE = r"""\#[^\r\n]*
  | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
  | \"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
  | '(?:[^'\\\r\n]|\\.)*'
  | "(?:[^"\\\r\n]|\\.)*"
  | <[^<>"{}|^`\\\x00-\x20]*>
"""
OPAQUE = re.compile(_OPAQUE, re.VERBOSE | re.DOTALL)
_TOKEN = re.compile(_OPAQUE + r"""
  | [A-Za-z_][A-Za-z0-9_-]*        # word
  | \S                             # anything else
""", re.VERBOSE | re.DOTALL)


class SparqlError(TimelineError):
    """A query that cannot run; the message names where the problem is."""


@functools.lru_cache(maxsize=256)  # saved queries are asked again and again with other bindings
def form_of(text: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE (the first keyword after the prologue)."""
    tokens = [t for t in _TOKEN.findall(text) if not t.startswith("#")]
    i = 0
    while i < len(tokens):
        word = tokens[i].upper()
        if word in ("PREFIX", "BASE"):
            i += 1
            while i < len(tokens) and not tokens[i].startswith("<"):
                i += 1  # PREFIX name: <iri>, BASE <iri>
            i += 1
            continue
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_KEYWORDS:
            return "UPDATE"
        return "UNKNOWN"
    return "EMPTY"


_POSITION = re.compile(r"error at (\d+):(\d+):?\s*(.*)", re.DOTALL)


def syntax_error(where: str, message: str) -> SparqlError:
    """Turn an engine's message into ``WHERE:LINE:COL: SPARQL syntax error: ...``."""
    match = _POSITION.search(message)
    if match:
        line, col, rest = match.groups()
        detail = " ".join(rest.split()) or "invalid syntax"
        if "Prefix not found" in detail:
            detail = "unknown prefix (declare it with PREFIX, or use one of `timeline queries --prefixes`)"
        elif len(detail) > 160:
            detail = detail[:159] + "…"
        return SparqlError(f"{where}:{line}:{col}: SPARQL syntax error: {detail}")
    return SparqlError(f"{where}: SPARQL syntax error: {' '.join(message.split())}")


_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
_IRI_OK = re.compile(r'^[^\x00-\x20<>"{}|^`\\]*\Z')
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*\Z")


def term_syntax(term) -> str:
    """A :class:`~timeline.query.results.Term` in SPARQL syntax, refusing anything that could escape it."""
    if term.kind == "uri":
        if not _IRI_OK.match(term.value):
            raise SparqlError(f"not a valid IRI: {term.value!r}")
        return f"<{term.value}>"
    if term.kind != "literal":
        raise SparqlError("only IRIs and literals can be bound as parameters")
    if term.lang and not _LANG.match(term.lang):
        raise SparqlError(f"not a valid language tag: {term.lang!r}")
    if term.datatype and not _IRI_OK.match(term.datatype):
        raise SparqlError(f"not a valid datatype IRI: {term.datatype!r}")
    return term.n3()


def bind_values(text: str, bindings: dict) -> str:
    """Join typed parameter values to the query's WHERE group as a ``VALUES`` block.

    Every value is written by :func:`term_syntax`, which escapes literals and
    rejects IRIs with delimiter characters, so a value can never change the
    structure of the query. The block opens the outermost WHERE group, so
    FILTERs, OPTIONALs and BINDs in that group see the values. It is inserted
    on the line of the ``{`` so that error positions on other lines hold.
    """
    if not bindings:
        return text
    names = list(bindings)
    terms = []
    for name in names:  # errors name the parameter, as the caller gave it (param "params": the CLI's --param)
        said = f"param {name!r}"
        if not _VAR.match(name):
            raise SparqlError(f"{said}: not a valid parameter name (letters, digits and _)", param="params",
                              said=said, value=name)
        try:
            terms.append(term_syntax(bindings[name]))
        except SparqlError as exc:
            raise SparqlError(f"{said}: {exc}", param="params", said=said, value=name) from None
    row = " ".join(terms)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }} "
    where = _where_brace(text)
    if where is None:
        raise SparqlError("cannot bind parameters: the query has no WHERE group")
    return text[: where + 1] + block + text[where + 1:]


@functools.lru_cache(maxsize=256)
def _where_brace(text: str) -> int | None:
    """Offset of the '{' that opens the outermost WHERE group (cached: saved queries run again and again)."""
    form = None
    depth = 0
    seen_where = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token.startswith("#"):
            continue
        upper = token.upper()
        if form is None:
            if upper in QUERY_FORMS:
                form = upper
            continue
        if upper == "WHERE" and depth == 0:
            seen_where = True
        elif token == "{":
            # CONSTRUCT { template } WHERE { ... }: skip the template unless it is CONSTRUCT WHERE { }
            if depth == 0 and (form != "CONSTRUCT" or seen_where):
                return match.start()
            depth += 1
        elif token == "}":
            depth -= 1
    return None
