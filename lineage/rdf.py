"""Facts to RDF: the quads of one card's named graph.

Every term comes from :mod:`lineage.ns` and every IRI from :mod:`lineage.ids`. Each fact
keeps its evidence (method, snippet, line, confidence) in plain triples, so provenance
survives any store and serialisation (``docs/evidence.md``): a fact's triple is reified as a
statement (``rdf:subject``/``rdf:predicate``/``rdf:object``, its type implied) that carries
its evidence, and a qualified node (an evaluation, a hardware use) points at an evidence
record of its source line with ``lin:evidence``. A confidence is written only where it
differs from its method's default (:data:`lineage.facts.DEFAULT_CONFIDENCE`). Nodes local to a card
(evidence, merge, training, evaluations) get IRIs under the card's graph IRI, never blank
nodes, so the same card always gives the same quads.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import pyoxigraph as ox

from lineage import ids
from lineage.extract import EXTRACTOR_VERSION, Extraction
from lineage.extract.scores import decimal_text
from lineage.facts import (
    DEFAULT_CONFIDENCE,
    Alias,
    Child,
    DatasetRef,
    DatasetUse,
    Derivation,
    Evidence,
    Hardware,
    HubInfo,
    IdCandidate,
    Identity,
    Language,
    LicenseFact,
    MergeRecipe,
    Method,
    ModelRef,
    Parent,
    PromptFormat,
    Quantization,
    Relation,
    Role,
    Score,
    Successor,
    Tag,
    TrainingSetting,
    Warning,
)
from lineage.ns import (
    DCTERMS,
    ENTITIES_GRAPH,
    FAIR4ML,
    LIN,
    MLS,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
)

__all__ = ["RELATION_PROPERTY", "Row", "card_key", "card_quads", "card_rows", "quads_of",
           "to_nquads", "validation_quads"]

# A quad as its terms: (subject, predicate, object, graph).
Row = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal, ox.NamedNode]


_NODES: dict[str, ox.NamedNode] = {}


def _n(term: object) -> ox.NamedNode:
    """Return the pyoxigraph node of a vocabulary term (made once per term)."""
    key = str(term)
    node = _NODES.get(key)
    if node is None:
        node = _NODES[key] = ox.NamedNode(key)
    return node


RELATION_PROPERTY: dict[Relation, ox.NamedNode] = {r: ox.NamedNode(r.iri) for r in Relation}
_SETTING_TYPES: dict[str, ox.NamedNode] = {
    "epochs": _n(XSD.decimal), "learningRate": _n(XSD.double), "batchSize": _n(XSD.integer),
    "tokens": _n(XSD.integer), "cost": _n(XSD.decimal), "gpuHours": _n(XSD.decimal),
    "trainingHours": _n(XSD.decimal), "seed": _n(XSD.integer),
}
_TYPE = _n(RDF.type)
_LABEL = _n(RDFS.label)
# Terms of every evidence node and model declaration, looked up once.
_SUBJECT, _PREDICATE, _OBJECT = _n(RDF.subject), _n(RDF.predicate), _n(RDF.object)
_METHOD, _SNIPPET, _LINE, _CONFIDENCE, _EVIDENCE = (
    _n(LIN.method), _n(LIN.snippet), _n(LIN.line), _n(LIN.confidence), _n(LIN.evidence))
_METHODS = {m: ox.Literal(m.value) for m in Method}
_DECIMAL, _INTEGER, _ANY_URI = _n(XSD.decimal), _n(XSD.integer), _n(XSD.anyURI)
_MODEL_TYPES = (_n(LIN.Model), _n(FAIR4ML.MLModel))
_HUB_ID, _NORMALIZED_ID, _UNRESOLVED = _n(LIN.hubId), _n(LIN.normalizedId), _n(LIN.unresolved)


def card_key(content_sha256: str, id_hint: str | None, *, source: str = "",
             extra: str = "") -> str:
    """Return the key of a card's graph (source, content, given id, Hub metadata, extractor).

    ``extra`` is the Hub metadata the card came with, in a canonical form. Two sources
    with the same bytes are two cards, each with a graph of its own.

    Examples
    --------
    >>> card_key("ab" * 32, None) == card_key("ab" * 32, None) != card_key("ab" * 32, "o/m")
    True
    >>> card_key("ab" * 32, None, source="a/README.md") != card_key("ab" * 32, None, source="b")
    True
    """
    text = f"lineage/{EXTRACTOR_VERSION}\0{id_hint or ''}\0{content_sha256}\0{source}"
    h = hashlib.sha256(f"{text}\0{extra}".encode() if extra else text.encode())
    return h.hexdigest()


def _double_text(value: float) -> str:
    """Return an ``xsd:double`` lexical form (``NaN``, ``INF`` and ``-INF`` as XSD spells them)."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "INF" if value > 0 else "-INF"
    return repr(value)


