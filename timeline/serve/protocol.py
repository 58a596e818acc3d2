"""The SPARQL 1.1 Protocol's query operation: which query a request asks, over which dataset.

Pure functions over the request's parts (query string, body, its media type),
so the rules are tested without a server. See
https://www.w3.org/TR/sparql11-protocol/#query-operation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from timeline.serve.errors import READ_ONLY, HttpError

MAX_BODY = 1 << 20  # bytes of a POST body
MAX_FIELDS = 100  # parameters in a query string or form
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"

# An absolute IRI as a graph name: a scheme, then no character that an IRI may not hold.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a request names with ``default-graph-uri`` and ``named-graph-uri``.

    As the protocol says, it replaces any FROM and FROM NAMED of the query: the
    default graph is the merge of the ``default`` graphs (empty if none is
    named) and only the ``named`` graphs are visible to GRAPH.
    """

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryRequest:
    text: str
    dataset: Dataset | None  # None: the query's own FROM, or else the union of all graphs
    formats: list[str]  # format= and output= values (SPARQLWrapper sends both), first wins


def parse_params(text: str) -> dict[str, list[str]]:
    """A query string or form body; 400 when it is not UTF-8 or has too many fields."""
    try:
        return parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict",
                        max_num_fields=MAX_FIELDS)
    except ValueError as exc:  # UnicodeDecodeError is one
        raise HttpError(400, f"cannot read the parameters: {exc}") from None


def media_type(content_type: str | None) -> str:
    """``application/sparql-query`` from ``application/sparql-query; charset=utf-8``."""
    return (content_type or "").split(";")[0].strip().lower()


def decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, f"the {what} is not valid UTF-8") from None


def query_request(query_string: bytes, method: str, content_type: str | None = None,
                  body: bytes = b"") -> QueryRequest:
    """The query a GET or POST to the endpoint asks for, or the :class:`HttpError` that answers it.

    GET: everything in the query string. POST as a form: the body's fields and the
    query string's together. POST ``application/sparql-query``: the body is the
    query, the dataset is in the query string. SPARQL Update in any of its forms
    is refused with 403.
    """
    params = parse_params(decode(query_string, "query string"))
    body_query = None
    if method == "POST":
        media = media_type(content_type)
        if media == FORM:
            for name, values in parse_params(decode(body, "request body")).items():
                params.setdefault(name, []).extend(values)
        elif media == QUERY:
            body_query = decode(body, "request body")
        elif media == UPDATE:
            raise HttpError(403, READ_ONLY)
        else:
            raise HttpError(415, f"POST a query as {QUERY} or as a form ({FORM}) with query=")
    if "update" in params:
        raise HttpError(403, READ_ONLY)
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if name in params:
            raise HttpError(400, f"{name} belongs to SPARQL Update, which this read-only endpoint refuses; "
                                 "use default-graph-uri or named-graph-uri")
    queries = params.get("query", []) + ([body_query] if body_query is not None else [])
    if not queries:
        raise HttpError(400, f"no query: send query=... (GET or a POST form) or POST {QUERY}; see / for a form")
    if len(queries) > 1:
        raise HttpError(400, "send one query per request")
    return QueryRequest(queries[0], dataset_of(params), params.get("format", []) + params.get("output", []))


def dataset_of(params: dict[str, list[str]]) -> Dataset | None:
    default, named = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
    for name, values in (("default-graph-uri", default), ("named-graph-uri", named)):
        for value in values:
            if not _IRI.fullmatch(value):
                raise HttpError(400, f"{name}={value!r} is not an absolute IRI; name a graph such as "
                                     "https://example.org/graph")
    if not default and not named:
        return None
    return Dataset(tuple(dict.fromkeys(default)), tuple(dict.fromkeys(named)))
