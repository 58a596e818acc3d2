"""``timeline serve``: a built graph as a read-only SPARQL 1.1 endpoint, plus its pages.

:func:`make_server` returns a :class:`Server`: an ASGI application (Starlette,
:mod:`timeline.serve.app`) run by uvicorn, which answers

* ``GET /sparql?query=...`` and ``POST /sparql`` (form-encoded ``query=`` or a body of
  type ``application/sparql-query``), following the SPARQL 1.1 Protocol, with its
  dataset parameters: ``default-graph-uri`` and ``named-graph-uri`` name the graphs
  the query reads, in place of its FROM and FROM NAMED. Without them a query's
  FROM and FROM NAMED apply, and without those the default graph is the union of
  all graphs. Results are chosen by content negotiation (``Accept``), or by a
  ``format=`` parameter: SPARQL JSON (the default), XML, CSV or TSV for SELECT and
  ASK; Turtle (the default), N-Triples, JSON-LD or RDF/XML for CONSTRUCT and DESCRIBE.
* ``GET /`` an index page; ``GET /timeline.html``, ``GET /graph.html`` and ``GET /story.html``, the three
  pages rendered once at start-up; ``GET /queries``, the saved queries as JSON.

The server never writes: SPARQL UPDATE (as ``query=``, ``update=`` or a body of type
``application/sparql-update``) is refused with 403, and queries run through the
store's query interface, which cannot change the graph. ``SERVICE`` (a federated
query would make the server fetch URLs for its callers) is refused with 403.

Limits, both configurable:

* **Time** (``timeout``, seconds). The clock starts when the whole request has been
  read; it covers waiting for a free query worker, parsing, evaluation and writing the
  answer in the chosen format, not sending it to the client. By default (on POSIX)
  every query runs in a pool of worker processes forked from one "zygote" process
  that holds the graph; a query that overruns is answered with 503 and its worker
  is killed and replaced, so the limit is hard: nothing keeps computing after the
  answer. (pyoxigraph evaluates lazily, but an aggregate or ORDER BY computes
  everything before its first row; only a separate process can be stopped there.)
  With ``isolation="thread"`` (the fallback where ``fork`` is unavailable) queries
  run in threads: the client still gets 503 on time, and the thread stops at the
  next result row, but a long step before the first row runs to its end in the
  background, holding one of the ``workers`` slots. Either way the event loop
  only awaits the worker's answer: a slow query never holds up the other requests.
* **Size** (``max_rows``): a SELECT with more rows, or a CONSTRUCT/DESCRIBE with more
  triples, is answered with 503 "more than N rows"; rows are counted while they are
  produced, so a huge result is not materialised first.

Every answer carries ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
no-referrer`` and a Content-Security-Policy: a page may run only its own inline
scripts (listed by hash), anything else may load and run nothing
(:mod:`timeline.serve.security`). The server listens on 127.0.0.1 unless told
otherwise; an address that other machines reach needs ``public=True``.

The workers serve the graph as it was when :func:`make_server` was called.
One line per request goes to stderr, in the Common Log Format with the
milliseconds taken and without the query string (:mod:`timeline.serve.accesslog`),
unless ``quiet=True``. SIGINT and SIGTERM stop the server gracefully.
"""

from timeline.serve.app import Endpoint, create_app, page_response
from timeline.serve.errors import HttpError
from timeline.serve.execution import execute
from timeline.serve.guard import refused
from timeline.serve.negotiation import Format, negotiate
from timeline.serve.protocol import Dataset, QueryRequest, query_request
from timeline.serve.security import page_csp
from timeline.serve.server import (
    DEFAULT_HOST,
    DEFAULT_MAX_ROWS,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    Server,
    make_server,
    serve,
)

__all__ = ["DEFAULT_HOST", "DEFAULT_MAX_ROWS", "DEFAULT_PORT", "DEFAULT_TIMEOUT", "Dataset", "Endpoint", "Format",
           "HttpError", "QueryRequest", "Server", "create_app", "execute", "make_server", "negotiate", "page_csp",
           "page_response", "query_request", "refused", "serve"]