def _literal(value: object, datatype: ox.NamedNode | None = None) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=_n(XSD.boolean))
    if datatype is not None:
        if isinstance(value, float) and not datatype.value.endswith("double"):
            text = decimal_text(value)
            if text is None:
                msg = f"{value!r} is not a decimal number"
                raise ValueError(msg)
        else:
            text = _double_text(value) if isinstance(value, float) else str(value)
        return ox.Literal(text, datatype=datatype)
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=_n(XSD.integer))
    if isinstance(value, float):
        return ox.Literal(_double_text(value), datatype=_n(XSD.double))
    return ox.Literal(str(value))


class _Writer:
    """Accumulates the quads of one card graph with deterministic local node names."""

    def __init__(self, graph: str):
        self.graph = ox.NamedNode(graph)
        self.entities = ox.NamedNode(ENTITIES_GRAPH)
        # (subject, predicate, object, graph): quads are made once, at the end (quads_of)
        self.rows: list[Row] = []
        self.counters: dict[str, int] = {}
        self.declared: set[str] = set()
        self.records: dict[tuple[Method, int | None, str, float], ox.NamedNode] = {}

    def add(self, s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal) -> None:
        """Add a statement to the card's graph."""
        self.rows.append((s, p if isinstance(p, ox.NamedNode) else _n(p), o, self.graph))

    def declare(self, s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal) -> None:
        """Add a card-independent statement about a shared entity (to the entities graph)."""
        self.rows.append((s, p if isinstance(p, ox.NamedNode) else _n(p), o, self.entities))

    def node(self, kind: str) -> ox.NamedNode:
        """Return a new node local to the card (``ev``, ``merge``...), numbered per kind."""
        number = self.counters.get(kind, 0) + 1
        self.counters[kind] = number
        return ox.NamedNode(ids.node_iri(self.graph.value, kind, number))

    def evidence_of(self, statement: ox.NamedNode, ev: Evidence) -> None:
        """Add the evidence (method, snippet, line, confidence) to a statement or record node."""
        graph = self.graph
        self.rows.append((statement, _METHOD, _METHODS[ev.method], graph))
        if ev.snippet:
            self.rows.append((statement, _SNIPPET, ox.Literal(ev.snippet), graph))
        if ev.line is not None:
            self.rows.append((statement, _LINE, ox.Literal(str(ev.line), datatype=_INTEGER),
                               graph))
        confidence = round(ev.confidence, 3)
        if confidence != DEFAULT_CONFIDENCE[ev.method]:
            self.rows.append((statement, _CONFIDENCE, _literal(confidence, _DECIMAL), graph))

    def evidence(self, s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal,
                 ev: Evidence) -> ox.NamedNode:
        """Add the reified statement ``s p o`` with its evidence; return the statement node."""
        statement, graph = self.node("ev"), self.graph
        self.rows += (
            (statement, _SUBJECT, s, graph),
            (statement, _PREDICATE, p if isinstance(p, ox.NamedNode) else _n(p), graph),
            (statement, _OBJECT, o, graph),
        )
        self.evidence_of(statement, ev)
        return statement

    def cite(self, node: ox.NamedNode, ev: Evidence) -> None:
        """Point a qualified node at the evidence record of its source line (made once)."""
        key = (ev.method, ev.line, ev.snippet, round(ev.confidence, 3))
        record = self.records.get(key)
        if record is None:
            record = self.records[key] = self.node("ev")
            self.evidence_of(record, ev)
        self.add(node, _EVIDENCE, record)

    def add_fact(self, s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal,
                 ev: Evidence) -> None:
        """Add a statement and its evidence."""
        self.add(s, p, o)
        self.evidence(s, p, o, ev)

    def model(self, ref: ModelRef) -> ox.NamedNode:
        """Return a model's node, declared in the entities graph once per card."""
        iri = ids.model_iri(ref.id) if ref.id else ids.unresolved_model_iri(ref.name)
        node = ox.NamedNode(iri)
        if iri not in self.declared:
            self.declared.add(iri)
            self.declare(node, _TYPE, _MODEL_TYPES[0])
            self.declare(node, _TYPE, _MODEL_TYPES[1])
            if ref.id:
                self.declare(node, _HUB_ID, ox.Literal(ref.id))
                self.declare(node, _NORMALIZED_ID, ox.Literal(ids.id_key(ref.id)))
                self.declare(node, _LABEL, ox.Literal(ref.id))
            else:
                self.declare(node, _UNRESOLVED, _literal(True))
                self.declare(node, _LABEL, ox.Literal((ref.label or ref.name).strip()))
        return node

    def dataset(self, ref: DatasetRef) -> ox.NamedNode:
        """Return a dataset's node, declared in the entities graph once per card."""
        iri = ids.dataset_iri(ref.id) if ref.id else ids.dataset_name_iri(ref.name)
        node = ox.NamedNode(iri)
        if iri not in self.declared:
            self.declared.add(iri)
            self.declare(node, _TYPE, _n(LIN.Dataset))
            self.declare(node, _TYPE, _n(SCHEMA.Dataset))
            self.declare(node, _LABEL, ox.Literal(ref.id or ref.name))
            if ref.id:
                self.declare(node, LIN.hubId, ox.Literal(ref.id))
            else:
                self.declare(node, LIN.unresolved, _literal(True))
        return node

    def concept(self, scheme: str, value: str) -> ox.NamedNode:
        """Return a SKOS concept's node (a pipeline tag, a library), declared once per card."""
        node = ox.NamedNode(ids.concept_iri(scheme, value))
        if node.value not in self.declared:
            self.declared.add(node.value)
            self.declare(node, _TYPE, _n(SKOS.Concept))
            self.declare(node, SKOS.prefLabel, ox.Literal(value))
        return node


