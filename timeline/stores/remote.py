"""A remote SPARQL 1.1 endpoint as a store (pushing a case to one: :mod:`timeline.stores.push`).

Queries go over the SPARQL 1.1 Protocol (an HTML form POST by default, or
GET), with parameters bound exactly as for the local stores (a ``VALUES``
block of escaped typed terms, :func:`timeline.query.sparql.bind_values`) and the
answer converted by the same code as pyoxigraph's (:func:`timeline.stores.
result_from_oxigraph`), so a query gives the same :class:`QueryResult` here
as on a local store. The timeline prefixes are declared on the query's first
line, so line numbers in a server's error messages stay those of the query
(columns on line 1 are corrected).

The default graph
-----------------
timeline queries expect the default graph to be the union of all named
graphs. A server decides that itself:

* Oxigraph server: start it with ``--union-default-graph``, or add
  ``?union-default-graph`` to the query URL (it is kept on every request);
* Apache Jena Fuseki / TDB2: ``tdb2:unionDefaultGraph true`` in the dataset's
  configuration;
* GraphDB, Virtuoso, Amazon Neptune: the union is their default;
* anything else: the user's responsibility.

:func:`open_remote` notices an endpoint whose default graph does not show
the case although a named graph does, and says so, instead of letting every
query answer nothing.

Credentials, TLS, time limits
-----------------------------
Credentials come from ``TIMELINE_ENDPOINT_USER`` and
``TIMELINE_ENDPOINT_PASSWORD``, or else from ``~/.netrc`` (or the file
named by ``NETRC``), by host name; never from a URL or the command line.
They are sent as HTTP Basic authentication, only over https or to a
loopback host (set ``TIMELINE_ENDPOINT_ALLOW_HTTP_AUTH=1`` to allow plain
http to another host), and never after a redirect: redirects are not
followed at all, the error names the new location. TLS certificates and host
names are verified with the system's trust store (``SSL_CERT_FILE`` /
``SSL_CERT_DIR`` add a private CA). Every request has a time limit (60 s, or
``TIMELINE_ENDPOINT_TIMEOUT`` seconds); an endpoint that does not answer in
time gives ``URL: no answer within N s``.
"""

from __future__ import annotations

import base64
import ipaddress
import netrc
import os
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from timeline.errors import TimelineError
from timeline.namespaces import PREFIXES
from timeline.query.results import QueryResult, Term
from timeline.query.sparql import SparqlError, bind_values, syntax_error, term_syntax
from timeline.stores.base import ReadOnlyError, case_namespaces, check_form
from timeline.stores.oxigraph import result_from_oxigraph

ENV_USER = "TIMELINE_ENDPOINT_USER"
ENV_PASSWORD = "TIMELINE_ENDPOINT_PASSWORD"
ENV_ALLOW_HTTP_AUTH = "TIMELINE_ENDPOINT_ALLOW_HTTP_AUTH"
ENV_TIMEOUT = "TIMELINE_ENDPOINT_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
_MAX_GET = 4000  # longer GET URLs go as POST
_ERROR_BODY = 64 * 1024

SELECT_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


class EndpointError(TimelineError):
    """An endpoint that cannot be reached, does not answer in time, or answers with an error."""

    status: int | None = None  # the HTTP status, when there was one


class EndpointSyntaxError(SparqlError, EndpointError):
    """The server refused the query's syntax (HTTP 400 with a position)."""


def default_timeout() -> float:
    """Seconds a request may take: ``$TIMELINE_ENDPOINT_TIMEOUT``, or 60."""
    value = os.environ.get(ENV_TIMEOUT, "").strip()
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 86400:
        raise TimelineError(f"{ENV_TIMEOUT}={value!r}: expected a number of seconds, such as 10")
    return seconds


def is_endpoint(location) -> bool:
    return isinstance(location, str) and re.match(r"^https?://", location, re.IGNORECASE) is not None


def oxigraph_urls(base: str) -> dict[str, str]:
    """The query, update and Graph Store URLs of an Oxigraph server at ``base`` (``http://host:port``)."""
    base = base.rstrip("/")
    return {"query_url": f"{base}/query", "update_url": f"{base}/update", "store_url": f"{base}/store"}


