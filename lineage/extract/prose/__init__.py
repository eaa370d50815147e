"""Lineage stated in the prose of a card.

Recognised forms (each a general card style, never one card):

- a derivation verb followed by a model link: "fine-tuned on top of [X](...)",
  "a fine-tuned version of [X](...) on the Y dataset", "based on [X](...)";
- labelled lines and the lists under them: "Base model:", "Original model:",
  "Finetuned from model:", "Parent model:", "Merged models:", "Models Merged";
- merge sentences: "a TIES merger of A and B with C being the Base model",
  mergekit's "merged using the TIES merge method using [X](...) as a base";
- quantized repacks: "GGUF format model files for [X](...)";
- quantized children: links to repos named after the card's model plus a quantization
  marker (``..._q8_0_gguf``, ``...-AWQ``);
- parents named without a link, read only when nothing else names one: a legacy id or its
  display name ("fine-tuned from BERT base multilingual cased"), "based on X-7B", Chinese,
  Japanese and Korean derivation wording, a converted checkpoint ("X model converted by
  [a script]"), versions of X for another framework, "X was used as an initialization",
  a distilled student's teacher, "this was made with X 1.4", a title "# X (variant)
  fine-tuned on ...", "is an X fine-tuned model";
- other styles: "Fork of [X]", "Base model is [X](...)" mid-line, a "Models used:" list in a
  merge card, a model zoo table's row for the card's own model ("fine-tuning from X"), and
  a component swapped in ("It's [X] model, just the text encoder is replaced with [Y]"),
  and, when nothing else names a parent, the one model the card's training code tunes
  (:mod:`lineage.extract.training_code`).

Placeholders and sentence fragments caught by these forms ("based on Following 6 epochs",
"using path/to/model as a base") are left out with a warning
(:func:`~lineage.extract.context.screen`).

Each kind of form has a module of its own: :mod:`.verbs`, :mod:`.labelled`, :mod:`.merges`,
:mod:`.repacks`, :mod:`.bare_ids`, :mod:`.names` and :mod:`.elsewhere`, over what they share
(:mod:`.shared`); :func:`extract_prose` runs them in order.
"""

from __future__ import annotations

from lineage.extract.context import Context, screen
from lineage.extract.prose.bare_ids import HUB_ID_SENTENCES, LEGACY_ALTERNATION, code_arguments
from lineage.extract.prose.elsewhere import named_elsewhere
from lineage.extract.prose.labelled import base_is, labels, table_labels, zoo_row
from lineage.extract.prose.merges import (
    MERGE_METHODS,
    MERGED_INTO,
    component_swap,
    merge_sentences,
)
from lineage.extract.prose.names import legacy_parent, unlinked
from lineage.extract.prose.repacks import (
    QUANT_MARKER,
    lora_extraction,
    named_original,
    quant_children,
    quant_of,
    quantization_of,
    repack_original,
    strip_quant_markers,
)
from lineage.extract.prose.verbs import trainer_dataset, verb_links
from lineage.extract.training_code import training_code_parents
from lineage.facts import Child, Fact, Parent
from lineage.ids import id_key

__all__ = ["LEGACY_ALTERNATION", "MERGED_INTO", "MERGE_METHODS", "QUANT_MARKER", "extract_prose",
           "quantization_of", "strip_quant_markers", "trainer_dataset"]


def extract_prose(ctx: Context) -> tuple[Fact, ...]:
    """Lineage facts from the card's prose."""
    facts: list[Fact] = list(verb_links(ctx))
    # A card known only by a bare name owns every id of that name, but not one a derivation
    # sentence names: "Fork of [org/NAME](...)" in a card titled NAME is its original.
    stated = {id(f) for f in facts}
    facts.extend(labels(ctx))
    facts.extend(merge_sentences(ctx))
    facts.extend(quant_of(ctx))
    facts.extend(repack_original(ctx))
    facts.extend(named_original(ctx))
    facts.extend(lora_extraction(ctx))
    facts.extend(table_labels(ctx))
    # A command's model argument names the base unless a sentence names it already: the
    # card's own words win over a command that may load a sibling ("cased" said, "uncased" run).
    if not any(isinstance(f, Parent) for f in facts if id(f) in stated):
        facts.extend(code_arguments(ctx))
    for style in HUB_ID_SENTENCES:
        facts.extend(style.parent(ctx))
    facts.extend(base_is(ctx))
    facts.extend(component_swap(ctx))
    if not any(isinstance(f, Parent) for f in facts):
        facts.extend(zoo_row(ctx))
    if not any(isinstance(f, Parent) for f in facts):
        facts.extend(legacy_parent(ctx) or list(unlinked(ctx)) or named_elsewhere(ctx)
                     or training_code_parents(ctx))
    facts.extend(quant_children(ctx, {id_key(f.ref.id) for f in facts
                                      if isinstance(f, Parent) and f.ref.id}))
    return tuple(screen(f for f in facts if not (
        isinstance(f, Parent | Child) and ctx.is_own(f.ref.id)
        and (id(f) not in stated or id_key(f.ref.id or "") in ctx.own_keys))))
