"""Local paths, placeholders and sentence fragments, each style on a card written for it."""

from __future__ import annotations

import pytest

from lineage import ids
from lineage.cards import read_card
from lineage.extract import Extraction, extract
from lineage.extract.context import not_a_model, screen
from lineage.facts import (
    Derivation,
    Evidence,
    MergeRecipe,
    Method,
    ModelRef,
    Parent,
    Relation,
    Role,
    Warning,
)


def run(text: str, rid: str = "me/blend-7b") -> Extraction:
    return extract(read_card(text.encode(), f"{rid}/README.md", id_hint=rid, id_hint_method="path"))


def parents(ex: Extraction) -> dict[str, Parent]:
    return {p.ref.id or p.ref.name: p for p in ex.of(Parent)}


def left_out(ex: Extraction) -> list[str]:
    return [w.text for w in ex.of(Warning) if "left out" in w.text]


# A mergekit card whose configuration names its inputs by local folders while the prose
# links the Hub repos: org_name, a bare name, org--name, and one private checkpoint.
LOCAL_CONFIG = """---
license: apache-2.0
tags:
- merge
---
# blend-7b

A TIES merge of [Quill-7B](https://huggingface.co/quillworks/Quill-7B),
[Byte-Chat-7B](https://huggingface.co/brightbyte/Byte-Chat-7B) and
[Rune-7B](https://huggingface.co/runehall/Rune-7B).

```yaml
models:
  - model: /home/u/models/quillworks_Quill-7B
  - model: ./extra/Byte-Chat-7B
    parameters:
      weight: 0.3
      density: 0.5
  - model: D:/models/runehall--Rune-7B/
    parameters:
      weight: 0.2
  - model: /data/ckpt/private-sft-7b
    parameters:
      weight: 0.5
merge_method: ties
base_model: /home/u/models/quillworks_Quill-7B
dtype: bfloat16
```
"""


def test_local_paths_resolve_against_the_hub_ids_the_card_links():
    p = parents(run(LOCAL_CONFIG))
    assert set(p) == {"quillworks/Quill-7B", "brightbyte/Byte-Chat-7B", "runehall/Rune-7B",
                      "/data/ckpt/private-sft-7b"}
    assert p["quillworks/Quill-7B"].role is Role.BASE
    assert p["brightbyte/Byte-Chat-7B"].weight == 0.3
    assert p["brightbyte/Byte-Chat-7B"].density == 0.5
    assert p["runehall/Rune-7B"].weight == 0.2
    assert all(x.relation is Relation.MERGE and x.method == "ties" for x in p.values())


def test_the_path_as_written_is_kept_beside_the_resolved_id():
    refs = {p.ref.id: p.ref.name for p in run(LOCAL_CONFIG).of(Parent)
            if p.evidence.method is Method.MERGEKIT}
    assert refs["quillworks/Quill-7B"] == "/home/u/models/quillworks_Quill-7B"
    assert refs["runehall/Rune-7B"] == "D:/models/runehall--Rune-7B/"


def test_an_unresolvable_path_stays_unresolved_with_its_text():
    ex = run(LOCAL_CONFIG)
    private = parents(ex)["/data/ckpt/private-sft-7b"]
    assert private.ref == ModelRef(None, "/data/ckpt/private-sft-7b")
    assert private.weight == 0.5


def test_a_path_resolves_against_hub_ids_elsewhere_in_the_configuration():
    card = """---
license: mit
---
# blend-7b

```yaml
slices:
  - sources:
      - model: quillworks/Quill-7B
        layer_range: [0, 32]
      - model: C:\\\\weights\\\\quillworks_Quill-7B
        layer_range: [0, 32]
merge_method: slerp
base_model: ~/copies/quillworks/Quill-7B
parameters:
  t: 0.5
```
"""
    p = parents(run(card))
    assert set(p) == {"quillworks/Quill-7B"}
    assert p["quillworks/Quill-7B"].role is Role.BASE


