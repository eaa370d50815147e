r"""Read a model card: bytes to a :class:`Card` with front matter, body and line map.

Reading is strict about what cannot be trusted (not text, too large, unsafe or broken
YAML) and forgiving about common damage (a byte-order mark, blank lines before the front
matter, a card flattened onto one line, mojibake), which it repairs and records in
``Card.warnings``.

Examples
--------
>>> card = read_card(b"---\nlicense: mit\nbase_model: a/b\n---\n# Hello\n", "x/README.md")
>>> card.meta["base_model"], card.body_line, card.line_of(card.text.index("# Hello"))
('a/b', 5, 5)
>>> read_card(b"", "empty.md")
Traceback (most recent call last):
...
lineage.errors.CardError: empty.md: empty file
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from lineage.errors import CardError

__all__ = ["DEFAULT_MAX_BYTES", "MAX_YAML_NODES", "Card", "load_yaml", "read_card"]

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
MAX_YAML_NODES = 100_000

try:  # libyaml's loader is ~10x faster; same safe schema.
    _Loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class _Lenient(_Loader):  # type: ignore[valid-type,misc]
    """The safe loader, keeping a scalar that is not what its tag says as the text written.

    ``x: !!bool maybe``, ``!!timestamp soon``, ``2023-02-30``, ``!!int abc`` and
    ``!!binary`` that is not base64 become strings, and NaN and infinities (``.nan``,
    ``.inf``) stay the text written, so no consumer meets a non-finite number; each is
    listed in :attr:`odd` (line, message) for the card's warnings.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.odd: list[tuple[int, str]] = []


def _kept_as_text(kind: str, construct: Any) -> Any:
    def construct_or_text(loader: _Lenient, node: yaml.ScalarNode) -> Any:
        try:
            value = construct(loader, node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError,
                yaml.constructor.ConstructorError):
            value = None
            why = f"not a valid {kind}"
        else:
            if not isinstance(value, float) or math.isfinite(value):
                return value
            why = "not a finite number"
        text = str(node.value)
        loader.odd.append((node.start_mark.line,
                           f"YAML value {text[:40]!r} is {why}; kept as text"))
        return text
    return construct_or_text


for _kind in ("bool", "int", "float", "timestamp", "binary"):
    _tag = f"tag:yaml.org,2002:{_kind}"
    _Lenient.add_constructor(_tag, _kept_as_text(_kind, _Loader.yaml_constructors[_tag]))

