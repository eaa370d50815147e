"""The web view: server-rendered pages over the store, beside the SPARQL endpoint.

Routes (all ``GET``, read-only):

``/``
    Search box, store counts and the most derived-from models.
``/models?q=&org=&relation=&license=``
    Search and filter the models (:func:`lineage.catalog.models`: substring, then fuzzy).
``/model/{org}/{name}`` (``/model/{name}`` for a legacy id without organisation)
    Everything :func:`lineage.describe.show` knows, with evidence (card and line), the
    family diagram as inline SVG whose nodes link to their pages, ancestors, descendants,
    licenses, datasets and contributions (:mod:`lineage.analysis`).
``/model?iri=IRI``
    The same for a model without a Hub id (``https://w3id.org/lineage/id/model/...``).
``/queries``, ``/queries/{name}?param=...&run=1[&format=csv|json]``
    Every named query as a form; results link each model to its page; the page's URL is
    the shareable link, and ``format=csv`` or ``json`` downloads the answer.
``/query``
    The SPARQL query page.

Templates are files (``templates/*.html``) rendered by Jinja2 with autoescaping on: card
text is untrusted and always escaped. Library calls run in a thread, one page at a time per
call, and a page that takes longer than the endpoint's ``timeout`` answers 503; named
queries run in the endpoint's query workers, under its time and memory limits. Every page
carries a Content-Security-Policy that allows the page's own style sheet and script only.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import anyio
import anyio.to_thread
import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from lineage.errors import LineageError, QueryError
from lineage.ids import id_from_iri, model_iri
from lineage.server.evaluate import _Job
from lineage.server.workers import _Runner
from lineage.store import Store, open_store

__all__ = ["CSP", "DEFAULT_QUERY", "Pages", "model_url"]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# DISTINCT: an edge stated by two cards (a quantized child's card and its parent's) is
# in two card graphs of the union default graph.
DEFAULT_QUERY = """SELECT DISTINCT ?model ?parent WHERE {
  ?model lin:derivedFrom ?parent .
  ?model lin:hubId ?id .
  ?parent lin:hubId ?parent_id .
}
ORDER BY ?id ?parent_id
LIMIT 100"""
SEARCH_LIMIT = 200
HOME_MODELS = 15
DIAGRAM_UP = DIAGRAM_DOWN = 2
_STATIC = {"style.css": "text/css; charset=utf-8",
           "query.js": "text/javascript; charset=utf-8"}
_DOWNLOADS = {"csv": "text/csv", "json": "application/sparql-results+json"}
_T = TypeVar("_T")


class PageTimeout(Exception):
    """A page took longer than the endpoint's timeout."""


def model_url(iri: str, root: str = "/") -> str:
    """Return the path of a model's page.

    Examples
    --------
    >>> model_url("https://huggingface.co/org/name")
    '/model/org/name'
    >>> model_url("https://w3id.org/lineage/id/model/my%20model")
    '/model?iri=https%3A%2F%2Fw3id.org%2Flineage%2Fid%2Fmodel%2Fmy%2520model'
    """
    hub_id = id_from_iri(iri)
    if hub_id:
        return f"{root}model/{quote(hub_id, safe='/')}"
    return f"{root}model?iri={quote(iri, safe='')}"


def _dot_name(g: Any, title: str) -> str | None:
    """Return the graph node a diagram node title names (see ``lineage.diagrams``)."""
    if title.count("/") == 1 or "/" not in title:
        iri = model_iri(title)
        if iri in g:
            return iri
    iri = "https://" + title.replace("%3A", ":")
    return iri if iri in g else None


class _Library:
    """The store the pages read: opened once, reopened when its files change on disk."""

    def __init__(self, store: Store | str | Path):
        self._spec = store
        self._store: Store | None = None if isinstance(store, str | Path) else store
        self._state: str | None = None
        self._lock = threading.Lock()

    def get(self) -> Store:
        with self._lock:
            if self._store is None or (isinstance(self._spec, str | Path)
                                       and self._store.state() != self._state):
                if self._store is not None:
                    self._store.close()
                spec = str(self._spec)
                self._store = open_store(spec, read_only=not spec.startswith("memory:"))
                self._state = self._store.state()
            return self._store


