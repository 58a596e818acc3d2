"""Query results independent of the engine, and their serialisations.

Every backend converts its answers to :class:`Term` rows, so the same query
gives byte-identical output whichever store answered it. SELECT results are
written in the W3C SPARQL 1.1 formats (JSON, XML, CSV, TSV) or as a table for
a terminal.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import textwrap
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, TextIO

from timeline import namespaces

XSD_STRING = namespaces.XSD + "string"
RDF_LANGSTRING = namespaces.RDF_LANGSTRING
XSD_INTEGER = namespaces.XSD + "integer"
XSD_DECIMAL = namespaces.XSD + "decimal"
XSD_DOUBLE = namespaces.XSD + "double"
XSD_BOOLEAN = namespaces.XSD + "boolean"

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "nt", "jsonld")


class Term(NamedTuple):
    """An RDF term: kind is 'uri', 'bnode' or 'literal'.

    A named tuple rather than a frozen dataclass: results hold hundreds of
    thousands of terms, and a tuple is made in a third of the time.
    """

    kind: str
    value: str
    datatype: str | None = None  # None for IRIs, blank nodes and language-tagged strings
    lang: str | None = None

    @classmethod
    def iri(cls, value: str) -> Term:
        return cls("uri", value)

    @classmethod
    def literal(cls, value: str, datatype: str | None = XSD_STRING, lang: str | None = None) -> Term:
        return cls("literal", value, None if lang else (datatype or XSD_STRING), lang)

    def n3(self) -> str:
        """The term in SPARQL/Turtle syntax (used by the table and TSV formats)."""
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = '"' + _escape_literal(self.value) + '"'
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype and self.datatype != XSD_STRING:
            return f"{text}^^<{self.datatype}>"
        return text


def _escape_literal(value: str) -> str:
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


@dataclass
class QueryResult:
    """The answer to a query: rows for SELECT, a boolean for ASK, triples otherwise."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)

    def values(self, variable: str) -> list[str | None]:
        """The plain values of one column, for tests and notebooks."""
        return [row[variable].value if variable in row else None for row in self.rows]

    def records(self) -> list[dict[str, str]]:
        return [{k: v.value for k, v in row.items()} for row in self.rows]

    def _repr_html_(self) -> str:
        """A notebook shows SELECT results as a table (every value escaped) and ASK as yes/no."""
        from html import escape

        if self.form == "ASK":
            return f"<p>{'yes' if self.boolean else 'no'}</p>"
        if self.form != "SELECT":
            return f"<p>{len(self.triples)} triples</p>"
        head = "".join(f"<th>{escape(v)}</th>" for v in self.variables)
        body = "".join("<tr>" + "".join(f"<td>{escape(row[v].value) if v in row else ''}</td>"
                                        for v in self.variables) + "</tr>" for row in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><p>{len(self.rows)} rows</p>"


# --------------------------------------------------------------- writers


def to_json(result: QueryResult) -> str:
    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
    bindings = []
    for row in result.rows:
        binding = {}
        for var in result.variables:
            if var in row:
                binding[var] = _json_term(row[var])
        bindings.append(binding)
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _json_term(term: Term) -> dict[str, str]:
    if term.kind == "literal":
        out = {"type": "literal", "value": term.value}
        if term.lang:
            out["xml:lang"] = term.lang
        elif term.datatype and term.datatype != XSD_STRING:
            out["datatype"] = term.datatype
        return out
    return {"type": term.kind, "value": term.value}


def to_xml(result: QueryResult) -> str:
    # Imported here: xml.sax.saxutils pulls in urllib.request and ssl, 20 ms that every other format,
    # and every build, would pay at start-up.
    from xml.sax.saxutils import escape, quoteattr

    def term_xml(term: Term) -> str:
        if term.kind == "uri":
            return f"<uri>{escape(term.value)}</uri>"
        if term.kind == "bnode":
            return f"<bnode>{escape(term.value)}</bnode>"
        if term.lang:
            return f"<literal xml:lang={quoteattr(term.lang)}>{escape(term.value)}</literal>"
        if term.datatype and term.datatype != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"

    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "  <head>"]
    if result.form == "ASK":
        out += ["  </head>", f"  <boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out += [f"    <variable name={quoteattr(v)}/>" for v in result.variables]
    out += ["  </head>", "  <results>"]
    for row in result.rows:
        out.append("    <result>")
        for var in result.variables:
            if var in row:
                out.append(f"      <binding name={quoteattr(var)}>{term_xml(row[var])}</binding>")
        out.append("    </result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out) + "\n"


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV: plain values, no types, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.form == "ASK":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(row[v]) if v in row else "" for v in result.variables])
    return buffer.getvalue()


