"""Reading cards: splitting, safe YAML, repair, and every kind of bad input."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.cards import _HYPHENS, _repair, read_card
from lineage.errors import CardError

from .conftest import seed


def test_front_matter_and_line_numbers():
    card = read_card(b"---\nlicense: mit\ntags:\n- a\n---\n\n# Title\nbody\n", "o/m/README.md")
    assert card.meta == {"license": "mit", "tags": ["a"]}
    assert card.body_line == 6
    assert card.line_of(card.text.index("body")) == 8
    assert card.warnings == ()


def test_blank_lines_and_bom_before_front_matter():
    card = read_card(b"\xef\xbb\xbf\n\n---\nlicense: mit\n---\nx\n", "c.md")
    assert card.meta == {"license": "mit"}


def test_unclosed_front_matter_is_read_as_prose():
    card = read_card(b"---\n\n### Overview:\n  description: a llama model\n", "c.md")
    assert card.meta == {}
    assert "never closed" in card.warnings[0]
    assert "Overview" in card.body


def test_no_front_matter_is_a_warning_not_an_error():
    card = read_card(b"# Just a README\nhello\n", "c.md")
    assert card.meta == {}
    assert card.warnings == ("no YAML front matter",)


def test_front_matter_under_pasted_pictures_is_read_with_a_warning():
    text = ("![banner](https://example.org/b.png)\n<p align=\"center\"><img src=\"x.png\"></p>\n\n"
            "---\nlicense: mit\nmodel-index:\n- name: tiny\n  results: []\n---\n# Tiny\nbody\n")
    card = read_card(text.encode(), "c.md")
    assert card.meta["license"] == "mit"
    assert card.body.startswith("# Tiny")
    assert card.line_of(card.text.index("body")) == 11
    assert card.warnings == ("front matter starts on line 4, under 3 lines of pictures or HTML; "
                             "read as front matter",)


@pytest.mark.parametrize("text", [
    # a rule between prose paragraphs under a picture: not metadata
    "![logo](l.png)\n---\nThis model is small.\n---\nMore text.\n",
    # a mapping, but of nothing a card's metadata holds
    "![logo](l.png)\n---\nfoo: bar\n---\nMore text.\n",
    # a paragraph of prose above: front matter is only ever under pictures or HTML
    "This card is about a model.\n---\nlicense: mit\n---\nMore text.\n",
])
def test_a_later_block_that_is_not_card_metadata_stays_prose(text: str):
    card = read_card(text.encode(), "c.md")
    assert card.meta == {}
    assert card.warnings == ("no YAML front matter",)
    assert card.body == card.text


def test_flattened_card_restored():
    card = read_card(seed("003").read_bytes(), "seed003")
    assert card.flattened
    assert card.meta["license_name"] == "tongyi-qianwen"
    assert card.meta["language"] == ["en"]
    assert card.meta["tags"] == ["pretrained"]
    assert card.body.startswith("# Qwen2-72B")


def test_mojibake_repaired():
    card = read_card(seed("000").read_bytes(), "seed000")
    assert "Instinct\u2122" in card.text
    assert "\u00e2\u201e\u00a2" not in card.text
    assert "repaired mojibake" in card.warnings


def test_mojibake_repair_leaves_accented_text_alone():
    text = "---\nlicense: mit\n---\ncaf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u00e2ge\n"
    assert read_card(text.encode(), "c.md").text == text


def test_c_loader_is_used():
    from lineage import cards

    assert cards._Loader is yaml.CSafeLoader


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("---\nlicense: mit\n---\nna\u00efve\n".encode("latin-1"), "not UTF-8"),
    (b"---\nlicense: [mit\n---\nx\n", "broken YAML"),
    (b"---\n- a\n- b\n---\nx\n", "YAML list, not a mapping"),
    (b"---\njust a string\n---\nx\n", "YAML str, not a mapping"),
    (b"---\nx: !!python/object/apply:os.system ['true']\n---\n", "YAML tag not allowed"),
])
def test_bad_input_is_one_clear_error(data, message):
    with pytest.raises(CardError) as err:
        read_card(data, "bad/card/README.md")
    text = str(err.value)
    assert text.startswith("bad/card/README.md")
    assert message in text
    assert "\n" not in text


def test_broken_yaml_error_names_the_line():
    with pytest.raises(CardError) as err:
        read_card(b"---\nlicense: mit\ntags: [a\nbase_model: x\n---\n", "c.md")
    assert err.value.line is not None
    assert err.value.line >= 3


def test_yaml_alias_bomb_refused():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    bomb = ("---\n" + "\n".join(lines) + "\n---\nbody\n").encode()
    with pytest.raises(CardError, match="alias bomb"):
        read_card(bomb, "bomb.md")


def test_size_limit():
    big = b"---\nlicense: mit\n---\n" + b"x" * 2000
    with pytest.raises(CardError, match="too large"):
        read_card(big, "big.md", max_bytes=1000)


_keys = st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True)
_values = st.one_of(st.integers(-1000, 1000),
                    st.from_regex(r"[A-Za-z][A-Za-z0-9 ._-]{0,20}", fullmatch=True))


# Latin-1 supplement and control characters are left out: they form deliberate mojibake
# (repaired) and binary input (refused), both tested above.
_body = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\r",
                              max_codepoint=0x2FFF).filter(lambda c: not 0x80 <= ord(c) <= 0xFF)
                | st.just("\n"), max_size=300)


@given(meta=st.dictionaries(_keys, _values, max_size=6), body=_body)
@settings(max_examples=150, deadline=None)
def test_split_round_trips_any_mapping(meta, body):
    front = yaml.safe_dump(meta, sort_keys=False) if meta else ""
    text = f"---\n{front}---\n{body}"
    card = read_card(text.encode(), "c.md")
    assert card.meta == meta
    # (the reader writes Unicode hyphens as "-", so that rules match one hyphen)
    assert card.body == body.translate(_HYPHENS)


@given(st.binary(max_size=400))
@settings(max_examples=200, deadline=None)
def test_arbitrary_bytes_never_crash(data):
    try:
        card = read_card(data, "fuzz.md")
    except CardError as exc:  # a rejection is fine; pytest.raises cannot say "may raise"
        assert str(exc).startswith("fuzz.md")  # noqa: PT017
    else:
        assert isinstance(card.meta, dict)


def test_unicode_hyphens_read_as_ascii_hyphens_at_the_same_offsets():
    from lineage.cards import read_card

    card = read_card("# M\nIt was fine\u2011tuned from bert\u2010base.\n".encode(), "m.md")
    assert card.text == "# M\nIt was fine-tuned from bert-base.\n"


def test_a_leading_thematic_break_over_prose_is_no_front_matter():
    text = ("---\n\n# Wren-1B-es\n\n[![badge](https://img.example/b)](https://example.org/m)\n"
            "Este repositorio documenta el modelo.\n\n---\n\n## Datos\nMore prose.\n")
    card = read_card(text.encode(), "me/m/README.md")
    assert card.meta == {}
    assert card.body_offset == 0
    assert any("opens no front matter" in w for w in card.warnings)
    # Broken YAML with keys is still reported, with its line.
    with pytest.raises(CardError, match="broken YAML"):
        read_card(b"---\nlicense: mit\n<<<<<<< HEAD\nx: 1\n---\n# T\n", "me/m/README.md")


def test_front_matter_that_lost_its_opening_rule_is_read_with_a_warning():
    text = ("language: en\nlicense: bsd\ndatasets:\n- books\n- wikipedia\n---\n\n"
            "# Squeezed model\nbody\n")
    card = read_card(text.encode(), "c.md")
    assert card.meta == {"language": "en", "license": "bsd", "datasets": ["books", "wikipedia"]}
    assert card.body.lstrip().startswith("# Squeezed model")
    assert card.warnings == ("front matter without its opening '---' (lines 1-5, closed on "
                             "line 6); read as front matter",)


@pytest.mark.parametrize("text", [
    "Note: this card is about a model\n---\nMore text.\n",  # prose over a rule
    "license: mit\n---\nMore text.\n",  # one line: a heading's underline as much as metadata
    "foo: bar\nbaz: qux\n---\nMore text.\n",  # a mapping of nothing card metadata holds
])
def test_prose_over_a_rule_is_no_headless_front_matter(text: str):
    card = read_card(text.encode(), "c.md")
    assert card.meta == {}
    assert card.body == card.text


def test_line_text_gives_a_line_by_its_number_and_nothing_past_the_end():
    card = read_card(b"---\nlicense: mit\n---\nfirst\nsecond", "x.md")
    assert [card.line_text(n) for n in (0, 2, 4, 5, 6)] == ["", "license: mit", "first",
                                                           "second", ""]


# Texts rich in what mojibake is made of: Latin-1 letters, cp1252's punctuation, CJK, emoji.
_mixed = st.text(st.sampled_from("aé\u00c2\u00c3\u00e2\u00f0\u20ac\u2122\u0153\u00a9\u00bb"
                                 "\u4e2d\U0001f600 \n"), max_size=60)


@given(_mixed)
@settings(max_examples=300, deadline=None)
def test_mojibake_is_looked_for_only_where_its_lead_byte_is(text):
    """Skipping the scan when the bytes hold no 0xC3 never changes what is repaired."""
    assert _repair(text, latin=b"\xc3" in text.encode()) == _repair(text)
