"""Closed vocabularies: the only place vocabulary terms are written (bases: :mod:`lineage.iris`).

Each class lists the terms lineage uses; an undeclared term raises ``AttributeError``, so
a typo fails at once instead of writing a wrong IRI. ``LIN`` is checked against
``ontology/lineage.ttl`` by the tests, so code and ontology cannot drift.

Examples
--------
>>> str(LIN.fineTunedFrom)
'https://w3id.org/lineage/ns#fineTunedFrom'
>>> LIN.fineTunedFromm
Traceback (most recent call last):
...
AttributeError: term 'fineTunedFromm' not in namespace 'https://w3id.org/lineage/ns#'
"""

from __future__ import annotations

from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace, Namespace
from rdflib.term import URIRef

from lineage.iris import (
    CARD_GRAPH_PREFIX,
    ENTITIES_GRAPH,
    HUB_BASE,
    ID_BASE,
    LEXVO_BASE,
    LIN_IRI,
    SPDX_BASE,
)

__all__ = [
    "CARD_GRAPH_PREFIX",
    "DCTERMS",
    "ENTITIES_GRAPH",
    "FAIR4ML",
    "HUB_BASE",
    "ID_BASE",
    "LEXVO_BASE",
    "LIN",
    "LIN_IRI",
    "MLS",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "SPARQL_PREFIXES",
    "SPDX_BASE",
    "XSD",
]



class LIN(DefinedNamespace):
    """The lineage ontology (``ontology/lineage.ttl``)."""

    _fail = True
    _NS = Namespace(LIN_IRI)

    # classes
    Model: URIRef
    Dataset: URIRef
    License: URIRef
    Accelerator: URIRef
    HardwareUse: URIRef
    Merge: URIRef
    Training: URIRef
    Contribution: URIRef
    MergeParameter: URIRef
    Evaluation: URIRef
    CardRecord: URIRef
    Evidence: URIRef
    Concept: URIRef
    # lineage relations
    derivedFrom: URIRef
    fineTunedFrom: URIRef
    mergedFrom: URIRef
    quantizedFrom: URIRef
    adapterOf: URIRef
    alias: URIRef
    newVersion: URIRef
    # model description
    hubId: URIRef
    normalizedId: URIRef
    unresolved: URIRef
    trainedOn: URIRef
    tag: URIRef
    pipelineTag: URIRef
    library: URIRef
    promptFormat: URIRef
    quantization: URIRef
    bits: URIRef
    # the Hub's metadata about a model's repository
    downloads: URIRef
    likes: URIRef
    gated: URIRef
    # license
    licenseId: URIRef
    licenseLink: URIRef
    # merge
    mergeMethod: URIRef
    baseModel: URIRef
    dtype: URIRef
    parameter: URIRef
    parameterName: URIRef
    parameterValue: URIRef
    role: URIRef
    weight: URIRef
    density: URIRef
    weightSpec: URIRef
    densitySpec: URIRef
    baseRole: URIRef
    sourceRole: URIRef
    # training
    hardware: URIRef
    accelerator: URIRef
    count: URIRef
    epochs: URIRef
    learningRate: URIRef
    batchSize: URIRef
    tokens: URIRef
    framework: URIRef
    cost: URIRef
    costCurrency: URIRef
    gpuHours: URIRef
    trainingHours: URIRef
    optimizer: URIRef
    scheduler: URIRef
    seed: URIRef
    precision: URIRef
    cloudProvider: URIRef
    # evaluation
    evaluatedModel: URIRef
    benchmark: URIRef
    benchmarkName: URIRef
    metric: URIRef
    shots: URIRef
    sourceUrl: URIRef
    origin: URIRef
    # provenance of cards and facts
    describes: URIRef
    identityMethod: URIRef
    idCandidate: URIRef
    reason: URIRef
    sourceLocation: URIRef
    contentHash: URIRef
    extractorVersion: URIRef
    repoId: URIRef
    revision: URIRef
    warning: URIRef
    conforms: URIRef
    violation: URIRef
    shapesVersion: URIRef
    method: URIRef
    snippet: URIRef
    line: URIRef
    confidence: URIRef
    # evidence of qualified nodes; extraction methods and their default confidences
    evidence: URIRef
    ExtractionMethod: URIRef
    defaultConfidence: URIRef
    metadataMethod: URIRef
    proseMethod: URIRef
    mergekitMethod: URIRef
    tableMethod: URIRef
    linkMethod: URIRef
    pathMethod: URIRef
    optionMethod: URIRef
    hubMethod: URIRef


class MLS(DefinedNamespace):
    """ML-Schema, for evaluations."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/mls#")

    ModelEvaluation: URIRef
    hasValue: URIRef


class FAIR4ML(DefinedNamespace):
    """FAIR4ML, the schema.org extension for ML models."""

    _fail = True
    _NS = Namespace("https://w3id.org/fair4ml#")

    MLModel: URIRef
    fineTunedFrom: URIRef
    trainedOn: URIRef


class SCHEMA(DefinedNamespace):
    """schema.org terms lineage reuses."""

    _fail = True
    _NS = Namespace("https://schema.org/")

    Dataset: URIRef
    name: URIRef


PREFIXES: dict[str, str] = {
    "lin": LIN_IRI,
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "skos": str(SKOS),
    "mls": "http://www.w3.org/ns/mls#",
    "fair4ml": "https://w3id.org/fair4ml#",
    "schema": "https://schema.org/",
    "spdx": SPDX_BASE,
    "lexvo": LEXVO_BASE,
    "hf": HUB_BASE,
    "linid": ID_BASE,
}

# The PREFIX declarations of PREFIXES, for the SPARQL lineage writes itself.
SPARQL_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
