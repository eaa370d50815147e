"""The Dask engine: a local cluster of two workers builds the same graph as a local build."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import lineage
from lineage.store import open_store

from .conftest import EXAMPLES, need, write

try:
    import distributed
except ImportError:  # pragma: no cover - the test extra installs it
    distributed = None


def _dump(store: Path) -> bytes:
    s = open_store(store, read_only=True)
    out = io.BytesIO()
    s.dump(out, ox.RdfFormat.N_QUADS)
    s.close()
    return out.getvalue()


@pytest.fixture(scope="module")
def cluster():
    need(distributed is not None, "dask[distributed] is not installed (pip install -e '.[test]')")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c.scheduler_address


def test_dask_build_equals_local_build(tmp_path: Path, cluster: str, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cards = tmp_path / "cards"
    for i in range(4):
        for readme in EXAMPLES.rglob("README.md"):
            rel = readme.parent.relative_to(EXAMPLES)
            target = cards / f"{rel.parts[0]}{i}" / rel.parts[1] / "README.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(readme, target)
    write(cards, "bad/empty", b"")
    local = lineage.build([cards], store=tmp_path / "local", jobs=1)
    shards = tmp_path / "shards"
    dask = lineage.build([cards], store=tmp_path / "dask", engine="dask", scheduler=cluster,
                         shards=shards)
    assert (dask.ingested, dask.skipped, dask.triples) == (local.ingested, 0, local.triples) \
        == (48, 0, local.triples)
    assert [r[0] for r in dask.rejected] == [r[0] for r in local.rejected] == \
        [f"{cards.as_posix()}/bad/empty/README.md"]
    assert _dump(tmp_path / "dask") == _dump(tmp_path / "local")
    parts = sorted(shards.glob("part-*.nq"))
    assert parts, "the shard files are kept for a server's own bulk loader"
    loaded = ox.Store()
    for part in parts:
        loaded.bulk_load(path=str(part), format=ox.RdfFormat.N_QUADS)
    assert len(loaded) > 0


def test_dask_rebuild_skips_unchanged_and_replaces_changed(tmp_path: Path, cluster: str):
    cards = tmp_path / "cards"
    write(cards, "o/a", "---\nlicense: mit\nbase_model: o/base\n---\nTrained for 2 epochs.\n")
    write(cards, "o/b", "---\nlicense: mit\n---\n# B\n")
    store = tmp_path / "store"
    first = lineage.build([cards], store=store, engine="dask", scheduler=cluster)
    assert (first.ingested, first.skipped) == (2, 0)
    again = lineage.build([cards], store=store, engine="dask", scheduler=cluster)
    assert (again.ingested, again.skipped) == (0, 2)
    write(cards, "o/a",
          "---\nlicense: apache-2.0\nbase_model: o/base\n---\nTrained for 3 epochs.\n")
    changed = lineage.build([cards], store=store, engine="dask", scheduler=cluster)
    assert (changed.ingested, changed.skipped) == (1, 1)
    out = lineage.show("o/a", store=store)
    assert (out["license"]["id"], out["training"]["epochs"], out["warnings"]) == \
        ("apache-2.0", 3, [])


def test_dask_engine_from_the_command_line(tmp_path: Path, run):
    cards = tmp_path / "cards"
    write(cards, "o/a", "---\nlicense: mit\nbase_model: o/base\n---\n# A\n")
    proc = run("build", cards, "--store", tmp_path / "store", "--engine", "dask", "--jobs", "2",
               "-q")
    assert proc.returncode == 0, proc.stderr
    assert "cards ingested 1 / skipped unchanged 0 / rejected 0" in proc.stdout


def test_dask_shards_a_parquet_dump_by_row_group(tmp_path: Path, cluster: str, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    ids, texts = [], []
    for readme in sorted(EXAMPLES.rglob("README.md")):
        rel = readme.parent.relative_to(EXAMPLES)
        ids.append(f"{rel.parts[0]}/{rel.parts[1]}")
        texts.append(readme.read_text(encoding="utf-8"))
    ids.append("o/null-card")
    texts.append(None)
    dump = tmp_path / "cards.parquet"
    pq.write_table(pa.table({"modelId": ids, "card": texts}), dump, row_group_size=5)
    assert pq.ParquetFile(dump).num_row_groups == 3
    local = lineage.build([dump], store=tmp_path / "local", jobs=1)
    dask = lineage.build([dump], store=tmp_path / "dask", engine="dask", scheduler=cluster)
    assert dask.ingested == local.ingested == len(ids) - 1
    assert dask.rejected == local.rejected
    assert "card is null" in dask.rejected[0][1]
    assert _dump(tmp_path / "dask") == _dump(tmp_path / "local")
    again = lineage.build([dump], store=tmp_path / "dask", engine="dask", scheduler=cluster)
    assert (again.ingested, again.skipped) == (0, len(ids) - 1)
