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
import shutil
from dataclasses import dataclass, field
from typing import NamedTuple

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

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


def to_table(result: QueryResult, prefixes: dict[str, str], width: int | None = None, max_cell: int = 60) -> str:
    """A readable table: IRIs shortened with prefixes, long cells truncated."""
    if result.form == "ASK":
        return ("yes" if result.boolean else "no") + "\n"
    if width is None:
        width = shutil.get_terminal_size((120, 24)).columns
    headers = list(result.variables)
    cells = [[_table_cell(row.get(v), prefixes) for v in headers] for row in result.rows]
    if not headers:
        return "(no columns)\n"
    widths = [min(max_cell, max([len(h)] + [len(r[i]) for r in cells])) for i, h in enumerate(headers)]
    # Shrink the widest column first until the table fits; short columns keep their width.
    while width and sum(widths) + 2 * (len(widths) - 1) > width and max(widths) > 8:
        widths[widths.index(max(widths))] -= 1
    rows = [[_truncate(c, w) for c, w in zip(r, widths, strict=True)] for r in cells]
    line = "  ".join(h[:w].ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    count = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join([line, rule, *body, count]) + "\n"


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


def _truncate(text: str, cap: int) -> str:
    return text if len(text) <= cap else text[: cap - 1] + "…"


#: The W3C formats for SELECT and ASK results, by name.
SELECT_WRITERS = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}


def write_select(result: QueryResult, fmt: str, prefixes: dict[str, str]) -> str:
    if fmt == "table":
        return to_table(result, prefixes)
    return SELECT_WRITERS[fmt](result)
