"""The SPARQL 1.1 Protocol handlers: ``/sparql``, its service description, ``/health``."""

from __future__ import annotations

import urllib.parse

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from lineage.server.evaluate import _Job
from lineage.server.guard import UPDATE_REFUSED, _one_line
from lineage.server.negotiate import _GRAPH_FORMATS, _GRAPH_OX, _RESULT_FORMATS, _negotiate
from lineage.server.workers import _Runner

DEFAULT_TIMEOUT = 30.0
TIMEOUT_STATUS = 503
MAX_BODY = 4 << 20
_SD = "http://www.w3.org/ns/sparql-service-description#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _dataset(params: dict[str, list[str]]
             ) -> tuple[tuple[str, ...], tuple[str, ...]] | str | None:
    """Read the protocol's dataset: (default graphs, named graphs), None, or an error."""
    defaults = params.get("default-graph-uri", [])
    named = params.get("named-graph-uri", [])
    if not defaults and not named:
        return None
    for iri in (*defaults, *named):
        try:
            ox.NamedNode(iri)
        except ValueError:
            return f"not an absolute IRI in default-graph-uri or named-graph-uri: {iri!r}"
    return tuple(defaults), tuple(named)


class _Endpoint:
    """The request handlers, holding the app's settings (no module state)."""

    def __init__(self, runner: _Runner, *, timeout: float, max_rows: int):
        self.runner = runner
        self.timeout = timeout
        self.max_rows = max_rows

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Vary": "Accept", "X-Content-Type-Options": "nosniff"}
        return headers | (extra or {})

    def _error(self, status: int, message: str, **headers: str) -> Response:
        return PlainTextResponse(message + "\n", status_code=status,
                                 headers=self._headers(headers))

    async def sparql(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=self._headers({
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "600", "Allow": "GET, POST, OPTIONS"}))
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "POST":
            refusal = await self._read_post(request, params)
            if refusal is not None:
                return refusal
        if "update" in params:
            return self._error(400, UPDATE_REFUSED)
        queries = params.get("query", [])
        if not queries:
            if request.method == "GET":
                return self._service_description(request, params)
            return self._error(400, "missing the query parameter (query=...)")
        if len(queries) > 1:
            return self._error(400, "give exactly one query parameter")
        dataset = _dataset(params)
        if isinstance(dataset, str):
            return self._error(400, dataset)
        job = _Job(query=queries[0], accept=request.headers.get("accept"),
                   formats=tuple(params.get("format", []) + params.get("output", [])),
                   default_graphs=dataset[0] if dataset else None,
                   named_graphs=dataset[1] if dataset else None,
                   base_iri=str(request.url.replace(query="", fragment="")),
                   max_rows=self.max_rows)
        answer = await self.runner.run(job, self.timeout)
        if answer is None:
            return self._error(TIMEOUT_STATUS, f"query timed out after {self.timeout:g} s "
                               "(the endpoint's limit, lineage serve --timeout)")
        extra = {"X-Lineage-Truncated": "true",
                 "X-Lineage-Row-Limit": str(self.max_rows)} if answer.truncated else {}
        return Response(answer.body, status_code=answer.status,
                        headers=self._headers({"Content-Type": answer.content_type} | extra))

    async def _read_post(self, request: Request, params: dict[str, list[str]]
                         ) -> Response | None:
        """Add a POST body's parameters to ``params``; return an error response if any."""
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            return self._error(400, UPDATE_REFUSED)
        if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            return self._error(415, "POST a form (application/x-www-form-urlencoded) with "
                               "query=..., or the query itself as application/sparql-query")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return self._error(413, f"the request body is over {MAX_BODY >> 20} MiB")
        try:
            text = body.decode("utf-8")
            if media == "application/sparql-query":
                params.setdefault("query", []).append(text)
                return None
            for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True,
                                                     errors="strict", max_num_fields=1000):
                params.setdefault(key, []).append(value)
        except (UnicodeDecodeError, ValueError) as exc:
            return self._error(400, f"cannot read the request body: {_one_line(exc)}")
        return None

    def _service_description(self, request: Request, params: dict[str, list[str]]) -> Response:
        accept = request.headers.get("accept")
        if accept and "text/html" in accept and not params:
            return RedirectResponse(request.url_for("query_page"), status_code=303)
        fmt = _negotiate(accept, params.get("format", []) + params.get("output", []),
                         _GRAPH_FORMATS)
        if fmt is None:
            return self._error(406, "the service description is available as " +
                               ", ".join(f.media_type for f in _GRAPH_FORMATS))
        endpoint = ox.NamedNode(str(request.url.replace(query="", fragment="")))
        service = ox.BlankNode()

        def sd(term: str) -> ox.NamedNode:
            return ox.NamedNode(_SD + term)

        objects: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
            (ox.NamedNode(_RDF_TYPE), sd("Service")), (sd("endpoint"), endpoint),
            (sd("supportedLanguage"), sd("SPARQL11Query")),
            (sd("feature"), sd("UnionDefaultGraph")),
            (ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(
                "Read-only lineage endpoint: updates, LOAD and SERVICE are refused; "
                f"queries stop after {self.timeout:g} s and return at most {self.max_rows} "
                "rows."))]
        objects += [(sd("resultFormat"), ox.NamedNode(f.sd_iri))
                    for f in (*_RESULT_FORMATS, *_GRAPH_FORMATS)]
        triples = [ox.Triple(service, p, o) for p, o in objects]
        body = ox.serialize(triples, format=_GRAPH_OX[fmt.media_type],
                            prefixes={"sd": _SD} if fmt.media_type == "text/turtle" else None)
        return Response(body or b"", headers=self._headers({"Content-Type": fmt.content_type}))
