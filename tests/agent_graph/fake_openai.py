"""A tiny real HTTP server impersonating the Azure OpenAI chat-completions endpoint.

It listens on 127.0.0.1 (port 0), records every request (path, query, headers, JSON body) and
answers with the canned responses a test queued — nothing in the code under test is patched.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Canned:
    status: int = 200
    body: bytes = b""
    delay_s: float = 0.0


def completion(content: str) -> bytes:
    """A chat.completion response whose assistant message content is ``content``."""
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "gpt-4o",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
    ).encode()


@dataclass
class FakeAzureOpenAI:
    """Server state: responses to give (FIFO) and requests received."""

    responses: list[Canned] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}" if isinstance(host, str) else f"http://127.0.0.1:{port}"

    def reply_json(self, content: dict[str, Any] | str, status: int = 200) -> None:
        text = content if isinstance(content, str) else json.dumps(content)
        self.responses.append(Canned(status=status, body=completion(text)))

    def reply_raw(self, status: int, body: bytes, delay_s: float = 0.0) -> None:
        self.responses.append(Canned(status=status, body=body, delay_s=delay_s))

    def start(self) -> FakeAzureOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length)
                url = urlsplit(self.path)
                fake.requests.append(
                    Recorded(
                        path=url.path,
                        query=parse_qs(url.query),
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=json.loads(raw or b"{}"),
                    )
                )
                canned = fake.responses.pop(0) if fake.responses else Canned(status=500)
                if canned.delay_s:
                    time.sleep(canned.delay_s)
                try:
                    self.send_response(canned.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(canned.body)))
                    self.end_headers()
                    self.wfile.write(canned.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
