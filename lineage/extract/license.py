"""Licenses: a Hub license id's SPDX id, and licenses stated outside the front matter.

:func:`spdx_id` maps a Hub license id to its SPDX id, for the front matter's ``license``
(read by :mod:`lineage.extract.metadata`) and for the licenses found here.

:func:`extract_license_elsewhere` is used only when the front matter names no license: a
``license:apache-2.0`` tag (the Hub's own tag form), a stray ``license: mit`` line (front
matter pasted into the body), and prose in a "License" section or a "License:" field
("Weights are under CC-BY-NC 4.0", "released under the Llama 2 Community License", "a
non-commercial bespoke license"). Weight licenses win over code licenses when a card
states both.

Examples
--------
>>> prose_license_id("Data and weights are under CC-BY-NC 4.0 License.")
'cc-by-nc-4.0'
>>> prose_license_id("The model is released under the Llama-2 LICENSE")
'llama2'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from itertools import islice
from typing import Any

from lineage.cards import Card
from lineage.facts import Evidence, LicenseFact, Method

__all__ = ["extract_license_elsewhere", "license_name_in_prose", "prose_license_id", "spdx_id"]

# (pattern, Hub license id), most specific first.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"cc[\s_-]*by[\s_-]*nc[\s_-]*sa[\s_-]*(4\.0|3\.0|2\.0)", "cc-by-nc-sa-{0}"),
    (r"cc[\s_-]*by[\s_-]*nc[\s_-]*nd[\s_-]*(4\.0|3\.0)", "cc-by-nc-nd-{0}"),
    (r"cc[\s_-]*by[\s_-]*nc[\s_-]*(4\.0|3\.0|2\.0)", "cc-by-nc-{0}"),
    (r"cc[\s_-]*by[\s_-]*sa[\s_-]*(4\.0|3\.0)", "cc-by-sa-{0}"),
    (r"cc[\s_-]*by[\s_-]*(4\.0|3\.0|2\.0)", "cc-by-{0}"),
    (r"\bcc0\b", "cc0-1.0"),
    # The separator after "apache [license]" as one run: two runs of blanks in a row
    # backtrack quadratically over long whitespace.
    (r"apache(?:[\s_-]*license)?[\s,_-]*(?:(?:version|v)[\s_-]*)?2(?:\.0)?\b", "apache-2.0"),
    (r"\bmit\b(?:[\s-]*license)", "mit"),
    (r"\bgpl[\s_-]*v?3|gnu[\s_-]+(?:general[\s_-]+public[\s_-]+)?licen[cs]e[\s_,-]*(?:\(gpl\)"
     r"[\s_-]*)?v(?:ersion)?[\s_-]*3", "gpl-3.0"),
    (r"\bgpl[\s_-]*v?2|gnu[\s_-]+(?:general[\s_-]+public[\s_-]+)?licen[cs]e[\s_,-]*(?:\(gpl\)"
     r"[\s_-]*)?v(?:ersion)?[\s_-]*2", "gpl-2.0"),
    (r"\bbsd[\s_-]*3[\s_-]*clause", "bsd-3-clause"),
    (r"\bbsd[\s_-]*2[\s_-]*clause", "bsd-2-clause"),
    (r"\bagpl[\s_-]*v?3", "agpl-3.0"),
    (r"non-?commercial[^.\n]{0,30}licen[cs]e|bespoke licen[cs]e", "other"),
    # "for non-commercial use and research purposes only": a bespoke license in words
    (r"non-?commercial[^.\n]{0,60}\bonly\b", "other"),
    # The Hub's license ids name each Llama version's community license: llama3.1 ... llama4
    (r"llama[\s_-]*(3\.[1-3]|4)[\s_-]*(?:community[\s_-]*)?licen[cs]e", "llama{0}"),
    (r"llama[\s_-]*3(?:\.0)?[\s_-]*(?:community[\s_-]*)?licen[cs]e", "llama3"),
    (r"llama[\s_-]*2[\s_-]*(?:community[\s_-]*)?licen[cs]e|meta licen[cs]e", "llama2"),
    (r"gemma[\s_-]*(?:terms|licen[cs]e)", "gemma"),
    (r"creativeml[\s_-]*open[\s_-]*rail[\s_-]*m\b", "creativeml-openrail-m"),
    (r"bigscience[\s_-]*open[\s_-]*rail[\s_-]*m\b", "bigscience-openrail-m"),
    (r"open[\s_-]*rail[\s_-]*\+\+", "openrail++"),
    (r"openrail", "openrail"),
)
_WEIGHTS_FIRST = re.compile(r"(?i)weights?|model|权重|模型")
_CODE = re.compile(r"(?i)\bcode\b|代码|代碼")
# A clause of a sentence that gives code and weights each their license: "the code is under
# Apache-2.0, the weights follow the [Model License](MODEL_LICENSE)" (also CJK commas).
_CLAUSES = re.compile(r"(?<=[.!?])\s+|\n|[\u3002\uff0c\uff1b;]")
# A relative link to a license file of the repository itself ("(MODEL_LICENSE)", "(LICENSE.md)").
_OWN_LICENSE_FILE = re.compile(
    r"(?i)\]\((?!\w+:)[./]*(?:[\w-]+[_-])?licen[cs]e(?:[_-][\w-]+)?(?:\.(?:md|txt))?\)")
_TAG = re.compile(r"^license:([\w.+-]+)$", re.I)
# A "license: X" line whose value is a license id alone, bare or as a list item in bold
# ("- **License:** MIT"): a field, so "MIT" needs no "license" after it there.
# A field line may go on with other fields after a separator: "- License: MIT · Paper: X".
_STRAY = re.compile(r"(?im)^[ \t>+-]*(?:\*\*|__)?licen[cs]e(?:\*\*|__)?[ \t]*:[ \t]*"
                    r"(?:\*\*|__)?[ \t]*['\"`]?([\w.+-]+)['\"`]?[ \t]*(?:$|[\u00b7|;][ \t])")
# A "License:" field, or a heading with "License" in it ("## 使用协议 (License Agreement)").
_FIELD = re.compile(r"(?im)^(?:[ \t>*_#-]*(?:\*\*)?(?:weights?\s+|model\s+)?licen[cs]e[s]?"
                    r"(?:\*\*[ \t]*|[ \t]*(?:[:|]|$))|#{1,6}[^#\n]*?(?i:licen[cs]e)|"
                    # CJK headings: "## 协议", "## 许可证", "## ライセンス", "## 라이선스"
                    r"#{1,6}[^#\n]*?(?:协议|協議|许可|許可|\u30e9\u30a4\u30bb\u30f3\u30b9|"
                    r"\ub77c\uc774\uc120\uc2a4))")
# A sentence (a run without "." or a line break) that puts the model under a license: found
# from its verb, so each sentence is read once (a leading "[^.\n]*" retried at every start of
# a long sentence is quadratic).
_UNDER_VERB = re.compile(r"(?i)\b(?:licensed|released|governed|distributed|available)\s+"
                         r"(?:under|by)\b")
_LICENSE_WORD = re.compile(r"(?i)licen[cs]e")
_SENTENCE_STOP = re.compile(r"\.(?!\d)|\n")  # "CC-BY 4.0" goes on
_KNOWN_IDS = {"apache-2.0", "mit", "openrail", "llama2", "llama3", "llama3.1", "llama3.2",
              "llama3.3", "llama4", "gemma", "other",
              "cc-by-4.0", "cc-by-nc-4.0", "cc-by-sa-4.0", "cc-by-nc-sa-4.0", "gpl-3.0",
              "gpl-2.0", "agpl-3.0", "bsd-3-clause", "bsd-2-clause", "cc0-1.0", "unknown",
              "creativeml-openrail-m", "bigscience-openrail-m", "openrail++"}
# A sentence whose subject is the training data ("The datasets are released under CC0")
# states the data's license, not the model's.
_DATA_SUBJECT = re.compile(r"(?i)\b(?:data(?:sets?)?|corp(?:us|ora))\b")
_MODEL_SUBJECT = re.compile(r"(?i)\b(?:models?|weights?|checkpoints?)\b|模型|权重|權重")
# A sentence about the base model's license ("The base model is licensed under ...") states
# a parent's license, unless it also speaks of this model.
_PARENT_SUBJECT = re.compile(r"(?i)\b(?:base|original|parent|underlying|foundation)\s+models?\b")
_THIS_SUBJECT = re.compile(r"(?i)\b(?:this|our|these|the\s+present)\b")
# "under the Acme-3 License": a license of its own, by a proper name (a capital or a digit
# in it), which no phrase knows; a family's name alone ("the Apache License") is none.
_UNDER_OWN_NAME = re.compile(r"\bunder\s+(?:a|an|the)\s+((?=[\w.+-]*[A-Z0-9])[\w.+-]+"
                             r"(?:\s+[\w.+-]+){0,3}?)\s+(?i:licen[cs]e)\b")
_FAMILY = re.compile(r"(?i)(?:apache|mit|bsd|gpl|lgpl|agpl|gnu|creative|cc|mozilla|mpl|eclipse|"
                     r"same|respective|following|original|base|parent|upstream|open)\b")
# A link to a license of its own name: "[Acme Model License.md](...)", or "[LICENSE](...)"
# whose file is named "Acme LICENSE AGREEMENT".
_URL = re.compile(r"\]\([^)\s]{0,300}\)")
_LINK = re.compile(r"\[([^\]\n]{1,100})\]\(([^)\s]{1,300})\)")
_LINK_ALONE = re.compile(r"\[[ \t]*([\w.+-]{2,40})[ \t]*\]\([^)\s]{1,300}\)\.?")
_NAMED = re.compile(r"(?i)([^\W_][\w .+-]{0,60}?)[\s_-]+licen[cs]e(?:[\s_-]+agreement)?"
                    r"(?:\.md|\.txt)?")
_CJK_BRACKETS = re.compile(r"[\u3010\u3011\u300c-\u300f\u3014\u3015]")
_GENERIC_NAME = re.compile(r"(?i)^(?:the|this|our|its|full|see|read|view|here|original|open|"
                           r"source|code|model|model'?s|base|base model'?s|\W)*$")


@lru_cache(maxsize=1024)  # pure: the SPDX table never changes in a process
def spdx_id(license_id: str) -> str | None:
    """Return the SPDX id of a Hub license id (``apache-2.0`` -> ``Apache-2.0``), or ``None``.

    Examples
    --------
    >>> spdx_id("apache-2.0"), spdx_id("cc-by-nc-4.0"), spdx_id("llama2"), spdx_id("mit/x")
    ('Apache-2.0', 'CC-BY-NC-4.0', None, None)
    """
    from license_expression import ExpressionError

    licensing = _licensing()
    try:
        if licensing.validate(license_id).errors:
            return None
        symbols = licensing.license_symbols(licensing.parse(license_id))
    except (ExpressionError, AttributeError):  # its own error path fails on "a/b"
        return None
    return str(symbols[0].key) if len(symbols) == 1 else None


@lru_cache(maxsize=1)
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def prose_license_id(text: str) -> str | None:
    """Return the Hub license id a sentence names, or None."""
    found = _phrase(text)
    return None if found is None else found[0]


def _phrase(text: str) -> tuple[str, int] | None:
    """Return the Hub license id a sentence names and where its name starts, or None."""
    for pattern, lic in _PHRASES:
        m = re.search(pattern, text, re.I)
        if m is not None:
            return lic.format(*m.groups()), m.start()
    return None


def _sentence_license(text: str) -> tuple[str, str | None] | None:
    """Return the model license a sentence states, ``(id, name)``, or None.

    A sentence about the training data's license names none; a link to a license of its
    own name that no phrase knows is ``other``, with that name.

    Examples
    --------
    >>> _sentence_license("Weights follow the [Acme Model License.md](https://x.org/l.md).")
    ('other', 'Acme Model License')
    >>> _sentence_license("Our corpora are all released under a CC0 license.") is None
    True
    >>> _sentence_license("Data and weights are under CC-BY 4.0")
    ('cc-by-4.0', None)
    >>> _sentence_license("The base model is under the Llama 2 license.") is None
    True
    """
    alone = _LINK_ALONE.fullmatch(text.strip())
    if alone is not None and (alone.group(1).casefold() in _KNOWN_IDS or spdx_id(alone.group(1))):
        return alone.group(1).casefold(), None  # "## License" then "[MIT](https://...)"
    found = _phrase(text)
    if found is not None:
        subject = text[:found[1]]
        if _DATA_SUBJECT.search(subject) and not _MODEL_SUBJECT.search(subject):
            return None
        if _PARENT_SUBJECT.search(subject) and not _THIS_SUBJECT.search(subject):
            return None
        return found[0], None
    name = _license_name(text)
    if name is None and _OWN_LICENSE_FILE.search(text) and _MODEL_SUBJECT.search(text) and \
            _CODE.search(text) is None:
        return "other", None  # the weights' own license file: a license of its own
    if name is None and _MODEL_SUBJECT.search(text) and \
            (under := _UNDER_OWN_NAME.search(text)) is not None and \
            not _GENERIC_NAME.match(under.group(1)) and not _FAMILY.match(under.group(1)):
        name = text[under.start(1):under.end()]  # "weights are released under the Acme License"
    return None if name is None else ("other", name)


def _license_name(text: str) -> str | None:
    """Return the name of a license of its own that a link in ``text`` names, or None."""
    from urllib.parse import unquote

    for link in _LINK.finditer(text):
        for written in (link.group(1), unquote(link.group(2).rstrip("/").rsplit("/", 1)[-1])):
            # "【Acme-14B Series】 Models Community License": CJK brackets around a part
            written = " ".join(_CJK_BRACKETS.sub(" ", written).split())
            m = _NAMED.fullmatch(written.strip())
            if m is None or _GENERIC_NAME.match(m.group(1)) or \
                    _DATA_SUBJECT.search(m.group(1)) or _phrase(written) is not None:
                continue
            return re.sub(r"(?i)\.(?:md|txt)$", "", written.strip())
    return None


def extract_license_elsewhere(card: Card) -> Iterator[LicenseFact]:
    """Find a license in tags, a stray key line or prose (see the module docstring)."""
    tags = card.meta.get("tags")
    for tag in tags if isinstance(tags, list) else []:
        m = _TAG.match(str(tag).strip())
        if m is not None:
            lic = m.group(1).casefold()
            yield LicenseFact(lic, None, None, spdx_id(lic),
                              Evidence(Method.METADATA, f"tags: {tag}", None, 0.9))
            return
    text = card.text
    for m in _STRAY.finditer(text, card.body_offset):
        lic = m.group(1).casefold()
        if lic in _KNOWN_IDS or spdx_id(lic):
            yield LicenseFact(lic, None, None, spdx_id(lic),
                              Evidence(Method.PROSE, m.group(0).strip(),
                                       card.line_of(m.start()), 0.7))
            return
    candidates: list[tuple[bool, int, tuple[str, str | None], str]] = []
    license_of = cache(_sentence_license)  # field lines close together share sentences
    for m in _FIELD.finditer(text, card.body_offset):
        chunk = text[m.start():m.start() + 600]
        for sentence in _CLAUSES.split(chunk)[:8]:
            found = license_of(sentence)
            if found is not None:
                words = _URL.sub("]", sentence)  # "/code/" in a link's address is no code
                weights = _WEIGHTS_FIRST.search(words) is not None and not _CODE.search(words)
                candidates.append((not weights, m.start(), found, sentence.strip()))
    if not candidates:
        # Failing a license field, a sentence that puts the model under a license.
        for start, sentence in _under_sentences(text, card.body_offset):
            found = _sentence_license(sentence)
            if found is not None:
                candidates.append((True, start, found, sentence.strip()))
                break
    if candidates:
        _, offset, (lic, name), sentence = min(candidates, key=lambda c: (c[0], c[1]))
        yield LicenseFact(lic, name, None, spdx_id(lic),
                          Evidence(Method.PROSE, sentence[:160], card.line_of(offset), 0.6))


# "- **License:** Acme-7B LICENSE v1.0": a field whose value names a license.
_FIELD_VALUE = re.compile(r"(?im)^[ \t>*_-]*(?:\*\*)?licen[cs]e[s]?(?:\*\*)?[ \t]*:[ \t]*"
                          r"(?:\*\*[ \t]*)?([^\n]{3,80}?)[ \t]*$")
_NAME_WORD = re.compile(r"(?i)licen[cs]e|agreement|terms")
# "released under a modified Acme OpenRAIL-M license": the words before "license".
_UNDER_NAME = re.compile(r"(?i)\bunder\s+(?:a|an|the)\s+((?:[\w.+-]+\s+){1,5}?)licen[cs]e\b")


def license_name_in_prose(card: Card) -> str | None:
    r"""Return the name the body gives a license the front matter calls ``other``, or None.

    A "License:" field naming it, a link to a license of its own name, or "under a
    modified X license" in a license section or a "released under" sentence.

    Examples
    --------
    >>> from lineage.cards import read_card
    >>> card = read_card(b"---\nlicense: other\n---\n- **License:** Acme-7B LICENSE v1.0\n",
    ...                  "c.md")
    >>> license_name_in_prose(card)
    'Acme-7B LICENSE v1.0'
    """
    text = card.text
    for m in _FIELD_VALUE.finditer(text, card.body_offset):
        value = _URL.sub("]", m.group(1)).replace("[", "").replace("]", "").strip(" *_`")
        if _NAME_WORD.search(value) and _phrase(value) is None:
            return value
    chunks = [text[m.start():m.start() + 600] for m in _FIELD.finditer(text, card.body_offset)]
    chunks += [sentence for _, sentence in islice(_under_sentences(text, card.body_offset), 3)]
    for chunk in chunks:
        name = _license_name(chunk)
        if name is not None:
            return name
        under = _UNDER_NAME.search(chunk)
        if under is not None and not _GENERIC_NAME.match(under.group(1)):
            return under.group(1).strip()
    return None


def _under_sentences(text: str, pos: int) -> Iterator[tuple[int, str]]:
    r"""Sentences from ``pos`` on with "licensed under ... license" wording: (offset, text).

    The spans ``[^.\n]*\b(?:licensed|...)\s+(?:under|by)\b[^.\n]*licen[cs]e[^.\n]*`` matches
    left to right, in linear time. A sentence runs from the last "." or line break before
    its first verb to the first one after; the last verb's blanks may run over a line break,
    and then (as that pattern does) the sentence goes on to the next line.
    """
    floor = pos
    while (verb := _UNDER_VERB.search(text, floor)) is not None:
        start = max(text.rfind(".", floor, verb.start()), text.rfind("\n", floor, verb.start()))
        start = floor if start < 0 else start + 1
        end = _stop(text, verb.start())
        last = verb
        while (after := _UNDER_VERB.search(text, last.end())) is not None and after.start() < end:
            last = after
        if last.end() > end:
            longer = _stop(text, last.end())
            if _LICENSE_WORD.search(text, last.end(), longer) is not None:
                yield start, text[start:longer]
                floor = longer
                continue
        if _LICENSE_WORD.search(text, verb.end(), end) is not None:
            yield start, text[start:end]
        floor = end


def _stop(text: str, pos: int) -> int:
    """Offset of the first "." or line break at or after ``pos`` (or the end of the text)."""
    stop = _SENTENCE_STOP.search(text, pos)
    return len(text) if stop is None else stop.start()