def _check_url(url: str, what: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise TimelineError(f"{url}: not an http(s) URL for the {what}")
    if parts.username is not None or parts.password is not None:
        raise TimelineError(f"the {what} URL holds credentials; refused: set {ENV_USER} and {ENV_PASSWORD} "
                            "or use ~/.netrc instead")
    return url


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects become errors: a POST would lose its body, and credentials must not follow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


@dataclass
class _Answer:
    status: int
    content_type: str
    body: bytes


class RemoteStore:
    """A SPARQL 1.1 endpoint behind the :class:`timeline.stores.Store` interface."""

    def __init__(self, query_url: str, update_url: str | None = None, store_url: str | None = None, *,
                 timeout: float | None = None, method: str = "POST") -> None:
        self.query_url = _check_url(query_url, "query endpoint")
        self.update_url = _check_url(update_url, "update endpoint") if update_url else None
        self.store_url = _check_url(store_url, "graph store") if store_url else None
        self.timeout = float(timeout) if timeout else default_timeout()
        if method.upper() not in ("POST", "GET"):
            raise TimelineError(f"method {method!r}: use POST or GET")
        self.method = method.upper()
        self.prefixes = dict(PREFIXES)
        self._auth: dict[str, str | None] = {}
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=ssl.create_default_context()), _NoRedirect())

    def __repr__(self) -> str:
        return (f"RemoteStore(query_url={self.query_url!r}, update_url={self.update_url!r}, "
                f"store_url={self.store_url!r}, timeout={self.timeout!r})")

    # -------------------------------------------------------------- queries

    def query(self, text: str, bindings: dict[str, Term] | None = None, where: str = "query") -> QueryResult:
        import pyoxigraph as ox

        form = check_form(text, False, where)
        prologue, sent = self._with_prefixes(bind_values(text, bindings or {}))
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        answer = self._send_query(sent, GRAPH_ACCEPT if graph_form else SELECT_ACCEPT, where, len(prologue))
        ctype = answer.content_type
        try:
            if graph_form:
                rdf_format = ox.RdfFormat.from_media_type(ctype)
                if rdf_format is None:
                    raise self._unexpected(answer, "RDF")
                return result_from_oxigraph(list(ox.parse(answer.body, format=rdf_format)), form)
            results_format = ox.QueryResultsFormat.from_media_type(ctype)
            if results_format is None or results_format == ox.QueryResultsFormat.CSV:
                raise self._unexpected(answer, "SPARQL results")
            return result_from_oxigraph(ox.parse_query_results(answer.body, format=results_format), form)
        except SyntaxError as exc:
            raise EndpointError(f"{self.query_url}: cannot read the answer ({ctype}): "
                                f"{' '.join(str(exc).split())}") from None

    def _unexpected(self, answer: _Answer, wanted: str) -> EndpointError:
        sample = " ".join(answer.body[:120].decode("utf-8", "replace").split())
        return EndpointError(f"{self.query_url}: expected {wanted}, got {answer.content_type or 'no content type'}"
                             f" ({sample!r}); is this the SPARQL query URL?")

    def _with_prefixes(self, text: str) -> tuple[str, str]:
        """Declare the timeline prefixes that the query does not declare itself, on its first line."""
        declared = set(re.findall(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", text))
        prologue = "".join(f"PREFIX {name}: <{ns}> " for name, ns in self.prefixes.items() if name not in declared)
        return prologue, prologue + text

    def _send_query(self, text: str, accept: str, where: str, shift: int) -> _Answer:
        headers = {"Accept": accept}
        url = self.query_url
        if self.method == "GET":
            get_url = _add_params(url, {"query": text})
            if len(get_url) <= _MAX_GET:
                return self._request("GET", get_url, None, headers, where, shown=url, shift=shift)
        body = urllib.parse.urlencode({"query": text}).encode("ascii")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self._request("POST", url, body, headers, where, shown=url, shift=shift)

    def update(self, text: str, where: str = "query") -> None:
        if not self.update_url:
            raise ReadOnlyError(f"{where}: {self.query_url} was opened without an update URL; updates need one")
        prologue, sent = self._with_prefixes(text)
        self._post_update(sent, where, len(prologue))

    def _post_update(self, text: str, where: str, shift: int = 0) -> None:
        if not self.update_url:
            raise TimelineError(f"{self.query_url}: no update URL given")
        self._request("POST", self.update_url, text.encode("utf-8"),
                      {"Content-Type": "application/sparql-update"}, where, shift=shift)

    def save(self, path) -> None:
        """Updates are committed by the server as they run: saving to the endpoint itself does nothing."""
        if str(path) in (self.query_url, self.update_url, self.store_url):
            return
        raise TimelineError(f"{path}: cannot save an endpoint to a file here; query it with CONSTRUCT, "
                            "or use the server's own export")

    def __len__(self) -> int:
        """Quads in named graphs (the default graph is the union of them)."""
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", where="count")
        return int(result.rows[0]["n"].value) if result.rows else 0

    def graphs(self, prefix: str | None = None) -> list[str]:
        """Named graph IRIs on the endpoint, optionally only those starting with ``prefix``."""
        text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
        bindings = {}
        if prefix:
            text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } FILTER (isIRI(?g) && STRSTARTS(STR(?g), ?prefix)) }"
            bindings = {"prefix": Term.literal(prefix)}
        rows = self.query(text, bindings, where="graph list").rows
        return sorted(row["g"].value for row in rows if "g" in row and row["g"].kind == "uri")

    def check_default_graph(self) -> list[str]:
        """Case IRIs seen in the default graph (at most two); raises if only named graphs show one (no union)."""
        rows = self.query("SELECT DISTINCT ?case WHERE { ?case a tl:Case } ORDER BY ?case LIMIT 2",
                          where="case lookup").rows
        if rows:
            return [row["case"].value for row in rows]
        rows = self.query("SELECT ?case WHERE { GRAPH ?g { ?case a tl:Case } } LIMIT 1", where="case lookup").rows
        if rows:
            raise EndpointError(
                f"{self.query_url}: the endpoint's default graph is not the union of its named graphs, so every "
                "query would see nothing; start Oxigraph server with --union-default-graph (or add "
                "?union-default-graph to the query URL), or set unionDefaultGraph in Fuseki/TDB2")
        return []

    # -------------------------------------------------------------- graph store protocol

    def put_graph(self, graph: str, ntriples: bytes, replace: bool = True) -> None:
        """PUT (replace) or POST (add to) one named graph over the Graph Store Protocol."""
        if not self.store_url:
            raise TimelineError(f"{self.query_url}: no Graph Store URL given")
        url = _add_params(self.store_url, {"graph": graph})
        self._request("PUT" if replace else "POST", url, ntriples, {"Content-Type": "application/n-triples"},
                      "push", shown=f"{self.store_url} (graph <{graph}>)")

    def delete_graph(self, graph: str) -> None:
        if self.store_url:
            url = _add_params(self.store_url, {"graph": graph})
            try:
                self._request("DELETE", url, None, {}, "push", shown=f"{self.store_url} (graph <{graph}>)")
            except EndpointError as exc:
                if getattr(exc, "status", None) != 404:
                    raise
        else:
            self._post_update(f"DROP SILENT GRAPH {iri_ref(graph)}", where="push")

    # -------------------------------------------------------------- HTTP

    def _authorization(self, url: str) -> str | None:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        if host in self._auth:
            return self._auth[host]
        user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
        if user or password:
            if not user or password is None:
                raise TimelineError(f"set both {ENV_USER} and {ENV_PASSWORD}, or neither")
        else:
            user, password = _from_netrc(host)
        header = None
        if user is not None:
            if (parts.scheme.lower() != "https" and not _loopback(host)
                    and os.environ.get(ENV_ALLOW_HTTP_AUTH) != "1"):
                raise TimelineError(f"{parts.scheme}://{parts.netloc}: refusing to send credentials over plain "
                                    f"http to a non-local host; use https (or set {ENV_ALLOW_HTTP_AUTH}=1)")
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            header = f"Basic {token}"
        self._auth[host] = header
        return header

    def _request(self, method: str, url: str, body: bytes | None, headers: dict[str, str], where: str,
                 shown: str | None = None, shift: int = 0) -> _Answer:
        shown = shown or url
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        authorization = self._authorization(url)
        if authorization:
            request.add_unredirected_header("Authorization", authorization)
        deadline = time.monotonic() + self.timeout
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                data = _read(response, deadline, None)
                return _Answer(response.status, response.headers.get_content_type(), data)
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, shown, where, shift, deadline) from None
        except urllib.error.URLError as exc:
            raise self._connection_error(exc.reason, shown) from None
        except TimeoutError:
            raise EndpointError(f"{shown}: no answer within {self.timeout:g} s") from None
        except (OSError, ValueError) as exc:  # http.client.HTTPException is not an OSError
            raise self._connection_error(exc, shown) from None
        except Exception as exc:  # http.client.HTTPException and kin: a broken answer
            raise EndpointError(f"{shown}: bad answer: {type(exc).__name__}: {exc}") from None

    def _connection_error(self, reason, shown: str) -> EndpointError:
        if isinstance(reason, TimeoutError):
            return EndpointError(f"{shown}: no answer within {self.timeout:g} s")
        if isinstance(reason, ssl.SSLCertVerificationError):
            return EndpointError(f"{shown}: TLS certificate not trusted ({reason.verify_message}); "
                                 "set SSL_CERT_FILE to a CA bundle that holds the server's CA")
        if isinstance(reason, ConnectionRefusedError):
            return EndpointError(f"{shown}: cannot connect: connection refused (is the server running?)")
        if isinstance(reason, socket.gaierror):
            return EndpointError(f"{shown}: cannot connect: unknown host ({reason.strerror})")
        text = getattr(reason, "strerror", None) or str(reason)
        return EndpointError(f"{shown}: cannot connect: {' '.join(str(text).split())}")

    def _http_error(self, exc: urllib.error.HTTPError, shown: str, where: str, shift: int,
                    deadline: float) -> EndpointError:
        try:
            raw = _read(exc, deadline, _ERROR_BODY)
        except (OSError, EndpointError):
            raw = b""
        finally:
            exc.close()
        ctype = exc.headers.get_content_type() if exc.headers else ""
        message = raw.decode("utf-8", "replace")
        if "html" in ctype:
            message = re.sub(r"(?s)<(script|style).*?</\1>|<[^>]+>", " ", message)
        message = " ".join(message.split())
        code = exc.code
        if 300 <= code < 400:
            location = exc.headers.get("Location", "?") if exc.headers else "?"
            error = EndpointError(f"{shown}: HTTP {code}: redirected to {location}; use that URL "
                                  "(redirects are not followed)")
        elif code == 400 and (re.search(r"error at \d+:\d+", message) or _JENA_POSITION.search(message)):
            error = _syntax_error(where, message, shift, shown)
        elif code in (401, 403):
            error = EndpointError(f"{shown}: HTTP {code} {exc.reason}: {message[:300] or 'not allowed'} "
                                  f"(credentials come from {ENV_USER}/{ENV_PASSWORD} or ~/.netrc)")
        else:
            if len(message) > 300:
                message = message[:299] + "…"
            error = EndpointError(f"{shown}: HTTP {code} {exc.reason}" + (f": {message}" if message else ""))
        error.status = code
        return error


