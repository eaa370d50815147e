r"""Every Hugging Face link in a card, with where it stands and what it shows.

Extractors resolve short model names against these links, find self links that reveal
the card's own id, and read dataset links.

Examples
--------
>>> from lineage.cards import read_card
>>> card = read_card(b"---\n---\nSee [M](https://huggingface.co/org/M) and "
...                  b"https://huggingface.co/datasets/o/d\n", "c.md")
>>> [(l.ref.kind, l.ref.id, l.text) for l in find_links(card)]
[('model', 'org/M', 'M'), ('dataset', 'o/d', None)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from lineage.cards import Card
from lineage.ids import HubRef, is_repo_id, parse_hub_url

__all__ = ["Link", "find_links", "leaderboard_id"]

# A link target is a URL, or a Hub address written without its scheme
# ("[org/name](huggingface.co/org/name)"), which browsers and the Hub's renderer accept.
_MD_LINK = re.compile(r"\[([^\[\]]{0,300})\]\(\s*<?(https?://[^)\s>]+|"
                      r"(?:www\.)?(?:huggingface\.co|hf\.co)/[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_URL = re.compile(r"https?://[^\s<>\"'`)\]|]+")
_FILE_PATH = re.compile(r"^/(?:datasets/)?[^/]+/[^/]+/(?:resolve|blob|raw|tree)/")
_DETAILS = re.compile(r"details_([\w.-]+?)__([\w.-]+)")


@dataclass(frozen=True, slots=True)
class Link:
    """A link to a Hub repo: ``offset`` into the card text, ``text`` of a markdown link."""

    ref: HubRef
    url: str
    offset: int
    text: str | None
    in_front_matter: bool

    @property
    def is_file(self) -> bool:
        """Whether the link points at a file or folder inside the repo."""
        return _FILE_PATH.match(urlsplit(self.url).path) is not None


def leaderboard_id(url: str) -> str | None:
    """Return the model id a leaderboard link is about.

    The id is read from ``?query=org/name`` or from ``details_org__name``.

    Examples
    --------
    >>> leaderboard_id("https://huggingface.co/spaces/x/open_llm_leaderboard?query=a/b")
    'a/b'
    >>> leaderboard_id("https://huggingface.co/datasets/open-llm-leaderboard/details_a-b__c_d")
    'a-b/c_d'
    """
    parts = urlsplit(url)
    if "leaderboard" not in parts.path.casefold() and "details_" not in parts.path:
        return None
    for value in parse_qs(parts.query).get("query", []):
        value = unquote(value).strip()
        if is_repo_id(value, require_org=True):
            return value
    m = _DETAILS.search(parts.path)
    if m is not None:
        rid = f"{m.group(1)}/{m.group(2)}"
        if is_repo_id(rid):
            return rid
    return None


def find_links(card: Card) -> tuple[Link, ...]:
    """All links to Hub repos in the card, in text order."""
    text = card.text
    found: dict[int, Link] = {}
    for m in _MD_LINK.finditer(text):
        url = m.group(2).rstrip(".,;")
        ref = parse_hub_url(url)
        if ref is not None:
            found[m.start(2)] = Link(ref, url, m.start(2), m.group(1).strip(),
                                     m.start() < card.body_offset)
    for m in _URL.finditer(text):
        if m.start() in found:
            continue
        url = m.group(0).rstrip(".,;:*")
        ref = parse_hub_url(url)
        if ref is not None:
            found[m.start()] = Link(ref, url, m.start(), None, m.start() < card.body_offset)
    return tuple(found[k] for k in sorted(found))
