"""'Did you mean': the closest known names to a name that was not found.

Examples
--------
>>> did_you_mean("ancestor", ["ancestors", "descendants", "roots"])
'did you mean ancestors?'
>>> closest("Owl-Mega-7B", ["nightowl/Owl-Mega-7B", "acme-ai/Acme-7B"])
['nightowl/Owl-Mega-7B']
>>> did_you_mean("zzz", ["ancestors"])
''
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]

_CUTOFF = 70  # rapidfuzz WRatio score (0-100) below which a name is not suggested
_SHORT_CUTOFF = 60


def closest(name: str, known: Iterable[str], *, limit: int = 3) -> list[str]:
    """Return up to ``limit`` names of ``known`` closest to ``name``, best first.

    Names whose last ``/`` part equals ``name`` (ignoring case) are the answer when there
    are any; else names containing ``name``, then fuzzy matches (rapidfuzz's weighted
    ratio).
    """
    from rapidfuzz import fuzz, process, utils

    choices = list(dict.fromkeys(k for k in known if k))
    folded = name.strip().casefold()
    if not folded:
        return []
    exact = [k for k in choices if k.casefold().rsplit("/", 1)[-1] == folded]
    if exact:
        return exact[:limit]
    within = sorted((k for k in choices if folded in k.casefold() and k not in exact),
                    key=lambda k: (len(k), k))
    # A short name ("tll") is one typo from its match but scores lower: a lower bar.
    cutoff = _CUTOFF if len(folded) > 4 else _SHORT_CUTOFF
    fuzzy = [hit for hit, _, _ in process.extract(name, choices, scorer=fuzz.WRatio,
                                                  processor=utils.default_process,
                                                  score_cutoff=cutoff, limit=limit)]
    return list(dict.fromkeys([*within, *fuzzy]))[:limit]


def did_you_mean(name: str, known: Iterable[str], *, limit: int = 3) -> str:
    """Return ``"did you mean X?"`` (or ``X or Y``) for ``name``, or ``""`` without a match."""
    hits = closest(name, known, limit=limit)
    if not hits:
        return ""
    return f"did you mean {' or '.join(hits)}?"
