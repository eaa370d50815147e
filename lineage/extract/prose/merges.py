"""The inputs and method of a merge as its prose states them.

Merge sentences ("a TIES merger of A and B with C being the Base model"), mergekit's
template ("merged using the TIES merge method using [X](...) as a base"), merge verbs with
links ("SLERP merge [X](...) (base) and [Y](...)"), recipe lines ("merge of A @0.5 and B =
ThisModel"), a model merged in afterwards (:data:`MERGED_INTO`), and a component swapped in
("It's [X] model, just the text encoder is replaced with [Y]").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lineage.extract.context import Context
from lineage.extract.prose.shared import AND_LINK, FIRST_LINK, LINKISH, link_ref
from lineage.extract.scan import Gated
from lineage.facts import Fact, MergeRecipe, Method, ModelRef, Parent, Relation, Role
from lineage.ids import id_key

__all__ = ["MERGED_INTO", "MERGE_METHODS", "component_swap", "merge_sentences"]

MERGE_METHODS = {
    "ties": "ties", "dare ties": "dare_ties", "dare_ties": "dare_ties", "dare": "dare_ties",
    "dare linear": "dare_linear", "dare_linear": "dare_linear", "slerp": "slerp",
    "nuslerp": "nuslerp", "linear": "linear", "passthrough": "passthrough",
    "task arithmetic": "task_arithmetic", "task_arithmetic": "task_arithmetic",
    "model stock": "model_stock", "model_stock": "model_stock", "della": "della",
    "della linear": "della_linear", "breadcrumbs": "breadcrumbs", "sce": "sce",
    "karcher": "karcher", "nearswap": "nearswap", "arcee fusion": "arcee_fusion",
    "moe": "moe", "frankenmerge": "passthrough",
}
# Linear: the (at most two) words before "merge" are at most 100 characters each, as every
# word boundary inside a long hyphenated word starts a match; the listed models end after a
# non-blank, or at their third character (a blank run is not tried again at each blank).
_MERGE_SENTENCE = Gated(re.compile(
    r"(?i)\b(?:an?\s+)?(?:([\w-]{1,100}(?:\s+[\w-]{1,100})?)\s+)?(?:(?:merger|merge)\s+of|"
    r"models\s+(?:used|included)\s+in\s+the\s+merge\s+(?:are|were)|"
    r"merged\s+(?:models|from)(?:\s*(?:are|were|:))?)\s+"
    r"(.{3}|.{4,400}?(?<!\s))(?:\s+with\s+(.{2,120}?)\s+(?:being|as)\s+the\s+base(?:\s+model)?)?"
    r"\s*(?:\.(?=\s|$)|\n|$)"
), "merge")
# Linear: the leading marks are taken whole; the inputs end after a non-blank (or at their
# first character); and a trailing "(...)" is tried only when the line ends with ")" (group
# 2), which is read once, not after every "=" of a long line.
_RECIPE_LINE = Gated(re.compile(
    r"(?im)^[ \t>*-]*(?![ \t>*-])(?:([\w-]+(?:[ \t]+[\w-]+)?)[ \t]+)?merge[ \t]+of[ \t]+"
    r"(?:(?=.*(\))[ \t]*$)|)(.|..+?(?<![ \t]))[ \t]*(?:=|=>|->)[ \t]*"
    r"[*_`]*([\w./-]+)(?:[*`][*_`]*)?(?(2)(?:[ \t]*\(.*\))?)[ \t]*$"
), "merge")
_AT_WEIGHT = re.compile(r"(?:(?<!\s)\s+)?@\s*([-+]?(?:\d*\.\d+|\d+))\s*$")
# "I then merged [X](...) into the resultant blend": a step after the configuration.
MERGED_INTO = Gated(re.compile(
    r"(?i)\bmerged\s+(" + LINKISH + r")\s+(?:into|on top of)\b"),
    "merged", starts=("merged",))
_TEMPLATE_METHOD = Gated(re.compile(
    r"(?i)merged using the\s+\[?([\w\s-]{2,30}?)\]?(?:\([^)]{0,2000}\))?\s+merge method"
    r"(?:\s+using\s+(" + LINKISH + r"|[\w./-]+)\s+as\s+a\s+base)?"
), "merged using the", starts=("merged using the",))


def _names(text: str) -> list[str]:
    # A separator with blanks before it starts at the first blank (not again at each).
    parts = re.split(r",\s*(?:and\s+)?|(?<!\s)\s+and\s+|(?:(?<!\s)\s+)?[&+]\s*", text)
    return [p.strip(" *_`'\"") for p in parts if p.strip(" *_`'\"")]


def _usable(ref: ModelRef) -> bool:
    """Tell whether a name from free prose is trusted: it resolved or looks like a model id."""
    if ref.id is not None:
        return True
    name = ref.name
    return len(name) <= 96 and "-" in name and bool(re.fullmatch(r"[\w.-]*\d[\w.-]*", name))


# A component swapped into a model: "It's [X](...) model, just the text encoder and
# tokenizer are replaced with my [Y](...)" (X's weights with Y's part: a merge of both).
_COMPONENT_SWAP = Gated(re.compile(
    r"(?i)\b(?:it's|it\s+is|this\s+is)\s+(" + LINKISH + r")(?:\s+model)?[,;]?\s+"
    r"(?:just\s+|but\s+|with\s+)?(?:its\s+|the\s+)?(?:text[ -]encoder|vae|tokeni[sz]er|unet|"
    r"(?:image|vision)[ -]encoder)(?:\s+and\s+(?:its\s+|the\s+)?(?:text[ -]encoder|vae|"
    r"tokeni[sz]er|unet))?\s+(?:(?:are|is|were|was)\s+)?(?:replaced|swapped)\s+(?:with|by|for)\s+"
    r"(?:my\s+|the\s+|an?\s+)?(" + LINKISH + ")"), "replaced", "swapped")


def component_swap(ctx: Context) -> Iterator[Fact]:
    """Read a model whose component (text encoder, VAE) is another model's: a merge of both."""
    for m in ctx.body_matches(_COMPONENT_SWAP):
        base, part = link_ref(ctx, m.group(1)), link_ref(ctx, m.group(2))
        if base is None or part is None:
            continue
        ev = ctx.evidence(Method.PROSE, m.start(), m.end(), 0.75)
        yield Parent(base, Relation.MERGE, ev, role=Role.BASE)
        yield Parent(part, Relation.MERGE, ev, role=Role.SOURCE)


