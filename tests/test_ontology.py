"""The ontology and the shapes: code and ontology agree, and the built graph conforms."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

import lineage
from lineage.ns import LIN, LIN_IRI

from .conftest import ROOT

ONTOLOGY = ROOT / "ontology" / "lineage.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY)


def declared_terms(g: rdflib.Graph) -> set[str]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual,
             OWL.AnnotationProperty, RDF.Property)
    return {str(s)[len(LIN_IRI):] for kind in kinds for s in g.subjects(RDF.type, kind)
            if str(s).startswith(LIN_IRI)}


def test_code_and_ontology_declare_the_same_terms(ontology):
    assert declared_terms(ontology) == set(LIN.__annotations__)


def test_every_term_is_labelled_and_documented(ontology):
    for name in LIN.__annotations__:
        term = rdflib.URIRef(LIN_IRI + name)
        assert ontology.value(term, RDFS.label), f"{name} has no rdfs:label"
        assert ontology.value(term, RDFS.comment), f"{name} has no rdfs:comment"


def test_properties_have_domain_and_range(ontology):
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            if str(prop).startswith(LIN_IRI):
                assert ontology.value(prop, RDFS.range) is not None, f"{prop} has no range"


def test_lineage_properties_specialise_derived_from(ontology):
    derived = rdflib.URIRef(LIN_IRI + "derivedFrom")
    prov = rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    assert (derived, RDFS.subPropertyOf, prov) in ontology
    for name in ("fineTunedFrom", "mergedFrom", "quantizedFrom", "adapterOf"):
        assert (rdflib.URIRef(LIN_IRI + name), RDFS.subPropertyOf, derived) in ontology


def test_shapes_parse():
    shapes = rdflib.Graph().parse(SHAPES)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert len(set(shapes.subjects(RDF.type, sh.NodeShape))) >= 8


def test_built_graph_of_seeds_and_examples_conforms(built_store: Path):
    report = lineage.check(store=built_store)
    assert report.shacl_checked
    errors = [str(f) for f in report.findings if f.severity == "error"]
    assert errors == []
    assert report.conforms


def test_shapes_catch_a_broken_graph(tmp_path: Path):
    """A hand-made graph with a bad evidence record and a bad score must not conform."""
    from lineage.store import open_store

    store = open_store("memory:")
    from lineage.store import CardGraph

    g = "urn:lineage:card:" + "0" * 64
    bad = f"""
<{g}> <{RDF.type}> <{LIN_IRI}CardRecord> <{g}> .
<{g}#ev-1> <{RDF.type}> <{RDF.Statement}> <{g}> .
<{g}#ev-1> <{LIN_IRI}method> "guesswork" <{g}> .
<{g}#evaluation-1> <{RDF.type}> <{LIN_IRI}Evaluation> <{g}> .
<{g}#evaluation-1> <http://www.w3.org/ns/mls#hasValue> "high" <{g}> .
"""
    store.replace_cards([CardGraph("x", g, bad.encode())])
    report = lineage.check(store=store)
    assert not report.conforms
    kinds = {f.kind for f in report.findings if f.severity == "error"}
    assert kinds == {"shacl"}
    assert len([f for f in report.findings if f.kind == "shacl"]) >= 4


def test_every_relation_kind_is_an_ontology_property_with_its_label():
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS

    from lineage.facts import Relation

    onto = Graph().parse(ROOT / "ontology" / "lineage.ttl")
    for relation in Relation:
        iri = URIRef(relation.iri)
        assert (iri, RDFS.label, Literal(relation.label, lang="en")) in onto, relation
        derived = URIRef(Relation.DERIVED.iri)
        assert relation is Relation.DERIVED or (iri, RDFS.subPropertyOf, derived) in onto
    assert [r.value for r in sorted(Relation, key=lambda r: r.rank)][-1] == "derived"
    assert {r.hub_form for r in Relation} - {None} == {"finetune", "merge", "quantized",
                                                      "adapter"}
