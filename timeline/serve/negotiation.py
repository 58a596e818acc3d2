"""Content negotiation: the format of an answer, from ``format=`` or the ``Accept`` header."""

from __future__ import annotations

from dataclasses import dataclass

from timeline.serve.errors import HttpError

GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class Format:
    key: str  # what execute() writes
    media_type: str  # the Content-Type of the answer
    also: tuple[str, ...] = ()  # other media types in Accept that mean this format
    names: tuple[str, ...] = ()  # values of format= (SPARQLWrapper also sends output= and results=)

    def matches(self, media_type: str) -> bool:
        return media_type == self.media_type or media_type in self.also


RESULT_FORMATS = (
    Format("json", "application/sparql-results+json",
           ("application/json", "text/javascript", "application/javascript"), ("json", "srj")),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("xml", "srx")),
    Format("csv", "text/csv", (), ("csv",)),
    Format("tsv", "text/tab-separated-values", (), ("tsv",)),
)
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3",
                                     "application/n3"), ("turtle", "ttl", "n3")),
    Format("nt", "application/n-triples", (), ("nt", "ntriples", "n-triples")),
    Format("jsonld", "application/ld+json", ("application/x-json+ld",), ("jsonld", "json-ld", "json")),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdfxml", "rdf+xml", "rdf", "xml")),
)


def _accept_ranges(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(fmt: Format, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range in Accept that covers the format (0 if none)."""
    best, rank = 0.0, -1
    kind = fmt.media_type.split("/")[0]  # text/* covers CSV and TSV, not JSON's text/javascript alias
    for media, q in ranges:
        if fmt.matches(media):
            this = 2
        elif media == f"{kind}/*":
            this = 1
        elif media == "*/*":
            this = 0
        else:
            continue
        if this > rank:
            best, rank = q, this
    return best


def negotiate(accept: str | None, names: list[str], form: str) -> Format:
    """The answer's format: a ``format=`` value if one is given, else the best match for Accept."""
    formats = GRAPH_FORMATS if form in GRAPH_FORMS else RESULT_FORMATS
    kind = "CONSTRUCT or DESCRIBE" if form in GRAPH_FORMS else "SELECT or ASK"
    available = ", ".join(f.media_type for f in formats)
    if names:
        for name in names:
            wanted = name.split(";")[0].strip().lower()
            for fmt in formats:
                if wanted in fmt.names or fmt.matches(wanted):
                    return fmt
        shown = ", ".join(f.names[0] for f in formats)
        raise HttpError(406, f"format={names[0]}: not available for a {kind} query; use one of {shown}")
    if not accept or not accept.strip():
        return formats[0]
    ranges = _accept_ranges(accept)
    scored = [(_quality(fmt, ranges), -i, fmt) for i, fmt in enumerate(formats)]
    q, _, fmt = max(scored, key=lambda s: s[:2])
    if q <= 0:
        raise HttpError(406, f"cannot answer a {kind} query as {' '.join(accept.split())}; available: {available}")
    return fmt
