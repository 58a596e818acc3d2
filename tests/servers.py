"""Real servers for the store and serve tests, all on 127.0.0.1 and all stopped after.

* :func:`oxigraph_server` runs the ``oxigraph`` binary (PyPI package
  ``oxigraph``, in the ``test`` extra) on a free port with a temporary
  location, waits until it answers and yields its URLs.
* :func:`virtuoso_server` runs OpenLink Virtuoso (Debian's
  ``virtuoso-opensource``, installed by ``.ci/run``) with a ``virtuoso.ini`` of
  its own in a temporary directory: a fresh database (user ``dba``, password
  ``dba``), free ports, no system service; killed after.
* :func:`http_server` runs a tiny ``http.server`` whose handler the test
  gives (to record headers, to answer slowly, to answer with an error).
* :func:`timeline_server` runs ``timeline serve`` (``timeline.serve.make_server``)
  on a store, in a thread, on a free port.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server binary: on PATH, or next to this Python (the package's entry point)."""
    found = shutil.which("oxigraph")
    if found:
        return found
    beside = Path(sys.executable).parent / ("oxigraph.exe" if sys.platform == "win32" else "oxigraph")
    return str(beside) if beside.is_file() else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class OxigraphServer:
    base: str
    process: subprocess.Popen
    location: Path | None
    log: Path

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base}/store"


@contextlib.contextmanager
def oxigraph_server(workdir: Path, union_default_graph: bool = True, persistent: bool = True,
                    startup: float = 20.0) -> Iterator[OxigraphServer]:
    """``oxigraph serve`` on 127.0.0.1:<free port>; terminated (killed if it lingers) on exit."""
    binary = oxigraph_binary()
    if binary is None:
        raise FileNotFoundError("the oxigraph server binary is not installed (pip install oxigraph)")
    workdir.mkdir(parents=True, exist_ok=True)
    location = workdir / "data" if persistent else None
    log = workdir / "server.log"
    last_error = ""
    for _attempt in range(3):  # another process may take the free port before the server binds it
        port = free_port()
        command = [binary, "serve", "--bind", f"{HOST}:{port}"]
        if location is not None:
            command += ["--location", str(location)]
        if union_default_graph:
            command.append("--union-default-graph")
        with open(log, "wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        server = OxigraphServer(f"http://{HOST}:{port}", process, location, log)
        try:
            if _wait_until_up(server, startup):
                break
            last_error = log.read_text(errors="replace")
        except BaseException:
            _stop(process)
            raise
        _stop(process)
    else:
        raise RuntimeError(f"oxigraph serve did not start: {last_error.strip()[-500:]}")
    try:
        yield server
    finally:
        _stop(process)


def _wait_until_up(server: OxigraphServer | VirtuosoServer, limit: float) -> bool:
    deadline = time.monotonic() + limit
    probe = f"{server.query_url}?query=ASK%7B%7D"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(probe, timeout=1) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen, kill: bool = False) -> None:
    """Terminate (or, for a throwaway database, kill at once) and wait."""
    if process.poll() is not None:
        return
    process.kill() if kill else process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"  # a new Virtuoso database's administrator

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0

[HTTPServer]
ServerPort = {host}:{http_port}
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""


def virtuoso_binary() -> str | None:
    """Virtuoso's server binary (``virtuoso-t`` from Debian's virtuoso-opensource), or None."""
    return shutil.which("virtuoso-t") or next(
        (p for p in ("/usr/bin/virtuoso-t", "/usr/sbin/virtuoso-t") if Path(p).is_file()), None)


@dataclass
class VirtuosoServer:
    base: str
    process: subprocess.Popen
    directory: Path

    @property
    def query_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update_url(self) -> str:  # SPARQL Update with Digest authentication
        return f"{self.base}/sparql-auth"

    @property
    def store_url(self) -> str:  # the Graph Store Protocol with Digest authentication
        return f"{self.base}/sparql-graph-crud-auth"


@contextlib.contextmanager
def virtuoso_server(workdir: Path, startup: float = 90.0) -> Iterator[VirtuosoServer]:
    """``virtuoso-t +foreground`` on 127.0.0.1 with a fresh database in ``workdir``; killed on exit."""
    binary = virtuoso_binary()
    if binary is None:
        raise FileNotFoundError("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    last_error = ""
    for attempt in range(3):  # another process may take a free port before the server binds it
        directory = workdir / f"virtuoso-{attempt}"
        directory.mkdir(parents=True, exist_ok=True)
        http_port, sql_port = free_port(), free_port()
        ini = directory / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=directory, host=HOST, sql_port=sql_port, http_port=http_port))
        with open(directory / "server.out", "wb") as out:
            process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=directory,
                                       stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        server = VirtuosoServer(f"http://{HOST}:{http_port}", process, directory)
        try:
            if _wait_until_up(server, startup):
                break
            last_error = (directory / "server.out").read_text(errors="replace")
        except BaseException:
            _stop(process, kill=True)
            raise
        _stop(process, kill=True)
    else:
        raise RuntimeError(f"virtuoso-t did not start: {last_error.strip()[-500:]}")
    try:
        yield server
    finally:
        _stop(process, kill=True)


@dataclass
class HttpServer:
    url: str
    requests: list[dict]  # method, path, headers, body of each request received
    stop: threading.Event  # set when the server is shutting down (slow handlers wait on it)


@contextlib.contextmanager
def http_server(respond: Callable[[BaseHTTPRequestHandler, HttpServer], None],
                tls: tuple[Path, Path] | None = None) -> Iterator[HttpServer]:
    """A tiny threaded HTTP server on 127.0.0.1; ``respond(handler, server)`` answers each request.

    With ``tls=(cert, key)`` it speaks https.
    """
    state = HttpServer("", [], threading.Event())

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append({"method": self.command, "path": self.path,
                                   "headers": dict(self.headers.items()), "body": body})
            try:
                respond(self, state)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (the timeout tests)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, *args) -> None:  # keep the test output clean
            pass

    server = ThreadingHTTPServer((HOST, 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    state.url = f"{scheme}://{HOST}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def timeline_server(store, **options):
    """``timeline.serve.make_server(store, **options)`` on 127.0.0.1:<free port>, quiet unless told, in a thread."""
    from timeline.serve import make_server

    options.setdefault("quiet", True)
    server = make_server(store, host=HOST, port=0, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "text/plain") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def self_signed_certificate(directory: Path) -> tuple[Path, Path] | None:
    """A throwaway certificate for 127.0.0.1 made with the openssl command (None without it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key
