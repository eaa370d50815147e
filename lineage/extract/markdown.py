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
from dataclasses import dataclass

from lineage.cards import Card

__all__ = ["CodeBlock", "Doc", "Section", "parse"]

_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n(.*?)^[ \t]{0,3}\1[ \t]*$",
                    re.M | re.S)


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

    def section_title(self, offset: int) -> str:
        """Title of the innermost section containing ``offset`` ("" before any heading)."""
        i = bisect.bisect_right(self.section_starts, offset) - 1
        return self.sections[i].title if i >= 0 else ""

    def section_path(self, offset: int) -> tuple[str, ...]:
        """Titles of every enclosing section, outermost first."""
        return tuple(s.title for s in self.sections if s.start <= offset < s.end)

    def section_end(self, offset: int) -> int:
        """End of the innermost section containing ``offset`` (the next heading)."""
        ends = [s.end for s in self.sections if s.start <= offset < s.end]
        nexts = [s.start for s in self.sections if s.start > offset]
        return min([*ends, *nexts]) if ends or nexts else offset + 4000

    def in_code(self, offset: int) -> bool:
        """Whether ``offset`` lies inside a fenced code block."""
        i = bisect.bisect_right(self.code_starts, offset) - 1
        return i >= 0 and offset < self.code_blocks[i].end


def parse(card: Card) -> Doc:
    """Find the headings and fenced code blocks of ``card``'s body."""
    text, base = card.body, card.body_offset
    blocks = tuple(
        CodeBlock(m.group(2).casefold(), m.group(3), base + m.start(), base + m.start(3),
                  base + m.end())
        for m in _FENCE.finditer(text)
    )
    fenced = [(b.start, b.end) for b in blocks]
    heads = [
        (base + m.start(), len(m.group(1)), m.group(2).strip())
        for m in _HEADING.finditer(text)
        if not any(s <= base + m.start() < e for s, e in fenced)
    ]
    sections = []
    for i, (start, level, title) in enumerate(heads):
        end = len(card.text)
        for nstart, nlevel, _ in heads[i + 1 :]:
            if nlevel <= level:
                end = nstart
                break
        sections.append(Section(_plain(title), level, start, end))
    return Doc(tuple(sections), blocks, tuple(s.start for s in sections),
               tuple(b.start for b in blocks))


def _plain(title: str) -> str:
    """Heading text without markdown links, emphasis and images."""
    title = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", title)
    return re.sub(r"[*_`]+", "", title).strip()