def test_an_ambiguous_path_stays_unresolved():
    card = """---
license: mit
---
# blend-7b

Inputs: [one](https://huggingface.co/quillworks/Chat-7B), [two](https://huggingface.co/runehall/Chat-7B).

```yaml
models:
  - model: /srv/models/Chat-7B
  - model: runehall/Chat-7B
merge_method: linear
```
"""
    p = parents(run(card))
    assert p["/srv/models/Chat-7B"].ref.id is None
    assert "runehall/Chat-7B" in p


def test_placeholders_in_a_configuration_are_left_out_with_a_warning():
    card = """---
license: mit
---
# blend-7b

```yaml
models:
  - model: path/to/model
  - model: previous/model/path
  - model: quillworks/Quill-7B
  - model: <your_model>
merge_method: task_arithmetic
base_model: ./output/
```
"""
    ex = run(card)
    assert set(parents(ex)) == {"quillworks/Quill-7B"}
    warned = left_out(ex)
    assert len(warned) == 4
    assert any("'previous/model/path' is a placeholder" in w for w in warned)
    [recipe] = ex.of(MergeRecipe)
    assert recipe.method == "task_arithmetic"
    assert recipe.base is None  # the placeholder base is no model either


def test_a_prose_base_given_as_a_local_path_resolves():
    card = """---
license: mit
---
# blend-7b

A merge of [Quill-7B](https://huggingface.co/quillworks/Quill-7B) and [Rune-7B](https://huggingface.co/runehall/Rune-7B).

This model was merged using the TIES merge method using /home/u/m/quillworks_Quill-7B as a base.
"""
    p = parents(run(card))
    assert set(p) == {"quillworks/Quill-7B", "runehall/Rune-7B"}
    assert p["quillworks/Quill-7B"].role is Role.BASE


def test_a_template_path_to_a_linked_model_resolves_and_is_otherwise_left_out():
    card = """---
license: mit
---
# blend-7b

Made from [Quill-7B](https://huggingface.co/quillworks/Quill-7B).

```yaml
models:
  - model: /path/to/quillworks_Quill-7B
  - model: /path/to/some-other-7b
merge_method: linear
```
"""
    ex = run(card)
    assert set(parents(ex)) == {"quillworks/Quill-7B"}
    assert left_out(ex) == ["'/path/to/some-other-7b' is a placeholder, not a model name; "
                            "left out"]


def test_a_prose_base_given_as_a_placeholder_path_is_no_model():
    card = """---
license: mit
---
# blend-7b

This model was merged using the TIES merge method using path/to/model as a base.
"""
    ex = run(card)
    assert parents(ex) == {}
    assert left_out(ex) == ["'path/to/model' is a placeholder, not a model name; left out"]


def test_a_sentence_fragment_is_never_a_parent():
    card = """---
license: mit
---
# blend-7b

This model is based on Following 6 epochs of further training.
"""
    ex = run(card)
    assert parents(ex) == {}
    assert left_out(ex) == ["'Following 6' is a sentence fragment, not a model name; left out"]


def test_a_placeholder_base_model_in_the_front_matter_is_left_out():
    ex = run("---\nlicense: mit\nbase_model:\n- your-model\n- quillworks/Quill-7B\n---\n# m\n")
    assert set(parents(ex)) == {"quillworks/Quill-7B"}
    assert left_out(ex) == ["'your-model' is a placeholder, not a model name; left out"]


def test_a_placeholder_hub_link_is_no_model():
    ex = run("---\nlicense: mit\n---\n# m\n\nBase model: "
             "https://huggingface.co/your-org/your-model\n")
    assert parents(ex) == {}
    assert left_out(ex) == ["'your-org/your-model' is a placeholder, not a model name; left out"]


def test_a_model_named_without_a_hub_id_is_kept_unresolved():
    ex = run("---\nlicense: mit\n---\n# m\n\nParent Model: QuillLM\n")
    assert [p.ref for p in ex.of(Parent)] == [ModelRef(None, "QuillLM")]
    assert left_out(ex) == []


