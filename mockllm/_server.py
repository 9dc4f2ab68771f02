"""The HTTP side: a threading HTTP/1.1 server around MockApp, as a CLI or in-process for tests."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mockllm._app import MockApp, Reply
from mockllm._config import Fault, MockConfig, parse_args
from mockllm._log import LogEntry

__all__ = ["MockServer", "main", "make_server", "serve"]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a hung request must not block shutdown
    allow_reuse_address = True
    request_queue_size = 1024  # the default of 5 drops connections under a burst of 64

    def __init__(self, address: tuple[str, int], app: MockApp) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.stopping = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection per client slot, not per request
    disable_nagle_algorithm = True
    timeout = 300  # idle keep-alive connections are closed after this
    server: _HTTPServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log is ours; stderr stays quiet

    def _send(self, reply: Reply, content_type: str = "application/json") -> None:
        if reply.delay_s > 0 and self.server.stopping.wait(reply.delay_s):
            self.close_connection = True
            return
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
            if self.server.stopping.is_set():
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout fault did its job).
            self.close_connection = True

    def do_GET(self) -> None:
        app = self.server.app
        if self.path == "/v1/models":
            self._send(app.models())
        elif self.path == "/_log":
            body = "".join(e.to_json() + "\n" for e in app.log.entries()).encode("utf-8")
            self._send(Reply(200, body), "application/x-ndjson")
        elif self.path == "/_health":
            self._send(Reply(200, b'{"status": "ok"}'))
        else:
            self._send(Reply(404, b'{"error": {"message": "not found", "type": "not_found"}}'))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path.rstrip("/") == "/v1/chat/completions":
            self._send(self.server.app.chat(body, self.headers.get("Authorization")))
        else:
            self._send(Reply(404, b'{"error": {"message": "not found", "type": "not_found"}}'))


def make_server(config: MockConfig, host: str = "127.0.0.1", port: int = 0) -> _HTTPServer:
    return _HTTPServer((host, port), MockApp(config))


@dataclass(frozen=True, slots=True)
class MockServer:
    """A running in-process mock server."""

    base_url: str  # OpenAI-style, ends in /v1
    app: MockApp

    @property
    def root_url(self) -> str:
        return self.base_url.removesuffix("/v1")

    def log(self) -> tuple[LogEntry, ...]:
        return self.app.log.entries()

    def chat_log(self) -> tuple[LogEntry, ...]:
        return tuple(e for e in self.app.log.entries() if e.path == "/v1/chat/completions")

    def clear_log(self) -> None:
        self.app.log.clear()

    def push_faults(self, *faults: Fault) -> None:
        self.app.push_faults(*faults)


@contextlib.contextmanager
def serve(config: MockConfig | None = None, host: str = "127.0.0.1") -> Iterator[MockServer]:
    """Run the mock on a free loopback port in a background thread for the duration of a block."""
    server = make_server(config or MockConfig(), host, 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    bound_host, port = server.server_address[:2]
    try:
        yield MockServer(f"http://{_url_host(str(bound_host))}:{port}/v1", server.app)
    finally:
        server.stopping.set()  # wakes requests that are sleeping out latency or a hang
        server.shutdown()
        server.server_close()
        server.app.log.close()
        thread.join(timeout=5)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def main(argv: Sequence[str] | None = None) -> int:
    command = parse_args(argv)
    try:
        server = make_server(command.config, command.host, command.port)
    except OSError as exc:
        print(f"mockllm: cannot listen on {command.host}:{command.port}: {exc.strerror}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    # Scripts (the bench, make run) read this first line to learn the port when --port 0.
    print(f"mockllm listening on http://{_url_host(str(host))}:{port}/v1", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.server_close()
        server.app.log.close()
    return 0
