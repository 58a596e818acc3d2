"""The answers other than 200 that the endpoint gives, and the message for an update."""

from __future__ import annotations

READ_ONLY = "SPARQL UPDATE is not allowed: this endpoint is read-only"


class HttpError(Exception):
    """An answer other than 200: a status and a one-line message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