# -- the rules, one by one -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "path"), [
    ("/home/u/models/org_name-7b", True), ("./extra/name", True), ("../name", True),
    ("~/name", True), ("D:/models/org--name", True), ("C:\\models\\name", True),
    ("models\\name", True), ("a/b/c", True), ("org/name", False), ("name", False),
    ("https://huggingface.co/org/name", False), ("", False),
])
def test_local_path_forms(text, path):
    assert ids.is_local_path(text) is path


@pytest.mark.parametrize(("path", "want"), [
    ("/home/u/models/org_name-7b", "org/name-7b"),
    ("./extra/name-7b/", "org/name-7b"),
    ("D:/models/org--name-7b", "org/name-7b"),
    ("C:\\models\\ORG_NAME-7B", "org/name-7b"),
    ("/weights/org/name-7b", "org/name-7b"),
    ("/weights/other-7b", None),
])
def test_a_path_resolves_by_its_last_part(path, want):
    assert ids.resolve_short_name(path, ["org/name-7b", "org/base-7b"]) == want


def test_a_path_matching_two_ids_by_name_resolves_only_by_its_last_two_parts():
    known = ["a/name-7b", "b/name-7b"]
    assert ids.resolve_short_name("/m/name-7b", known) is None
    assert ids.resolve_short_name("/m/b/name-7b", known) == "b/name-7b"


@pytest.mark.parametrize("text", [
    "path/to/model", "previous/model/path", "your-model", "<base_model>", "{model}", "$MODEL",
    "model_name", "your_username/chat-7b", "...", "./output", "/path/to/your/local/dir",
    "[More Information Needed]", "your-org/your-model", "/path/to/org_chat-7b",
])
def test_placeholders(text):
    assert ids.is_placeholder(text)
    assert not_a_model(ModelRef(None, text)) == "placeholder"


@pytest.mark.parametrize("text", [
    "org/chat-7b", "chat-7b", "my-private-sft", "/srv/org_chat-7b", "Quill 7B Chat",
    "gpt2", "base-7b", "org/base", "org/model",
])
def test_model_names_are_not_placeholders(text):
    assert not ids.is_placeholder(text)


@pytest.mark.parametrize("text", [
    "following 6", "the above models", "this model", "our earlier run",
    "some merged chat model", "Below 3 variants",
])
def test_fragments(text):
    assert ids.is_fragment(text)
    assert not_a_model(ModelRef(None, text)) == "sentence fragment"


@pytest.mark.parametrize("text", ["Quill 7B Chat", "chat-7b", "D:/my models/the x", "Rune"])
def test_names_are_not_fragments(text):
    assert not ids.is_fragment(text)


def test_screen_keeps_resolved_models_and_drops_the_rest_with_their_line():
    ev = Evidence(Method.PROSE, "s", 7, 0.8)
    facts = [Parent(ModelRef("org/chat-7b", "org/chat-7b"), Relation.FINETUNE, ev),
             Parent(ModelRef(None, "following 6"), Relation.FINETUNE, ev),
             MergeRecipe("ties", ModelRef(None, "path/to/model"), None, (), ev)]
    out = screen(facts)
    assert out[0] == facts[0]
    assert out[1] == Warning("'following 6' is a sentence fragment, not a model name; left out", 7)
    assert isinstance(out[2], MergeRecipe)
    assert out[2].base is None


def test_screen_drops_a_derivation_of_or_from_no_model():
    ev = Evidence(Method.PROSE, "s", 3, 0.8)
    real = ModelRef("org/chat-7b", "org/chat-7b")
    kept = Derivation(real, ModelRef("org/base-7b", "org/base-7b"), Relation.FINETUNE, ev)
    junk = Derivation(real, ModelRef(None, "the above models"), Relation.FINETUNE, ev)
    assert screen([kept, junk]) == [
        kept, Warning("'the above models' is a sentence fragment, not a model name; left out", 3)]


def test_written_path_finds_the_path_that_names_the_id():
    assert ids.written_path("- model: D:/m/org--name-7b", "org/name-7b") == "D:/m/org--name-7b"
    assert ids.written_path("- model: /m/other-7b", "org/name-7b") is None
    assert ids.written_path("[x](https://huggingface.co/org/name-7b)", "org/name-7b") is None
