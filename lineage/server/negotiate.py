"""Result formats of the endpoint and content negotiation (``Accept``, ``format=``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

_FORMATS_NS = "http://www.w3.org/ns/formats/"


# --- result formats and content negotiation -------------------------------------------


@dataclass(frozen=True, slots=True)
class _Format:
    """One result format: what it is called in ``Accept`` and in ``format=``."""

    media_type: str
    content_type: str
    names: tuple[str, ...]
    specific: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()
    sd_iri: str = ""


_RESULT_FORMATS = (
    _Format("application/sparql-results+json", "application/sparql-results+json",
            ("json", "srj"), generic=("application/json", "text/javascript",
                                      "application/javascript"),
            sd_iri=f"{_FORMATS_NS}SPARQL_Results_JSON"),
    _Format("application/sparql-results+xml", "application/sparql-results+xml",
            ("xml", "srx"), generic=("application/xml", "text/xml"),
            sd_iri=f"{_FORMATS_NS}SPARQL_Results_XML"),
    _Format("text/csv", "text/csv; charset=utf-8", ("csv",),
            sd_iri=f"{_FORMATS_NS}SPARQL_Results_CSV"),
    _Format("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", ("tsv",),
            sd_iri=f"{_FORMATS_NS}SPARQL_Results_TSV"),
)
_GRAPH_FORMATS = (
    _Format("text/turtle", "text/turtle; charset=utf-8", ("turtle", "ttl", "n3"),
            specific=("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3",
                      "application/n3"), sd_iri=f"{_FORMATS_NS}Turtle"),
    _Format("application/n-triples", "application/n-triples",
            ("nt", "ntriples", "n-triples"), generic=("text/plain",),
            sd_iri=f"{_FORMATS_NS}N-Triples"),
    _Format("application/rdf+xml", "application/rdf+xml", ("rdfxml", "rdf+xml", "rdf", "xml"),
            generic=("application/xml", "text/xml"), sd_iri=f"{_FORMATS_NS}RDF_XML"),
    _Format("application/ld+json", "application/ld+json", ("jsonld", "json-ld", "json"),
            specific=("application/x-json+ld",), generic=("application/json",),
            sd_iri=f"{_FORMATS_NS}JSON-LD"),
)
_RESULTS_OX = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_OX = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def _parse_accept(header: str) -> list[tuple[str, float]]:
    """Split an ``Accept`` header into ``(media range, q)`` pairs in the client's order.

    Examples
    --------
    >>> _parse_accept("text/csv;q=0.5, Application/JSON, bad;q=x")
    [('text/csv', 0.5), ('application/json', 1.0)]
    """
    ranges = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        if media.count("/") != 1:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = -1.0
        if 0.0 <= q <= 1.0:
            ranges.append((media, q))
    return ranges


def _match(fmt: _Format, media: str) -> int:
    """How specifically a media range names a format: 3 exact ... 0 ``*/*``, -1 not at all."""
    if media == fmt.media_type or media in fmt.specific:
        return 3
    if media in fmt.generic:
        return 2
    if media.endswith("/*") and any(t.startswith(media[:-1])
                                    for t in (fmt.media_type, *fmt.specific)):
        return 1
    return 0 if media == "*/*" else -1


def _negotiate(accept: str | None, formats: Sequence[str],
               offers: tuple[_Format, ...]) -> _Format | None:
    """Pick the result format: explicit ``Accept`` types, then ``format=``, then the rest.

    Examples
    --------
    >>> _negotiate("text/csv", ["json"], _RESULT_FORMATS).media_type
    'text/csv'
    >>> _negotiate("text/html,application/xml;q=0.9,*/*;q=0.8", ["tsv"],
    ...            _RESULT_FORMATS).media_type
    'text/tab-separated-values'
    >>> _negotiate(None, [], _GRAPH_FORMATS).media_type
    'text/turtle'
    >>> _negotiate("image/png", [], _RESULT_FORMATS) is None
    True
    """
    ranges = _parse_accept(accept) if accept else []
    best = [_best_range(fmt, ranges) for fmt in offers]
    explicit = _exact_choice(best, offers)
    if explicit is not None:
        return explicit
    if formats:
        return _named(formats, offers)
    if not ranges:  # no Accept header, or none that parses: the default
        return offers[0]
    return _loose_choice(best, offers)


def _exact_choice(best: list[tuple[int, float, int]],
                  offers: tuple[_Format, ...]) -> _Format | None:
    """Return the offer with the highest ``q`` among those ``Accept`` names exactly.

    On a tie, the one named first in ``Accept``, then the first offer.
    """
    exact = [(q, -pos, -i) for i, (level, q, pos) in enumerate(best) if level == 3 and q > 0]
    return offers[-max(exact)[2]] if exact else None


def _loose_choice(best: list[tuple[int, float, int]],
                  offers: tuple[_Format, ...]) -> _Format | None:
    """Return the offer with the highest ``q`` among those ``Accept`` matches at all.

    On a tie, the more specific match, then the first offer.
    """
    loose = [(q, level, -i) for i, (level, q, _) in enumerate(best) if level >= 0 and q > 0]
    return offers[-max(loose)[2]] if loose else None


def _best_range(fmt: _Format, ranges: list[tuple[str, float]]) -> tuple[int, float, int]:
    """Return ``(specificity, q, position)`` of the range naming a format most specifically.

    Among equally specific ranges the highest ``q`` counts; ``(-1, 0.0, 0)`` when none
    matches.

    Examples
    --------
    >>> _best_range(_RESULT_FORMATS[2], [("*/*", 1.0), ("text/*", 0.5), ("text/csv", 0.2)])
    (3, 0.2, 2)
    >>> _best_range(_RESULT_FORMATS[2], [("image/png", 1.0)])
    (-1, 0.0, 0)
    """
    found = (-1, 0.0, 0)
    for position, (media, q) in enumerate(ranges):
        level = _match(fmt, media)
        if level > found[0] or (level == found[0] >= 0 and q > found[1]):
            found = (level, q, position)
    return found


def _named(formats: Sequence[str], offers: tuple[_Format, ...]) -> _Format | None:
    """Return the first offer a ``format=`` value names (by name or media type), if any.

    Examples
    --------
    >>> _named(["yaml", " CSV "], _RESULT_FORMATS).media_type
    'text/csv'
    >>> _named(["text/plain"], _GRAPH_FORMATS).media_type
    'application/n-triples'
    >>> _named(["yaml"], _RESULT_FORMATS) is None
    True
    """
    for value in formats:
        name = value.strip().lower()
        for fmt in offers:
            if name in fmt.names or _match(fmt, name) >= 2:
                return fmt
    return None
