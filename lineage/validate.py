"""``lineage check``: SHACL conformance plus graph health.

Findings are errors (SHACL violations, cycles and self-loops in claimed lineage) or
warnings (unresolved references, conflicting facts between cards, models referenced but
described by no card). ``Report.conforms`` is false when there is any error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from lineage.graph import lineage_graph
from lineage.ns import SPARQL_PREFIXES as _PREFIX
from lineage.store import Store

__all__ = ["Finding", "Report", "check", "ontology_dir"]

MAX_CYCLES = 100
_CONFLICTS = _PREFIX + """SELECT ?m (GROUP_CONCAT(DISTINCT ?lid; separator=", ") AS ?values)
WHERE { ?m dcterms:license ?l . ?l rdfs:label ?lid } GROUP BY ?m HAVING (COUNT(DISTINCT ?l) > 1)"""
_UNRESOLVED = _PREFIX + """SELECT DISTINCT ?m ?label WHERE { ?m lin:unresolved true ; a lin:Model ;
  rdfs:label ?label } ORDER BY ?label"""
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
    g = lineage_graph(store)
    report.findings.extend(_cycles(g))
    for sol in _rows(store, _CONFLICTS):
        report.findings.append(Finding("warning", "conflict", _name(g, sol["m"].value),
                                       f"cards disagree on the license: {sol['values'].value}"))
    for sol in _rows(store, _UNRESOLVED):
        report.findings.append(Finding("warning", "unresolved", sol["label"].value,
                                       "named by a card but not resolvable to a Hub id"))
    n = int(_rows(store, _UNDESCRIBED)[0]["n"].value)
    if n:
        report.findings.append(Finding("warning", "dangling", f"{n} models",
                                       "referenced as parents but described by no card "
                                       "in the store"))
    return report


def _rows(store: Store, query: str) -> list[ox.QuerySolution]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _name(g: nx.MultiDiGraph, iri: str) -> str:
    return str(g.nodes[iri].get("id") or g.nodes[iri].get("label") or iri) if iri in g else iri


def _cycles(g: nx.MultiDiGraph) -> list[Finding]:
    found = []
    for u, _ in nx.selfloop_edges(g):
        found.append(Finding("error", "self-loop", _name(g, u), "claims to derive from itself"))
    simple = nx.DiGraph(g)
    simple.remove_edges_from(nx.selfloop_edges(simple))
    for i, cycle in enumerate(nx.simple_cycles(simple)):
        if i >= MAX_CYCLES:
            found.append(Finding("error", "cycle", "...",
                                 f"more than {MAX_CYCLES} cycles; stopped"))
            break
        path = " -> ".join(_name(g, n) for n in [*cycle, cycle[0]])
        found.append(Finding("error", "cycle", _name(g, cycle[0]), f"lineage cycle: {path}"))
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
