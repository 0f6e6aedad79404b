"""A real HTTP webhook receiver on 127.0.0.1, for the alert tests: every POST's JSON body, in
the order it arrived, with the moment it arrived (time.monotonic)."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Message:
    path: str
    body: dict[str, Any]
    arrived: float


@dataclass
class Receiver:
    url: str
    inbox: queue.Queue[Message] = field(default_factory=queue.Queue)

    def next(self, timeout: float) -> Message | None:
        """The next message, or None when none came within `timeout` seconds."""
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def until(self, found: Any, timeout: float) -> list[Message]:
        """Every message up to and including the first for which `found(message)` is true."""
        deadline = time.monotonic() + timeout
        seen: list[Message] = []
        while (left := deadline - time.monotonic()) > 0:
            message = self.next(left)
            if message is None:
                break
            seen.append(message)
            if found(message):
                return seen
        raise AssertionError(f"no such message within {timeout} s; got {seen}")


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    inbox: queue.Queue[Message] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            inbox.put(Message(self.path, body, time.monotonic()))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_address[1]}", inbox)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
