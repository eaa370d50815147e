"""From the shapes and ontology files to a compiled :class:`Shapes`, once per process."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from lineage.shapes.compiler import Compiler
from lineage.shapes.plan import Target
from lineage.shapes.report import ShapesError
from lineage.shapes.sparql import sparql_constraints
from lineage.shapes.terms import RDFS, SH, TYPE
from lineage.shapes.triples import Graph
from lineage.shapes.validator import Shapes

_SHAPES_FILE = "shapes.ttl"
_ONTOLOGY_FILE = "lineage.ttl"


def _superclasses(ontology: Iterable[ox.Triple]) -> dict[str, frozenset[str]]:
    """Map each class of the ontology to itself and all its superclasses."""
    direct: dict[str, set[str]] = {}
    for t in ontology:
        if (t.predicate.value == RDFS + "subClassOf" and isinstance(t.object, ox.NamedNode)
                and isinstance(t.subject, ox.NamedNode)):
            direct.setdefault(t.subject.value, set()).add(t.object.value)

    def closure(cls: str, seen: frozenset[str]) -> set[str]:
        found = {cls}
        for sup in direct.get(cls, ()):
            if sup not in seen:
                found |= closure(sup, seen | {cls})
        return found
    return {cls: frozenset(closure(cls, frozenset())) for cls in direct}


def compile_shapes(shapes_ttl: bytes, ontology_ttl: bytes) -> Shapes:
    """Compile the shapes (and the ontology's class hierarchy) into a :class:`Shapes`."""
    triples = list(ox.parse(shapes_ttl, format=ox.RdfFormat.TURTLE))
    graph = Graph(triples)
    compiler = Compiler(graph)
    targets = []
    for node, props in graph.out.items():
        if SH + "NodeShape" not in {t.value for t in props.get(TYPE.value, [])}:
            continue
        shape = compiler.shape(node)
        targets.append(Target(
            shape,
            tuple(t.value for t in props.get(SH + "targetClass", [])),
            tuple(t.value for t in props.get(SH + "targetSubjectsOf", [])),
            tuple(t.value for t in props.get(SH + "targetObjectsOf", [])),
            sparql_constraints(graph, node, shape.level)))
    ontology = list(ox.parse(ontology_ttl, format=ox.RdfFormat.TURTLE))
    digest = hashlib.sha256(shapes_ttl + b"\0" + ontology_ttl).hexdigest()[:16]
    return Shapes(tuple(targets), _superclasses(ontology), digest,
                  frozenset(compiler.inverse))


def ontology_dir() -> Path:
    """Return the folder with ``lineage.ttl`` and ``shapes.ttl``."""
    import sys

    here = Path(__file__).resolve().parents[2] / "ontology"
    return here if here.is_dir() else Path(sys.prefix) / "share" / "lineage" / "ontology"


@functools.cache
def load_shapes(folder: Path) -> Shapes:
    """Return the compiled shapes of ``folder`` (``shapes.ttl`` and ``lineage.ttl``).

    Compiled once per process: the result is a constant table of the files.
    """
    try:
        shapes = (folder / _SHAPES_FILE).read_bytes()
        ontology = (folder / _ONTOLOGY_FILE).read_bytes()
    except OSError as exc:
        msg = f"{folder}: cannot read the shapes: {exc.strerror or exc}"
        raise ShapesError(msg) from None
    return compile_shapes(shapes, ontology)
