"""Dumps: parquet and JSON Lines read row by row; bad rows reported, the rest ingested."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lineage
from lineage.errors import LineageError
from lineage.sources.dumps import iter_dump
from tests.conftest import EXAMPLES, facts_only

BASE = "---\nlicense: mit\n---\n# Base\nA base model.\n"
TUNE = "---\nbase_model: dumpco/base\n---\n# Tune\nFine-tuned for 2 epochs.\n"


def example_cards() -> list[tuple[str, str]]:
    return [(f"{p.parent.parent.name}/{p.parent.name}", p.read_text(encoding="utf-8"))
            for p in sorted(EXAMPLES.rglob("README.md"))]


def write_parquet(path: Path, rows: dict[str, list], row_group_size: int = 2) -> Path:
    pq.write_table(pa.table(rows), path, row_group_size=row_group_size)
    return path


def test_parquet_rows_streamed_bad_rows_reported_with_file_and_row(tmp_path: Path, run):
    dump = write_parquet(tmp_path / "cards.parquet", {
        "modelId": ["dumpco/base", None, "dumpco/null-card", "not an id!", "dumpco/tune"],
        "card": [BASE, "# orphan", None, "# bad id", TUNE],
    })
    assert pq.ParquetFile(dump).num_row_groups == 3
    proc = run("build", dump, "--store", tmp_path / "s", "--jobs", "1", "-q")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    posix = dump.as_posix()
    assert lines == [f"rejected: {posix}: row 2: no model id",
                     f"rejected: {posix}#dumpco/null-card: row 3: card is null",
                     f"rejected: {posix}: row 4: invalid model id 'not an id!'"]
    assert "cards ingested 2 / skipped unchanged 0 / rejected 3" in proc.stdout
    out = lineage.show("dumpco/tune", store=tmp_path / "s")
    assert [(p["id"], p["relation"]) for p in out["parents"]] == [("dumpco/base", "finetune")]
    assert out["hub"] is None
    again = run("build", dump, "--store", tmp_path / "s", "--jobs", "1", "-q")
    assert "cards ingested 0 / skipped unchanged 2 / rejected 3" in again.stdout


def test_jsonl_plain_and_gzip_with_broken_lines(tmp_path: Path):
    lines = [json.dumps({"modelId": "dumpco/base", "card": BASE}), "{broken json",
             json.dumps(["a", "list"]), json.dumps({"modelId": "dumpco/int", "card": 42}),
             json.dumps({"id": "dumpco/no-card"}), "",
             json.dumps({"id": "dumpco/tune", "card": TUNE, "downloads": 5})]
    text = "\n".join(lines) + "\n"
    plain = tmp_path / "cards.jsonl"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "cards.ndjson.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    for dump in (plain, packed):
        report = lineage.build([dump], store="memory:", jobs=1)
        assert report.ingested == 2
        reasons = [reason for _, reason in report.rejected]
        posix = dump.as_posix()
        assert reasons[0].startswith(f"{posix}: line 2: not JSON: ")
        assert reasons[1:] == [f"{posix}: line 3: not a JSON object (list)",
                               f"{posix}#dumpco/int: line 4: card is not text (int)",
                               f"{posix}#dumpco/no-card: line 5: no 'card' field"]
        assert all("\n" not in r for r in reasons)


def test_truncated_gzip_reported_not_raised(tmp_path: Path):
    body = "".join(json.dumps({"modelId": f"dumpco/m{i}", "card": BASE + "x" * 5000 + str(i)})
                   + "\n" for i in range(50))
    dump = tmp_path / "cut.jsonl.gz"
    dump.write_bytes(gzip.compress(body.encode())[:-40])
    items = list(iter_dump(dump))
    assert items[-1].error is not None
    assert "unreadable" in items[-1].error
    assert "\n" not in items[-1].error
    assert sum(1 for i in items if i.error is None) >= 40


def test_unreadable_dump_and_missing_columns_are_one_line_errors(tmp_path: Path, run):
    fake = tmp_path / "fake.parquet"
    fake.write_bytes(b"not parquet at all")
    proc = run("build", fake, "--store", tmp_path / "s")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"lineage: error: {fake.as_posix()}: not a readable parquet file: "
        + proc.stderr.split("not a readable parquet file: ", 1)[1].strip()]
    odd = write_parquet(tmp_path / "odd.parquet", {"repo": ["dumpco/base"], "text": [BASE]})
    with pytest.raises(LineageError, match=r"no column 'modelId' or 'id'.*--id-column"):
        lineage.build([odd], store="memory:")
    report = lineage.build([odd], store="memory:", id_column="repo", text_column="text")
    assert report.ingested == 1
    proc = run("build", odd, "--store", tmp_path / "s2", "--id-column", "repo",
               "--text-column", "text", "-q")
    assert proc.returncode == 0, proc.stderr


def test_dump_gives_the_same_graph_as_the_cards_on_disk(tmp_path: Path):
    cards = example_cards()
    dump = write_parquet(tmp_path / "examples.parquet",
                         {"modelId": [rid for rid, _ in cards], "card": [t for _, t in cards]},
                         row_group_size=5)
    from_dump = lineage.open_store(tmp_path / "from-dump")
    from_disk = lineage.open_store(tmp_path / "from-disk")
    assert lineage.build([dump], store=from_dump, jobs=1).ingested == len(cards)
    assert lineage.build([EXAMPLES], store=from_disk, jobs=1).ingested == len(cards)
    for rid, _ in cards:
        assert facts_only(lineage.show(rid, store=from_dump)) == \
            facts_only(lineage.show(rid, store=from_disk)), rid


def test_dump_metadata_columns_are_hub_metadata_like_a_hub_json(tmp_path: Path):
    created = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
    dump = write_parquet(tmp_path / "meta.parquet", {
        "modelId": ["dumpco/tune"], "card": [TUNE], "downloads": [1234], "likes": [7],
        "tags": [["base_model:dumpco/base", "base_model:finetune:dumpco/base"]],
        "pipeline_tag": ["text-generation"], "library_name": ["transformers"],
        "createdAt": [created], "last_modified": [created], "author": ["dumpco"]})
    (item,) = iter_dump(dump)
    assert item.hub is not None
    assert item.hub["createdAt"] == "2024-03-01T12:00:00+00:00"
    disk = tmp_path / "disk" / "dumpco" / "tune"
    disk.mkdir(parents=True)
    (disk / "README.md").write_text(TUNE, encoding="utf-8")
    (disk / "hub.json").write_text(json.dumps(dict(item.hub)), encoding="utf-8")
    a, b = lineage.open_store("memory:"), lineage.open_store("memory:")
    lineage.build([dump], store=a, jobs=1)
    lineage.build([tmp_path / "disk"], store=b, jobs=1)
    out = lineage.show("dumpco/tune", store=a)
    assert facts_only(out) == facts_only(lineage.show("dumpco/tune", store=b))
    assert out["hub"] == {"downloads": 1234, "likes": 7, "created": "2024-03-01T12:00:00Z",
                          "modified": "2024-03-01T12:00:00Z", "gated": None, "revision": None}
    (parent,) = out["parents"]
    assert parent["relation"] == "finetune"
    assert {e["method"] for e in parent["evidence"]} == {"metadata", "hub"}
    assert out["warnings"] == []