class _CardWriter(_Writer):
    """Writes one card's graph: its record, then each fact by the method :data:`_WRITERS` picks.

    ``described`` is the node of the model the card describes; merge and training
    activities and merge contributions are made once per card, on first use.
    """

    def __init__(self, key: str, extraction: Extraction, retrieved: datetime,
                 revision: str | None):
        super().__init__(ids.card_graph_iri(key))
        self.activities: dict[str, ox.NamedNode] = {}
        self.contributions: dict[str, ox.NamedNode] = {}
        card = self.graph
        self.add(card, _TYPE, _n(LIN.CardRecord))
        self.add(card, LIN.sourceLocation, ox.Literal(extraction.source))
        self.add(card, LIN.contentHash, ox.Literal(extraction.sha256))
        self.add(card, LIN.extractorVersion, ox.Literal(EXTRACTOR_VERSION))
        self.add(card, PROV.generatedAtTime,
                 ox.Literal(retrieved.isoformat(timespec="seconds"), datatype=_n(XSD.dateTime)))
        if revision:
            self.add(card, LIN.revision, ox.Literal(revision))
        self.described = self.model(extraction.model)
        self.add(card, LIN.describes, self.described)

    # --- nodes shared by several facts of the card ------------------------------------------

    def activity(self, kind: str, cls: object) -> ox.NamedNode:
        """Return the card's activity of one kind (``merge``, ``training``), made on first use."""
        node = self.activities.get(kind)
        if node is None:
            node = self.activities[kind] = self.node(kind)
            self.add(node, _TYPE, _n(cls))
            self.add(node, _TYPE, _n(PROV.Activity))
            self.add(self.described, PROV.wasGeneratedBy, node)
        return node

    def derives(self, model: ox.NamedNode, relation: Relation, parent: ox.NamedNode,
                evidence: Evidence) -> None:
        """State that ``model`` derives from ``parent``, with ``lin:derivedFrom`` materialised."""
        self.add_fact(model, RELATION_PROPERTY[relation], parent, evidence)
        self.add(model, LIN.derivedFrom, parent)
        self.add(model, PROV.wasDerivedFrom, parent)

    def contribution(self, parent: ox.NamedNode, fact: Parent) -> None:
        """Add a merge input's qualified derivation: role, weight and density in the merge."""
        merge = self.activity("merge", LIN.Merge)
        node = self.contributions[parent.value] = self.node("contribution")
        self.add(self.described, PROV.qualifiedDerivation, node)
        self.add(node, _TYPE, _n(LIN.Contribution))
        self.add(node, PROV.entity, parent)
        self.add(node, PROV.hadActivity, merge)
        self.add(merge, PROV.used, parent)
        if fact.role is not None:
            self.add(node, PROV.hadRole,
                     _n(LIN.baseRole if fact.role is Role.BASE else LIN.sourceRole))
        self.merge_share(node, LIN.weight, LIN.weightSpec, fact.weight)
        self.merge_share(node, LIN.density, LIN.densitySpec, fact.density)

    def merge_share(self, node: ox.NamedNode, number: object, spec: object,
                    value: float | tuple[float, ...] | None) -> None:
        """Add a merge weight or density: one decimal, or a per-layer list as text."""
        if isinstance(value, float):
            self.add(node, number, _literal(value, _DECIMAL))
        elif isinstance(value, tuple):
            self.add(node, spec, ox.Literal("[" + ", ".join(format(v, "g") for v in value) + "]"))

    def license_node(self, fact: LicenseFact) -> ox.NamedNode:
        """Return a license's node, declared in the entities graph."""
        node = ox.NamedNode(ids.license_iri(fact.spdx, fact.name or fact.id or "unknown"))
        self.declare(node, _TYPE, _n(LIN.License))
        self.declare(node, _TYPE, _n(DCTERMS.LicenseDocument))
        if fact.id:
            self.declare(node, LIN.licenseId, ox.Literal(fact.id))
        self.declare(node, _LABEL, ox.Literal(fact.spdx or fact.name or fact.id or "unknown"))
        return node

    def accelerator(self, name: str) -> ox.NamedNode:
        """Return an accelerator type's node, declared once per card."""
        node = ox.NamedNode(ids.accelerator_iri(name))
        if node.value not in self.declared:
            self.declared.add(node.value)
            self.declare(node, _TYPE, _n(LIN.Accelerator))
            self.declare(node, _LABEL, ox.Literal(name))
        return node

    def benchmark(self, dataset: str) -> ox.NamedNode:
        """Return a benchmark's dataset node: by Hub id when it is one, else by name."""
        ref = DatasetRef(dataset, dataset) if ids.is_repo_id(dataset) else DatasetRef(None, dataset)
        return self.dataset(ref)

    # --- one method per fact type ------------------------------------------------------------

    def write_identity(self, identity: Identity) -> None:
        """Record how the card's id was decided, with its evidence."""
        self.add(self.graph, LIN.identityMethod, ox.Literal(identity.rule.value))
        self.evidence(self.graph, LIN.describes, self.described, identity.evidence)

    def write_id_candidate(self, candidate: IdCandidate) -> None:
        """Record an id the card might have, and why it was not adopted."""
        value = ox.Literal(candidate.id)
        self.add(self.graph, LIN.idCandidate, value)
        statement = self.evidence(self.graph, LIN.idCandidate, value, candidate.evidence)
        self.add(statement, LIN.reason, ox.Literal(candidate.reason))

    def write_alias(self, alias: Alias) -> None:
        """State another id of the described model."""
        self.add_fact(self.described, LIN.alias, self.model(ModelRef(alias.id, alias.id)),
                      alias.evidence)

    def write_parent(self, fact: Parent) -> None:
        """State a parent of the described model; a merge input also gets its contribution."""
        parent = self.model(fact.ref)
        self.derives(self.described, fact.relation, parent, fact.evidence)
        if fact.relation is Relation.MERGE and parent.value not in self.contributions:
            self.contribution(parent, fact)

    def write_derivation(self, fact: Derivation) -> None:
        """State that another model named by the card derives from a parent."""
        model, parent = self.model(fact.model), self.model(fact.ref)
        self.derives(model, fact.relation, parent, fact.evidence)

    def write_child(self, fact: Child) -> None:
        """State a model derived from the described one."""
        child = self.model(fact.ref)
        self.derives(child, fact.relation, self.described, fact.evidence)

    def write_successor(self, fact: Successor) -> None:
        """State a newer version of the described model."""
        self.add_fact(self.described, LIN.newVersion, self.model(fact.ref), fact.evidence)

    def write_merge_recipe(self, recipe: MergeRecipe) -> None:
        """Describe the merge activity: method, base model, dtype and parameters."""
        merge = self.activity("merge", LIN.Merge)
        if recipe.method:
            self.add_fact(merge, LIN.mergeMethod, ox.Literal(recipe.method), recipe.evidence)
        if recipe.base is not None:
            self.add(merge, LIN.baseModel, self.model(recipe.base))
        if recipe.dtype:
            self.add(merge, LIN.dtype, ox.Literal(recipe.dtype))
        for name, value in recipe.parameters:
            parameter = self.node("parameter")
            self.add(merge, LIN.parameter, parameter)
            self.add(parameter, _TYPE, _n(LIN.MergeParameter))
            self.add(parameter, LIN.parameterName, ox.Literal(name))
            self.add(parameter, LIN.parameterValue, ox.Literal(value))

    def write_dataset_use(self, use: DatasetUse) -> None:
        """State a dataset the described model was trained on (used by its training)."""
        dataset = self.dataset(use.ref)
        self.add_fact(self.described, LIN.trainedOn, dataset, use.evidence)
        training = self.activity("training", LIN.Training)
        self.add(training, PROV.used, dataset)

    def write_license(self, fact: LicenseFact) -> None:
        """State the described model's license, and its link."""
        node = self.license_node(fact)
        if fact.link:  # on the model: one license (tongyi-qianwen) is linked from many repos
            self.add(self.described, LIN.licenseLink, ox.Literal(fact.link, datatype=_ANY_URI))
        self.add_fact(self.described, DCTERMS.license, node, fact.evidence)

    def write_language(self, language: Language) -> None:
        """State a language of the model; an unknown code becomes a warning of the card."""
        if language.iso639_3:
            self.add_fact(self.described, DCTERMS.language,
                          ox.NamedNode(ids.language_iri(language.iso639_3)), language.evidence)
        else:
            self.add(self.graph, LIN.warning,
                     ox.Literal(f"unknown language code {language.code!r}"))

    def write_tag(self, tag: Tag) -> None:
        """State a tag (a literal), pipeline tag or library (SKOS concepts)."""
        if tag.kind == "tag":
            self.add(self.described, LIN.tag, ox.Literal(tag.value))
        else:
            prop = LIN.pipelineTag if tag.kind == "pipeline" else LIN.library
            self.add_fact(self.described, prop, self.concept(tag.kind, tag.value), tag.evidence)

    def write_prompt_format(self, prompt: PromptFormat) -> None:
        """State the prompt template the model expects."""
        self.add_fact(self.described, LIN.promptFormat, ox.Literal(prompt.value),
                      prompt.evidence)

    def write_quantization(self, quantization: Quantization) -> None:
        """State the quantization format and bits of the described model."""
        if quantization.method:
            self.add_fact(self.described, LIN.quantization, ox.Literal(quantization.method),
                          quantization.evidence)
        if quantization.bits is not None:
            self.add(self.described, LIN.bits, _literal(quantization.bits, _DECIMAL))

    def write_hardware(self, hardware: Hardware) -> None:
        """Add a hardware use (accelerator type and count) to the training activity."""
        training = self.activity("training", LIN.Training)
        usage = self.node("hardware")
        self.add(training, LIN.hardware, usage)
        self.add(usage, _TYPE, _n(LIN.HardwareUse))
        self.add(usage, LIN.accelerator, self.accelerator(hardware.accelerator))
        self.cite(usage, hardware.evidence)
        if hardware.count is not None:
            self.add(usage, LIN.count, _literal(hardware.count))

    def write_training_setting(self, setting: TrainingSetting) -> None:
        """State one setting of the training activity, typed by its key."""
        training = self.activity("training", LIN.Training)
        value = _literal(setting.value, _SETTING_TYPES.get(setting.key))
        self.add_fact(training, getattr(LIN, setting.key), value, setting.evidence)

    def write_score(self, score: Score) -> None:
        """Add an evaluation node: model, benchmark, metric, shots, source, value."""
        evaluation = self.node("evaluation")
        target = self.model(score.model) if score.model is not None else self.described
        self.add(evaluation, _TYPE, _n(LIN.Evaluation))
        self.add(evaluation, _TYPE, _n(MLS.ModelEvaluation))
        self.add(evaluation, LIN.evaluatedModel, target)
        self.add(evaluation, LIN.benchmarkName, ox.Literal(score.benchmark))
        if score.dataset:
            self.add(evaluation, LIN.benchmark, self.benchmark(score.dataset))
        if score.metric:
            self.add(evaluation, LIN.metric, ox.Literal(score.metric))
        if score.shots is not None:
            self.add(evaluation, LIN.shots, _literal(score.shots))
        if score.source:
            self.add(evaluation, LIN.sourceUrl, ox.Literal(score.source, datatype=_ANY_URI))
        self.add(evaluation, LIN.origin, ox.Literal(score.origin))
        self.add(evaluation, MLS.hasValue, ox.Literal(score.value, datatype=_DECIMAL))
        for evidence in (score.evidence, *score.more_evidence):
            self.cite(evaluation, evidence)

    def write_hub_info(self, info: HubInfo) -> None:
        """State what the Hub says of the repository: id, popularity, dates, gating."""
        if info.repo_id:
            self.add(self.graph, LIN.repoId, ox.Literal(info.repo_id))
        for prop, value, datatype in (
                (LIN.downloads, info.downloads, XSD.integer), (LIN.likes, info.likes, XSD.integer),
                (DCTERMS.created, info.created, XSD.dateTime),
                (DCTERMS.modified, info.modified, XSD.dateTime),
                (LIN.gated, info.gated, XSD.boolean)):
            if value is not None:
                self.add_fact(self.described, prop, _literal(value, _n(datatype)), info.evidence)

    def write_warning(self, warning: Warning) -> None:
        """Keep a warning of the extractor in the card's record."""
        text = f"line {warning.line}: {warning.text}" if warning.line else warning.text
        self.add(self.graph, LIN.warning, ox.Literal(text))


