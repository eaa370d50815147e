"""Facts to quads (lineage.rdf): one writer per fact type, every quad where it belongs."""

from __future__ import annotations

import typing
from datetime import datetime, timezone

import pyoxigraph as ox
import pytest

from lineage import ids, rdf
from lineage.extract import Extraction
from lineage.facts import (
    DEFAULT_CONFIDENCE,
    Alias,
    Child,
    DatasetRef,
    DatasetUse,
    Derivation,
    Evidence,
    Fact,
    Hardware,
    IdCandidate,
    Identity,
    IdRule,
    Language,
    LicenseFact,
    MergeRecipe,
    Method,
    ModelRef,
    Parent,
    Relation,
    Role,
    Score,
    TrainingSetting,
    Warning,
)
from lineage.ns import DCTERMS, ENTITIES_GRAPH, LIN, PROV, RDF, XSD

KEY = "0" * 64
GRAPH = ids.card_graph_iri(KEY)
ME = ModelRef("acme/merged-7b", "acme/merged-7b")
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def ev(line: int | None = 3, snippet: str = "a snippet") -> Evidence:
    return Evidence(Method.PROSE, snippet, line, 0.8)


def quads(*facts: Fact, revision: str | None = None) -> list[ox.Quad]:
    extraction = Extraction("cards/merged/README.md", "f" * 64, ME, facts)
    return rdf.card_quads(extraction, key=KEY, retrieved=WHEN, revision=revision)


def triples(qs: list[ox.Quad], graph: str = GRAPH) -> set[tuple[str, str, str]]:
    """(s, p, o) of one graph, IRIs as text and literals as their lexical form."""
    return {(q.subject.value, q.predicate.value, q.object.value)
            for q in qs if q.graph_name.value == graph}


def node(kind: str, index: int) -> str:
    return ids.node_iri(GRAPH, kind, index)


def test_every_fact_type_has_exactly_one_writer():
    assert set(rdf._WRITERS) == set(typing.get_args(Fact))


def test_the_card_record_comes_first_and_describes_the_model():
    qs = quads(revision="abc123")
    record = triples(qs)
    me = ids.model_iri(ME.id)
    assert {(GRAPH, str(RDF.type), str(LIN.CardRecord)),
            (GRAPH, str(LIN.sourceLocation), "cards/merged/README.md"),
            (GRAPH, str(LIN.contentHash), "f" * 64),
            (GRAPH, str(PROV.generatedAtTime), "2026-01-02T03:04:05+00:00"),
            (GRAPH, str(LIN.revision), "abc123"),
            (GRAPH, str(LIN.describes), me)} <= record
    assert qs[0] == ox.Quad(ox.NamedNode(GRAPH), ox.NamedNode(str(RDF.type)),
                            ox.NamedNode(str(LIN.CardRecord)), ox.NamedNode(GRAPH))
    # The model is declared in the shared entities graph, not in the card's.
    assert (me, str(LIN.hubId), ME.id) in triples(qs, ENTITIES_GRAPH)
    assert not any(p == str(LIN.hubId) for _, p, _ in record)
    assert (GRAPH, str(LIN.revision), "abc123") not in triples(quads())


def test_a_merge_input_gets_one_contribution_with_its_role_and_weights():
    base, other = ModelRef("acme/base-7b", "acme/base-7b"), ModelRef(None, "LocalModel")
    qs = quads(Parent(base, Relation.MERGE, ev(), role=Role.BASE, weight=0.7, density=0.5),
               Parent(other, Relation.MERGE, ev(4), role=Role.SOURCE, weight=(0.1, 0.25)),
               Parent(base, Relation.MERGE, ev(9, "stated again")))
    got, me = triples(qs), ids.model_iri(ME.id)
    base_iri, other_iri = ids.model_iri("acme/base-7b"), ids.unresolved_model_iri("LocalModel")
    merge, first, second = node("merge", 1), node("contribution", 1), node("contribution", 2)
    assert {(me, str(LIN.mergedFrom), base_iri), (me, str(LIN.derivedFrom), base_iri),
            (me, str(PROV.wasDerivedFrom), base_iri), (me, str(LIN.mergedFrom), other_iri),
            (me, str(PROV.wasGeneratedBy), merge), (merge, str(PROV.used), base_iri),
            (first, str(PROV.entity), base_iri), (first, str(PROV.hadActivity), merge),
            (first, str(PROV.hadRole), str(LIN.baseRole)), (first, str(LIN.weight), "0.7"),
            (first, str(LIN.density), "0.5"), (second, str(PROV.hadRole), str(LIN.sourceRole)),
            (second, str(LIN.weightSpec), "[0.1, 0.25]")} <= got
    # Stated twice, the base model has still one contribution, and each statement its evidence.
    assert not any(s == node("contribution", 3) for s, _, _ in got)
    assert sum(p == str(PROV.qualifiedDerivation) for _, p, _ in got) == 2
    assert {(node("ev", 3), str(LIN.snippet), "stated again"),
            (node("ev", 3), str(LIN.line), "9")} <= got
    assert (other_iri, str(LIN.unresolved), "true") in triples(qs, ENTITIES_GRAPH)


