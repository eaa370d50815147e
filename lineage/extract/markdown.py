r"""The markdown structure of a card body: headings, sections, fenced code blocks.

Offsets are into ``card.text`` so that evidence lines are exact.

Examples
--------
>>> from lineage.cards import read_card
>>> c = read_card(b"---\n---\n# T\n## Training\nx\n```yaml\na: 1\n```\n", "c.md")
>>> doc = parse(c)
>>> [s.title for s in doc.sections], [b.info for b in doc.code_blocks]
(['T', 'Training'], ['yaml'])
>>> doc.section_title(c.text.index("x"))
'Training'
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lineage.cards import Card

__all__ = ["CodeBlock", "Doc", "Section", "parse", "unlink"]

# The title runs to its last character that is not a blank or "#" (as "(.+?)[ \t#]*$",
# which tries the trailing blanks and marks again after every character of a long title).
_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.(?:.*[^ \t#\n])?)[ \t#]*$", re.M)
# Fenced blocks: an opening line, and a closing line of the same marks (see _fences).
_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})")  # any indent: fences nest in list items
_FENCE_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*")
_FENCE_INFO = re.compile(r"[ \t]*([\w+-]*)")
_COMMENT_OPEN = re.compile(r"[ \t]{0,3}<!--")
_CANDIDATE_LINE = re.compile(r"^[ \t]*(?:`{3}|~{3}|<!--)", re.M)


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the text up to the next heading of the same or a higher level."""

    title: str
    level: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced code block: info string (``yaml``) and content, offsets into the card text."""

    info: str
    content: str
    start: int
    content_start: int
    end: int


@dataclass(frozen=True, slots=True)
class Doc:
    """Sections and code blocks of one card."""

    sections: tuple[Section, ...]
    code_blocks: tuple[CodeBlock, ...]
    # Sorted start offsets, so look-ups per regex match are logarithmic, not linear.
    section_starts: tuple[int, ...] = ()
    code_starts: tuple[int, ...] = ()
    # Index of each section's enclosing section (-1 for none): paths are walks up.
    section_parents: tuple[int, ...] = ()

    def section_title(self, offset: int) -> str:
        """Title of the innermost section containing ``offset`` ("" before any heading)."""
        i = bisect.bisect_right(self.section_starts, offset) - 1
        return self.sections[i].title if i >= 0 else ""

    def section_path(self, offset: int) -> tuple[str, ...]:
        """Titles of every enclosing section, outermost first."""
        return tuple(s.title for s in self.sections_at(offset))

    def sections_at(self, offset: int) -> tuple[Section, ...]:
        """Every enclosing section, outermost first."""
        if len(self.section_parents) != len(self.sections):  # a Doc not made by parse()
            return tuple(s for s in self.sections if s.start <= offset < s.end)
        path = []
        i = bisect.bisect_right(self.section_starts, offset) - 1
        while i >= 0:  # the innermost section starting before offset, then its ancestors
            if offset < self.sections[i].end:
                path.append(self.sections[i])
            i = self.section_parents[i]
        return tuple(reversed(path))

    def section_end(self, offset: int) -> int:
        """End of the innermost section containing ``offset`` (the next heading)."""
        i = bisect.bisect_right(self.section_starts, offset)
        # The innermost enclosing section ends first; no later heading may come before it.
        ends = [self.sections[i - 1].end] if i and offset < self.sections[i - 1].end else []
        nexts = [self.section_starts[i]] if i < len(self.sections) else []
        return min([*ends, *nexts]) if ends or nexts else offset + 4000

    def in_code(self, offset: int) -> bool:
        """Whether ``offset`` lies inside a fenced code block."""
        return self.code_block_at(offset) is not None

    def code_block_at(self, offset: int) -> CodeBlock | None:
        """Return the fenced code block ``offset`` lies in, or None."""
        i = bisect.bisect_right(self.code_starts, offset) - 1
        return self.code_blocks[i] if i >= 0 and offset < self.code_blocks[i].end else None


def parse(card: Card) -> Doc:
    """Find the headings and fenced code blocks of ``card``'s body."""
    text, base = card.body, card.body_offset
    blocks = tuple(
        CodeBlock(info.casefold(), text[content:close], base + start, base + content, base + end)
        for info, start, content, close, end in _fences(text)
    )
    code_starts = tuple(b.start for b in blocks)

    def fenced(offset: int) -> bool:  # blocks do not overlap: only the last before can hold it
        i = bisect.bisect_right(code_starts, offset) - 1
        return i >= 0 and offset < blocks[i].end

    heads = [
        (base + m.start(), len(m.group(1)), m.group(2).strip())
        for m in _HEADING.finditer(text)
        if not fenced(base + m.start())
    ]
    sections = []
    parents: list[int] = []
    open_: list[int] = []  # enclosing sections so far, levels increasing
    for i, (start, level, title) in enumerate(heads):
        end = len(card.text)
        for j in range(i + 1, len(heads)):  # (not a copy of the rest of the list each time)
            if heads[j][1] <= level:
                end = heads[j][0]
                break
        sections.append(Section(_plain(title), level, start, end))
        while open_ and heads[open_[-1]][1] >= level:
            open_.pop()
        parents.append(open_[-1] if open_ else -1)
        open_.append(i)
    return Doc(tuple(sections), blocks, tuple(s.start for s in sections), code_starts,
               tuple(parents))