# The writer of each fact type, chosen by the fact's exact type. Each writer takes its own
# fact type, so the table types the fact as Any; tests check it covers every Fact type.
_WRITERS: dict[type, Callable[[_CardWriter, Any], None]] = {
    Identity: _CardWriter.write_identity,
    IdCandidate: _CardWriter.write_id_candidate,
    Alias: _CardWriter.write_alias,
    Parent: _CardWriter.write_parent,
    Derivation: _CardWriter.write_derivation,
    Child: _CardWriter.write_child,
    Successor: _CardWriter.write_successor,
    MergeRecipe: _CardWriter.write_merge_recipe,
    DatasetUse: _CardWriter.write_dataset_use,
    LicenseFact: _CardWriter.write_license,
    Language: _CardWriter.write_language,
    Tag: _CardWriter.write_tag,
    PromptFormat: _CardWriter.write_prompt_format,
    Quantization: _CardWriter.write_quantization,
    Hardware: _CardWriter.write_hardware,
    TrainingSetting: _CardWriter.write_training_setting,
    Score: _CardWriter.write_score,
    HubInfo: _CardWriter.write_hub_info,
    Warning: _CardWriter.write_warning,
}


def card_quads(ex: Extraction, *, key: str, retrieved: datetime,
               revision: str | None = None) -> list[ox.Quad]:
    """Build the quads of one card's named graph ``urn:lineage:card:{key}``.

    The graph holds the card's record (source, content hash, extractor version, retrieval
    time, the model it describes), then each fact in the extraction's order, written by
    the method of its type; shared entities (models, datasets, licenses...) are declared
    in the entities graph. Each quad appears once.
    """
    return quads_of(card_rows(ex, key=key, retrieved=retrieved, revision=revision))


