"""Content negotiation of the endpoint (lineage.server.negotiate), without a server."""

from __future__ import annotations

import pytest

from lineage.server.negotiate import _GRAPH_FORMATS, _RESULT_FORMATS, _negotiate

RESULTS, GRAPHS = _RESULT_FORMATS, _GRAPH_FORMATS


@pytest.mark.parametrize(("accept", "formats", "offers", "expected"), [
    # Types named exactly: the highest q wins, then the one named first, whatever format= says.
    ("text/csv;q=0.4, text/tab-separated-values;q=0.6", ["json"], RESULTS,
     "text/tab-separated-values"),
    ("text/tab-separated-values, text/csv", [], RESULTS, "text/tab-separated-values"),
    ("text/n3, application/n-triples;q=0.5", [], GRAPHS, "text/turtle"),
    # q=0 refuses a type, even named exactly; a more specific range overrides a broader one.
    ("text/csv;q=0, text/*", [], RESULTS, "text/tab-separated-values"),
    ("text/*;q=0.2, */*;q=0.5", [], RESULTS, "application/sparql-results+json"),
    ("*/*;q=0.5, text/*", [], RESULTS, "text/csv"),
    # Generic types (application/json, text/plain) pick the format they stand for.
    ("application/json", [], GRAPHS, "application/ld+json"),
    ("text/xml;q=0.9, application/json;q=0.8", [], RESULTS, "application/sparql-results+xml"),
    # At the same q, a generic type beats a wildcard, whatever the order of the offers.
    ("application/*, text/plain", [], GRAPHS, "application/n-triples"),
    # format= when Accept names nothing exactly: the first value that names an offer.
    ("*/*", ["yaml", "tsv", "csv"], RESULTS, "text/tab-separated-values"),
    (None, ["application/n-triples"], GRAPHS, "application/n-triples"),
    (None, ["yaml"], RESULTS, None),
    # No Accept, or none that parses: the first offer.
    (None, [], RESULTS, "application/sparql-results+json"),
    ("nonsense, also;q=bad", [], GRAPHS, "text/turtle"),
    ("image/png, text/html;q=0.9", [], GRAPHS, None),
    ("text/csv;q=0", [], RESULTS, None),
])
def test_negotiate(accept, formats, offers, expected):
    chosen = _negotiate(accept, formats, offers)
    assert (chosen.media_type if chosen else None) == expected