def _fences(text: str) -> Iterator[tuple[str, int, int, int, int]]:
    r"""Fenced code blocks: info word, and offsets of start, content, closing line and end.

    A fence may be indented any amount: cards nest them in list items ("1. Run:" then an
    indented fence), where CommonMark allows the item's indent plus three.

    The blocks ``^[ \t]*(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$``
    (multiline, "." matching line breaks) finds, in linear time: each opening line looks up
    the next closing line in an index instead of reading the rest of the text. As with that
    pattern, a fence of n marks that no line of n closes is closed by the first line of
    n - 1 marks (info word then empty), then of n - 2, down to 3.
    """
    # Only lines that start with a fence's marks or a comment can open or close anything:
    # those are found in one scan, and the rest of the lines are never looked at.
    candidates = [m.start() for m in _CANDIDATE_LINE.finditer(text)]
    if not candidates:
        return
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    ends = [s - 1 for s in starts[1:]] + [len(text)]
    lines = [bisect.bisect_right(starts, c) - 1 for c in candidates]
    closing: dict[tuple[str, int], list[int]] = {}
    for i in lines:
        if (m := _FENCE_CLOSE.fullmatch(text, starts[i], ends[i])) is not None:
            closing.setdefault((m.group(1)[0], len(m.group(1))), []).append(i)
    after = 0  # the first line not yet read (inside a block or a comment already read)
    for i in lines:
        if i < after or i >= len(starts) - 1:  # an opening line ends with a line break
            continue
        if (comment := _COMMENT_OPEN.match(text, starts[i], ends[i])) is not None and \
                (shut := text.find("-->", comment.end())) >= 0:
            # An HTML comment: no fence opens inside it, not even on its last line
            # ("```-->" closing a commented-out code block).
            after = bisect.bisect_right(starts, shut)
            continue
        m = _FENCE_OPEN.match(text, starts[i], ends[i])
        close = None
        if m is not None:
            mark, run = m.group(1)[0], len(m.group(1))
            for n in range(run, 2, -1):
                rows = closing.get((mark, n), [])
                if (j := bisect.bisect_right(rows, i)) < len(rows):
                    close = rows[j]
                    break
        if m is None or close is None:
            continue
        info = _FENCE_INFO.match(text, m.end(), ends[i]) if n == run else None
        yield (info.group(1) if info else ""), starts[i], starts[i + 1], starts[close], ends[close]
        after = close + 1


def _plain(title: str) -> str:
    """Heading text without markdown links, emphasis and images."""
    return re.sub(r"[*_`]+", "", unlink(title)).strip()


def unlink(text: str) -> str:
    r"""Return ``text`` with each markdown link or image replaced by its text.

    The same as ``re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)``, in linear time: a "["
    whose link does not close fails at the first "]" after it, and so does every "[" before
    that "]"; when no ")" follows, no later link closes either.

    Examples
    --------
    >>> unlink("See ![logo](a.png), [the model](https://x.y/m) and [x] (y)")
    'See logo, the model and [x] (y)'
    """
    out = []
    copied = look = 0
    while (opening := text.find("[", look)) >= 0:
        closing = text.find("]", opening + 1)
        if closing < 0:
            break
        if not text.startswith("(", closing + 1):
            look = closing + 1
            continue
        end = text.find(")", closing + 2)
        if end < 0:
            break
        start = opening - 1 if opening > copied and text[opening - 1] == "!" else opening
        out += [text[copied:start], text[opening + 1:closing]]
        copied = look = end + 1
    out.append(text[copied:])
    return "".join(out)