def card_rows(ex: Extraction, *, key: str, retrieved: datetime,
              revision: str | None = None) -> list[Row]:
    """Return the quads of :func:`card_quads` as ``(subject, predicate, object, graph)`` terms.

    What a validator reads without asking each quad for its terms (which makes new objects).
    """
    writer = _CardWriter(key, ex, retrieved, revision)
    for fact in ex.facts:
        _WRITERS[type(fact)](writer, fact)
    return list(dict.fromkeys(writer.rows))


def quads_of(rows: Iterable[Row]) -> list[ox.Quad]:
    """Return the quads of ``(subject, predicate, object, graph)`` rows."""
    return [ox.Quad(*row) for row in rows]


def validation_quads(key: str, violations: list[str], shapes_version: str) -> list[ox.Quad]:
    """Return the quads recording a card's SHACL validation on its card record.

    ``lin:conforms`` (true when there is no violation), ``lin:shapesVersion`` and one
    ``lin:violation`` line each (see :class:`lineage.shapes.Violation`).
    """
    graph = ox.NamedNode(ids.card_graph_iri(key))
    quads = [ox.Quad(graph, _n(LIN.conforms), _literal(not violations), graph),
             ox.Quad(graph, _n(LIN.shapesVersion), ox.Literal(shapes_version), graph)]
    quads += (ox.Quad(graph, _n(LIN.violation), ox.Literal(v), graph) for v in violations)
    return quads


def to_nquads(quads: list[ox.Quad]) -> bytes:
    """Serialise quads as N-Quads (the bulk-load format of every store)."""
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