_JENA_POSITION = re.compile(r"\bline (\d+), column (\d+)")  # Jena/Fuseki: "... at line 2, column 17."


def _syntax_error(where: str, message: str, shift: int, shown: str) -> EndpointSyntaxError:
    """The server's ``error at L:C`` with the column corrected for the prologue we added on line 1."""
    if not re.search(r"error at \d+:\d+", message):
        jena = _JENA_POSITION.search(message)
        if jena:
            message = f"error at {jena[1]}:{jena[2]}: {message}"

    def fix(match: re.Match) -> str:
        line, col = int(match[1]), int(match[2])
        if line == 1 and col > shift:
            col -= shift
        return f"error at {line}:{col}"

    fixed = re.sub(r"error at (\d+):(\d+)", fix, message, count=1)
    return EndpointSyntaxError(f"{syntax_error(where, fixed)} (HTTP 400 from {shown})")


def _read(response, deadline: float, limit: int | None) -> bytes:
    """Read a body in blocks, never past the deadline (a trickling server cannot hold us forever)."""
    chunks = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        block = getattr(response, "read1", response.read)(1 << 16)  # what has arrived, not 64 KiB
        if not block:
            break
        chunks.append(block)
        size += len(block)
        if limit is not None and size >= limit:
            break
    return b"".join(chunks)


