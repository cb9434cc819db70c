"""A real local HTTP server answering like the data·inclusion API, for the import's client.

It serves ``/api/v1/structures`` and ``/api/v1/services`` with the API's envelope
``{"items", "total", "page", "size", "pages"}`` (``size``: items on this page), filters on the
``sources`` parameter, requires a bearer token, refuses ``size`` above 10,000 with a FastAPI 422,
and can be told to fail or to be slow for its first requests.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MAX_SIZE = 10_000


class FakeApi:
    def __init__(self, data: dict[str, list[dict]], *, token="secret", hidden_sources=()):
        self.data = data
        self.token = token
        self.hidden_sources = set(hidden_sources)  # sources this token may not see: left out of answers
        self.failures: list[int] = []  # status codes of the next answers, one per request
        self.delays: list[float] = []  # seconds to wait before the next answers
        self.requests: list[str] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                api.requests.append(self.path)
                if api.delays:
                    time.sleep(api.delays.pop(0))
                if api.failures:
                    return self.answer(api.failures.pop(0), {"detail": "erreur simulée"})
                if self.headers.get("Authorization") != f"Bearer {api.token}":
                    return self.answer(401, {"detail": "Not authenticated"})
                url = urlparse(self.path)
                resource = url.path.removeprefix("/api/v1/")
                if resource not in api.data:
                    return self.answer(404, {"detail": "Not Found"})
                query = parse_qs(url.query)
                page, size = int(query.get("page", ["1"])[0]), int(query.get("size", ["50"])[0])
                if size > MAX_SIZE:
                    detail = [{"loc": ["query", "size"], "msg": f"Input should be less than or equal to {MAX_SIZE}"}]
                    return self.answer(422, {"detail": detail})
                wanted = set(query.get("sources", []))
                items = [
                    item
                    for item in api.data[resource]
                    if item["source"] not in api.hidden_sources and (not wanted or item["source"] in wanted)
                ]
                chunk = items[(page - 1) * size : page * size]
                pages = max(1, -(-len(items) // size))
                return self.answer(
                    200, {"items": chunk, "total": len(items), "page": page, "size": len(chunk), "pages": pages}
                )

            def answer(self, status, body):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