def test_relations_to_and_between_other_models():
    parent, child, grand = (ModelRef(f"acme/{n}", f"acme/{n}") for n in ("p", "c", "g"))
    got = triples(quads(Parent(parent, Relation.FINETUNE, ev()),
                        Child(child, Relation.QUANTIZED, ev()),
                        Derivation(parent, grand, Relation.ADAPTER, ev())))
    me, p, c, g = (ids.model_iri(m.id) for m in (ME, parent, child, grand))
    assert {(me, str(LIN.fineTunedFrom), p), (c, str(LIN.quantizedFrom), me),
            (c, str(LIN.derivedFrom), me), (p, str(LIN.adapterOf), g),
            (p, str(PROV.wasDerivedFrom), g)} <= got
    assert not any(s == me and o == g for s, _, o in got)
    assert not any(p == str(PROV.wasGeneratedBy) for _, p, _ in got)  # no merge, no training


def test_each_statement_is_reified_with_its_evidence():
    alias = "acme/old-name"
    got = triples(quads(Alias(alias, Evidence(Method.METADATA, "", None, 0.66666))))
    statement = node("ev", 1)
    assert {(statement, str(RDF.subject), ids.model_iri(ME.id)),
            (statement, str(RDF.predicate), str(LIN.alias)),
            (statement, str(RDF.object), ids.model_iri(alias)),
            (statement, str(LIN.method), "metadata"),
            (statement, str(LIN.confidence), "0.667")} <= got
    # No snippet and no line: neither is stated; the type is implied by rdf:subject's domain.
    assert not any(s == statement and p in (str(LIN.snippet), str(LIN.line), str(RDF.type))
                   for s, p, _ in got)


def test_a_confidence_is_stated_only_where_it_differs_from_its_methods_default():
    default = DEFAULT_CONFIDENCE[Method.PROSE]
    got = triples(quads(Alias("acme/a", Evidence(Method.PROSE, "a", 2, default)),
                        Alias("acme/b", Evidence(Method.PROSE, "b", 3, 0.6))))
    assert (node("ev", 2), str(LIN.confidence), "0.6") in got
    assert not any(s == node("ev", 1) and p == str(LIN.confidence) for s, p, _ in got)


def test_every_method_has_a_default_confidence_declared_in_the_ontology():
    import rdflib

    from tests.conftest import ROOT

    onto = rdflib.Graph().parse(ROOT / "ontology" / "lineage.ttl")
    declared = {str(onto.value(m, rdflib.RDFS.label)): float(onto.value(m, LIN.defaultConfidence))
                for m in onto.subjects(RDF.type, LIN.ExtractionMethod)}
    assert declared == {m.value: c for m, c in DEFAULT_CONFIDENCE.items()}
    assert set(DEFAULT_CONFIDENCE) == set(Method)


def test_identity_and_a_rejected_candidate():
    got = triples(quads(Identity(ME.id, ev(), IdRule.MODEL_INDEX),
                        IdCandidate("acme/other", ev(5), "named once in a table")))
    assert {(GRAPH, str(LIN.identityMethod), "model-index"),
            (node("ev", 1), str(RDF.predicate), str(LIN.describes)),
            (GRAPH, str(LIN.idCandidate), "acme/other"),
            (node("ev", 2), str(LIN.reason), "named once in a table")} <= got


