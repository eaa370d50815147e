"""A small fake of the Hugging Face Hub's HTTP API on 127.0.0.1, for huggingface_hub.

It answers what ``HfApi.model_info``, ``HfApi.list_models`` (paginated with ``Link``
headers) and ``hf_hub_download`` ask, with the headers huggingface_hub reads
(``X-Repo-Commit``, ``ETag``, ``X-Error-Code``...), and logs every request.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import yaml


@dataclass
class Repo:
    card: str
    tags: list[str] = field(default_factory=list)
    downloads: int = 10
    likes: int = 1
    gated: str | bool = False
    private: bool = False
    pipeline_tag: str | None = "text-generation"
    library_name: str | None = "transformers"
    created: str = "2024-01-15T09:30:00.000Z"
    modified: str = "2024-06-01T12:00:00.000Z"
    has_card: bool = True

    @property
    def sha(self) -> str:
        return hashlib.sha1(self.card.encode()).hexdigest()


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class FakeHub:
    """Serve ``repos`` until closed; ``fail`` queues error answers per path."""

    page_size = 2

    def __init__(self, repos: dict[str, Repo], *, token: str | None = None):
        self.repos = repos
        self.token = token
        self.log: list[Request] = []
        self.fail: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hub.handle(self, body=True)

            def do_HEAD(self) -> None:
                hub.handle(self, body=False)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- queries on the log
    def requests(self, method: str | None = None, contains: str = "") -> list[Request]:
        return [r for r in self.log if (method is None or r.method == method)
                and contains in r.path]

    def downloads_of(self, repo_id: str) -> int:
        return len([r for r in self.log if r.method == "GET"
                    and r.path.startswith(f"/{repo_id}/resolve/")])

    # -- serving
    def authorised(self, headers: dict[str, str]) -> bool:
        return self.token is not None and headers.get("authorization") == f"Bearer {self.token}"

    def handle(self, h: BaseHTTPRequestHandler, *, body: bool) -> None:
        split = urlsplit(h.path)
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self.lock:
            self.log.append(Request(h.command, split.path, parse_qs(split.query), headers))
            queued = self.fail.get(split.path)
            failure = queued.pop(0) if queued else None
        if failure is not None:
            self.send(h, failure[0], b"{}", failure[1], body=body)
            return
        path = split.path
        if path == "/api/models":
            self.listing(h, parse_qs(split.query), body=body)
        elif path.startswith("/api/models/"):
            rid = "/".join(path.removeprefix("/api/models/").split("/")[:2])
            repo = self.visible(h, rid, headers, body=body)
            if repo is not None:
                self.send_json(h, self.info(rid, repo), body=body)
        elif "/resolve/" in path:
            rid, _, rest = path.lstrip("/").partition("/resolve/")
            repo = self.visible(h, rid, headers, body=body)
            if repo is None:
                return
            if repo.gated and not self.authorised(headers):
                self.send(h, 403, b'{"error": "gated"}', {
                    "X-Error-Code": "GatedRepo",
                    "X-Error-Message": "Access to model is restricted."}, body=body)
                return
            if not rest.endswith("/README.md") or not repo.has_card:
                self.send(h, 404, b"{}", {"X-Error-Code": "EntryNotFound",
                                          "X-Repo-Commit": repo.sha}, body=body)
                return
            data = repo.card.encode()
            self.send(h, 200, data, {
                "X-Repo-Commit": repo.sha,
                "ETag": f'"{hashlib.sha1(data).hexdigest()}"',
                "Content-Type": "text/plain; charset=utf-8"}, body=body)
        else:
            self.send(h, 404, b"{}", {}, body=body)

    def visible(self, h: BaseHTTPRequestHandler, rid: str, headers: dict[str, str], *,
                body: bool) -> Repo | None:
        repo = self.repos.get(rid)
        if repo is None:
            self.send(h, 404, b'{"error": "Repository not found"}',
                      {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"},
                      body=body)
            return None
        if repo.private and not self.authorised(headers):
            self.send(h, 401, b'{"error": "Invalid username or password."}',
                      {"X-Error-Code": "RepoNotFound",
                       "X-Error-Message": "Invalid username or password."}, body=body)
            return None
        return repo

    def info(self, rid: str, repo: Repo) -> dict[str, Any]:
        meta: Any = {}
        if repo.card.startswith("---\n"):
            meta = yaml.safe_load(repo.card.split("---\n")[1]) or {}
        files = ["README.md", "config.json"] if repo.has_card else ["config.json"]
        return {"_id": hashlib.md5(rid.encode()).hexdigest()[:24],
                "id": rid, "modelId": rid, "author": rid.split("/")[0], "sha": repo.sha,
                "lastModified": repo.modified, "createdAt": repo.created,
                "private": repo.private, "gated": repo.gated, "disabled": False,
                "downloads": repo.downloads, "likes": repo.likes,
                "library_name": repo.library_name, "pipeline_tag": repo.pipeline_tag,
                "tags": repo.tags, "cardData": meta,
                "siblings": [{"rfilename": f} for f in files]}

    def listing(self, h: BaseHTTPRequestHandler, query: dict[str, list[str]], *,
                body: bool) -> None:
        found = []
        for rid, repo in sorted(self.repos.items()):
            if repo.private:
                continue
            if "author" in query and rid.split("/")[0] != query["author"][0]:
                continue
            if "search" in query and query["search"][0].lower() not in rid.lower():
                continue
            if any(f not in repo.tags for f in query.get("filter", [])):
                continue
            found.append(self.info(rid, repo))
        start = int(query.get("cursor", ["0"])[0])
        page = found[start:start + self.page_size]
        headers = {}
        if start + self.page_size < len(found):
            rest = {k: v for k, v in query.items() if k != "cursor"}
            nxt = urlencode({**rest, "cursor": [str(start + self.page_size)]}, doseq=True,
                            quote_via=quote)
            headers["Link"] = f'<{self.url}/api/models?{nxt}>; rel="next"'
        self.send_json(h, page, headers, body=body)

    def send_json(self, h: BaseHTTPRequestHandler, data: Any,
                  headers: dict[str, str] | None = None, *, body: bool) -> None:
        self.send(h, 200, json.dumps(data).encode(),
                  {"Content-Type": "application/json", **(headers or {})}, body=body)

    def send(self, h: BaseHTTPRequestHandler, status: int, data: bytes,
             headers: dict[str, str], *, body: bool) -> None:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if body:
            h.wfile.write(data)
