"""Ten thousand generated cards through a real build: every one ingested or reported.

The cards come from a seeded generator (:mod:`tests.fuzzcards`): odd YAML tags, NaN and
infinities, odd license strings, binary and non-UTF-8 bytes, long lines, deep nesting,
aliases, mergekit blocks with odd weights, flattened and unclosed front matter.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import lineage
from lineage.store import open_store

from .fuzzcards import cards

COUNT = 10_000


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("fuzz")
    given = {}
    for rid, data in cards(seed=15, count=COUNT):
        path = root / "cards" / rid / "README.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        given[path.as_posix()] = data
    return root / "cards", root / "store", given


def test_every_generated_card_is_ingested_or_reported(fuzzed):
    cards_dir, store_path, given = fuzzed
    report = lineage.build([cards_dir], store=store_path, jobs=2)
    assert report.skipped == 0
    assert report.ingested + len(report.rejected) == len(given) == COUNT
    assert report.ingested > COUNT // 2  # the generator makes mostly readable cards
    rejected = dict(report.rejected)
    assert len(rejected) == len(report.rejected)  # one report per card
    assert set(rejected) <= set(given)
    for source, reason in rejected.items():
        assert reason.startswith(f"{source}:"), reason
        assert "\n" not in reason, reason
        assert "Traceback" not in reason, reason
        assert "shows the traceback" not in reason, reason  # no unexpected exception
        assert "time budget" not in reason, reason
    assert report.details == []
    store = open_store(store_path, read_only=True)
    try:
        assert set(store.card_index()) == set(given) - set(rejected)
    finally:
        store.close()
