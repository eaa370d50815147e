"""Facts stated in the YAML front matter.

``base_model`` (string or list) and ``base_model_relation``; ``datasets``; ``license``,
``license_name``, ``license_link``; ``language``; ``tags``, ``pipeline_tag``,
``library_name``; ``new_version``; ``quantized_by``. The relation of a front-matter parent
is settled later by :mod:`lineage.extract.relation`; here it is ``derived`` unless
``base_model_relation`` says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lineage.cards import Card
from lineage.extract.context import screen
from lineage.extract.datasets import corpus_part
from lineage.extract.hardware import accelerator_in
from lineage.extract.hub import hub_parents
from lineage.extract.license import (
    extract_license_elsewhere,
    license_name_in_prose,
    prose_license_id,
    spdx_id,
)
from lineage.extract.scan import blank_lines_start, first_occurrences
from lineage.facts import (
    DatasetRef,
    DatasetUse,
    Evidence,
    Fact,
    Hardware,
    Language,
    LicenseFact,
    Method,
    ModelRef,
    Parent,
    Relation,
    Successor,
    Tag,
    TrainingSetting,
    Warning,
)
from lineage.ids import cache_path_id, id_key, is_placeholder, is_repo_id, parse_hub_url

__all__ = ["extract_metadata", "find_key_line"]


def find_key_line(card: Card, key: str, value: str | None = None) -> int | None:
    """Line of ``key:`` (or of a ``value`` under it) in the front matter."""
    return _value_line(card, _key_start(card, key), value)


class _KeyLines:
    """:func:`find_key_line` for one card, each key looked up once.

    The values listed under a key are found all in one pass, not each searched for from
    the key.
    """

    def __init__(self, card: Card):
        self.card = card
        self._starts: dict[str, int | None] = {}
        self._values: dict[str, dict[str, int]] = {}

    def __call__(self, key: str, value: str | None = None) -> int | None:
        if key not in self._starts:
            start = self._starts[key] = _key_start(self.card, key)
            values = _strings(self.card.meta.get(key)) if start is not None else []
            found = first_occurrences(self.card.text, values, start or 0, self.card.body_offset)
            self._values[key] = {v: found.get(v, -1) for v in values}
        start = self._starts[key]
        if start is not None and value and value in self._values[key]:
            pos = self._values[key][value]
            return self.card.line_of(pos if pos >= 0 else start)
        return _value_line(self.card, start, value)


def _key_start(card: Card, key: str) -> int | None:
    r"""Return where ``(?m)^\s*key\s*:`` (or else ``(?:^|\s)key\s*:``) matches, if it does."""
    # On the key's own line, then up over the blank lines above: "^\s*" tried from each
    # line of a long run of blank lines would read the rest of the run again.
    m = re.search(rf"(?m)^[^\S\n]*{re.escape(key)}\s*:", card.text[: card.body_offset])
    if m is not None:
        return blank_lines_start(card.text, m.start())
    m = re.search(rf"(?:^|\s){re.escape(key)}\s*:", card.text[: card.body_offset])
    return None if m is None else m.start()


def _value_line(card: Card, start: int | None, value: str | None) -> int | None:
    if start is None:
        return None
    if value:
        pos = card.text.find(value, start, card.body_offset)
        if pos >= 0:
            return card.line_of(pos)
    return card.line_of(start)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def model_ref(text: str) -> ModelRef:
    """Read a reference to a model from a front-matter value: id, URL, cache path or name."""
    value = text.strip().strip("\"'")
    url = parse_hub_url(value)
    if url is not None:
        return ModelRef(url.id, value)
    if is_repo_id(value):
        return ModelRef(value, value)
    cached = cache_path_id(value)
    if cached is not None:
        return ModelRef(cached.id, value)
    return ModelRef(None, value)


def _language(code: str) -> str | None:
    import langcodes

    try:
        lang = langcodes.Language.get(code.strip())
        if not lang.language or not lang.is_valid():
            return None
        return str(lang.to_alpha3())
    except (ValueError, LookupError):
        return None


def extract_metadata(card: Card) -> tuple[Fact, ...]:
    """Facts from the front matter of ``card``; a placeholder ``base_model`` is left out."""
    return tuple(screen(_facts(card)))


def _ev(lines: _KeyLines, key: str, value: str, snippet: str | None = None,
        conf: float = 0.95) -> Evidence:
    return Evidence(Method.METADATA, snippet or f"{key}: {value}", lines(key, value), conf)


def _facts(card: Card) -> Iterator[Fact]:
    meta = card.meta
    lines = _KeyLines(card)
    relation_raw = meta.get("base_model_relation")
    relation = Relation.DERIVED
    if isinstance(relation_raw, str):
        relation = Relation.parse(relation_raw) or Relation.DERIVED
        if relation is Relation.DERIVED:
            yield Warning(f"unknown base_model_relation {relation_raw!r}",
                          find_key_line(card, "base_model_relation"))
    # The Hub's own relation tags copied into the front matter ("base_model:adapter:org/x")
    # state the relation of that parent when base_model_relation does not.
    tagged = hub_parents(_strings(meta.get("tags"))) if relation is Relation.DERIVED else {}
    for value in _strings(meta.get("base_model")):
        ref = model_ref(value)
        own = tagged.get(id_key(value.strip()))
        stated = own[1] if own is not None and own[1] is not None else relation
        conf = 0.95 if stated is not Relation.DERIVED else 0.9
        yield Parent(ref, stated, _ev(lines, "base_model", value, conf=conf))
    if meta.get("base_model") is not None and not _strings(meta.get("base_model")) and \
            meta.get("base_model") != []:
        yield Warning("base_model is neither a string nor a list of strings",
                      find_key_line(card, "base_model"))
    for value in _strings(meta.get("new_version")):
        yield Successor(model_ref(value), _ev(lines, "new_version", value))
    for value in _strings(meta.get("datasets")):
        if is_placeholder(value.strip()):  # a template's "your-dataset-name"
            yield Warning(f"datasets: {value.strip()!r} is a placeholder; left out",
                          find_key_line(card, "datasets"))
            continue
        url = parse_hub_url(value)
        rid = url.id if url is not None else value.strip()
        # "Arabic Wikipedia", "Dutch section of the OSCAR corpus": a public corpus's part is
        # that corpus
        dataset = DatasetRef(rid, rid) if is_repo_id(rid) else \
            DatasetRef(None, corpus_part(value.strip()))
        yield DatasetUse(dataset, _ev(lines, "datasets", value))
    yield from _license(card)
    yield from _co2(card, lines)
    for code in _strings(meta.get("language")):
        yield Language(code.strip(), _language(code), _ev(lines, "language", code))
    for tag in _strings(meta.get("tags")):
        yield Tag("tag", tag.strip(), _ev(lines, "tags", tag))
    for key, kind in (("pipeline_tag", "pipeline"), ("library_name", "library")):
        for value in _strings(meta.get(key)):
            yield Tag(kind, value.strip(), _ev(lines, key, value))


def _co2(card: Card, lines: _KeyLines) -> Iterator[Fact]:
    """Read the ``co2_eq_emissions`` block: hardware used, cloud provider, hours."""
    block = card.meta.get("co2_eq_emissions")
    if not isinstance(block, dict):
        return
    hardware = block.get("hardware_used")
    if isinstance(hardware, str) and (found := accelerator_in(hardware)) is not None:
        yield Hardware(found[0], found[1], _ev(lines, "hardware_used", hardware))
    provider = block.get("cloud_provider")
    if isinstance(provider, str) and provider.strip():
        yield TrainingSetting("cloudProvider", provider.strip(),
                              _ev(lines, "cloud_provider", provider))
    hours = block.get("hours_used") or block.get("training_hours")
    if isinstance(hours, int | float) and not isinstance(hours, bool) and hours > 0:
        yield TrainingSetting("trainingHours", hours, _ev(lines, "co2_eq_emissions", str(hours)))


def _license(card: Card) -> Iterator[Fact]:
    meta = card.meta
    lic = next(iter(_strings(meta.get("license"))), None)
    name = next(iter(_strings(meta.get("license_name"))), None)
    link = next(iter(_strings(meta.get("license_link"))), None)
    if isinstance(meta.get("license"), list) and len(meta["license"]) > 1:
        yield Warning(f"several licenses listed ({', '.join(map(str, meta['license']))}); "
                      "the first is used", find_key_line(card, "license"))
    if lic is None and name is None and link is None:
        yield from extract_license_elsewhere(card)
        return
    lic_id = lic.strip().casefold() if lic else None
    spdx = spdx_id(lic_id) if lic_id else None
    if spdx is None and lic_id and " " in lic_id and (named := prose_license_id(lic_id)):
        spdx = spdx_id(named)  # "Apache License 2.0" written where the Hub wants its id
    snippet = " ".join(f"{k}: {v}" for k, v in
                       (("license", lic), ("license_name", name), ("license_link", link)) if v)
    if lic_id == "other" and name is None:  # "license: other", named only in the body
        name = license_name_in_prose(card)
        snippet += f" (named in the text: {name})" if name else ""
    yield LicenseFact(lic_id, name.strip() if name else None, link.strip() if link else None,
                      spdx,
                      Evidence(Method.METADATA, snippet, find_key_line(card, "license"), 0.95))
