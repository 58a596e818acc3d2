"""A remote SPARQL 1.1 endpoint as a store (pushing a case to one: :mod:`timeline.stores.push`).

Queries go over the SPARQL 1.1 Protocol (an HTML form POST by default, or
GET), with parameters bound exactly as for the local stores (a ``VALUES``
block of escaped typed terms, :func:`timeline.query.sparql.bind_values`) and the
answer converted by the same code as pyoxigraph's (:func:`timeline.stores.
result_from_oxigraph`), so a query gives the same :class:`QueryResult` here
as on a local store. The timeline prefixes are declared on the query's first
line, so line numbers in a server's error messages stay those of the query
(columns on line 1 are corrected).

Which URL, and the dataset
--------------------------
The URL may be a server's base URL (``http://host:port``), its query URL, or
``.../query`` / ``.../sparql``: the ``Server`` header tells Oxigraph server
(``/query``, ``/update``, ``/store``) from Virtuoso (``/sparql``,
``/sparql-auth``, ``/sparql-graph-crud-auth``), see :func:`endpoint_urls`.

timeline queries expect the default graph to be the case's graphs merged.
Servers differ out of the box (Oxigraph: an empty default graph; Virtuoso:
the union of every graph, its own system graphs included), so
:func:`open_remote` finds the case in the endpoint's named graphs and sends
the case's graphs with every query as the SPARQL 1.1 Protocol's dataset
(``default-graph-uri`` and ``named-graph-uri``), which any conformant server
honours. Only where the default graph already is exactly the case (a server
holding just this case with a union default graph, such as Oxigraph's
``--union-default-graph``) is nothing added; a URL that names its own
``default-graph-uri``/``named-graph-uri`` or Oxigraph's
``?union-default-graph`` is used as it says. :attr:`RemoteStore.queried_by`
says which, in words.

Credentials, TLS, time limits
-----------------------------
Credentials come from ``TIMELINE_ENDPOINT_USER`` and
``TIMELINE_ENDPOINT_PASSWORD``, or else from ``~/.netrc`` (or the file
named by ``NETRC``), by host name; never from a URL or the command line.
They are sent as HTTP Basic authentication, or as Digest authentication to a
server that asks for it (Virtuoso's ``-auth`` endpoints), only over https or to a
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
import hashlib
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


# The query, update and Graph Store paths of the servers whose layout is known, by the name in their Server header.
LAYOUTS = {
    "oxigraph": ("/query", "/update", "/store"),
    "virtuoso": ("/sparql", "/sparql-auth", "/sparql-graph-crud-auth"),  # the -auth ones need credentials
}
_DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")


def oxigraph_urls(base: str) -> dict[str, str]:
    """The query, update and Graph Store URLs of an Oxigraph server at ``base`` (``http://host:port``)."""
    return layout_urls(base, "oxigraph")


def layout_urls(base: str, kind: str) -> dict[str, str]:
    """The query, update and Graph Store URLs of a server of ``kind`` (a :data:`LAYOUTS` key) at ``base``."""
    base = base.rstrip("/")
    query, update, store = LAYOUTS[kind]
    return {"query_url": base + query, "update_url": base + update, "store_url": base + store}


def endpoint_urls(url: str, timeout: float | None = None) -> dict[str, str | None]:
    """The query, update and Graph Store URLs for the URL a user gives (``--endpoint``).

    A base URL (``http://host:port``) or one ending in ``/query`` or
    ``/sparql`` is looked up in :data:`LAYOUTS` by the server's ``Server``
    header (one GET of the base URL); any other URL is the query URL itself,
    with no update or Graph Store URL. The URL's own query string (such as
    Oxigraph's ``?union-default-graph``) stays on the query URL.
    """
    _check_url(url, "endpoint")
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    named = re.search(r"/(query|sparql)$", path)
    if path and not named:
        return {"query_url": url, "update_url": None, "store_url": None}
    root = path[:named.start()] if named else ""
    probe = RemoteStore(urllib.parse.urlunsplit(parts._replace(path=root + "/", query="", fragment="")),
                        timeout=timeout)
    software = probe.server_software()
    kind = next((k for k in LAYOUTS if k in software.lower()), None)
    if kind is None:
        if named:
            return {"query_url": url, "update_url": None, "store_url": None}
        raise EndpointError(f"{url}: a server timeline does not know the layout of ({software or 'no Server header'}"
                            "); give its SPARQL query URL (such as .../sparql), and to push its update or Graph Store "
                            "URL")
    urls: dict[str, str | None] = dict(layout_urls(urllib.parse.urlunsplit(parts._replace(
        path=root, query="", fragment="")), kind))
    if parts.query:
        urls["query_url"] = f"{urls['query_url']}?{parts.query}"
    return urls


def _check_url(url: str, what: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None:  # first: never echo a password
        raise TimelineError(f"the {what} URL holds credentials; refused: set {ENV_USER} and {ENV_PASSWORD} "
                            "or use ~/.netrc instead")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise TimelineError(f"{url}: not an http(s) URL for the {what}")
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
    cut_at: str | None = None  # X-SPARQL-MaxRows: the server returned only this many rows


class RemoteStore:
    """A SPARQL 1.1 endpoint behind the :class:`timeline.stores.Store` interface."""

    def __init__(self, query_url: str, update_url: str | None = None, store_url: str | None = None, *,
                 timeout: float | None = None, method: str = "POST") -> None:
        self.query_url, dataset = _split_dataset(_check_url(query_url, "query endpoint"))
        # The SPARQL 1.1 Protocol's dataset sent with every query (None: the server's default graph).
        self.default_graphs: tuple[str, ...] | None = dataset.get("default-graph-uri")
        self.named_graphs: tuple[str, ...] | None = dataset.get("named-graph-uri")
        if dataset:
            self.default_graphs = self.default_graphs or ()
            self.named_graphs = self.named_graphs or ()
        self.queried_by = ("with the dataset its URL names (default-graph-uri, named-graph-uri)" if dataset
                           else "through the endpoint's default graph")
        self.update_url = _check_url(update_url, "update endpoint") if update_url else None
        self.store_url = _check_url(store_url, "graph store") if store_url else None
        self.timeout = float(timeout) if timeout else default_timeout()
        if method.upper() not in ("POST", "GET"):
            raise TimelineError(f"method {method!r}: use POST or GET")
        self.method = method.upper()
        self.prefixes = dict(PREFIXES)
        self._credentials: dict[str, tuple[str, str] | None] = {}
        # By host and path (Virtuoso takes Basic at /sparql, wants Digest at /sparql-auth):
        self._digest: dict[str, dict[str, str]] = {}  # the server's last Digest challenge (and nc)
        self._schemes_known: set[str] = set()  # Basic or the Digest above settled
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
        if answer.cut_at:  # Virtuoso cuts at ResultSetMaxRows and says so only in this header
            raise EndpointError(f"{where}: {self.query_url} answered only the first {answer.cut_at} rows (its "
                                "limit; Virtuoso: ResultSetMaxRows in virtuoso.ini [SPARQL]); add LIMIT/OFFSET to "
                                "the query, or raise the server's limit")
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
            result = result_from_oxigraph(ox.parse_query_results(answer.body, format=results_format), form)
            return _ask_from_row(result) if form == "ASK" and result.form == "SELECT" else result
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
        params = [("query", text)] + [("default-graph-uri", g) for g in self.default_graphs or ()] + [
            ("named-graph-uri", g) for g in self.named_graphs or ()]
        if self.method == "GET":
            get_url = _add_params(url, params)
            if len(get_url) <= _MAX_GET:
                return self._request("GET", get_url, None, headers, where, shown=url, shift=shift)
        body = urllib.parse.urlencode(params).encode("ascii")
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
        """Named graph IRIs on the endpoint (in the dataset, if one is sent), optionally only under ``prefix``."""
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", where="graph list").rows
        if not rows or any("g" not in row for row in rows):  # Virtuoso answers an empty GRAPH with one empty row
            # GROUP BY, not DISTINCT: Virtuoso 7 takes seconds over DISTINCT ?g even for a few thousand quads
            rows = self.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", where="graph list").rows
        found = sorted(row["g"].value for row in rows if "g" in row and row["g"].kind == "uri")
        return [g for g in found if g.startswith(prefix)] if prefix else found

    def cases(self, named: bool = True) -> list[str]:
        """IRIs of the timeline cases (``tl:Case``) in the named graphs, or in the default graph (at most three)."""
        pattern = "GRAPH ?g { ?case a tl:Case }" if named else "?case a tl:Case"
        rows = self.query(f"SELECT DISTINCT ?case WHERE {{ {pattern} }} ORDER BY ?case LIMIT 3",
                          where="case lookup").rows
        return [row["case"].value for row in rows if "case" in row]

    def choose_dataset(self) -> list[str]:
        """Send the case's graphs as the dataset unless the default graph already is the case; the cases seen.

        Sets :attr:`default_graphs`, :attr:`named_graphs` and :attr:`queried_by`.
        """
        if self.default_graphs is not None or "union-default-graph" in urllib.parse.urlsplit(self.query_url).query:
            if self.default_graphs is None:
                self.queried_by = "through the endpoint's default graph (?union-default-graph in the URL)"
            return self.cases(named=False)
        cases = self.cases()
        if len(cases) == 1:
            base = cases[0] if cases[0].endswith(("/", "#")) else cases[0] + "/"
            every = self.graphs()
            ours = tuple(g for g in every if g.startswith(base))
            if len(ours) == len(every) and self.cases(named=False) == cases:
                self.queried_by = (f"through the endpoint's default graph, the union of its {len(ours)} named "
                                   "graphs, all of them the case's")
            else:
                self.default_graphs = self.named_graphs = ours
                self.queried_by = (f"with the case's {len(ours)} graphs as its dataset "
                                   "(default-graph-uri, named-graph-uri)")
            return cases
        in_default = self.cases(named=False)
        if len(cases) > 1 and not in_default:
            raise EndpointError(f"{self.query_url}: holds several timeline cases ({', '.join(cases)}, ...); name "
                                "the one to query: add default-graph-uri=GRAPH and named-graph-uri=GRAPH for each "
                                "of its graphs to the URL")
        if len(cases) > 1:
            self.queried_by = f"through the endpoint's default graph, which shows {len(in_default)}+ cases"
        return in_default

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

    def server_software(self) -> str:
        """The ``Server`` header of a GET of the query URL (whatever the status), or ''."""
        request = urllib.request.Request(self.query_url, method="GET", headers={"Accept": "*/*"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.headers.get("Server", "")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.headers.get("Server", "") if exc.headers else ""
        except urllib.error.URLError as exc:
            raise self._connection_error(exc.reason, self.query_url) from None
        except (OSError, ValueError) as exc:
            raise self._connection_error(exc, self.query_url) from None

    # -------------------------------------------------------------- HTTP

    def _user(self, url: str) -> tuple[str, str] | None:
        """The credentials for the URL's host, checked to go over https or to a loopback host."""
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        if host in self._credentials:
            return self._credentials[host]
        user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
        if user or password:
            if not user or password is None:
                raise TimelineError(f"set both {ENV_USER} and {ENV_PASSWORD}, or neither")
        else:
            user, password = _from_netrc(host)
        found = None
        if user is not None:
            if (parts.scheme.lower() != "https" and not _loopback(host)
                    and os.environ.get(ENV_ALLOW_HTTP_AUTH) != "1"):
                raise TimelineError(f"{parts.scheme}://{parts.netloc}: refusing to send credentials over plain "
                                    f"http to a non-local host; use https (or set {ENV_ALLOW_HTTP_AUTH}=1)")
            found = (user, password or "")
        self._credentials[host] = found
        return found

    def _authorization(self, method: str, url: str) -> str | None:
        """Digest once the host has asked for it, else Basic (sent up front: most servers want it)."""
        user = self._user(url)
        if user is None:
            return None
        challenge = self._digest.get(_auth_key(url))
        if challenge is not None:
            return _digest_header(challenge, method, url, *user)
        return "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode("ascii")

    def _take_digest_challenge(self, url: str, exc: urllib.error.HTTPError) -> bool:
        """Remember a 401's Digest challenge if we have credentials to answer it with; True to retry."""
        offered = exc.headers.get_all("WWW-Authenticate") or [] if exc.headers else []
        digest = next((h for h in offered if h.strip().lower().startswith("digest ")), None)
        if digest is None or self._user(url) is None:
            return False
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(digest.strip()[7:]))
        key = _auth_key(url)
        known = self._digest.get(key)
        if known is not None and known.get("nonce") == fields.get("nonce"):
            return False  # the same challenge again: the credentials are wrong
        self._digest[key] = {**fields, "nc": "0"}
        return True

    def _request(self, method: str, url: str, body: bytes | None, headers: dict[str, str], where: str,
                 shown: str | None = None, shift: int = 0) -> _Answer:
        shown = shown or url
        if body and self._user(url) is not None:
            self._learn_scheme(url, shown)
        anonymous = False
        for attempt in (1, 2, 3):  # again only to learn (Virtuoso refuses Basic silently) and answer a Digest challenge
            request = urllib.request.Request(url, data=body, method=method, headers=headers)
            authorization = None if anonymous else self._authorization(method, url)
            if authorization:
                request.add_unredirected_header("Authorization", authorization)
            deadline = time.monotonic() + self.timeout
            try:
                return self._send(request, deadline)
            except urllib.error.HTTPError as exc:
                if attempt < 3 and exc.code == 401:
                    if self._take_digest_challenge(url, exc):
                        anonymous = False
                        exc.close()
                        continue
                    if (authorization or "").startswith("Basic ") and not exc.headers.get("WWW-Authenticate"):
                        anonymous = True  # ask without credentials: the answer names the scheme it wants
                        exc.close()
                        continue
                raise self._http_error(exc, shown, where, shift, deadline) from None
            except urllib.error.URLError as exc:
                raise self._connection_error(exc.reason, shown) from None
            except TimeoutError:
                raise EndpointError(f"{shown}: no answer within {self.timeout:g} s") from None
            except (OSError, ValueError) as exc:  # http.client.HTTPException is not an OSError
                raise self._connection_error(exc, shown) from None
            except Exception as exc:  # http.client.HTTPException and kin: a broken answer
                raise EndpointError(f"{shown}: bad answer: {type(exc).__name__}: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _learn_scheme(self, url: str, shown: str) -> None:
        """Before the first body goes to a URL, learn (and check) with bodiless HEADs whether it wants Digest.

        A server that refuses credentials may answer and close the connection
        before reading a large body (Virtuoso does), which the client sees as
        a broken pipe, not as the 401: so Basic is tried, then no credentials
        (to be told the scheme), then Digest, whose refusal is the error.
        """
        key = _auth_key(url)
        if key in self._schemes_known:
            return
        self._schemes_known.add(key)
        anonymous = False
        for _step in range(3):
            header = None if anonymous else self._authorization("HEAD", url)
            request = urllib.request.Request(url, method="HEAD")
            if header:
                request.add_unredirected_header("Authorization", header)
            deadline = time.monotonic() + self.timeout
            try:
                self._send(request, deadline)
                return  # accepted (or no credentials needed)
            except urllib.error.HTTPError as exc:
                if exc.code != 401:
                    exc.close()
                    return  # not about credentials (HEAD not allowed, no such graph, ...)
                if (header or "").startswith("Digest ") or not self._take_digest_challenge(url, exc) and anonymous:
                    raise self._http_error(exc, shown, "push", 0, deadline) from None
                exc.close()
                anonymous = key not in self._digest  # no challenge yet: ask without credentials
            except urllib.error.URLError as exc:
                raise self._connection_error(exc.reason, shown) from None
            except (OSError, ValueError) as exc:
                raise self._connection_error(exc, shown) from None

    def _send(self, request: urllib.request.Request, deadline: float) -> _Answer:
        with self._opener.open(request, timeout=self.timeout) as response:
            data = _read(response, deadline, None)
            return _Answer(response.status, response.headers.get_content_type(), data,
                           response.headers.get("X-SPARQL-MaxRows"))

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


def _add_params(url: str, params) -> str:
    """Append parameters (a dict or pairs), keeping those already in the URL (e.g. ``?union-default-graph``)."""
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


def _auth_key(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path}"


def _split_dataset(url: str) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The URL without its ``default-graph-uri``/``named-graph-uri`` parameters, and those (sent per query)."""
    parts = urllib.parse.urlsplit(url)
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    dataset: dict[str, tuple[str, ...]] = {}
    for name, value in pairs:
        if name in _DATASET_PARAMS:
            dataset[name] = (*dataset.get(name, ()), value)
    if not dataset:
        return url, {}
    rest = [p for p in parts.query.split("&") if p.split("=", 1)[0] not in _DATASET_PARAMS]
    return urllib.parse.urlunsplit(parts._replace(query="&".join(rest))), dataset


def _ask_from_row(result: QueryResult) -> QueryResult:
    """An ASK answered as one row of one value (Virtuoso 7: ``__ASK_RETVAL`` 1 or 0) as the boolean it means."""
    values = [term.value for row in result.rows for term in row.values()]
    return QueryResult("ASK", boolean=values[:1] in (["1"], ["true"]))


def _digest_header(challenge: dict[str, str], method: str, url: str, user: str, password: str) -> str:
    """RFC 7616 Digest authorization (MD5 or SHA-256, qop=auth or none) for one request."""
    algorithm = challenge.get("algorithm", "MD5").upper()
    name = {"MD5": "md5", "SHA-256": "sha256"}.get(algorithm.removesuffix("-SESS"))
    if name is None:
        raise EndpointError(f"{url}: the server asks for Digest authentication with {algorithm}; "
                            "timeline speaks MD5 and SHA-256")

    def digest(text: str) -> str:
        return hashlib.new(name, text.encode("utf-8")).hexdigest()

    parts = urllib.parse.urlsplit(url)
    uri = parts.path or "/"
    if parts.query:
        uri += "?" + parts.query
    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    count = int(challenge.get("nc", "0")) + 1
    challenge["nc"] = str(count)
    cnonce = os.urandom(8).hex()
    secret = digest(f"{user}:{realm}:{password}")
    if algorithm.endswith("-SESS"):
        secret = digest(f"{secret}:{nonce}:{cnonce}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    fields = {"username": user, "realm": realm, "nonce": nonce, "uri": uri, "algorithm": algorithm}
    if "auth" in qops:
        nc = f"{count:08x}"
        response = digest(f"{secret}:{nonce}:{nc}:{cnonce}:auth:{digest(f'{method}:{uri}')}")
        fields.update(qop="auth", nc=nc, cnonce=cnonce)
    else:
        response = digest(f"{secret}:{nonce}:{digest(f'{method}:{uri}')}")
    fields["response"] = response
    if "opaque" in challenge:
        fields["opaque"] = challenge["opaque"]
    unquoted = ("qop", "nc", "algorithm")
    return "Digest " + ", ".join(f"{k}={v}" if k in unquoted else f'{k}="{v}"' for k, v in fields.items())


def iri_ref(value: str) -> str:
    return term_syntax(Term.iri(value))


def open_remote(query_url: str, update_url: str | None = None, store_url: str | None = None,
                timeout: float | None = None) -> RemoteStore:
    """A :class:`RemoteStore` for the URL a user gives, querying the case it holds (see ``choose_dataset``).

    A base URL becomes the server's query URL (:func:`endpoint_urls`), whose
    update and Graph Store URLs are used unless given.
    """
    if not urllib.parse.urlsplit(query_url).path.strip("/"):
        found = endpoint_urls(query_url, timeout)
        query_url = found["query_url"] or query_url
        update_url = update_url or found["update_url"]
        store_url = store_url or found["store_url"]
    store = RemoteStore(query_url, update_url, store_url, timeout=timeout)
    cases = store.choose_dataset()
    if len(cases) == 1:  # as for a local store: entity:, event:, ... only when the case is unambiguous
        store.prefixes.update(case_namespaces(cases[0]))
    return store
