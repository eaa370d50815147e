"""Fenced code blocks: reading only candidate lines finds what reading every line does."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.extract import markdown

_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})")
_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*")
_INFO = re.compile(r"[ \t]*([\w+-]*)")
_COMMENT = re.compile(r"[ \t]{0,3}<!--")


def every_line(text: str) -> Iterator[tuple[str, int, int, int, int]]:
    """The reference: each line tried in turn as a comment or an opening fence."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    ends = [s - 1 for s in starts[1:]] + [len(text)]
    closing: dict[tuple[str, int], list[int]] = {}
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if (m := _CLOSE.fullmatch(text, start, end)) is not None:
            closing.setdefault((m.group(1)[0], len(m.group(1))), []).append(i)
    i = 0
    while i < len(starts) - 1:
        if (c := _COMMENT.match(text, starts[i], ends[i])) is not None and \
                (shut := text.find("-->", c.end())) >= 0:
            i = bisect.bisect_right(starts, shut)
            continue
        m = _OPEN.match(text, starts[i], ends[i])
        close = None
        if m is not None:
            mark, run = m.group(1)[0], len(m.group(1))
            for n in range(run, 2, -1):
                rows = closing.get((mark, n), [])
                if (j := bisect.bisect_right(rows, i)) < len(rows):
                    close = rows[j]
                    break
        if m is None or close is None:
            i += 1
            continue
        info = _INFO.match(text, m.end(), ends[i]) if n == run else None
        yield (info.group(1) if info else ""), starts[i], starts[i + 1], starts[close], ends[close]
        i = close + 1


PIECES = ["```", "````", "~~~", "~~~~", "```python", "   ```", "\t```", "<!--", "-->", "```-->",
          "<!-- x -->", "text", "", "  ~~~ yaml", "``", "# Title", "```` js"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16), st.booleans())
def test_candidate_lines_find_the_blocks_every_line_finds(lines: list[str], newline: bool):
    text = "\n".join(lines) + ("\n" if newline else "")
    assert list(markdown._fences(text)) == list(every_line(text))


def test_a_card_without_fences_or_comments_has_no_blocks():
    assert list(markdown._fences("# Card\nSome prose with `code` and ``two``.\n")) == []
    assert [b[0] for b in markdown._fences("Intro\n```bash\nrun\n```\n")] == ["bash"]