# "to SLERP merge [X](...) (base) and [Y](...)": a merge verb, then linked inputs joined by
# "and" or commas (two at least); "(base)" after one marks the merge's base.
_MERGE_LINKS = Gated(re.compile(
    r"(?i)\b(?:(slerp|nuslerp|ties|dare[ _]ties|dare|linear|task[ _]arithmetic|model[ _]stock|"
    r"della|karcher|breadcrumbs)[ \t-]+)?merg(?:e|ed|ing)[ \t]+(?:of[ \t]+)?(?:the[ \t]+)?"
    r"[*_]{0,2}(" + LINKISH + r")"), "merg",
    starts=("slerp", "nuslerp", "ties", "dare", "linear", "task", "model", "della", "karcher",
            "breadcrumbs", "merg"))
_BASE_MARK = re.compile(r"[*_]{0,2}[ \t]*\((?:the[ \t]+)?base(?:[ \t]+model)?\)")


def _merge_links(ctx: Context) -> Iterator[Fact]:
    """Merge inputs linked after a merge verb, two at least ("SLERP merge [X] and [Y]")."""
    text = ctx.card.text
    for m in ctx.body_matches(_MERGE_LINKS):
        inputs: list[tuple[ModelRef, int, int, bool]] = []
        ref, end = link_ref(ctx, m.group(2)), m.end()
        while ref is not None:
            base = _BASE_MARK.match(text, end)
            end = base.end() if base is not None else end
            inputs.append((ref, m.start(), end, base is not None))
            more = AND_LINK.match(text, end)
            if more is None:
                break
            ref, end = link_ref(ctx, more.group(1)), more.end()
        if len(inputs) < 2 or any(ctx.is_own(r.id) for r, *_ in inputs):
            continue
        method = MERGE_METHODS.get((m.group(1) or "").casefold().replace("_", " "))
        for ref, start, stop, is_base in inputs:
            yield Parent(ref, Relation.MERGE, ctx.evidence(Method.PROSE, start, stop, 0.8),
                         role=Role.BASE if is_base else Role.SOURCE, method=method)
        if method is not None:
            yield MergeRecipe(method, next((r for r, *_, b in inputs if b), None), None, (),
                              ctx.evidence(Method.PROSE, m.start(), inputs[-1][2], 0.8))
        return


