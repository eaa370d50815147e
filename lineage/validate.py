"""``lineage check``: SHACL conformance plus graph health.

Findings are errors (SHACL violations, cycles and self-loops in claimed lineage) or
warnings (unresolved references, conflicting facts between cards, models referenced but
described by no card). ``Report.conforms`` is false when there is any error.

SHACL runs in one of three modes (:class:`ShaclMode`). ``cards``, the default, reads the
result each card's graph got when it was built (:mod:`lineage.shapes`, in the build's
workers), validates now the cards that carry none or one of other shapes, and checks on
the union what only several cards together can break (a shared model given two labels).
``full`` runs pySHACL over the union of all graphs, as slow as it is thorough; ``none``
skips SHACL. The health checks (cycles, dangling ids, collisions, conflicts) run in every
mode, on the networkx view and in SPARQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from itertools import islice
from typing import Any

import networkx as nx
import pyoxigraph as ox

from lineage.errors import LineageError
from lineage.facts import EXPLICIT_RULES
from lineage.ns import ENTITIES_GRAPH
from lineage.ns import SPARQL_PREFIXES as _PREFIX
from lineage.shapes import Shapes, Violation, load_shapes, ontology_dir, path_text
from lineage.store import Store
from lineage.view import LineageView

__all__ = ["Finding", "Report", "ShaclMode", "check", "ontology_dir"]

MAX_CYCLES = 100
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
STRICT_KINDS = frozenset(["conflict", "id collision"])  # findings --strict fails on
_CONFLICTS = _PREFIX + """SELECT ?m (GROUP_CONCAT(DISTINCT ?lid; separator=", ") AS ?values)
WHERE { ?m dcterms:license ?l . ?l rdfs:label ?lid } GROUP BY ?m HAVING (COUNT(DISTINCT ?l) > 1)"""
_UNRESOLVED = _PREFIX + """SELECT DISTINCT ?m ?label WHERE { ?m lin:unresolved true ; a lin:Model ;
  rdfs:label ?label } ORDER BY ?label"""
_SHARED_IDS = _PREFIX + """SELECT ?m ?src ?rule ?snippet ?line WHERE {
  { SELECT ?m WHERE { ?g lin:describes ?m } GROUP BY ?m HAVING (COUNT(DISTINCT ?g) > 1) }
  GRAPH ?g { ?g lin:describes ?m ; lin:sourceLocation ?src .
    OPTIONAL { ?g lin:identityMethod ?rule }
    OPTIONAL { ?st rdf:subject ?g ; rdf:predicate lin:describes ; lin:snippet ?snippet .
               OPTIONAL { ?st lin:line ?line } } }
} ORDER BY ?m ?src"""
_REFUSED_IDS = _PREFIX + """SELECT ?src ?cand ?reason ?snippet ?line WHERE {
  GRAPH ?g { ?g lin:sourceLocation ?src ; lin:idCandidate ?cand .
    ?st rdf:subject ?g ; rdf:predicate lin:idCandidate ; rdf:object ?cand ; lin:reason ?reason .
    OPTIONAL { ?st lin:snippet ?snippet } OPTIONAL { ?st lin:line ?line } }
  FILTER(CONTAINS(?reason, "another card holds it"))
} ORDER BY ?cand ?src"""
_RECORDS = _PREFIX + """SELECT ?g ?version WHERE { GRAPH ?g { ?g a lin:CardRecord .
  OPTIONAL { ?g lin:conforms ?c . ?g lin:shapesVersion ?version } } }"""
_VIOLATIONS = _PREFIX + """SELECT ?g ?text WHERE { GRAPH ?g { ?g lin:violation ?text } }"""
_CARD_QUADS = """SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"""
# The shared declarations about the nodes a card's graph names (what it declared itself).
_CARD_DECLARATIONS = f"""SELECT DISTINCT ?g ?s ?p ?o WHERE {{
  GRAPH ?g {{ {{ ?s ?x ?y }} UNION {{ ?y ?x ?s }} }}
  GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}"""
_OVER_LIMIT = """SELECT ?s WHERE { ?s a ?c ; ?p ?o } GROUP BY ?s ?limit
HAVING (COUNT(DISTINCT ?o) > ?limit)"""
REVALIDATE_BATCH = 200  # card graphs read per query when validating stored cards now
_UNDESCRIBED = _PREFIX + """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
  ?m lin:derivedFrom ?p . FILTER NOT EXISTS { ?g lin:describes ?p }
  FILTER NOT EXISTS { ?p lin:unresolved true } }"""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``severity`` is ``error`` or ``warning``; ``kind`` names the check."""

    severity: str
    kind: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.kind}: {self.subject}: {self.message}"


class ShaclMode(str, Enum):
    """How ``lineage check`` validates against the SHACL shapes."""

    CARDS = "cards"  # the results stored per card at build time, plus cross-card limits
    FULL = "full"  # pySHACL over the union of all graphs
    NONE = "none"  # no SHACL, health checks only