def _csv_value(term: Term) -> str:
    return f"_:{term.value}" if term.kind == "bnode" else term.value


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: terms in Turtle syntax, variables with '?'."""
    if result.form == "ASK":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(_tsv_term(row[v]) if v in row else "" for v in result.variables))
    return "\n".join(lines) + "\n"


def _tsv_term(term: Term) -> str:
    if term.kind == "literal" and not term.lang and term.datatype in (XSD_INTEGER, XSD_DECIMAL, XSD_DOUBLE,
                                                                        XSD_BOOLEAN):
        return term.value
    return term.n3()


#: Table width when the output is not a terminal and $COLUMNS is not set: pipes and files get the same table.
DEFAULT_WIDTH = 80
#: The narrowest a squeezed column gets (narrower only if its content is): below this a cell is unreadable.
MIN_COLUMN = 6
GAP = "  "


def table_width(stream: TextIO | None = None) -> int:
    """The width to fit a table to: $COLUMNS if set (as :func:`shutil.get_terminal_size` honours it), else the
    width of ``stream`` (default: ``sys.stdout`` as it is now) if it is a terminal, else :data:`DEFAULT_WIDTH`.

    ``shutil.get_terminal_size`` asks ``sys.__stdout__``, which is the terminal even when the output is captured
    (a test, a notebook); a pipe must get the same table on every machine.
    """
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    stream = sys.stdout if stream is None else stream
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns or DEFAULT_WIDTH
    except (AttributeError, ValueError, OSError):  # closed, or not a real file
        pass
    return DEFAULT_WIDTH


def column_widths(headers: list[str], cells: list[list[str]], width: int) -> list[int]:
    """Widths that fit ``width`` (with two spaces between columns) where possible; the same on every machine.

    A column is never narrower than its header (a header never wraps), and if everything fits every column keeps
    its full width. Otherwise each column first gets its longest unbreakable piece (a word, or a hyphenated
    name's part up to a hyphen), so no word is broken; if those do not all fit, the columns are narrowed one
    character at a time where that breaks the fewest pieces, down to :data:`MIN_COLUMN`. The room left over is
    shared in proportion to the columns' full widths, so a long text gets more of it than an IRI. Lines get
    longer than ``width`` only if the headers (or :data:`MIN_COLUMN`) do not fit.
    """
    from fractions import Fraction

    natural = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    room = width - len(GAP) * (len(headers) - 1)
    if sum(natural) <= room:
        return natural
    # How often each length of unbreakable piece occurs in each column: what narrowing a column would break.
    lengths = [_piece_lengths(r[i] for r in cells) for i in range(len(headers))]

    def breaks(i: int, w: int) -> int:
        return sum(count * (-(-length // w) - 1) for length, count in lengths[i].items() if length > w)

    floor = [max(len(h), min(n, max(lengths[i], default=0))) for i, (h, n) in enumerate(zip(headers, natural,
                                                                                            strict=True))]
    lowest = [max(len(h), min(n, MIN_COLUMN)) for h, n in zip(headers, natural, strict=True)]
    while sum(floor) > room:  # the pieces do not all fit: narrow the column whose narrowing breaks fewest pieces
        narrowable = [i for i, (f, m) in enumerate(zip(floor, lowest, strict=True)) if f > m]
        if not narrowable:
            return floor
        i = min(narrowable, key=lambda i: (breaks(i, floor[i] - 1) - breaks(i, floor[i]), -floor[i], i))
        floor[i] -= 1
    if sum(floor) == room:
        return floor

    # Each column gets natural * t, kept between its floor and its full width; the sum grows with t, linearly
    # between the points where a column reaches its floor or its full width. Find the t that fills the room,
    # exactly (fractions: the same widths on every machine).
    def filled(t: Fraction) -> Fraction:
        return sum((min(max(Fraction(n) * t, f), n) for f, n in zip(floor, natural, strict=True)), Fraction(0))

    points = sorted({Fraction(f, max(n, 1)) for f, n in zip(floor, natural, strict=True)} | {Fraction(1)})
    below = Fraction(0)
    for point in points:
        if filled(point) > room:
            break
        below = point
    # Between ``below`` and the next point the sum is linear in t, through the columns that are still growing.
    growing = sum(n for f, n in zip(floor, natural, strict=True) if f < n and Fraction(f, n) <= below)
    t = below + (room - filled(below)) / growing if growing else below
    exact = [min(max(Fraction(n) * t, f), n) for f, n in zip(floor, natural, strict=True)]
    widths = [int(w) for w in exact]
    spare = room - sum(widths)
    # What rounding down leaves goes to the largest remainders, leftmost first among equals.
    for i in sorted(range(len(widths)), key=lambda i: (-(exact[i] - widths[i]), i)):
        if spare > 0 and widths[i] < natural[i]:
            widths[i] += 1
            spare -= 1
    return widths


def _piece_lengths(texts: Iterable[str]) -> Counter[int]:
    """How many pieces of each length ``texts`` hold: the pieces :func:`wrap_cell` never breaks unless they are
    longer than the column, that is words, and a hyphenated word's parts up to each hyphen (textwrap's own split,
    so the two agree)."""
    counts: Counter[int] = Counter()
    for text, times in Counter(texts).items():  # a column repeats itself (roles, dates): split each text once
        for word in text.split():
            if "-" in word:
                for piece in textwrap.TextWrapper.wordsep_re.split(word):
                    if piece:
                        counts[len(piece)] += times
            else:
                counts[len(word)] += times
    return counts


def wrap_cell(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width``: at spaces and hyphens; a longer word is broken."""
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=True) or [""]


