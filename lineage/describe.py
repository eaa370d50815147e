"""Everything the graph knows about one model, as one JSON-ready object.

The schema is the ``lineage show --format json`` contract (DESIGN section 4): every key
is always present; lists are empty and values null when unknown; numbers are numbers.
Facts from every card that speaks of the model (its own card, its children's cards) are
merged; disagreements are kept and listed under ``warnings``.

Every parent and child says whether it is ``resolved`` (a model with a Hub id) and how the
card wrote it (``written``): the text of an unresolved name (a local path, a bare name), else the
local path a card gave for the resolved id, else the id.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from lineage.facts import DEFAULT_CONFIDENCE, EXPLICIT_RULES, Method, Relation
from lineage.ids import dataset_id_from_iri, id_from_iri, id_key, parse_hub_url, written_path
from lineage.ns import DCTERMS, LEXVO_BASE, LIN
from lineage.ns import SPARQL_PREFIXES as _PREFIX
from lineage.store import Store, Term
from lineage.view import LineageView

__all__ = ["RELATION_NAMES", "confidence", "resolve_model", "show"]

RELATION_NAMES = {r.iri: r.value for r in Relation}
_RELS = ", ".join(f"<{r}>" for r in RELATION_NAMES)

_DESCRIBED = _PREFIX + ("SELECT ?m (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g lin:describes ?m } "
                        "GROUP BY ?m")
# Facts are read first, then their evidence by the nodes found (bound in a VALUES block):
# an OPTIONAL evidence pattern in the fact query made Oxigraph read the evidence of the
# whole store (seconds on 20,000 cards), the second query only that of the nodes found.
_EDGES = _PREFIX + f"""\
SELECT DISTINCT ?st ?m ?rel ?p ?pid ?plabel ?punresolved ?g WHERE {{
  GRAPH ?g {{ ?st rdf:subject ?m ; rdf:predicate ?rel ; rdf:object ?p }}
  FILTER(?rel IN ({_RELS}))
  OPTIONAL {{ ?p lin:hubId ?pid }} OPTIONAL {{ ?p rdfs:label ?plabel }}
  OPTIONAL {{ ?p lin:unresolved ?punresolved }}
}}"""
_CHILD_EDGES = _PREFIX + f"""\
SELECT DISTINCT ?st ?c ?rel ?m ?cid ?clabel ?cunresolved ?g WHERE {{
  GRAPH ?g {{ ?st rdf:object ?m ; rdf:predicate ?rel ; rdf:subject ?c }}
  FILTER(?rel IN ({_RELS}))
  OPTIONAL {{ ?c lin:hubId ?cid }} OPTIONAL {{ ?c rdfs:label ?clabel }}
  OPTIONAL {{ ?c lin:unresolved ?cunresolved }}
}}"""
_CONTRIB = _PREFIX + """SELECT DISTINCT ?p ?role ?weight ?density ?wspec ?dspec ?mmethod WHERE {
  ?m prov:qualifiedDerivation ?c . ?c prov:entity ?p .
  OPTIONAL { ?c prov:hadRole ?role } OPTIONAL { ?c lin:weight ?weight }
  OPTIONAL { ?c lin:density ?density } OPTIONAL { ?c lin:weightSpec ?wspec }
  OPTIONAL { ?c lin:densitySpec ?dspec }
  OPTIONAL { ?c prov:hadActivity ?a . ?a lin:mergeMethod ?mmethod }
}"""
_FACTS = _PREFIX + """\
SELECT DISTINCT ?st ?g ?m ?p ?o ?olabel ?oid ?lid WHERE {
  GRAPH ?g { ?st rdf:subject ?m ; rdf:predicate ?p ; rdf:object ?o }
  FILTER(?p IN (lin:trainedOn, dcterms:license, lin:promptFormat, dcterms:language))
  OPTIONAL { ?o rdfs:label ?olabel } OPTIONAL { ?o lin:hubId ?oid }
  OPTIONAL { ?o lin:licenseId ?lid }
}"""
_LICENSE_LINKS = _PREFIX + """\
SELECT DISTINCT ?g ?m ?llink WHERE { GRAPH ?g { ?m lin:licenseLink ?llink } }"""
_TAGS = _PREFIX + "SELECT DISTINCT ?t WHERE { ?m lin:tag ?t } ORDER BY ?t"
# A card states each training setting once: the card's order is enough.
_TRAINING = _PREFIX + """SELECT DISTINCT ?g ?p ?v WHERE {
  GRAPH ?g { ?m prov:wasGeneratedBy ?t . ?t a lin:Training ; ?p ?v }
} ORDER BY ?g"""
_HARDWARE = _PREFIX + """SELECT DISTINCT ?g ?h ?name ?count ?ev WHERE {
  GRAPH ?g { ?m prov:wasGeneratedBy ?t . ?t lin:hardware ?h . ?h lin:accelerator ?a ;
    lin:evidence ?ev }
  OPTIONAL { GRAPH ?g { ?h lin:count ?count } }
  ?a rdfs:label ?name
}"""
_SCORES = _PREFIX + """\
SELECT DISTINCT ?g ?e ?name ?value ?origin ?ev WHERE {
  GRAPH ?g { ?e lin:evaluatedModel ?m ; lin:benchmarkName ?name ; mls:hasValue ?value ;
    lin:origin ?origin ; lin:evidence ?ev }
}"""
_SCORE_DETAILS = _PREFIX + """\
SELECT ?e ?metric ?shots ?source ?bench WHERE {
  ?e lin:origin ?origin .
  OPTIONAL { ?e lin:metric ?metric } OPTIONAL { ?e lin:shots ?shots }
  OPTIONAL { ?e lin:sourceUrl ?source } OPTIONAL { ?e lin:benchmark ?bench }
}"""
_WARNINGS = _PREFIX + """\
SELECT DISTINCT ?g ?w WHERE { GRAPH ?g { ?g lin:describes ?m ; lin:warning ?w } }
ORDER BY ?g ?w"""
_EVIDENCE = _PREFIX + """\
SELECT ?e ?method ?snippet ?line ?conf WHERE {
  ?e lin:method ?method .
  OPTIONAL { ?e lin:snippet ?snippet } OPTIONAL { ?e lin:line ?line }
  OPTIONAL { ?e lin:confidence ?conf }
}"""

_OWN_GRAPHS = _PREFIX + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g lin:describes ?m } }"
_REVISIONS = _PREFIX + "SELECT DISTINCT ?g ?rev WHERE { GRAPH ?g { ?g lin:revision ?rev } }"
_HUB = _PREFIX + """SELECT DISTINCT ?g ?p ?v WHERE {
  VALUES ?p { lin:downloads lin:likes lin:gated dcterms:created dcterms:modified }
  GRAPH ?g { ?g lin:describes ?m . ?m ?p ?v }
}"""
_HUB_KEYS = {str(LIN.downloads): "downloads", str(LIN.likes): "likes",
             str(DCTERMS.created): "created", str(DCTERMS.modified): "modified",
             str(LIN.gated): "gated"}

_SETTINGS = {"epochs": "epochs", "learningRate": "learning_rate", "batchSize": "batch_size",
             "tokens": "tokens", "framework": "framework", "cost": "cost"}


def _select(store: Store, query: str, **bindings: Any) -> list[dict[str, Term]]:
    result = store.query(query, bindings)
    assert isinstance(result, ox.QuerySolutions)
    variables = [v.value for v in result.variables]
    return [{name: sol[name] for name in variables if sol[name] is not None} for sol in result]


_CHUNK = 500  # nodes bound per evidence query


def _evidence_of(store: Store, nodes: list[Term]) -> dict[str, dict[str, Term]]:
    """Return the evidence (method, snippet, line, conf) of statement or record nodes."""
    unique = list(dict.fromkeys(n for n in nodes if isinstance(n, ox.NamedNode)))
    found: dict[str, dict[str, Term]] = {}
    for i in range(0, len(unique), _CHUNK):
        for row in _select(store, _EVIDENCE, e=unique[i:i + _CHUNK]):
            found[row["e"].value] = row
    return found


def _with_evidence(store: Store, rows: list[dict[str, Term]], node: str = "st",
                   ) -> list[dict[str, Term]]:
    """Add each row's evidence (from its ``node`` column); order rows by card, then line.

    Rows whose node has no evidence record are dropped. The order is SPARQL's
    ``ORDER BY ?g ?line`` (no line first), so that every backend gives the same output.
    """
    details = _evidence_of(store, [r[node] for r in rows if node in r])
    out = []
    for row in rows:
        ev = details.get(row[node].value) if node in row else None
        if ev is not None:
            out.append({**row, **{k: v for k, v in ev.items() if k != "e"}})
    return sorted(out, key=lambda r: (r["g"].value, "line" in r,
                                      int(r["line"].value) if "line" in r else 0))


def confidence(method: str, stated: Term | None) -> float:
    """Return a fact's confidence: the one its evidence states, else its method's default.

    Examples
    --------
    >>> confidence("metadata", None), confidence("prose", ox.Literal("0.6"))
    (0.95, 0.6)
    """
    if stated is not None:
        return float(stated.value)
    return DEFAULT_CONFIDENCE[Method(method)]


def _py(term: Term | None) -> Any:
    """Convert a literal to a Python value: numbers as int/float, booleans, text."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith(("#integer", "#int", "#long")):
            return int(term.value)
        if dt.endswith("#decimal"):
            d = Decimal(term.value)
            return int(d) if d == d.to_integral_value() and "." not in term.value else float(d)
        if dt.endswith(("#double", "#float")):
            return float(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


def _label(iri: str, hub_id: Term | None, label: Term | None) -> str:
    if hub_id is not None:
        return str(hub_id.value)
    return id_from_iri(iri) or (str(label.value) if label is not None else iri)


def resolve_model(store: Store, model: str, *, view: LineageView | None = None,
                  ) -> list[ox.NamedNode]:
    """Return the IRIs of ``model``, its case variants and aliases, in order of preference.

    ``model`` is a Hub id, a URL, an IRI, an alias or the label of an unresolved model,
    found by :meth:`lineage.view.LineageView.resolve` in ``view`` (default: the store's).
    The model a card describes and no card calls an alias comes first.

    Raises :class:`QueryError` when the graph knows no such model.
    """
    view = view or LineageView.of(store)
    node = view.resolve(model)
    group = {iri: ox.NamedNode(iri) for iri in (node, *view.graph.nodes[node].get("aliases", ()))}
    named = list(group.values())
    described = {r["m"].value: int(r["n"].value) for r in _select(store, _DESCRIBED, m=named)}
    aliased = {r["a"].value
               for r in _select(store, _PREFIX + "SELECT DISTINCT ?a WHERE { ?x lin:alias ?a }",
                                a=named)}
    url = parse_hub_url(model.strip())
    key = id_key(url.id if url is not None else model)
    asked = {i for i in group if id_key(id_from_iri(i) or i) == key} or {node}

    # Preference: described by a card and not someone's alias, then asked-for spelling.
    def rank(iri: str) -> tuple[int, int, int, str]:
        return (iri in aliased, -described.get(iri, 0), iri not in asked, iri)

    return [group[i] for i in sorted(group, key=rank)]


def show(store: Store, model: str, *, view: LineageView | None = None) -> dict[str, Any]:
    """Everything known about ``model`` (see the module docstring for the schema).

    ``view`` is the store's :class:`~lineage.view.LineageView` when the caller has it.
    """
    iris = resolve_model(store, model, view=view)
    me = iris[0]
    group = {i.value for i in iris}
    warnings: list[str] = []
    out: dict[str, Any] = {
        "id": id_from_iri(me.value) or _label(me.value, None, _first_label(store, me)),
        "iri": me.value,
        "aliases": [id_from_iri(i.value) or i.value for i in iris[1:]
                    if id_key(id_from_iri(i.value) or i.value)
                    != id_key(id_from_iri(me.value) or "")],
    }
    out["identity"] = _identity(store, iris)
    out["parents"] = _parents(store, iris, group, warnings)
    out["children"] = _children(store, iris, group)
    facts = _facts(store, iris)
    out["datasets"] = _datasets(facts)
    out["license"] = _license(facts, me, warnings, store)
    out["languages"] = _languages(facts)
    out["tags"] = [str(r["t"].value) for r in _select(store, _TAGS, m=iris)]
    prompts = list(dict.fromkeys(str(r["o"].value) for r in facts
                                 if r["p"].value.endswith("promptFormat")))
    out["prompt_format"] = prompts[0] if prompts else None
    if len(prompts) > 1:
        warnings.append(f"prompt format differs between cards: {', '.join(prompts)}")
    out["hardware"] = _hardware(store, iris)
    out["training"] = _training(store, iris, warnings)
    out["scores"] = _scores(store, iris)
    out["hub"] = _hub(store, iris)
    card_warnings = [str(r["w"].value) for r in _select(store, _WARNINGS, m=iris)]
    out["warnings"] = list(dict.fromkeys([*card_warnings, *warnings]))
    return out


_IDENTITY = _PREFIX + """\
SELECT DISTINCT ?g ?src WHERE { GRAPH ?g { ?g lin:describes ?m ; lin:sourceLocation ?src } }"""
_IDENTITY_RULES = _PREFIX + """\
SELECT DISTINCT ?g ?rule WHERE { GRAPH ?g { ?g lin:identityMethod ?rule } }"""
_IDENTITY_EVIDENCE = _PREFIX + """\
SELECT DISTINCT ?g ?st ?p ?cand ?reason WHERE {
  VALUES ?p { lin:describes lin:idCandidate }
  GRAPH ?g { ?st rdf:subject ?g ; rdf:predicate ?p ; rdf:object ?cand }
  OPTIONAL { ?st lin:reason ?reason }
}"""


def _facts(store: Store, iris: list[ox.NamedNode]) -> list[dict[str, Term]]:
    """Return the datasets, license, prompt format and languages stated of the model.

    Each row has its evidence and, for a license, the link the same card gives (``llink``).
    """
    rows = _with_evidence(store, _select(store, _FACTS, m=iris))
    links: dict[tuple[str, str], list[Term]] = defaultdict(list)
    if any(r["p"].value == str(DCTERMS.license) for r in rows):
        for r in _select(store, _LICENSE_LINKS, m=iris):
            links[(r["g"].value, r["m"].value)].append(r["llink"])
    out = []
    for r in rows:
        found = links.get((r["g"].value, r["m"].value), []) \
            if r["p"].value == str(DCTERMS.license) else []
        out.extend([{**r, "llink": link} for link in found] or [r])
    return out


def _identity(store: Store, iris: list[ox.NamedNode]) -> dict[str, Any]:
    """How the model's id was decided by the cards that describe it, and the ids they did not take.

    With several cards, the most certain decision is shown (an explicit id first) and
    ``sources`` lists every card.
    """
    sources = {r["g"].value: str(r["src"].value)
               for r in _select(store, _IDENTITY, m=iris)}
    graphs = [ox.NamedNode(g) for g in sorted(sources)]
    rules = {r["g"].value: str(r["rule"].value)
             for r in _select(store, _IDENTITY_RULES, g=graphs)} if graphs else {}
    stated = _with_evidence(store, _select(store, _IDENTITY_EVIDENCE, g=graphs)) \
        if graphs else []
    conf = {r["g"].value: confidence(str(r["method"].value), r.get("conf"))
            for r in stated if r["p"].value == str(LIN.describes)}
    decisions: dict[str, tuple[str, float]] = {}
    candidates: dict[str, dict[str, Any]] = {}
    for g in sorted(sources):  # graphs before identity rules have none: path
        decisions.setdefault(sources[g], (rules.get(g, "path"), conf.get(g, 1.0)))
    rows = sorted((r for r in stated if r["p"].value == str(LIN.idCandidate) and "reason" in r),
                  key=lambda r: (r["g"].value, str(r["cand"].value)))
    for r in rows:
        candidates.setdefault(str(r["cand"].value), {
            "id": str(r["cand"].value), "reason": str(r["reason"].value),
            "snippet": _py(r.get("snippet")), "line": _py(r.get("line")),
            "card": sources[r["g"].value]})
    if not decisions:
        return {"method": None, "confidence": None, "candidates": [], "sources": []}
    best = max(decisions.values(), key=lambda d: (d[0] in EXPLICIT_RULES, d[1]))
    return {"method": best[0], "confidence": best[1], "candidates": list(candidates.values()),
            "sources": sorted(decisions)}


def _hub(store: Store, iris: list[ox.NamedNode]) -> dict[str, Any] | None:
    """Return the Hub's metadata from the model's own cards, or ``None`` when none has any."""
    hub: dict[str, Any] = dict.fromkeys(("downloads", "likes", "created", "modified", "gated",
                                         "revision"))
    graphs = [ox.NamedNode(r["g"].value) for r in _select(store, _OWN_GRAPHS, m=iris)]
    revisions = sorted((r["g"].value, r["rev"]) for r in _select(store, _REVISIONS, g=graphs)) \
        if graphs else []
    if revisions:
        hub["revision"] = _py(revisions[0][1])
    rows = sorted(_select(store, _HUB, m=iris), key=lambda r: (r["g"].value, r["p"].value))
    for row in rows:
        key = _HUB_KEYS[row["p"].value]
        if hub[key] is None:
            value = _py(row["v"])
            # Stores spell UTC differently (Z, +00:00): one spelling whatever the backend.
            hub[key] = value.replace("+00:00", "Z") if key in ("created", "modified") else value
    return hub if any(v is not None for v in hub.values()) else None


def _first_label(store: Store, node: ox.NamedNode) -> Term | None:
    rows = _select(store, _PREFIX + "SELECT DISTINCT ?l WHERE { ?m rdfs:label ?l }", m=node)
    return rows[0]["l"] if rows else None


def _resolution(iri: str, unresolved: Term | None, label: Term | None) -> dict[str, Any]:
    """Return ``resolved`` and ``written`` of a parent or child (``written`` set from the id).

    A model without a Hub id is unresolved: ``written`` is its text as the card wrote it.
    """
    hub_id = id_from_iri(iri)
    resolved = hub_id is not None and not _py(unresolved)
    written = hub_id if resolved else (str(label.value) if label is not None else iri)
    return {"resolved": resolved, "written": written}


def _written(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each resolved model the local path a card wrote for it, when its evidence has one.

    The graph keeps the text a card wrote only in the evidence snippets: a mergekit line
    ``- model: /home/u/models/org_name`` shows that ``org/name`` was written as a path.
    """
    for entry in entries:
        if entry["resolved"]:
            entry["written"] = next(
                (path for ev in entry["evidence"]
                 if (path := written_path(ev["snippet"] or "", entry["id"])) is not None),
                entry["written"])
    return entries


def _evidence(row: dict[str, Term]) -> dict[str, Any]:
    return {"method": _py(row.get("method")), "snippet": _py(row.get("snippet")),
            "line": _py(row.get("line")), "card": row["g"].value}


def _parents(store: Store, iris: list[ox.NamedNode], group: set[str],
             warnings: list[str]) -> list[dict[str, Any]]:
    contrib = {r["p"].value: r for r in _select(store, _CONTRIB, m=iris)}
    parents: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _with_evidence(store, _select(store, _EDGES, m=iris)):
        p = row["p"].value
        if p in group:
            warnings.append("self-loop: the model is named as its own base "
                            f"({_py(row.get('snippet'))})")
            continue
        relation = RELATION_NAMES[row["rel"].value]
        entry = parents.get((p, relation))
        if entry is None:
            c = contrib.get(p, {}) if relation == "merge" else {}
            role = c.get("role")
            weight = _py(c.get("weight")) if "weight" in c else _spec(c.get("wspec"))
            density = _py(c.get("density")) if "density" in c else _spec(c.get("dspec"))
            entry = {"id": _label(p, row.get("pid"), row.get("plabel")),
                     **_resolution(p, row.get("punresolved"), row.get("plabel")),
                     "relation": relation,
                     "role": role.value.rsplit("#", 1)[-1].removesuffix("Role") if role else None,
                     "method": _py(c.get("mmethod")),
                     "weight": weight, "density": density, "evidence": []}
            parents[(p, relation)] = entry
        entry["evidence"].append(_evidence(row))
    kinds: dict[str, set[str]] = defaultdict(set)
    for (p, relation) in parents:
        kinds[p].add(relation)
    for p, rels in kinds.items():
        if len(rels - {"derived"}) > 1:
            warnings.append(f"cards disagree on how the model derives from {id_from_iri(p) or p}: "
                            f"{', '.join(sorted(rels))}")
    # A specific relation makes a bare "derived" claim about the same parent redundant.
    return _written(_ordered([e for (p, rel), e in parents.items()
                              if not (rel == "derived" and len(kinds[p]) > 1)]))


def _ordered(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort evidence by card and line, and entries by their first evidence.

    This gives the same output from every backend.
    """
    for e in entries:
        e["evidence"].sort(key=lambda ev: (ev["card"], ev["line"] or 0, ev["method"] or "",
                                           ev["snippet"] or ""))
    return sorted(entries, key=lambda e: (e["evidence"][0]["card"], e["evidence"][0]["line"] or 0,
                                          e["id"] or e.get("name") or "") if e["evidence"] else
                  ("", 0, e["id"] or ""))


def _spec(term: Term | None) -> Any:
    if term is None:
        return None
    import json

    return json.loads(term.value)


def _children(store: Store, iris: list[ox.NamedNode], group: set[str]) -> list[dict[str, Any]]:
    children: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _with_evidence(store, _select(store, _CHILD_EDGES, m=iris)):
        c = row["c"].value
        if c in group:
            continue
        relation = RELATION_NAMES[row["rel"].value]
        entry = children.setdefault((c, relation), {
            "id": _label(c, row.get("cid"), row.get("clabel")),
            **_resolution(c, row.get("cunresolved"), row.get("clabel")), "relation": relation,
            "evidence": []})
        entry["evidence"].append(_evidence(row))
    kinds: dict[str, set[str]] = defaultdict(set)
    for (c, rel) in children:
        kinds[c].add(rel)
    return _written(_ordered([e for (c, rel), e in children.items()
                              if not (rel == "derived" and len(kinds[c]) > 1)]))


def _datasets(facts: list[dict[str, Term]]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in facts:
        if not row["p"].value.endswith("trainedOn"):
            continue
        iri = row["o"].value
        entry = out.setdefault(iri, {"id": dataset_id_from_iri(iri),
                                     "name": _py(row.get("olabel")) or iri, "evidence": []})
        entry["evidence"].append(_evidence(row))
    return _ordered(list(out.values()))


def _license(facts: list[dict[str, Term]], me: ox.NamedNode, warnings: list[str],
             store: Store) -> dict[str, Any]:
    own_query = _PREFIX + "SELECT DISTINCT ?g WHERE { ?g lin:describes ?m }"
    own_graphs = {r["g"].value for r in _select(store, own_query, m=me)}
    found: list[tuple[bool, dict[str, Any]]] = []
    for row in facts:
        if not row["p"].value.endswith("/license"):
            continue
        lic_id = _py(row.get("lid"))
        label = _py(row.get("olabel"))
        entry = {"id": lic_id, "name": label if label and label != lic_id and
                 not row["o"].value.startswith("http://spdx.org/") else None,
                 "link": _py(row.get("llink"))}
        found.append((row["g"].value in own_graphs, entry))
    distinct = list(dict.fromkeys((e["id"], e["name"], e["link"]) for _, e in found))
    if len(distinct) > 1:
        warnings.append("cards disagree on the license: " +
                        "; ".join("/".join(str(x) for x in d if x) for d in distinct))
    found.sort(key=lambda item: not item[0])
    return found[0][1] if found else {"id": None, "name": None, "link": None}


def _languages(facts: list[dict[str, Term]]) -> list[str]:
    import langcodes

    codes = []
    for row in facts:
        if row["p"].value.endswith("/language") and row["o"].value.startswith(LEXVO_BASE):
            code3 = row["o"].value[len(LEXVO_BASE):]
            codes.append(str(langcodes.Language.get(code3).language or code3))
    return list(dict.fromkeys(codes))


def _hardware(store: Store, iris: list[ox.NamedNode]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in _with_evidence(store, _select(store, _HARDWARE, m=iris), "ev"):
        name = str(row["name"].value)
        count = _py(row.get("count"))
        if name not in out or (out[name]["count"] is None and count is not None):
            out[name] = {"accelerator": name, "count": count}
    return list(out.values())


def _training(store: Store, iris: list[ox.NamedNode], warnings: list[str]) -> dict[str, Any]:
    values: dict[str, list[Any]] = defaultdict(list)
    for row in _select(store, _TRAINING, m=iris):
        key = _SETTINGS.get(row["p"].value.rsplit("#", 1)[-1])
        if key is not None:
            value = _py(row["v"])
            if value not in values[key]:
                values[key].append(value)
    for key, vals in values.items():
        if len(vals) > 1:
            warnings.append(f"cards disagree on {key}: {', '.join(map(str, vals))}")
    return {key: (values[key][0] if values.get(key) else None) for key in _SETTINGS.values()}


def _scores(store: Store, iris: list[ox.NamedNode]) -> list[dict[str, Any]]:
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    rows = _with_evidence(store, _select(store, _SCORES, m=iris), "ev")
    rows.sort(key=lambda r: (r["g"].value, "line" in r, int(r["line"].value) if "line" in r
                             else 0, r["e"].value))
    evaluations = list(dict.fromkeys(r["e"] for r in rows))
    details: dict[str, dict[str, Term]] = {}
    for i in range(0, len(evaluations), _CHUNK):
        for d in _select(store, _SCORE_DETAILS, e=evaluations[i:i + _CHUNK]):
            details[d["e"].value] = d
    for r in rows:
        row = {**details.get(r["e"].value, {}), **r}
        bench = row.get("bench")
        entry = {
            "benchmark": str(row["name"].value),
            "dataset": (dataset_id_from_iri(bench.value) if bench is not None else None),
            "metric": _py(row.get("metric")),
            "value": _py(row["value"]),
            "shots": _py(row.get("shots")),
            "source": _py(row.get("source")),
            "origin": str(row["origin"].value),
        }
        key = (entry["benchmark"].casefold(), str(entry["metric"]), str(entry["value"]))
        out.setdefault(key, entry)
    return list(out.values())