def merge_sentences(ctx: Context) -> Iterator[Fact]:
    """Yield a merge's inputs and method as sentences, templates and recipe lines state them."""
    yield from _merge_links(ctx)
    for m in ctx.body_matches(_TEMPLATE_METHOD):
        method = MERGE_METHODS.get(m.group(1).strip().casefold())
        base = None
        if m.group(2):
            base = link_ref(ctx, m.group(2)) or ctx.resolve(m.group(2))
        ev = ctx.evidence(Method.PROSE, m.start(), m.end(), 0.85)
        if base is not None:
            yield Parent(base, Relation.MERGE, ev, role=Role.BASE, method=method)
        yield MergeRecipe(method, base, None, (), ev)
    for m in ctx.body_matches(_MERGE_SENTENCE):
        method = _method(m.group(1))
        sources = [_part_ref(ctx, n) for n in _names(m.group(2))]
        base = _part_ref(ctx, m.group(3).strip(" *_`")) if m.group(3) else None
        sources = [s for s in sources if _usable(s)]
        if len(sources) + (base is not None) < 2 and method is None:
            continue
        ev = ctx.evidence(Method.PROSE, m.start(), m.end(), 0.8)
        for ref in sources:
            yield Parent(ref, Relation.MERGE, ev, role=Role.SOURCE, method=method)
        if base is not None and _usable(base):
            yield Parent(base, Relation.MERGE, ev, role=Role.BASE, method=method)
        if method is not None:
            yield MergeRecipe(method, base, None, (), ev)
    yield from _recipe_lines(ctx)
    for m in ctx.body_matches(MERGED_INTO):
        merged = link_ref(ctx, m.group(1))
        if merged is not None:
            yield Parent(merged, Relation.MERGE,
                         ctx.evidence(Method.PROSE, m.start(), m.end(), 0.8), role=Role.SOURCE)


def _method(words: str | None) -> str | None:
    """Return the merge method named by the words before "merge" ("Gradient SLERP", "TIES")."""
    if not words:
        return None
    text = words.strip().casefold()
    return MERGE_METHODS.get(text) or MERGE_METHODS.get(text.split()[-1])


def _part_ref(ctx: Context, part: str) -> ModelRef:
    """Resolve a merge input named in prose.

    The input is a link, a Hub id, or a name the card's links resolve.
    """
    link = FIRST_LINK.search(part)
    if link is not None:
        ref = link_ref(ctx, link.group(0))
        if ref is not None:
            return ref
    return ctx.resolve(_AT_WEIGHT.sub("", part).strip(" *_`'\""))


def _recipe_lines(ctx: Context) -> Iterator[Fact]:
    """Read the recipe line that made the card's own model.

    A line like "Gradient SLERP merge of A @0.5 and B @0.5 = ThisModel"; other steps make
    intermediates, whose inputs are grandparents.
    """
    if ctx.own_id is None:
        return
    own = id_key(ctx.own_id.rsplit("/", 1)[-1])
    for m in ctx.body_matches(_RECIPE_LINE):
        if id_key(m.group(4).rsplit("/", 1)[-1]) != own:
            continue
        method = _method(m.group(1))
        ev = ctx.evidence(Method.MERGEKIT, m.start(), m.end(), 0.85)
        for part in _names(m.group(3)):
            weight = _AT_WEIGHT.search(part)
            ref = _part_ref(ctx, part)
            yield Parent(ref, Relation.MERGE, ev, role=Role.SOURCE, method=method,
                         weight=float(weight.group(1)) if weight else None)
        yield MergeRecipe(method, None, None, (), ev)