# Front matter at the top (after optional blank lines), as huggingface_hub's REGEX_YAML_BLOCK.
_FRONT = re.compile(r"\A\s*---[ \t]*\r?\n(.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
# A card flattened onto one line: "--- key: v key2: - a --- # Title ...". Read in linear
# time: the opening blanks are taken whole, the closing "---" is looked for after whole runs
# of blanks only, and on the first line only (a front matter across lines is not flat).
# The second branch is "---  --- ...", an empty one (its closing blank is the opening's
# last), when no closing "---" follows at all.
_FLAT_FRONT = re.compile(r"\A\s*---[ \t]+(?![ \t])(?:([^\n]*?)(?<![ \t])[ \t]+|"
                         r"(?<=[ \t]{2})(?!(?s:.)*?[ \t]---(?:[ \t]|\r?\n|\Z)))"
                         r"---(?:[ \t]+|\r?\n|\Z)")
# Front matter under a few lines of pictures, badges or HTML (pasted above it): read as
# front matter only when it is a mapping with keys of the Hub's card metadata.
_LATE_FRONT = re.compile(r"\A(?:(?:!\[|\[!\[|<)[^\n]*\n|[ \t]*\r?\n){1,10}?---[ \t]*\r?\n"
                         r"(.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
# YAML from the first line (a key), then keys, list items and indented lines, then "---".
# (Each line kind starts with its own character, a letter, "-" or a blank: one way to read
# each line, so a block with no "---" after it fails in linear time.)
_HEADLESS_FRONT = re.compile(r"\A([A-Za-z_][\w.-]*:[^\n]*\n(?:(?:[A-Za-z_][\w.-]*:|- |"
                             r"[ \t])[^\n]*\n){1,200}?)---[ \t]*(?:\r?\n|\Z)")
_CARD_KEYS = frozenset(("license", "tags", "base_model", "model-index", "datasets", "language",
                        "pipeline_tag", "library_name", "license_name", "model_name"))
_FLAT_KEY = re.compile(r"(?<![ \t])[ \t]+(?=[A-Za-z_][\w.-]*:(?:[ \t]|$))")
_FLAT_ITEM = re.compile(r"(?<![ \t])[ \t]+(?=- )")
# UTF-8 bytes decoded as cp1252: a lead byte's character, then its continuation bytes'.
_CONT = "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]"
_MOJIBAKE = re.compile(
    f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}"
)


@dataclass(frozen=True, slots=True)
class Card:
    """One model card, decoded and split.

    ``text`` is the repaired full text; ``body`` starts at line ``body_line`` of it.
    ``id_hint`` is the id the caller knows (from the path or ``--id``) and
    ``id_hint_method`` says which (``path`` or ``option``). ``hub`` is the Hub's own
    metadata about the repository (``hub.json`` beside a fetched card, or a dump row's
    columns), when known.
    """

    source: str
    text: str
    meta: Mapping[str, Any]
    body: str
    body_line: int
    body_offset: int
    sha256: str
    id_hint: str | None = None
    id_hint_method: str | None = None
    flattened: bool = False
    warnings: tuple[str, ...] = ()
    hub: Mapping[str, Any] | None = None
    taken_ids: Mapping[str, str] | None = None  # inferred ids other cards hold: key -> source
    _line_starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset into ``text``."""
        return bisect.bisect_right(self._line_starts, offset)

    def line_text(self, line: int) -> str:
        """Return the text of 1-based line ``line`` (empty when the card has no such line)."""
        if not 0 < line <= len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]

    def body_line_of(self, offset: int) -> int:
        """1-based line number (in ``text``) of a character offset into ``body``."""
        return self.line_of(self.body_offset + offset)


def load_yaml(text: str, *, source: str = "<yaml>", line: int = 1,
              warnings: list[str] | None = None) -> Any:
    r"""Load YAML safely (C loader when available), refusing alias bombs.

    A scalar that is not what its tag says (``!!bool maybe``), and NaN or an infinity,
    is kept as the text written, with a warning added to ``warnings`` when given.
    Raises :class:`CardError` naming ``source`` and the line of the problem.

    Examples
    --------
    >>> notes = []
    >>> load_yaml("a: !!bool maybe\nb: .nan\nc: 0.5", warnings=notes)
    {'a': 'maybe', 'b': '.nan', 'c': 0.5}
    >>> notes[0]
    "line 1: YAML value 'maybe' is not a valid bool; kept as text"
    """
    if "&" in text and "*" in text:
        try:
            root = yaml.compose(text, Loader=_Lenient)
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, source, line, text) from None
        if root is not None and _expanded_size(root, {}) > MAX_YAML_NODES:
            msg = (f"YAML expands to more than {MAX_YAML_NODES:,} values through aliases "
                   "(alias bomb)")
            raise CardError(msg, source=source, line=line)
    loader = _Lenient(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source, line, text) from None
    except (ValueError, TypeError, RecursionError) as exc:  # odd values, deep nesting
        msg = f"unreadable YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        raise CardError(msg, source=source, line=line) from None
    finally:
        loader.dispose()
    if warnings is not None:
        warnings.extend(f"line {line + at}: {message}" for at, message in loader.odd)
    return data


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values ``node`` stands for once every alias is expanded (without expanding)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_YAML_NODES + 1  # a node reached again while being sized is a cycle
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _expanded_size(child, memo)
            if size > MAX_YAML_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo) + _expanded_size(v, memo)
            if size > MAX_YAML_NODES:
                break
    memo[key] = size
    return size


def _yaml_error(exc: yaml.YAMLError, source: str, line: int, text: str) -> CardError:
    mark = getattr(exc, "problem_mark", None)
    # The parser may notice a problem only past the block's end: point at its last line.
    last = text.rstrip("\n").count("\n")
    where = line + min(mark.line, last) if mark is not None else line
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if isinstance(exc, yaml.constructor.ConstructorError) and \
            problem.startswith("could not determine a constructor"):
        problem = f"YAML tag not allowed ({problem})"
    return CardError(f"broken YAML: {problem}", source=source, line=where)


def _decode(data: bytes, source: str, max_bytes: int) -> str:
    if not data.strip():
        msg = "empty file"
        raise CardError(msg, source=source)
    if len(data) > max_bytes:
        msg = f"file too large ({len(data):,} bytes; the limit is {max_bytes:,})"
        raise CardError(msg, source=source)
    if b"\x00" in data[:8192]:
        msg = "binary file, not a text card"
        raise CardError(msg, source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        msg = f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        raise CardError(msg, source=source, line=line) from None


# Unicode's hyphens ("fine\u2011tuned", "bert\u2010base") read as the ASCII one, which every
# rule and id is written with; one character for one, so offsets and lines stay.
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})


def _repair(text: str, *, latin: bool = True) -> tuple[str, tuple[str, ...]]:
    # ``latin``: whether the UTF-8 bytes hold the lead byte 0xC3 of U+00C0-U+00FF, where
    # every mojibake starts; without it the text's scan (a fifth of reading a card) is spared.
    if not latin or _MOJIBAKE.search(text) is None:
        return text, ()
    import ftfy
    import ftfy.bad_codecs  # registers "sloppy-windows-1252"

    def undo(m: re.Match[str]) -> str:
        try:
            return m.group(0).encode("sloppy-windows-1252").decode("utf-8")
        except UnicodeError:
            return m.group(0)

    # ftfy's whole-text heuristic misses short runs such as "Instinct\u00e2\u201e\u00a2";
    # undoing each run that round-trips to valid UTF-8 catches them.
    fixed = _MOJIBAKE.sub(undo, ftfy.fix_encoding(text))
    return (fixed, ("repaired mojibake",)) if fixed != text else (text, ())


def _late_front(text: str, source: str) -> tuple[dict[str, Any], int, tuple[str, ...]] | None:
    """Read front matter that a few lines of pictures or HTML precede (see :data:`_LATE_FRONT`).

    Returns the metadata, the offset of the body and the warnings; None when there is no
    such block, or it is not a mapping of card metadata (a rule and prose, say).
    """
    m = _LATE_FRONT.match(text)
    if m is None:
        return None
    odd: list[str] = []
    line = text.count("\n", 0, m.start(1)) + 1
    try:
        meta = load_yaml(m.group(1), source=source, line=line, warnings=odd)
    except CardError:
        return None
    if not isinstance(meta, dict) or not _CARD_KEYS & {str(k) for k in meta}:
        return None
    above = line - 2
    return ({str(k): v for k, v in meta.items()}, m.end(),
            (*odd, f"front matter starts on line {above + 1}, under {above} "
             f"line{'s' if above != 1 else ''} of pictures or HTML; read as front matter"))


def _headless_front(text: str, source: str) -> tuple[dict[str, Any], int, tuple[str, ...]] | None:
    """Read front matter whose opening "---" was lost: YAML lines from the first, then "---".

    Returns the metadata, the offset of the body and the warnings; None unless the lines
    are a mapping of two keys or more, one of them card metadata ("license: mit" then "---"
    alone may be a heading underlined, and "Note: ..." is prose).
    """
    m = _HEADLESS_FRONT.match(text)
    if m is None:
        return None
    odd: list[str] = []
    try:
        meta = load_yaml(m.group(1), source=source, line=1, warnings=odd)
    except CardError:
        return None
    if not isinstance(meta, dict) or len(meta) < 2 or not _CARD_KEYS & {str(k) for k in meta}:
        return None
    last = text.count("\n", 0, m.end(1)) + 1
    return ({str(k): v for k, v in meta.items()}, m.end(),
            (*odd, f"front matter without its opening '---' (lines 1-{last - 1}, closed on "
             f"line {last}); read as front matter"))


def _unflatten_yaml(flat: str) -> str:
    """Put keys and list items of a one-line front matter back on lines of their own."""
    text = _FLAT_KEY.sub("\n", flat.strip())
    return _FLAT_ITEM.sub("\n", text)


# Lines of a YAML mapping or list, and of markdown prose (a heading, a link or picture, HTML).
_YAML_LINE = re.compile(r"[ \t]*(?:[\w\"'.-][^\n:]{0,80}:(?:[ \t]|$)|- )")
_MARKDOWN_LINE = re.compile(r"[ \t]*(?:#{1,6}[ \t]|!?\[|<)")


def _prose_between_breaks(block: str) -> bool:
    r"""Tell whether a block between two "---" lines is markdown prose, not front matter.

    No line starts like a YAML key or list item, and one is a markdown heading, link,
    picture or HTML tag.

    Examples
    --------
    >>> _prose_between_breaks("\n# Title\n[![badge](https://x)](https://y)\nText\n")
    True
    >>> _prose_between_breaks("license: mit\n<<<<<<< HEAD\n"), _prose_between_breaks("text\n")
    (False, False)
    """
    lines = block.splitlines()
    return not any(_YAML_LINE.match(ln) for ln in lines) and \
        any(_MARKDOWN_LINE.match(ln) for ln in lines)


def read_card(
    data: bytes,
    source: str,
    *,
    id_hint: str | None = None,
    id_hint_method: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    hub: Mapping[str, Any] | None = None,
    taken_ids: Mapping[str, str] | None = None,
) -> Card:
    """Decode, repair and split one card.

    Parameters
    ----------
    data
        The raw bytes of the card.
    source
        Where the card came from, used in errors and provenance.
    id_hint, id_hint_method
        The card's id when known from its location (``"path"``) or given by the
        user (``"option"``).
    max_bytes
        Larger inputs are refused.
    hub
        The Hub's metadata about the card's repository, kept on the card for
        :mod:`lineage.extract.hub`.
    taken_ids
        Ids other cards of the build hold (id key -> their source): the card's identity
        does not infer them (see :mod:`lineage.extract.identity`).
    """
    text, warnings = _repair(_decode(data, source, max_bytes), latin=b"\xc3" in data)
    text = text.translate(_HYPHENS)
    meta: Any = {}
    flattened = False
    m = _FRONT.match(text)
    if m is not None:
        yaml_line = text.count("\n", 0, m.start(1)) + 1
        odd: list[str] = []
        body_offset = m.end()
        try:
            meta = (load_yaml(m.group(1), source=source, line=yaml_line, warnings=odd)
                    if m.group(1).strip() else {})
        except CardError:
            # "---" then prose with no "key:" line: a thematic break over the card, and the
            # next "---" another one; no front matter to read, so the card is not lost
            if not _prose_between_breaks(m.group(1)):
                raise
            body_offset = 0
            odd.append("a leading '---' opens no front matter (prose, no 'key:' line, before "
                       "the next '---'); read as prose")
        warnings += tuple(odd)
    elif (fm := _FLAT_FRONT.match(text)) is not None:
        flattened = True
        try:
            odd = []
            meta = load_yaml(_unflatten_yaml(fm.group(1) or ""), source=source, warnings=odd)
            warnings += tuple(odd)
        except CardError as exc:
            meta = {}
            warnings += (f"flattened front matter not readable, ignored: {exc.message}",)
        body_offset = fm.end()
        warnings += ("front matter flattened onto one line; restored",)
    elif (late := _late_front(text, source) or _headless_front(text, source)) is not None:
        meta, body_offset, notes = late
        warnings += notes
    else:
        body_offset = 0
        if text.lstrip().startswith("---"):
            warnings += ("front matter opened with '---' but never closed; read as prose",)
        else:
            warnings += ("no YAML front matter",)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        kind = type(meta).__name__
        msg = f"front matter is a YAML {kind}, not a mapping"
        raise CardError(msg, source=source, line=1)
    meta = {str(k): v for k, v in meta.items()}
    starts = [0]
    nl = text.find("\n")
    while nl >= 0:
        starts.append(nl + 1)
        nl = text.find("\n", nl + 1)
    body = text[body_offset:]
    return Card(
        source=source,
        text=text,
        meta=meta,
        body=body,
        body_line=bisect.bisect_right(starts, body_offset),
        body_offset=body_offset,
        sha256=hashlib.sha256(data).hexdigest(),
        id_hint=id_hint,
        id_hint_method=id_hint_method if id_hint else None,
        flattened=flattened or body.count("\n") < 3 < len(body) // 400,
        warnings=warnings,
        hub=hub,
        taken_ids=taken_ids,
        _line_starts=tuple(starts),
    )
