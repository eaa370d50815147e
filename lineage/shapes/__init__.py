"""The SHACL shapes of ``ontology/shapes.ttl``, checked on one card's quads in the build.

pySHACL needs about a third of a second for one card's small graph; this validator reads
the same shapes file, compiles the SHACL core subset it uses (class, subjects-of and
objects-of targets; predicate and inverse paths; cardinality, value type, value range,
string, ``sh:in``, ``sh:hasValue``, ``sh:equals``, ``sh:xone``/``sh:or``/``sh:and``/
``sh:not`` and SPARQL-based constraints) and checks a card in well under a millisecond.
A shapes file using anything else is refused with a :class:`ShapesError` naming it, so
the two validators cannot drift apart silently; the tests compare them on crafted cards.

Each violation reads as pySHACL's does in ``lineage check --shacl full``: the focus node,
the shape's ``sh:message`` and the path. Like pySHACL given ``ontology/lineage.ttl`` as
its ontology graph, ``sh:class`` and ``sh:targetClass`` follow ``rdfs:subClassOf``.

A card almost always conforms, so :meth:`Shapes.validate` first asks of each node shape a
cheaper question that can only err towards "maybe": a test that judges values one at a
time is run once per predicate over all the card's values of that predicate (shared by
every shape that reads it); ``sh:maxCount`` matters only for a predicate some node has
twice; only ``sh:minCount`` and the node shape's own components look at each focus node.
A shape that may fail is then evaluated focus node by focus node, exactly as SHACL says,
and only that evaluation writes violations.
"""

from __future__ import annotations

from lineage.shapes.load import compile_shapes, load_shapes, ontology_dir
from lineage.shapes.report import ShapesError, Violation, path_text
from lineage.shapes.validator import Shapes

__all__ = ["Shapes", "ShapesError", "Violation", "compile_shapes", "load_shapes", "ontology_dir",
           "path_text"]

