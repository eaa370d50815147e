"""Sentences of a card's text, and the matches of a pattern in its prose.

Shared by the extractors that read training facts (:mod:`lineage.extract.training`,
:mod:`lineage.extract.hardware`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import lru_cache

from lineage.extract.context import Context
from lineage.extract.scan import Scanner

__all__ = ["EVAL_SECTION", "INFERENCE_CONTEXT", "TRAINERS", "TRAIN_CONTEXT", "Sentences",
           "about_evaluation", "prose_positions", "sentences_of"]

# Words of a sentence about training, and of one about running the model.
TRAIN_CONTEXT = re.compile(r"(?i)train|fine-?tun|gpus?|hardware|compute|used|using|accelerat|"
                           r"node|cluster|epoch|hours|days|took|"
                           r"\b(?:dpo|sft|orpo|rlhf)\b|"
                           r"学習|训练|訓練|微调|학습|훈련|파인튜닝|ファインチューニング")
INFERENCE_CONTEXT = re.compile(r"(?i)inference|vram|run (?:it|this|the model) on|"
                               r"fits? (?:on|in|within|into)|requires?|"
                               r"recommended\s+(?:gpus?|hardware|vram|memory|specs?|setup|system)|"
                               r"offload|load(?:ing|ed)? (?:on|in)|tok/s|"
                               r"tokens?/s|llama\.cpp|quanti[sz]ation of|\bto run\b|running|colab|"
                               r"notebook|profil|latency|throughput|tested on|推理|测试|"
                               # serving, a demo, inference, "or better" (a requirement), in
                               # the languages cards are written in
                               r"\bserv(?:ing|ed)\b|推論|추론|서빙|デモ|데모|inferencia|"
                               r"inférence|inferenz|or (?:better|higher|above)|o superior|"
                               r"ou supérieur|oder besser|recomend|recommand|empfohlen")
EVAL_SECTION = re.compile(r"(?i)eval|benchmark|result|leaderboard|performance|score|compar")
# Training frameworks a card may name, in order of precedence: name, pattern (case-insensitive)
# and a word every match of the pattern holds.
TRAINERS: tuple[tuple[str, str, str], ...] = (
    ("axolotl", r"axolotl", "axolotl"), ("unsloth", r"unsloth", "unsloth"),
    ("llama-factory", r"llama[-_ ]?factory", "factory"),
    # A hyperparameter list's "- `deepspeed`: None" says DeepSpeed was not used.
    ("trl", r"\btrl\b|huggingface/trl", "trl"),
    ("deepspeed", r"deepspeed(?![`'\"]?[ \t]*[:=][ \t]*(?:none|null|false)\b)", "deepspeed"),
    ("torchtune", r"torchtune", "torchtune"), ("nemo", r"\bnemo\b", "nemo"),
    ("megatron-lm", r"megatron", "megatron"))


@lru_cache(maxsize=4096)
def about_evaluation(title: str) -> bool:
    """Tell whether a section title is about evaluation (titles recur: remembered)."""
    return EVAL_SECTION.search(title) is not None


def prose_positions(ctx: Context, pattern: Scanner) -> Iterator[re.Match[str]]:
    """Return the body matches of ``pattern`` outside sections about evaluation.

    A section is about evaluation by its title or by the title of a section holding it
    ("## Performance" then "### Characters per Second"), unless its own title speaks of
    training ("## Other benchmarks" then "### Training Infrastructure"); a card's own title
    (a first-level heading: "# A High-Performance Chat Model") says nothing of its sections.
    """
    sections_at = ctx.doc.sections_at
    for m in ctx.body_matches(pattern):
        path = sections_at(m.start())
        if not path or (not about_evaluation(path[-1].title) and (
                _about_training(path[-1].title)
                or not any(about_evaluation(s.title) for s in path[:-1] if s.level > 1))):
            yield m


_TRAINING_TITLE = re.compile(r"(?i)train|fine-?tun|hardware|infrastructure|compute")


@lru_cache(maxsize=4096)
def _about_training(title: str) -> bool:
    """Tell whether a section title speaks of training (titles recur: remembered)."""
    return _TRAINING_TITLE.search(title) is not None


class Sentences:
    """The sentences of a card's text, and pattern searches within them.

    The sentence at an offset runs from the last line break or ". " before it to the end
    of its line. Searches are remembered per pattern and sentence end, so that many matches
    on one long line do not each read the line again: offsets met in increasing order cost
    linear time in all.
    """

    def __init__(self, text: str):
        self.text = text
        self._breaks = [m.start() for m in re.finditer("\n", text)]
        self._stops = [m.start() for m in re.finditer(r"\. ", text)]
        self._found: dict[tuple[object, int, int], tuple[int, re.Match[str] | None]] = {}

    def line(self, pos: int) -> tuple[int, int]:
        """Start and end offsets of the line holding ``pos``."""
        i = bisect.bisect_left(self._breaks, pos)
        end = self._breaks[i] if i < len(self._breaks) else len(self.text)
        return (self._breaks[i - 1] + 1 if i else 0), end

    def span(self, pos: int) -> tuple[int, int]:
        """Start and end offsets of the sentence at ``pos``."""
        line_start, end = self.line(pos)
        j = bisect.bisect_left(self._stops, pos - 1)  # a ". " that ends at or before pos
        return (max(line_start, self._stops[j - 1] + 1) if j else line_start), end

    def search(self, pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
        """``pattern.search`` in the sentence at ``pos``."""
        start, end = self.span(pos)
        return self._search(pattern, start, end, 0)

    def search_to_stop(self, pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
        """``pattern.search`` in the sentence at ``pos``, up to its first ". " after ``pos``.

        The words of the next sentence on the line ("... on 4 cards. Details could be
        found ...") are not this one's.
        """
        start, end = self.span(pos)
        j = bisect.bisect_left(self._stops, pos)
        if j < len(self._stops) and self._stops[j] < end:
            end = self._stops[j]
        return self._search(pattern, start, end, 2)

    def at_line_start(self, pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
        """``pattern.match`` at the start of the line holding ``pos``, within the line."""
        start, end = self.line(pos)
        key = (pattern, start, 1)
        if key not in self._found:
            self._found[key] = (start, pattern.match(self.text, start, end))
        return self._found[key][1]

    def _search(self, pattern: re.Pattern[str], start: int, end: int,
                kind: int) -> re.Match[str] | None:
        # Sentences ending at the same place share their tail: a match found from an earlier
        # start is the first one from any later start up to it, and no match is no match.
        key = (pattern, end, kind)
        known = self._found.get(key)
        if known is not None and known[0] <= start and (known[1] is None or
                                                        known[1].start() >= start):
            return known[1]
        found = pattern.search(self.text, start, end)
        self._found[key] = (start, found)
        return found


@lru_cache(maxsize=4)
def sentences_of(text: str) -> Sentences:
    """Return the :class:`Sentences` of ``text``, one per card for every reader.

    Their searches are remembered, so the readers of one card (hardware, settings,
    datasets) share both the sentence index and what was already found.
    """
    return Sentences(text)