def _add_params(url: str, params: dict[str, str]) -> str:
    """Append parameters, keeping those already in the URL (e.g. ``?union-default-graph``)."""
    parts = urllib.parse.urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urllib.parse.urlencode(params)
    return urllib.parse.urlunsplit(parts._replace(query=query))


def _from_netrc(host: str) -> tuple[str | None, str | None]:
    path = os.environ.get("NETRC")
    if path is None and not Path("~/.netrc").expanduser().is_file():
        return None, None
    try:
        entry = netrc.netrc(path).authenticators(host)
    except FileNotFoundError:
        return None, None
    except netrc.NetrcParseError as exc:
        raise TimelineError(f"{exc.filename}:{exc.lineno}: {exc.msg}") from None
    except OSError as exc:
        raise TimelineError(f"{path or '~/.netrc'}: cannot read: {exc.strerror or exc}") from None
    if not entry:
        return None, None
    login, _account, password = entry
    return login, password or ""


def iri_ref(value: str) -> str:
    return term_syntax(Term.iri(value))


def open_remote(query_url: str, update_url: str | None = None, store_url: str | None = None,
                timeout: float | None = None) -> RemoteStore:
    """A :class:`RemoteStore` with the case's prefixes, checked to have a usable default graph."""
    store = RemoteStore(query_url, update_url, store_url, timeout=timeout)
    cases = store.check_default_graph()
    if len(cases) == 1:  # as for a local store: entity:, event:, ... only when the case is unambiguous
        store.prefixes.update(case_namespaces(cases[0]))
    return store
