"""Which model a card describes: each rule of lineage.extract.identity on a card written for it."""

from __future__ import annotations

import pytest

from lineage.cards import read_card
from lineage.extract import Extraction, extract
from lineage.facts import Alias, IdCandidate, Identity, IdRule, Parent, Warning

BOARD = "https://huggingface.co/spaces/board-org/open_llm_leaderboard?query="
DETAILS = "https://huggingface.co/datasets/board-org/details_"


def run(text: str, source: str, *, hint: str | None = None, method: str | None = None,
        taken: dict[str, str] | None = None) -> Extraction:
    card = read_card(text.encode(), source, id_hint=hint, id_hint_method=method,
                     taken_ids=taken)
    return extract(card)


def identity(ex: Extraction) -> Identity:
    (found,) = ex.of(Identity)
    return found


def candidates(ex: Extraction) -> dict[str, str]:
    return {c.id: c.reason for c in ex.of(IdCandidate)}


# --- 1. explicit ids --------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "rule"), [("path", IdRule.PATH), ("option", IdRule.OPTION),
                                              ("dump", IdRule.DUMP), ("hub", IdRule.HUB)])
def test_an_explicit_id_always_wins(method, rule):
    text = f"# Other-Name\n[board]({BOARD}someone/Other-Name)\n"
    ex = run(text, "x/README.md", hint="me/Chat-7B", method=method)
    assert (identity(ex).id, identity(ex).rule, identity(ex).evidence.confidence) == \
        ("me/Chat-7B", rule, 1.0)
    assert ex.model.id == "me/Chat-7B"


def test_with_an_explicit_id_a_leaderboard_id_of_the_same_name_is_a_former_name():
    text = f"[board]({BOARD}old-org/Chat-7B) and [more]({BOARD}someone/Unrelated-3B)\n"
    ex = run(text, "new-org/Chat-7B/README.md", hint="new-org/Chat-7B", method="path")
    assert [a.id for a in ex.of(Alias)] == ["old-org/Chat-7B"]


# --- 2. self-evidence agreeing with the card's own name ---------------------------------------

def test_a_leaderboard_link_agreeing_with_the_folder_name_makes_the_id():
    text = f"# Chat 7B\nResults: [board]({BOARD}someone/Chat-7B)\n"
    ex = run(text, "scrape/Chat-7B/README.md")
    assert (identity(ex).id, identity(ex).rule) == ("someone/Chat-7B", IdRule.LEADERBOARD)
    assert identity(ex).evidence.line == 2


def test_a_details_link_agreeing_with_a_flat_file_name_makes_the_id():
    ex = run(f"Details: [here]({DETAILS}someone__chat-7b)\n", "downloads/Chat-7B.md")
    assert identity(ex).id == "someone/chat-7b"


def test_a_license_link_into_the_base_models_repo_never_makes_the_id():
    text = ("---\nlicense: other\nlicense_link: https://huggingface.co/big-lab/Base-70B/blob/main/"
            "LICENSE\n---\n# Chat-70B\nA chat tune.\n")
    ex = run(text, "scrape/Chat-70B/README.md")
    assert identity(ex).id is None
    assert (identity(ex).rule, identity(ex).name) == (IdRule.NAME, "Chat-70B")
    assert "its name is not the card's own" in candidates(ex)["big-lab/Base-70B"]
    assert ex.model.label == "Chat-70B"


def test_images_templates_and_guides_in_other_repos_never_make_the_id():
    text = ("# Chat-7B\n![logo](https://huggingface.co/art-org/Logo-Repo/resolve/main/logo.png)\n"
            "Card template from [here](https://huggingface.co/tmpl-org/Card-Template/blob/main/"
            "README.md); see the [guide](https://huggingface.co/docs-org/Guide-Repo/tree/main).\n")
    ex = run(text, "scrape/Chat-7B/README.md")
    assert identity(ex).id is None
    assert set(candidates(ex)) == {"art-org/Logo-Repo", "tmpl-org/Card-Template",
                                   "docs-org/Guide-Repo"}


def test_a_link_into_the_cards_own_repo_makes_the_id():
    text = "Presets: [json](https://huggingface.co/me-org/Chat-7B/resolve/main/preset.json)\n"
    ex = run(text, "scrape/chat-7b/README.md")
    assert (identity(ex).id, identity(ex).rule) == ("me-org/Chat-7B", IdRule.SELF_LINK)


def test_a_front_matter_base_model_is_never_the_cards_own_id():
    text = (f"---\nbase_model: base-org/Chat-7B\n---\n"
            f"[board]({BOARD}base-org/Chat-7B)\n")
    ex = run(text, "scrape/Chat-7B/README.md")
    assert identity(ex).id is None
    assert [p.ref.id for p in ex.of(Parent)] == ["base-org/Chat-7B"]


def test_a_made_up_file_name_defers_to_the_title():
    text = f"# Model card for Chat-7B\n[board]({BOARD}someone/Chat-7B)\n"
    for source in ("0042_9f3ac1de.md", "cards/7f3a9c1de2b4a6f8.md"):
        assert identity(run(text, source)).id == "someone/Chat-7B"


def test_a_template_title_is_no_name():
    text = f"# Model Card for Model ID\n[board]({BOARD}someone/Model-ID)\n"
    ex = run(text, "0001_card.md")
    assert identity(ex).id is None
    assert identity(ex).name == "0001_card.md"


def test_a_flattened_cards_title_ends_at_the_next_heading():
    text = ("--- license: other license_link: https://huggingface.co/lab/Tiny-1B/blob/main/LICENSE "
            "--- # Tiny-1B ## Introduction A small model. ## Usage Load it.")
    ex = run(text, "0003_5e1d.txt")
    assert (identity(ex).id, identity(ex).rule) == ("lab/Tiny-1B", IdRule.SELF_LINK)