@dataclass(slots=True)
class Report:
    """The result of :func:`check`.

    ``cards_stored`` cards had a stored SHACL result that was read; ``cards_validated``
    cards had none (built by an earlier version, or with other shapes) and were validated
    during the check, from the store; building them into a fresh store stores it.
    """

    findings: list[Finding] = field(default_factory=list)
    shacl_checked: bool = False
    mode: str = ShaclMode.NONE.value
    cards_stored: int = 0
    cards_validated: int = 0

    @property
    def conforms(self) -> bool:
        """True when no finding is an error."""
        return not any(f.severity == "error" for f in self.findings)

    def passes(self, *, strict: bool = False) -> bool:
        """Whether the graph conforms; strictly, also without conflicts or id collisions."""
        return self.conforms and not (strict and any(
            f.kind in STRICT_KINDS for f in self.findings))

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready values (``conforms``, ``findings``)."""
        return {"conforms": self.conforms, "shacl_checked": self.shacl_checked,
                "mode": self.mode,
                "cards": {"stored_result": self.cards_stored,
                          "validated_now": self.cards_validated},
                "findings": [{"severity": f.severity, "kind": f.kind, "subject": f.subject,
                              "message": f.message} for f in self.findings]}

    @property
    def text(self) -> str:
        """The findings as readable lines, then a summary line."""
        errors = sum(f.severity == "error" for f in self.findings)
        lines = [str(f) for f in self.findings]
        if self.mode == ShaclMode.CARDS.value:
            lines.append(f"shacl: per card ({self.cards_stored} results stored by the build, "
                         f"{self.cards_validated} cards validated now)")
        else:
            lines.append(f"shacl: {self.mode}")
        lines.append(f"{'conforms' if self.conforms else 'does not conform'}: {errors} errors, "
                     f"{len(self.findings) - errors} warnings")
        return "\n".join(lines)


def check(store: Store, *, shacl: ShaclMode | str | bool = ShaclMode.CARDS) -> Report:
    """Validate the store against the SHACL shapes and look for unhealthy lineage.

    ``shacl`` is a :class:`ShaclMode` (or its name); True means ``cards``, False ``none``.
    """
    try:
        mode = ShaclMode(_mode_name(shacl))
    except ValueError:
        msg = f"unknown SHACL mode {shacl!r}: use {', '.join(m.value for m in ShaclMode)}"
        raise LineageError(msg) from None
    report = Report(mode=mode.value, shacl_checked=mode is not ShaclMode.NONE)
    if mode is ShaclMode.FULL:
        report.findings.extend(_shacl(store))
    elif mode is ShaclMode.CARDS:
        report.findings.extend(_per_card(store, report))
    view = LineageView.of(store)
    report.findings.extend(_cycles(view))
    for sol in _rows(store, _CONFLICTS):
        report.findings.append(Finding("warning", "conflict", view.name(sol["m"].value),
                                       f"cards disagree on the license: {sol['values'].value}"))
    for sol in _rows(store, _UNRESOLVED):
        report.findings.append(Finding("warning", "unresolved", sol["label"].value,
                                       "named by a card but not resolvable to a Hub id"))
    report.findings.extend(_collisions(store, view))
    n = int(_rows(store, _UNDESCRIBED)[0]["n"].value)
    if n:
        report.findings.append(Finding("warning", "dangling", f"{n} models",
                                       "referenced as parents but described by no card "
                                       "in the store"))
    return report


def _mode_name(shacl: ShaclMode | str | bool) -> str:
    if isinstance(shacl, bool):
        return "cards" if shacl else "none"
    return str(shacl.value) if isinstance(shacl, ShaclMode) else shacl


def _per_card(store: Store, report: Report) -> list[Finding]:
    """Read the stored per-card results, validate cards without one, run cross-card limits."""
    shapes = load_shapes(ontology_dir())
    stale = []
    for sol in _rows(store, _RECORDS):
        version = sol["version"]
        if version is not None and version.value == shapes.digest:
            report.cards_stored += 1
        else:
            stale.append(sol["g"])
    stale_set = {g.value for g in stale}
    found = {_finding(Violation.parse(sol["text"].value)) for sol in _rows(store, _VIOLATIONS)
             if sol["g"].value not in stale_set}
    for violation in _validate_now(store, shapes, stale):
        found.add(_finding(violation))
    report.cards_validated = len(stale)
    found.update(_shared_limits(store, shapes))
    return sorted(found, key=lambda f: (f.subject, f.message))


def _finding(violation: Violation) -> Finding:
    return Finding(violation.level, "shacl", violation.focus, violation.message)


def _validate_now(store: Store, shapes: Shapes, graphs: list[ox.NamedNode],
                  ) -> Iterator[Violation]:
    """Validate stored card graphs that carry no result of these shapes, as the build does."""
    batches = iter(graphs)
    while batch := list(islice(batches, REVALIDATE_BATCH)):
        quads: dict[str, list[ox.Triple]] = {g.value: [] for g in batch}
        for query in (_CARD_QUADS, _CARD_DECLARATIONS):
            for sol in _rows(store, query, {"g": batch}):
                quads[sol["g"].value].append(ox.Triple(sol["s"], sol["p"], sol["o"]))
        for triples in quads.values():
            yield from shapes.validate(triples)


def _shared_limits(store: Store, shapes: Shapes) -> list[Finding]:
    """Run the ``sh:maxCount`` limits that declarations of several cards together can break."""
    found = []
    for classes, predicate, limit, violation in shapes.shared_limits():
        bindings: dict[str, Any] = {"c": [ox.NamedNode(c) for c in classes],
                                    "p": ox.NamedNode(predicate),
                                    "limit": ox.Literal(str(limit), datatype=_INTEGER)}
        for sol in _rows(store, _OVER_LIMIT, bindings):
            found.append(Finding(violation.level, "shacl", sol["s"].value, violation.message))
    return found


def _collisions(store: Store, view: LineageView) -> list[Finding]:
    """Ids that several cards reach: merged when every claim is explicit, else kept apart.

    Both are listed with every card and its evidence, so that a user can tell two
    revisions of one repo from two unrelated cards.
    """
    claims: dict[str, list[str]] = {}
    inferred: set[str] = set()
    for sol in _rows(store, _SHARED_IDS):
        rule = sol["rule"].value if sol["rule"] is not None else "path"
        where = f"{sol['src'].value} ({rule}"
        if rule not in EXPLICIT_RULES:
            inferred.add(sol["m"].value)
            line = f", line {sol['line'].value}" if sol["line"] is not None else ""
            where += f"{line}: {sol['snippet'].value}" if sol["snippet"] is not None else line
        claims.setdefault(sol["m"].value, []).append(where + ")")
    found = [Finding("warning", "id collision", view.name(m),
                     f"{len(srcs)} cards describe this model"
                     f"{' (an id inferred from the text among them)' if m in inferred else ''}: "
                     + "; ".join(srcs)) for m, srcs in claims.items()]
    for sol in _rows(store, _REFUSED_IDS):
        line = f" line {sol['line'].value}" if sol["line"] is not None else ""
        snippet = f": {sol['snippet'].value}" if sol["snippet"] is not None else ""
        found.append(Finding("warning", "id collision", sol["cand"].value,
                             f"{sol['src'].value} infers this id from its text ({line.strip()}"
                             f"{snippet}), but {sol['reason'].value.split(': ', 1)[-1]}; "
                             "the card was kept as a model of its own"))
    return found


def _rows(store: Store, query: str, bindings: dict[str, Any] | None = None,
          ) -> list[ox.QuerySolution]:
    result = store.query(query, bindings)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _cycles(view: LineageView) -> list[Finding]:
    found = []
    for u, _ in nx.selfloop_edges(view.graph):
        found.append(Finding("error", "self-loop", view.name(u), "claims to derive from itself"))
    simple = nx.DiGraph(view.graph)
    simple.remove_edges_from(nx.selfloop_edges(simple))
    for i, cycle in enumerate(nx.simple_cycles(simple)):
        if i >= MAX_CYCLES:
            found.append(Finding("error", "cycle", "...",
                                 f"more than {MAX_CYCLES} cycles; stopped"))
            break
        path = " -> ".join(view.name(n) for n in [*cycle, cycle[0]])
        found.append(Finding("error", "cycle", view.name(cycle[0]), f"lineage cycle: {path}"))
    return found


def _shacl(store: Store) -> list[Finding]:
    import pyshacl
    import rdflib

    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(triples, ox.QueryTriples)
    data = rdflib.Graph()
    data.parse(data=(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode(),
               format="nt")
    folder = ontology_dir()
    shapes = rdflib.Graph().parse(folder / "shapes.ttl")
    ontology = rdflib.Graph().parse(folder / "lineage.ttl")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology,
                                            inference="none", allow_warnings=True)
    if conforms:
        return []
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    findings = set()
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = results.value(result, sh.focusNode)
        message = results.value(result, sh.resultMessage)
        severity = results.value(result, sh.resultSeverity)
        level = "error" if severity == sh.Violation else "warning"
        where = _result_path(results.value(result, sh.resultPath), (results, shapes))
        findings.add(Finding(level, "shacl", str(focus), f"{message}{where}"))
    return sorted(findings, key=lambda f: (f.subject, f.message))


def _result_path(path: Any, graphs: tuple[Any, ...]) -> str:
    """Return a result path as the per-card validator prints it (`` (lin:x)``, `` (^p)``)."""
    import rdflib

    if path is None:
        return ""
    if isinstance(path, rdflib.URIRef):
        return f" ({path_text(str(path))})"
    inverse = rdflib.URIRef("http://www.w3.org/ns/shacl#inversePath")
    for graph in graphs:
        target = graph.value(path, inverse)
        if target is not None:
            return f" ({path_text(str(target), inverse=True)})"
    return f" ({path})"
