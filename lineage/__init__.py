"""lineage: model lineage knowledge graphs from Hugging Face model cards.

Read model cards, extract where each model comes from (base models, merges,
quantizations, adapters, datasets, hardware, training settings, licenses, scores) with
the evidence for every fact, store it as RDF, and query, analyse, draw and export it.

The functions here are the same as the ``lineage`` commands; heavy libraries are
imported only when a function runs.
"""

from __future__ import annotations

from lineage.api import DEFAULT_STORE, build, check, export, open_store, queries, query, show

__all__ = [
    "DEFAULT_STORE",
    "__version__",
    "build",
    "check",
    "export",
    "open_store",
    "queries",
    "query",
    "show",
]

# Lineage analysis over the networkx view.
from lineage.api import (
    ancestors,
    common,
    contributions,
    datasets,
    deltas,
    descendants,
    licenses,
    lineage_graph,
    path,
    roots,
)

__all__ += ["ancestors", "common", "contributions", "datasets", "deltas", "descendants",
            "licenses", "lineage_graph", "path", "roots"]

# Finding models in a store.
from lineage.api import models  # noqa: E402 - grouped with its feature

__all__ += ["models"]

# Graphviz diagrams.
from lineage.api import diagram  # noqa: E402 - grouped with its feature

__all__ += ["diagram"]

# The read-only SPARQL endpoint.
from lineage.api import serve  # noqa: E402 - grouped with its feature

__all__ += ["serve"]

# Cards from the Hugging Face Hub.
from lineage.api import fetch  # noqa: E402 - grouped with its feature

__all__ += ["fetch"]

__version__ = "0.1.0"
