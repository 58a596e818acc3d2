"""``timeline serve``: a built graph as a read-only SPARQL 1.1 endpoint, plus its pages."""

from timeline.serve.app import Server, make_server, negotiate, refused, serve

__all__ = ["Server", "make_server", "negotiate", "refused", "serve"]