def test_training_collects_datasets_hardware_and_typed_settings():
    qs = quads(DatasetUse(DatasetRef("acme/chat-data", "acme/chat-data"), ev()),
               DatasetUse(DatasetRef(None, "Some Private Set"), ev()),
               Hardware("NVIDIA H100", 8, ev()), Hardware("NVIDIA H100", None, ev()),
               TrainingSetting("epochs", 1.5, ev()), TrainingSetting("batchSize", 64, ev()),
               TrainingSetting("learningRate", 2e-6, ev()))
    got, training = triples(qs), node("training", 1)
    accelerator = ids.accelerator_iri("NVIDIA H100")
    assert {(training, str(PROV.used), ids.dataset_iri("acme/chat-data")),
            (training, str(PROV.used), ids.dataset_name_iri("Some Private Set")),
            (training, str(LIN.hardware), node("hardware", 1)),
            (training, str(LIN.hardware), node("hardware", 2)),
            (node("hardware", 1), str(LIN.accelerator), accelerator),
            (node("hardware", 1), str(LIN.count), "8"),
            (training, str(LIN.epochs), "1.5"), (training, str(LIN.batchSize), "64"),
            (training, str(LIN.learningRate), "2e-06")} <= got
    assert not any(s == node("hardware", 2) and p == str(LIN.count) for s, p, _ in got)
    # Each hardware use points at the evidence of its line (both here the same record).
    assert {(node("hardware", 1), str(LIN.evidence)), (node("hardware", 2), str(LIN.evidence))
            } <= {(s, p) for s, p, _ in got}
    assert not any(s == node("training", 2) for s, _, _ in got)  # one training per card
    by_key = {q.predicate.value: q.object for q in qs if q.subject.value == training}
    assert by_key[str(LIN.epochs)].datatype.value == str(XSD.decimal)
    assert by_key[str(LIN.learningRate)].datatype.value == str(XSD.double)
    # The accelerator type is declared once, in the entities graph.
    entities = [q for q in qs if q.graph_name.value == ENTITIES_GRAPH
                and q.subject.value == accelerator]
    assert len(entities) == 2


def test_scores_name_their_model_benchmark_and_evidence():
    other = ModelRef("acme/rival-7b", "acme/rival-7b")
    qs = quads(Score("MMLU (5-Shot)", "acme/mmlu", "acc", "72.07", 5, "https://example.org/lb",
                     "model-index", ev(), more_evidence=(ev(20),)),
               Score("Homemade QA", "Homemade QA", None, "10", None, None, "table", ev(),
                     model=other))
    got, first, second = triples(qs), node("evaluation", 1), node("evaluation", 2)
    assert {(first, str(LIN.evaluatedModel), ids.model_iri(ME.id)),
            (first, str(LIN.benchmark), ids.dataset_iri("acme/mmlu")),
            (first, str(LIN.shots), "5"), (first, str(LIN.origin), "model-index"),
            (second, str(LIN.evaluatedModel), ids.model_iri(other.id)),
            (second, str(LIN.benchmark), ids.dataset_name_iri("Homemade QA"))} <= got
    assert not any(s == second and p in (str(LIN.metric), str(LIN.shots)) for s, p, _ in got)
    # The evaluation points at each of its two pieces of evidence, one record per line;
    # the second evaluation's evidence is the same line as the first's: one record.
    cited = {(s, o) for s, p, o in got if p == str(LIN.evidence)}
    assert cited == {(first, node("ev", 1)), (first, node("ev", 2)), (second, node("ev", 1))}
    assert {(node("ev", 1), str(LIN.line), "3"), (node("ev", 2), str(LIN.line), "20"),
            (node("ev", 1), str(LIN.method), "prose")} <= got
    assert not any(p == str(RDF.subject) or p.endswith("#value") for _, p, _ in got)


def test_license_recipe_language_and_warning():
    qs = quads(LicenseFact("other", "Acme Community License", "https://example.org/l", None,
                           ev()),
               MergeRecipe("ties", ModelRef("acme/base-7b", "acme/base-7b"), "bfloat16",
                           (("int8_mask", "true"),), ev()),
               Language("xx-unknown", None, ev()), Warning("no base model named", 12))
    got, me, merge = triples(qs), ids.model_iri(ME.id), node("merge", 1)
    license_iri = ids.license_iri(None, "Acme Community License")
    assert {(me, str(DCTERMS.license), license_iri),
            (me, str(LIN.licenseLink), "https://example.org/l"),
            (merge, str(LIN.mergeMethod), "ties"), (merge, str(LIN.dtype), "bfloat16"),
            (merge, str(LIN.baseModel), ids.model_iri("acme/base-7b")),
            (node("parameter", 1), str(LIN.parameterName), "int8_mask"),
            (GRAPH, str(LIN.warning), "unknown language code 'xx-unknown'"),
            (GRAPH, str(LIN.warning), "line 12: no base model named")} <= got
    assert (license_iri, str(LIN.licenseId), "other") in triples(qs, ENTITIES_GRAPH)


def test_the_same_facts_always_give_the_same_quads_each_once():
    facts = (Parent(ModelRef("acme/a", "acme/a"), Relation.MERGE, ev(), weight=0.5),
             DatasetUse(DatasetRef("acme/d", "acme/d"), ev()),
             DatasetUse(DatasetRef("acme/d", "acme/d"), ev()))
    first, second = quads(*facts), quads(*facts)
    assert first == second
    assert len(first) == len(set(first))


def test_a_decimal_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="not a decimal number"):
        quads(TrainingSetting("epochs", float("nan"), ev()))