class Pages:
    """The web view's request handlers, holding the app's settings (no module state)."""

    def __init__(self, store: Store | str | Path, runner: _Runner, *, timeout: float,
                 max_rows: int):
        self.library = _Library(store)
        self.runner = runner
        self.timeout = timeout
        self.max_rows = max_rows
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("lineage.server", "templates"),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
            lstrip_blocks=True)

    # --- helpers ----------------------------------------------------------------------

    def _render(self, request: Request, template: str, status: int = 200,
                **context: Any) -> Response:
        root = request.scope.get("root_path", "") + "/"
        context.setdefault("q", "")
        body = self.env.get_template(template).render(root=root, **context)
        return Response(body, status_code=status, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": CSP,
                                 "X-Content-Type-Options": "nosniff",
                                 "Referrer-Policy": "no-referrer"})

    def _problem(self, request: Request, status: int, heading: str, message: str,
                 suggestions: list[dict[str, str]] | None = None) -> Response:
        return self._render(request, "error.html", status, heading=heading, message=message,
                            suggestions=suggestions or [])

    async def _call(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run a library call in a thread, with the store; 503 past the timeout."""
        def call() -> _T:
            return fn(self.library.get(), *args)

        with anyio.move_on_after(self.timeout):
            return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
        raise PageTimeout

    async def _guarded(self, request: Request, page: Callable[[], Any]) -> Response:
        try:
            response: Response = await page()
        except PageTimeout:
            return self._problem(request, 503, "Too slow", f"this page took longer than "
                                 f"{self.timeout:g} s (lineage serve --timeout)")
        except LineageError as exc:
            return self._problem(request, 500, "Cannot read the store", str(exc))
        return response

    # --- pages ------------------------------------------------------------------------

    async def static(self, request: Request) -> Response:
        """Serve the style sheet and the query page's script."""
        name = request.path_params["name"]
        if name not in _STATIC:
            return PlainTextResponse("not found\n", status_code=404)
        data = resources.files("lineage.server").joinpath("static", name).read_bytes()
        return Response(data, media_type=_STATIC[name], headers={
            "X-Content-Type-Options": "nosniff", "Cache-Control": "max-age=300"})

    async def favicon(self, request: Request) -> Response:
        """Answer browsers' icon request with no content (rather than a 404 in the log)."""
        return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})

    async def home(self, request: Request) -> Response:
        """Search box, store counts and the most derived-from models."""
        async def page() -> Response:
            counts, top = await self._call(_overview)
            return self._render(request, "home.html", counts=counts, entries=top)
        return await self._guarded(request, page)

    async def models(self, request: Request) -> Response:
        """Search and filter the models."""
        from lineage.catalog import RELATIONS

        params = {k: request.query_params.get(k, "").strip()
                  for k in ("q", "org", "relation", "license")}

        async def page() -> Response:
            error = ""
            try:
                found = await self._call(_search, params)
            except QueryError as exc:
                found, error = [], exc.message
            root = request.scope.get("root_path", "") + "/"
            entries = [{"entry": e, "url": model_url(e.iri, root)}
                       for e in found[:SEARCH_LIMIT]]
            return self._render(request, "models.html", status=400 if error else 200,
                                entries=entries, total=len(found), shown=len(entries),
                                error=error, relations=RELATIONS, **params)
        return await self._guarded(request, page)

    async def model(self, request: Request) -> Response:
        """One model's page, by Hub id in the path or by ``iri=``."""
        path = request.path_params
        if "name" in path:
            wanted = "/".join(p for p in (path.get("org"), path["name"]) if p)
        else:
            wanted = (request.query_params.get("iri") or request.query_params.get("id")
                      or "").strip()
            if not wanted:
                return self._problem(request, 400, "Which model?",
                                     "give a model: /model/ORG/NAME or /model?iri=IRI")
        root = request.scope.get("root_path", "") + "/"

        async def page() -> Response:
            try:
                context = await self._call(_model_context, wanted, root)
            except QueryError as exc:
                hints = await self._call(_suggestions, wanted, root)
                return self._problem(request, 404, "No such model", exc.message, hints)
            svg = context.pop("svg")
            return self._render(request, "model.html", svg=Markup(svg) if svg else "",
                                **context)
        return await self._guarded(request, page)

    async def query_page(self, request: Request) -> Response:
        """Show the SPARQL query page (its small script posts to ``/sparql``)."""
        return self._render(request, "query.html", query=DEFAULT_QUERY,
                            timeout=f"{self.timeout:g}", max_rows=f"{self.max_rows:,}")

    async def queries(self, request: Request) -> Response:
        """List the named queries."""
        from lineage.named_queries import list_queries

        return self._render(request, "queries.html", queries=list_queries())

    async def named_query(self, request: Request) -> Response:
        """Show a named query as a form; with ``run``, its results (or a download)."""
        from lineage.named_queries import find_query

        try:
            named = find_query(request.path_params["name"])
        except QueryError as exc:
            return self._problem(request, 404, "No such query", exc.message)
        values = {k: request.query_params.get(k, "") for k in named.params}
        fmt = request.query_params.get("format", "html")
        if fmt not in ("html", *_DOWNLOADS):
            return PlainTextResponse("format is html, csv or json\n", status_code=400)
        context: dict[str, Any] = {"query": named, "values": values, "error": "",
                                   "result": None, "max_rows": f"{self.max_rows:,}"}
        if "run" not in request.query_params:
            return self._render(request, "named_query.html", **context)

        async def page() -> Response:
            root = request.scope.get("root_path", "") + "/"
            try:
                text = await self._call(_bound_query, named, values)
            except QueryError as exc:
                if fmt != "html":
                    return PlainTextResponse(exc.message + "\n", status_code=400)
                return self._render(request, "named_query.html", 400,
                                    **context | {"error": exc.message})
            media = _DOWNLOADS.get(fmt, "application/sparql-results+json")
            answer = await self.runner.run(_Job(query=text, accept=media,
                                                max_rows=self.max_rows), self.timeout)
            if answer is None:
                raise PageTimeout
            if fmt != "html" or answer.status != 200:
                if fmt == "html":
                    return self._render(request, "named_query.html", answer.status,
                                        **context | {"error": answer.body.decode().strip()})
                name = re.sub(r"[^\w.-]", "_", named.name)
                return Response(answer.body, status_code=answer.status, headers={
                    "Content-Type": answer.content_type, "X-Content-Type-Options": "nosniff",
                    "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
            result = await self._call(_table, answer.body, root)
            result["truncated"] = answer.truncated
            share = f"{root}queries/{quote(named.name)}?" + urlencode({**values, "run": "1"})
            return self._render(request, "named_query.html", **context | {
                "result": result, "share": share, "share_csv": share + "&format=csv",
                "share_json": share + "&format=json"})
        return await self._guarded(request, page)


# --- what the pages compute (in a thread, with the store) ----------------------------------


def _overview(store: Store) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from lineage.catalog import models
    from lineage.view import LineageView

    g = LineageView.of(store).graph
    relations = Counter(str(d.get("relation") or "derived") for *_, d in g.edges(data=True))
    nodes = g.nodes(data=True)
    counts = {
        "models": f"{g.number_of_nodes():,}",
        "described": f"{sum(1 for _, d in nodes if d.get('described')):,}",
        "unresolved": f"{sum(1 for _, d in nodes if d.get('unresolved')):,}",
        "edges": f"{g.number_of_edges():,}",
        "cards": f"{len(store.card_index()):,}",
        "quads": f"{store.quad_count():,}",
        "relations": sorted(relations.items(), key=lambda kv: (-kv[1], kv[0])),
    }
    entries = sorted(models(store), key=lambda e: (-e.children, (e.id or e.name).casefold()))
    top = [{"entry": e, "url": model_url(e.iri)} for e in entries[:HOME_MODELS]
           if e.children]
    return counts, top


def _search(store: Store, params: dict[str, str]) -> list[Any]:
    from lineage.catalog import models

    return models(store, params["q"] or None, org=params["org"] or None,
                  relation=params["relation"] or None, license=params["license"] or None)


def _suggestions(store: Store, wanted: str, root: str) -> list[dict[str, str]]:
    from lineage.catalog import models

    try:
        near = models(store, wanted.rsplit("/", 1)[-1] if "://" in wanted else wanted)
    except LineageError:
        return []
    return [{"name": e.id or e.name, "url": model_url(e.iri, root)} for e in near[:5]]


def _model_context(store: Store, wanted: str, root: str) -> dict[str, Any]:
    """Everything the model page shows, from ``show`` and the analysis functions."""
    from lineage import analysis
    from lineage.describe import show
    from lineage.view import LineageView

    view = LineageView.of(store)
    shown = show(store, wanted, view=view)
    g = view.graph
    node = view.resolve(shown["iri"])
    data = g.nodes[node]
    name_of = view.name

    def link(iri: str | None) -> str | None:
        return model_url(iri, root) if iri and iri in g else None

    ids = {name_of(n): n for n in (node, *g.successors(node), *g.predecessors(node))}
    parents = [p | {"node": ids.get(p["id"]) or _find(g, p["id"])} for p in shown["parents"]]
    children = [c | {"node": ids.get(c["id"]) or _find(g, c["id"])}
                for c in shown["children"]]
    ancestors = analysis.ancestors(view, node)
    descendants = analysis.descendants(view, node)
    inherited = analysis.datasets(view, node)
    nodes = {r["id"]: r["iri"] for r in (*ancestors, *descendants)} | {shown["id"]: node}
    cards = {graph: source for source, graph in store.card_index().items()}
    svg, problem = _diagram(view, node, root)
    return {
        "m": shown, "kind": data.get("kind"), "unresolved": bool(data.get("unresolved")),
        "parents": parents, "children": children, "ancestors": ancestors,
        "descendants": descendants, "licenses": analysis.licenses(view, node),
        "inherited": inherited, "contributions": analysis.contributions(view, node),
        "training": [(k, v) for k, v in shown["training"].items() if v is not None],
        "nodes": nodes, "link": link, "card": lambda urn: cards.get(urn, urn),
        "svg": svg, "diagram_error": problem,
    }


def _find(g: Any, name: str) -> str | None:
    """Return the node with this Hub id or IRI, if the graph has one."""
    for iri in (model_iri(name), name):
        if iri in g:
            return iri
    return None


def _diagram(view: Any, node: str, root: str) -> tuple[str, str]:
    """Return the family diagram as inline SVG (or a problem to show instead)."""
    from lineage.diagrams import DiagramFormat, lineage_diagram, render
    from lineage.server.svg import inline_svg

    try:
        drawn = lineage_diagram(view, focus=node, up=DIAGRAM_UP, down=DIAGRAM_DOWN)
        data = render(drawn, DiagramFormat.SVG)
    except LineageError as exc:
        return "", f"no diagram: {exc}"

    def page(title: str) -> str | None:
        found = _dot_name(view.graph, title)
        return model_url(found, root) if found else None

    return inline_svg(data, page), ""


def _bound_query(store: Store, named: Any, values: dict[str, str]) -> str:
    """Bind a named query's parameters (checked as ``lineage query`` checks them)."""
    from lineage.named_queries import is_update, parse_params, require_models
    from lineage.store.binding import bind_values

    if is_update(named.text):
        from lineage.named_queries import READ_ONLY

        raise QueryError(READ_ONLY)
    bound = parse_params(named, [f"{k}={v}" for k, v in values.items() if v.strip()])
    require_models(store, named, bound)
    return bind_values(named.text, bound)


def _table(store: Store, body: bytes, root: str) -> dict[str, Any]:
    """Read SPARQL results JSON into rows of cells, model IRIs and ids linked."""
    from lineage.view import LineageView

    g = LineageView.of(store).graph
    data = json.loads(body)
    if "boolean" in data:
        return {"boolean": bool(data["boolean"]), "vars": [], "rows": []}
    names = data["head"]["vars"]
    rows = []
    for binding in data["results"]["bindings"]:
        row = []
        for name in names:
            term = binding.get(name)
            if term is None:
                row.append({"text": "", "url": None})
                continue
            value = str(term["value"])
            iri = value if term["type"] == "uri" else (
                _find(g, value) if term["type"] == "literal" and value.count("/") == 1
                else None)
            text = f"_:{value}" if term["type"] == "bnode" else value
            row.append({"text": text, "url": model_url(iri, root) if iri and iri in g
                        else None})
        rows.append(row)
    return {"boolean": None, "vars": names, "rows": rows}
