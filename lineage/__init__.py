"""lineage: model lineage knowledge graphs from Hugging Face model cards.

Read model cards, extract where each model comes from (base models, merges,
quantizations, adapters, datasets, hardware, training settings, licenses, scores) with
the evidence for every fact, store it as RDF, and query, analyse, draw and export it.

The functions here are the same as the ``lineage`` commands; heavy libraries are
imported only when a function runs.
"""

from __future__ import annotations

from lineage.api import DEFAULT_STORE, build, check, open_store, queries, query, show

__all__ = [
    "DEFAULT_STORE",
    "__version__",
    "build",
    "check",
    "open_store",
    "queries",
    "query",
    "show",
]
__version__ = "0.1.0"
