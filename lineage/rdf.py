"""Facts to RDF: the quads of one card's named graph.

Every term comes from :mod:`lineage.ns` and every IRI from :mod:`lineage.ids`. Each
fact's main triple is reified as an ``rdf:Statement`` carrying the evidence (method,
snippet, line, confidence), so provenance survives any store and serialisation. Nodes
local to a card (evidence, merge, training, evaluations) get IRIs under the card's graph
IRI, never blank nodes, so the same card always gives the same quads.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import datetime

import pyoxigraph as ox

from lineage import ids
from lineage.extract import EXTRACTOR_VERSION, Extraction
from lineage.extract.scores import decimal_text
from lineage.facts import (
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

__all__ = ["RELATION_PROPERTY", "card_key", "card_quads", "to_nquads"]


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
_STATEMENT, _SUBJECT, _PREDICATE, _OBJECT = (_n(RDF.Statement), _n(RDF.subject),
                                             _n(RDF.predicate), _n(RDF.object))
_METHOD, _SNIPPET, _LINE, _CONFIDENCE = (_n(LIN.method), _n(LIN.snippet), _n(LIN.line),
                                         _n(LIN.confidence))
_DECIMAL, _INTEGER = _n(XSD.decimal), _n(XSD.integer)
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
        self.quads: list[ox.Quad] = []
        self.counters: dict[str, int] = {}
        self.declared: set[str] = set()

    def add(self, s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, p if isinstance(p, ox.NamedNode) else _n(p), o, self.graph))

    def declare(self, s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal) -> None:
        """Add a card-independent statement about a shared entity (to the entities graph)."""
        self.quads.append(ox.Quad(s, p if isinstance(p, ox.NamedNode) else _n(p), o, self.entities))

    def node(self, kind: str) -> ox.NamedNode:
        n = self.counters.get(kind, 0) + 1
        self.counters[kind] = n
        return ox.NamedNode(ids.node_iri(self.graph.value, kind, n))

    def evidence(self, s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal,
                 ev: Evidence) -> ox.NamedNode:
        st, g = self.node("ev"), self.graph
        self.quads += (
            ox.Quad(st, _TYPE, _STATEMENT, g),
            ox.Quad(st, _SUBJECT, s, g),
            ox.Quad(st, _PREDICATE, p if isinstance(p, ox.NamedNode) else _n(p), g),
            ox.Quad(st, _OBJECT, o, g),
            ox.Quad(st, _METHOD, ox.Literal(ev.method.value), g),
        )
        if ev.snippet:
            self.quads.append(ox.Quad(st, _SNIPPET, ox.Literal(ev.snippet), g))
        if ev.line is not None:
            self.quads.append(ox.Quad(st, _LINE, ox.Literal(str(ev.line), datatype=_INTEGER), g))
        self.quads.append(ox.Quad(st, _CONFIDENCE, _literal(round(ev.confidence, 3), _DECIMAL), g))
        return st

    def fact(self, s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal, ev: Evidence) -> None:
        self.add(s, p, o)
        self.evidence(s, p, o, ev)

    def model(self, ref: ModelRef) -> ox.NamedNode:
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
        node = ox.NamedNode(ids.concept_iri(scheme, value))
        if node.value not in self.declared:
            self.declared.add(node.value)
            self.declare(node, _TYPE, _n(SKOS.Concept))
            self.declare(node, SKOS.prefLabel, ox.Literal(value))
        return node


def card_quads(ex: Extraction, *, key: str, retrieved: datetime,
               revision: str | None = None) -> list[ox.Quad]:
    """Build the quads of one card's named graph ``urn:lineage:card:{key}``."""
    w = _Writer(ids.card_graph_iri(key))
    g = w.graph
    w.add(g, _TYPE, _n(LIN.CardRecord))
    w.add(g, LIN.sourceLocation, ox.Literal(ex.source))
    w.add(g, LIN.contentHash, ox.Literal(ex.sha256))
    w.add(g, LIN.extractorVersion, ox.Literal(EXTRACTOR_VERSION))
    w.add(g, PROV.generatedAtTime, ox.Literal(retrieved.isoformat(timespec="seconds"),
                                              datatype=_n(XSD.dateTime)))
    if revision:
        w.add(g, LIN.revision, ox.Literal(revision))
    me = w.model(ex.model)
    w.add(g, LIN.describes, me)
    activities: dict[str, ox.NamedNode] = {}

    def activity(kind: str, cls: object) -> ox.NamedNode:
        if kind not in activities:
            node = w.node(kind)
            activities[kind] = node
            w.add(node, _TYPE, _n(cls))
            w.add(node, _TYPE, _n(PROV.Activity))
            w.add(me, PROV.wasGeneratedBy, node)
        return activities[kind]

    handlers: dict[type, Callable[[object], None]] = {}

    def on(kind: type) -> Callable[[Callable[[object], None]], Callable[[object], None]]:
        def register(fn: Callable[[object], None]) -> Callable[[object], None]:
            handlers[kind] = fn
            return fn
        return register

    @on(Identity)
    def _identity(f: object) -> None:
        assert isinstance(f, Identity)
        w.add(g, LIN.identityMethod, ox.Literal(f.rule.value))
        w.evidence(g, LIN.describes, me, f.evidence)

    @on(IdCandidate)
    def _candidate(f: object) -> None:
        assert isinstance(f, IdCandidate)
        value = ox.Literal(f.id)
        w.add(g, LIN.idCandidate, value)
        w.add(w.evidence(g, LIN.idCandidate, value, f.evidence), LIN.reason, ox.Literal(f.reason))

    @on(Alias)
    def _alias(f: object) -> None:
        assert isinstance(f, Alias)
        w.fact(me, LIN.alias, w.model(ModelRef(f.id, f.id)), f.evidence)

    contributions: dict[str, ox.NamedNode] = {}

    @on(Parent)
    def _parent(f: object) -> None:
        assert isinstance(f, Parent)
        parent = w.model(f.ref)
        prop = RELATION_PROPERTY[f.relation]
        w.fact(me, prop, parent, f.evidence)
        w.add(me, LIN.derivedFrom, parent)
        w.add(me, PROV.wasDerivedFrom, parent)
        if f.relation is Relation.MERGE and parent.value not in contributions:
            merge = activity("merge", LIN.Merge)
            c = w.node("contribution")
            contributions[parent.value] = c
            w.add(me, PROV.qualifiedDerivation, c)
            w.add(c, _TYPE, _n(LIN.Contribution))
            w.add(c, PROV.entity, parent)
            w.add(c, PROV.hadActivity, merge)
            w.add(merge, PROV.used, parent)
            if f.role is not None:
                w.add(c, PROV.hadRole, _n(LIN.baseRole if f.role is Role.BASE else LIN.sourceRole))
            for prop_name, value in (("weight", f.weight), ("density", f.density)):
                if isinstance(value, float):
                    w.add(c, getattr(LIN, prop_name), _literal(value, _n(XSD.decimal)))
                elif isinstance(value, tuple):
                    spec = "[" + ", ".join(format(v, "g") for v in value) + "]"
                    w.add(c, getattr(LIN, f"{prop_name}Spec"), ox.Literal(spec))

    @on(Derivation)
    def _derivation(f: object) -> None:
        assert isinstance(f, Derivation)
        model, parent = w.model(f.model), w.model(f.ref)
        w.fact(model, RELATION_PROPERTY[f.relation], parent, f.evidence)
        w.add(model, LIN.derivedFrom, parent)
        w.add(model, PROV.wasDerivedFrom, parent)

    @on(Child)
    def _child(f: object) -> None:
        assert isinstance(f, Child)
        child = w.model(f.ref)
        w.fact(child, RELATION_PROPERTY[f.relation], me, f.evidence)
        w.add(child, LIN.derivedFrom, me)
        w.add(child, PROV.wasDerivedFrom, me)

    @on(Successor)
    def _successor(f: object) -> None:
        assert isinstance(f, Successor)
        w.fact(me, LIN.newVersion, w.model(f.ref), f.evidence)

    @on(MergeRecipe)
    def _recipe(f: object) -> None:
        assert isinstance(f, MergeRecipe)
        merge = activity("merge", LIN.Merge)
        if f.method:
            w.fact(merge, LIN.mergeMethod, ox.Literal(f.method), f.evidence)
        if f.base is not None:
            w.add(merge, LIN.baseModel, w.model(f.base))
        if f.dtype:
            w.add(merge, LIN.dtype, ox.Literal(f.dtype))
        for name, value in f.parameters:
            p = w.node("parameter")
            w.add(merge, LIN.parameter, p)
            w.add(p, _TYPE, _n(LIN.MergeParameter))
            w.add(p, LIN.parameterName, ox.Literal(name))
            w.add(p, LIN.parameterValue, ox.Literal(value))

    @on(DatasetUse)
    def _dataset(f: object) -> None:
        assert isinstance(f, DatasetUse)
        d = w.dataset(f.ref)
        w.fact(me, LIN.trainedOn, d, f.evidence)
        w.add(activity("training", LIN.Training), PROV.used, d)

    @on(LicenseFact)
    def _license(f: object) -> None:
        assert isinstance(f, LicenseFact)
        node = ox.NamedNode(ids.license_iri(f.spdx, f.name or f.id or "unknown"))
        w.declare(node, _TYPE, _n(LIN.License))
        w.declare(node, _TYPE, _n(DCTERMS.LicenseDocument))
        if f.id:
            w.declare(node, LIN.licenseId, ox.Literal(f.id))
        w.declare(node, _LABEL, ox.Literal(f.spdx or f.name or f.id or "unknown"))
        if f.link:  # on the model: one license (tongyi-qianwen) is linked from many repos
            w.add(me, LIN.licenseLink, ox.Literal(f.link, datatype=_n(XSD.anyURI)))
        w.fact(me, DCTERMS.license, node, f.evidence)

    @on(Language)
    def _language(f: object) -> None:
        assert isinstance(f, Language)
        if f.iso639_3:
            w.fact(me, DCTERMS.language, ox.NamedNode(ids.language_iri(f.iso639_3)), f.evidence)
        else:
            w.add(g, LIN.warning, ox.Literal(f"unknown language code {f.code!r}"))

    @on(Tag)
    def _tag(f: object) -> None:
        assert isinstance(f, Tag)
        if f.kind == "tag":
            w.add(me, LIN.tag, ox.Literal(f.value))
        else:
            prop = LIN.pipelineTag if f.kind == "pipeline" else LIN.library
            w.fact(me, prop, w.concept(f.kind, f.value), f.evidence)

    @on(PromptFormat)
    def _prompt(f: object) -> None:
        assert isinstance(f, PromptFormat)
        w.fact(me, LIN.promptFormat, ox.Literal(f.value), f.evidence)

    @on(Quantization)
    def _quant(f: object) -> None:
        assert isinstance(f, Quantization)
        if f.method:
            w.fact(me, LIN.quantization, ox.Literal(f.method), f.evidence)
        if f.bits is not None:
            w.add(me, LIN.bits, _literal(f.bits, _n(XSD.decimal)))

    @on(Hardware)
    def _hardware(f: object) -> None:
        assert isinstance(f, Hardware)
        training = activity("training", LIN.Training)
        h = w.node("hardware")
        acc = ox.NamedNode(ids.accelerator_iri(f.accelerator))
        w.add(training, LIN.hardware, h)
        w.add(h, _TYPE, _n(LIN.HardwareUse))
        if acc.value not in w.declared:
            w.declared.add(acc.value)
            w.declare(acc, _TYPE, _n(LIN.Accelerator))
            w.declare(acc, _LABEL, ox.Literal(f.accelerator))
        w.fact(h, LIN.accelerator, acc, f.evidence)
        if f.count is not None:
            w.add(h, LIN.count, _literal(f.count))

    @on(TrainingSetting)
    def _setting(f: object) -> None:
        assert isinstance(f, TrainingSetting)
        training = activity("training", LIN.Training)
        value = _literal(f.value, _SETTING_TYPES.get(f.key))
        w.fact(training, getattr(LIN, f.key), value, f.evidence)

    @on(Score)
    def _score(f: object) -> None:
        assert isinstance(f, Score)
        e = w.node("evaluation")
        target = w.model(f.model) if f.model is not None else me
        w.add(e, _TYPE, _n(LIN.Evaluation))
        w.add(e, _TYPE, _n(MLS.ModelEvaluation))
        w.add(e, LIN.evaluatedModel, target)
        w.add(e, LIN.benchmarkName, ox.Literal(f.benchmark))
        if f.dataset:
            w.add(e, LIN.benchmark, w.dataset(DatasetRef(f.dataset, f.dataset)) if
                  ids.is_repo_id(f.dataset) else w.dataset(DatasetRef(None, f.dataset)))
        if f.metric:
            w.add(e, LIN.metric, ox.Literal(f.metric))
        if f.shots is not None:
            w.add(e, LIN.shots, _literal(f.shots))
        if f.source:
            w.add(e, LIN.sourceUrl, ox.Literal(f.source, datatype=_n(XSD.anyURI)))
        w.add(e, LIN.origin, ox.Literal(f.origin))
        value = ox.Literal(f.value, datatype=_n(XSD.decimal))
        w.add(e, MLS.hasValue, value)
        for ev in (f.evidence, *f.more_evidence):
            w.fact(e, LIN.value, value, ev)

    @on(HubInfo)
    def _hub(f: object) -> None:
        assert isinstance(f, HubInfo)
        if f.repo_id:
            w.add(g, LIN.repoId, ox.Literal(f.repo_id))
        for prop, value, datatype in (
                (LIN.downloads, f.downloads, XSD.integer), (LIN.likes, f.likes, XSD.integer),
                (DCTERMS.created, f.created, XSD.dateTime),
                (DCTERMS.modified, f.modified, XSD.dateTime), (LIN.gated, f.gated, XSD.boolean)):
            if value is not None:
                w.fact(me, prop, _literal(value, _n(datatype)), f.evidence)

    @on(Warning)
    def _warning(f: object) -> None:
        assert isinstance(f, Warning)
        text = f"line {f.line}: {f.text}" if f.line else f.text
        w.add(g, LIN.warning, ox.Literal(text))

    for fact in ex.facts:
        handlers[type(fact)](fact)
    return list(dict.fromkeys(w.quads))


def to_nquads(quads: list[ox.Quad]) -> bytes:
    """Serialise quads as N-Quads (the bulk-load format of every store)."""
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
