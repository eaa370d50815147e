"""The base IRIs lineage mints and reads, free of any RDF library.

:mod:`lineage.ns` declares the vocabulary terms under them; light modules (facts, the CLI)
read the bases from here without loading rdflib.
"""

from __future__ import annotations

__all__ = [
    "CARD_GRAPH_PREFIX",
    "ENTITIES_GRAPH",
    "HUB_BASE",
    "ID_BASE",
    "LEXVO_BASE",
    "LIN_IRI",
    "SPDX_BASE",
]

LIN_IRI = "https://w3id.org/lineage/ns#"
ID_BASE = "https://w3id.org/lineage/id/"
HUB_BASE = "https://huggingface.co/"
SPDX_BASE = "http://spdx.org/licenses/"
LEXVO_BASE = "http://lexvo.org/id/iso639-3/"
CARD_GRAPH_PREFIX = "urn:lineage:card:"
# Declarations shared by every card (a model's type, id and label): stored once, so the
# union of all graphs does not repeat them once per card (stores union as a multiset).
ENTITIES_GRAPH = "urn:lineage:entities"
