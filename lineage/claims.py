"""Which card holds which model id, so an inferred id never merges two unrelated cards.

A card whose id was inferred from its text (a leaderboard link, a ``model-index`` name, a
link into its own repo) may adopt it only when no other card holds it. An explicit id
(``--id``, a path, the Hub, a dump's id column) is always adopted: two cards with one
explicit id are two revisions or copies of one repo and stay one model. The build asks
:class:`Claims` about every card it extracts; a card whose inferred id another card holds
is extracted again with that id taken, and becomes a model of its own (see
:mod:`lineage.extract.identity`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from lineage.facts import EXPLICIT_RULES
from lineage.ids import id_key
from lineage.ns import SPARQL_PREFIXES
from lineage.store import Store

__all__ = ["Claims"]

_HOLDERS = SPARQL_PREFIXES + """SELECT ?src ?rule WHERE {
  ?m lin:normalizedId ?key .
  GRAPH ?g { ?g lin:describes ?m ; lin:sourceLocation ?src .
    OPTIONAL { ?g lin:identityMethod ?rule } }
}"""


@dataclass(slots=True)
class Claims:
    """The holders of model ids: this build's cards, then the store's other cards."""

    store: Store
    held: dict[str, tuple[str, bool]] = field(default_factory=dict)  # key -> (source, explicit)
    stored: bool = True  # False: the store held no card when the build began (nothing to ask)

    def holder(self, model_id: str, source: str, *, explicit: bool) -> str | None:
        """Record that ``source`` claims ``model_id``; return the card that holds it instead.

        ``None`` means the claim stands: the id is free, held by ``source`` itself, or
        both claims are explicit. An explicit claim always stands, but the inferred
        holder it meets is returned so that the build can report the collision.
        """
        key = id_key(model_id)
        other = self.held.get(key)
        if other is None and self.stored:
            other = self._stored(key, source)
        if other is None or other[0] == source or (explicit and other[1]):
            self.held.setdefault(key, (source, explicit))
            return None
        if explicit:
            self.held[key] = (source, True)
        return other[0]

    def _stored(self, key: str, source: str) -> tuple[str, bool] | None:
        """Return the first other card in the store that describes the model of ``key``."""
        result = self.store.query(_HOLDERS, {"key": ox.Literal(key)})
        rows = sorted((str(r["src"].value), str(r["rule"].value) if r["rule"] else "")
                      for r in result)  # type: ignore[union-attr]
        for src, rule in rows:
            if src != source:
                return src, rule in EXPLICIT_RULES or not rule
        return None