def test_without_a_path_name_a_model_index_name_agrees_with_a_leaderboard_link():
    text = ("---\nmodel-index:\n- name: chat-7b-v1\n  results: []\n---\n"
            f"[board]({BOARD}old-org/chat-7b-v1)\n[again]({DETAILS}new-org__chat-v1-7b)\n")
    ex = run(text, "f/0007_a1b2c3d4e5f6.txt")
    assert identity(ex).id == "old-org/chat-7b-v1"
    assert [a.id for a in ex.of(Alias)] == ["new-org/chat-v1-7b"]  # a rename on the leaderboard


def test_a_leaderboard_link_inside_an_embedded_original_card_is_no_alias():
    text = (f"# Chat-7B-GGUF\n[board]({BOARD}q-org/Chat-7B-GGUF)\n"
            f"# Original model card: Chat-7B\n[board]({BOARD}orig-org/Chat-7B)\n")
    ex = run(text, "s/Chat-7B-GGUF/README.md")
    assert identity(ex).id == "q-org/Chat-7B-GGUF"
    assert ex.of(Alias) == []


def test_a_card_with_no_name_takes_the_one_repo_it_links_files_of():
    text = ("Use the [preset](https://huggingface.co/me-org/Chat-7B/raw/main/preset.json) and "
            "[the other](https://huggingface.co/me-org/Chat-7B/resolve/main/other.json).\n")
    ex = run(text, "0001_abcdef12.md")
    assert (identity(ex).id, identity(ex).evidence.confidence) == ("me-org/Chat-7B", 0.7)
    two = text + "[x](https://huggingface.co/other-org/Thing/blob/main/x.json)\n"
    assert identity(run(two, "0001_abcdef12.md")).id is None


def test_an_id_another_card_holds_is_not_inferred():
    text = f"# Chat-7B\n[board]({BOARD}someone/Chat-7B)\n"
    ex = run(text, "b/Chat-7B/README.md", taken={"someone/chat-7b": "a/Chat-7B/README.md"})
    assert identity(ex).id is None
    assert "another card holds it (a/Chat-7B/README.md)" in candidates(ex)["someone/Chat-7B"]
    assert any("a/Chat-7B/README.md" in w.text for w in ex.of(Warning))


# --- self-references ----------------------------------------------------------------------------

def test_usage_code_loading_the_cards_own_model_is_no_parent():
    text = ("---\nlicense: mit\n---\n# Chat-7B\nFine-tuned from [Base-7B](https://huggingface.co/"
            "base-org/Base-7B).\n```python\nmodel = AutoModel.from_pretrained(\"me-org/Chat-7B\")\n"
            "```\n")
    ex = run(text, "scrape/Chat-7B/README.md")
    assert [p.ref.id for p in ex.of(Parent)] == ["base-org/Base-7B"]


# --- history sentences ----------------------------------------------------------------------------

HISTORY = """---
base_model: mid-org/Parent-7B
---
# Chat-7B
This model is fine-tuned from [Parent-7B](https://huggingface.co/mid-org/Parent-7B) on chats.
Parent-7B was itself fine-tuned from [Grand-7B](https://huggingface.co/old-org/Grand-7B).
"""


def test_a_sentence_about_the_parents_history_gives_the_parent_its_parent():
    from lineage.facts import Derivation

    ex = run(HISTORY, "org/Chat-7B/README.md", hint="org/Chat-7B", method="path")
    assert {p.ref.id for p in ex.of(Parent)} == {"mid-org/Parent-7B"}
    (history,) = ex.of(Derivation)
    assert (history.model.id, history.ref.id, history.relation.value) == \
        ("mid-org/Parent-7B", "old-org/Grand-7B", "finetune")
    assert history.evidence.line == 6


def test_a_sentence_about_the_card_itself_still_gives_its_parent():
    text = "# Chat-7B\nChat was fine-tuned on top of [Base-7B](https://huggingface.co/b/Base-7B).\n"
    ex = run(text, "org/Chat-7B/README.md", hint="org/Chat-7B", method="path")
    assert [p.ref.id for p in ex.of(Parent)] == ["b/Base-7B"]


def test_a_card_fetched_from_the_hub_says_so():
    card = read_card(b"# Chat\n", "cache/org/Chat-7B/README.md", id_hint="org/Chat-7B",
                     id_hint_method="path", hub={"id": "org/Chat-7B", "sha": "abc"})
    assert identity(extract(card)).rule is IdRule.HUB


def test_a_centred_html_title_names_a_card_without_a_markdown_title():
    text = ("---\nlicense: mit\n---\n<div align=\"center\">\n  <h1>Wren-Distill-72B</h1>\n</div>\n"
            "\n## Model Overview\n**Wren-Distill-72B: A Distilled Model for Reasoning**, derived "
            "from Wren2.5-72B using reinforcement learning.\n")
    ex = run(text, "0001.md")
    assert identity(ex).name == "Wren-Distill-72B"
    # Its base, named in a sentence about the titled model (no id of its own).
    assert [p.ref.name for p in ex.of(Parent)] == ["Wren2.5-72B"]


def test_a_title_with_a_subtitle_names_the_model_before_the_colon():
    text = ("# Wren-Coder-V2: Breaking the Barrier of Closed Models\n\nWren-Coder-V2 is further "
            "pre-trained from an intermediate checkpoint of Wren-V2 with 6T tokens.\n")
    ex = run(text, "0001.md")
    assert identity(ex).name == "Wren-Coder-V2"
    assert [(p.ref.name, p.relation.value) for p in ex.of(Parent)] == [("Wren-V2", "finetune")]
