"""Building: incremental rebuilds, replacement of changed cards, rejected cards, jobs."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import lineage
from lineage.errors import LineageError
from lineage.store import open_store

from .conftest import EXAMPLES, write

CARD = """---
license: {license}
base_model: acme-ai/Acme-7B
---
# Tiny
Fine-tuned for {epochs} epochs.
"""


def test_rebuild_skips_unchanged_and_replaces_changed(tmp_path: Path):
    cards = tmp_path / "cards"
    write(cards, "o/a", CARD.format(license="mit", epochs=2))
    write(cards, "o/b", CARD.format(license="mit", epochs=3))
    store = tmp_path / "store"
    first = lineage.build([cards], store=store, jobs=1)
    assert (first.ingested, first.skipped, first.rejected) == (2, 0, [])
    again = lineage.build([cards], store=store, jobs=1)
    assert (again.ingested, again.skipped) == (0, 2)
    write(cards, "o/a", CARD.format(license="apache-2.0", epochs=5))
    changed = lineage.build([cards], store=store, jobs=1)
    assert (changed.ingested, changed.skipped) == (1, 1)
    out = lineage.show("o/a", store=store)
    assert out["license"]["id"] == "apache-2.0"
    assert out["training"]["epochs"] == 5
    assert out["warnings"] == []  # the old graph is gone: no disagreement with itself
    s = open_store(store, read_only=True)
    assert len(s.card_index()) == 2
    s.close()


def test_bad_cards_are_reported_and_the_rest_ingested(tmp_path: Path):
    cards = tmp_path / "cards"
    write(cards, "o/good", CARD.format(license="mit", epochs=1))
    write(cards, "o/empty", b"")
    write(cards, "o/binary", b"\x00\x01\x02binary")
    write(cards, "o/latin1", "---\nlicense: mit\n---\nna\u00efve\n".encode("latin-1"))
    write(cards, "o/yaml", b"---\nlicense: [mit\n---\n")
    write(cards, "o/list", b"---\n- a\n---\n")
    report = lineage.build([cards], store=tmp_path / "s", jobs=1)
    assert report.ingested == 1
    reasons = dict(report.rejected)
    assert set(reasons) == {f"{cards.as_posix()}/o/{n}/README.md" if cards.is_absolute() else n
                            for n in ("empty", "binary", "latin1", "yaml", "list")}
    for source, reason in report.rejected:
        assert source in reason
        assert "\n" not in reason


def test_huge_card_rejected_without_reading_it(tmp_path: Path):
    cards = tmp_path / "cards"
    big = write(cards, "o/huge", b"")
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    write(cards, "o/fine", CARD.format(license="mit", epochs=1))
    report = lineage.build([cards], store=tmp_path / "s", jobs=1)
    assert report.ingested == 1
    [(source, reason)] = report.rejected
    assert source.endswith("o/huge/README.md")
    assert "too large" in reason


def test_self_loop_is_kept_flagged_and_checked(tmp_path: Path):
    cards = tmp_path / "cards"
    write(cards, "o/selfish", "---\nbase_model: o/selfish\nlicense: mit\n---\n# Me\n")
    store = tmp_path / "s"
    assert lineage.build([cards], store=store, jobs=1).ok
    out = lineage.show("o/selfish", store=store)
    assert out["parents"] == []
    assert any("own base" in w for w in out["warnings"])
    report = lineage.check(store=store, shacl=False)
    assert not report.conforms
    assert [f.kind for f in report.findings if f.severity == "error"] == ["self-loop"]


def test_cycle_detected(tmp_path: Path):
    cards = tmp_path / "cards"
    write(cards, "o/x", "---\nbase_model: o/y\n---\n")
    write(cards, "o/y", "---\nbase_model: o/x\n---\n")
    store = tmp_path / "s"
    lineage.build([cards], store=store, jobs=1)
    report = lineage.check(store=store, shacl=False)
    assert [f.kind for f in report.findings if f.severity == "error"] == ["cycle"]
    assert "o/x" in report.text
    assert "o/y" in report.text


def test_two_cards_disagreeing_are_both_kept(tmp_path: Path):
    a = write(tmp_path / "a", "o/m", CARD.format(license="mit", epochs=2))
    b = write(tmp_path / "b", "o/m", CARD.format(license="apache-2.0", epochs=3))
    store = tmp_path / "s"
    report = lineage.build([a, b], store=store, jobs=1)
    assert report.ingested == 2
    out = lineage.show("o/m", store=store)
    assert any("license" in w and "mit" in w.lower() and "apache" in w.lower()
               for w in out["warnings"])
    assert any("epochs" in w and "2" in w and "3" in w for w in out["warnings"])
    report = lineage.check(store=store, shacl=False)
    assert any(f.kind == "conflict" for f in report.findings)


def test_id_option_names_the_card(tmp_path: Path):
    card = tmp_path / "card.md"
    card.write_text("---\nbase_model: a/b\n---\n", encoding="utf-8")
    store = tmp_path / "s"
    lineage.build([card], store=store, id="me/mine", jobs=1)
    assert lineage.show("me/mine", store=store)["parents"][0]["id"] == "a/b"


def _dump(store_path: Path) -> bytes:
    s = open_store(store_path, read_only=True)
    buf = io.BytesIO()
    s.dump(buf, ox.RdfFormat.N_QUADS)
    s.close()
    return b"".join(sorted(buf.getvalue().splitlines(keepends=True)))


def test_output_identical_for_any_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cards = tmp_path / "cards"
    for i in range(8):  # 8 copies of the family under other orgs: 96 cards, enough for workers
        for readme in EXAMPLES.rglob("README.md"):
            rel = readme.parent.relative_to(EXAMPLES)
            target = cards / f"{rel.parts[0]}{i}" / rel.parts[1] / "README.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(readme, target)
    one = lineage.build([cards], store=tmp_path / "one", jobs=1)
    two = lineage.build([cards], store=tmp_path / "two", jobs=2)
    assert one.ingested == two.ingested == 96
    assert _dump(tmp_path / "one") == _dump(tmp_path / "two")
    # Where the time went is reported with either: the workers' CPU, the loads, the finish.
    for report, waits in ((one, False), (two, True)):
        t = report.timings
        assert t.extract > 0
        assert t.load > 0
        assert t.finish > 0
        assert (t.wait_extract > 0) is waits  # one job extracts in the build process itself
        assert set(report.to_dict()["timings"]) == {"extract", "wait_extract", "load",
                                                    "wait_load", "finish"}


def test_memory_store_matches_oxigraph(tmp_path: Path):
    mem = open_store("memory:")
    lineage.build([EXAMPLES], store=mem, jobs=1)
    lineage.build([EXAMPLES], store=tmp_path / "ox", jobs=1)
    for model in ("mergecraft/AcmePomme-Coder-7B-TIES", "orchard-lab/Pomme-7B-Chat"):
        assert lineage.show(model, store=mem) == lineage.show(model, store=tmp_path / "ox")


def test_prune_drops_cards_no_longer_given(tmp_path: Path, run):
    cards = tmp_path / "cards"
    write(cards, "o/a", CARD.format(license="mit", epochs=2))
    gone = write(cards, "o/b", CARD.format(license="mit", epochs=3))
    store = tmp_path / "store"
    assert lineage.build([cards], store=store, jobs=1).ingested == 2
    gone.unlink()
    kept = lineage.build([cards], store=store, jobs=1)
    assert (kept.skipped, kept.pruned) == (1, 0)
    s = open_store(store, read_only=True)
    assert len(s.card_index()) == 2  # without --prune a removed card stays
    s.close()
    proc = run("build", cards, "--store", store, "--prune", "-q")
    assert proc.returncode == 0, proc.stderr
    assert "pruned 1" in proc.stdout
    s = open_store(store, read_only=True)
    assert sorted(s.card_index()) == [f"{cards.as_posix()}/o/a/README.md"]
    s.close()
    with pytest.raises(LineageError, match="no model"):
        lineage.show("o/b", store=store)


def test_build_streams_and_batches_identically(tmp_path: Path, monkeypatch):
    """Tiny tasks, windows and load batches give the same graph as one big batch."""
    from lineage import ingest

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cards = tmp_path / "cards"
    for i in range(70):
        write(cards, f"o/m{i:02d}", CARD.format(license="mit", epochs=i % 4 + 1))
    dumps = []
    for jobs, task, batch in ((1, 32, 20_000), (2, 3, 5)):
        monkeypatch.setattr(ingest, "TASK_CARDS", task)
        monkeypatch.setattr(ingest, "BATCH_CARDS", batch)
        store = open_store(tmp_path / f"s{jobs}")
        report = ingest.build(store, ingest.iter_inputs([cards]), jobs=jobs)
        assert report.ingested == 70
        out = io.BytesIO()
        store.dump(out, ox.RdfFormat.N_QUADS)
        dumps.append(out.getvalue())
        store.close()
    assert dumps[0] == dumps[1]


def test_a_reader_sees_the_state_change_when_another_handle_writes(tmp_path: Path):
    cards = tmp_path / "cards"
    write(cards, "o/a", CARD.format(license="mit", epochs=2))
    writer = open_store(tmp_path / "store")
    lineage.build([cards], store=writer, jobs=1)
    reader = open_store(tmp_path / "store", read_only=True)
    seen = reader.state()
    write(cards, "o/b", CARD.format(license="mit", epochs=3))
    lineage.build([cards], store=writer, jobs=1)
    assert reader.state() != seen
    reader.close()
    writer.close()