def to_table(result: QueryResult, prefixes: dict[str, str], width: int | None = None) -> str:
    """A readable table: IRIs shortened with prefixes, fitted to ``width`` (default :func:`table_width`).

    Nothing is cut: a long cell wraps onto continuation lines in its own column (see :func:`column_widths`).
    A continuation line leaves the first column empty; where that cannot tell rows apart (a first cell wraps,
    or is empty), rows are separated by a blank line.
    """
    if result.form == "ASK":
        return ("yes" if result.boolean else "no") + "\n"
    headers = list(result.variables)
    if not headers:
        return "(no columns)\n"
    if width is None:
        width = table_width()
    cells = [[_table_cell(row.get(v), prefixes) for v in headers] for row in result.rows]
    widths = column_widths(headers, cells, width)

    def lines(row: list[str]) -> list[str]:
        wrapped = [wrap_cell(c, w) for c, w in zip(row, widths, strict=True)]
        height = max(len(c) for c in wrapped)
        return [GAP.join((c[k] if k < len(c) else "").ljust(w) for c, w in zip(wrapped, widths, strict=True)).rstrip()
                for k in range(height)]

    body = [lines(r) for r in cells]
    spaced = any(len(b) > 1 for b in body) and any(len(r[0]) > widths[0] or not r[0] for r in cells)
    out = [*lines(headers), GAP.join("-" * w for w in widths)]
    for i, block in enumerate(body):
        out += ([""] if spaced and i else []) + block
    count = f"({len(cells)} row{'s' if len(cells) != 1 else ''})"
    return "\n".join([*out, count]) + "\n"


def _table_cell(term: Term | None, prefixes: dict[str, str]) -> str:
    if term is None:
        return ""
    if term.kind == "uri":
        best = ""
        for prefix, namespace in prefixes.items():
            if term.value.startswith(namespace) and len(namespace) > len(best):
                best = namespace
                short = f"{prefix}:{term.value[len(namespace):]}"
        return short if best else f"<{term.value}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    return " ".join(term.value.split())  # one line per row


#: The W3C formats for SELECT and ASK results, by name.
SELECT_WRITERS = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}


def write_select(result: QueryResult, fmt: str, prefixes: dict[str, str]) -> str:
    if fmt == "table":
        return to_table(result, prefixes)
    return SELECT_WRITERS[fmt](result)
