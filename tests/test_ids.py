"""Hub ids and URLs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lineage import ids
from lineage.errors import IdError

_part = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,20}[A-Za-z0-9])?", fullmatch=True).filter(
    lambda s: "--" not in s)


@given(org=_part, name=_part)
def test_urls_and_ids_round_trip(org, name):
    rid = f"{org}/{name}"
    assert ids.is_repo_id(rid, require_org=True)
    for url in (f"https://huggingface.co/{rid}", f"https://hf.co/{rid}/resolve/main/x.json",
                f"https://huggingface.co/{rid}/blob/main/LICENSE", f"https://huggingface.co/{rid}?x=1",
                f"https://hf-mirror.com/{rid}"):  # the public mirror many cards link through
        assert ids.parse_hub_url(url) == ids.HubRef("model", rid)
    assert ids.parse_hub_url(f"https://huggingface.co/datasets/{rid}") == ids.HubRef("dataset", rid)
    assert ids.parse_hub_url(f"https://hf-mirror.com/datasets/{rid}") == ids.HubRef("dataset", rid)
    assert ids.id_from_iri(ids.model_iri(rid)) == rid
    assert ids.parse_repo_id(f"https://huggingface.co/{rid}") == rid


@given(st.text(max_size=80))
def test_parse_repo_id_accepts_only_ids(text):
    try:
        rid = ids.parse_repo_id(text)
    except IdError:
        return
    assert ids.is_repo_id(rid) or ids.parse_hub_url(text.strip()) is not None


def test_a_legacy_dataset_without_an_owner_is_a_dataset_id():
    assert ids.parse_hub_url("https://huggingface.co/datasets/wiki40b") == \
        ids.HubRef("dataset", "wiki40b")
    assert ids.parse_hub_url("https://huggingface.co/spaces/app") is None


@pytest.mark.parametrize("url", [
    "https://huggingface.co/docs/transformers", "https://huggingface.co/spaces/org/app",
    "https://huggingface.co/blog/merge", "https://huggingface.co/org", "https://github.com/org/name",
])
def test_non_model_urls(url):
    ref = ids.parse_hub_url(url)
    assert ref is None or ref.kind != "model"


@pytest.mark.parametrize("bad", ["a b/c", "org/na me", "org/name>", "a--b/c", "../x", "", "a/b/c",
                                 'x"> <y> <z', "org/" + "n" * 200])
def test_bad_ids_rejected(bad):
    assert not ids.is_repo_id(bad)
    with pytest.raises(IdError):
        ids.parse_repo_id(bad)


def test_short_names_resolve_case_insensitively_and_uniquely():
    known = ["smelborp/MixtralOrochi8x7B", "mistralai/Mixtral-8x7B-Instruct-v0.1"]
    assert ids.resolve_short_name("mixtralorochi8x7b", known) == "smelborp/MixtralOrochi8x7B"
    assert ids.resolve_short_name("Unknown-7B", known) is None
    assert ids.resolve_short_name("m", ["a/m", "b/m"]) is None


def test_cache_paths():
    ref = ids.cache_path_id(
        "/root/.cache/huggingface/hub/models--mistralai--Mistral-7B-v0.1/snapshots/abc")
    assert ref == ids.HubRef("model", "mistralai/Mistral-7B-v0.1")


def test_unresolved_iris_are_safe():
    iri = ids.unresolved_model_iri('D:/models/x> <y> "z')
    assert " " not in iri
    assert ">" not in iri
    assert '"' not in iri


def test_labels_that_differ_by_a_plus_or_past_120_characters_are_two_things(tmp_path):
    """A lossy IRI segment would make two licenses (or datasets) one node in the graph."""
    import lineage

    from .conftest import write

    write(tmp_path, "o/a", "---\nlicense: openrail++\n---\n# a\n")
    write(tmp_path, "o/b", "---\nlicense: openrail\n---\n# b\n")
    store = lineage.open_store("memory:")
    lineage.build([tmp_path], store=store, jobs=1)
    assert lineage.show("o/a", store=store)["license"]["id"] == "openrail++"
    assert lineage.show("o/b", store=store)["license"]["id"] == "openrail"
    long_a, long_b = "d" * 130 + " one", "d" * 130 + " two"
    assert ids.slug(long_a) != ids.slug(long_b)
    assert ids.dataset_name_iri(long_a) != ids.dataset_name_iri(long_b)
