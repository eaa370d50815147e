"""``lineage check``: SHACL conformance plus graph health.

Findings are errors (SHACL violations, cycles and self-loops in claimed lineage) or
warnings (unresolved references, conflicting facts between cards, models referenced but
described by no card). ``Report.conforms`` is false when there is any error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from lineage.facts import EXPLICIT_RULES
from lineage.ns import SPARQL_PREFIXES as _PREFIX
from lineage.store import Store
from lineage.view import LineageView

__all__ = ["Finding", "Report", "check", "ontology_dir"]

MAX_CYCLES = 100
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


@dataclass(slots=True)
class Report:
    """The result of :func:`check`."""

    findings: list[Finding] = field(default_factory=list)
    shacl_checked: bool = False

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
                "findings": [{"severity": f.severity, "kind": f.kind, "subject": f.subject,
                              "message": f.message} for f in self.findings]}

    @property
    def text(self) -> str:
        """The findings as readable lines, then a summary line."""
        errors = sum(f.severity == "error" for f in self.findings)
        lines = [str(f) for f in self.findings]
        lines.append(f"{'conforms' if self.conforms else 'does not conform'}: {errors} errors, "
                     f"{len(self.findings) - errors} warnings")
        return "\n".join(lines)


def ontology_dir() -> Path:
    """Return the folder with ``lineage.ttl`` and ``shapes.ttl``."""
    import sys

    here = Path(__file__).resolve().parent.parent / "ontology"
    return here if here.is_dir() else Path(sys.prefix) / "share" / "lineage" / "ontology"


def check(store: Store, *, shacl: bool = True) -> Report:
    """Validate the store against the SHACL shapes and look for unhealthy lineage."""
    report = Report()
    if shacl:
        report.findings.extend(_shacl(store))
        report.shacl_checked = True
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


def _rows(store: Store, query: str) -> list[ox.QuerySolution]:
    result = store.query(query)
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
    findings = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        message = results.value(result, sh.resultMessage)
        severity = results.value(result, sh.resultSeverity)
        level = "error" if severity == sh.Violation else "warning"
        where = f" ({path.n3(results.namespace_manager)})" if path is not None else ""
        findings.append(Finding(level, "shacl", str(focus), f"{message}{where}"))
    return sorted(findings, key=lambda f: (f.subject, f.message))
