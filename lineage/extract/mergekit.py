"""mergekit configurations in a card's code blocks: method, base, inputs, weights.

The configuration is foreign YAML, so it is validated with frozen pydantic models that
mirror mergekit's own (``MergeConfiguration``, ``InputModelDefinition``,
``OutputSliceDefinition``, and mergekit-moe's ``experts``), leniently: unknown keys are
kept, odd values become warnings, never errors. Model names are resolved against the
card's links (a config often says ``MixtralOrochi8x7B`` where the card links
``smelborp/MixtralOrochi8x7B``); a local path (``/home/u/models/org_name-7b``) resolves
by its last part against the ids the card names, there or in the configuration, and
otherwise stays unresolved with the path as label. Placeholders (``path/to/model``) are
left out with a warning. A card with several configurations (a multi-stage merge) is
described by the last one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from lineage.cards import load_yaml
from lineage.errors import CardError
from lineage.extract.context import Context, screen
from lineage.extract.markdown import CodeBlock
from lineage.extract.scan import first_occurrences
from lineage.facts import (
    Evidence,
    Fact,
    MergeRecipe,
    Method,
    ModelRef,
    Parent,
    Relation,
    Role,
    Warning,
)
from lineage.ids import is_repo_id

__all__ = ["MergeConfig", "extract_mergekit", "find_configs"]

_MARKERS = ("merge_method", "slices", "experts", "gate_mode")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


def _model_name(value: Any) -> Any:
    """Return the model name of a mergekit entry as text (``None`` when there is none).

    mergekit accepts ``{"model": {"path": ...}}`` and ``"org/model@rev+lora"``.
    """
    if isinstance(value, dict):
        value = value.get("model", value.get("path"))
        if isinstance(value, dict):
            value = value.get("path")
    return None if value is None else str(value)


class InputModel(_Frozen):
    """One entry of ``models:`` or of a slice's ``sources:``."""

    model: str | None = None
    parameters: dict[str, Any] | None = None
    layer_range: list[Any] | None = None

    _name = field_validator("model", mode="before")(_model_name)


class Slice(_Frozen):
    """One entry of ``slices:``."""

    sources: list[InputModel] = []


class Expert(_Frozen):
    """One entry of mergekit-moe's ``experts:``."""

    source_model: str | None = None

    _name = field_validator("source_model", mode="before")(_model_name)


class MergeConfig(_Frozen):
    """A mergekit (or mergekit-moe) configuration."""

    merge_method: str | None = None
    base_model: str | None = None
    models: list[InputModel] = []
    slices: list[Slice] = []
    experts: list[Expert] = []
    gate_mode: str | None = None
    parameters: dict[str, Any] | None = None
    dtype: str | None = None

    _name = field_validator("base_model", mode="before")(_model_name)

    @property
    def method(self) -> str | None:
        """Merge method, lower case; ``moe`` for mergekit-moe configs."""
        if self.merge_method:
            return str(self.merge_method).strip().casefold()
        return "moe" if self.experts or self.gate_mode else None


def _parse_config(ctx: Context, text: str, offset: int) -> MergeConfig | None:
    """Parse a mergekit configuration from YAML text, or return None."""
    try:
        data = load_yaml(text, source=ctx.card.source, line=ctx.card.line_of(offset))
    except CardError:
        return None
    if not isinstance(data, dict) or not any(k in data for k in _MARKERS):
        return None
    try:
        return MergeConfig.model_validate(data)
    except ValidationError:
        return None


def find_configs(ctx: Context) -> list[tuple[CodeBlock, MergeConfig]]:
    """Mergekit configurations of the card, in order.

    A fenced block may hold notes before the YAML ("A + lora => p1" lines): the config is
    then read from its first top-level mergekit key. Without any fenced configuration, a
    recipe written as plain text ("merge_method: ties" followed by "- model: X" and
    "weight: 0.7 / density: 0.5" lines) is read line by line.
    """
    found = []
    for block in ctx.doc.code_blocks:
        if block.info not in ("", "yaml", "yml") or not any(k in block.content for k in _MARKERS):
            continue
        # One block may hold several stages as YAML documents separated by "---".
        offset = block.content_start
        for part in _DOCUMENT_SEPARATOR.split(block.content):
            config = _parse_config(ctx, part, offset)
            if config is None:
                start = _CONFIG_START.search(part)
                if start is not None and start.start() > 0:
                    config = _parse_config(ctx, part[start.start():], offset + start.start())
            if config is not None:
                found.append((block, config))
            offset += len(part) + 4
    if not found:
        found.extend(_loose_recipes(ctx))
    return found


_DOCUMENT_SEPARATOR = re.compile(r"(?m)^---[ \t]*$")
_CONFIG_START = re.compile(r"(?m)^(?:merge_method|models|slices|base_model|experts|gate_mode)\s*:")
_LOOSE_METHOD = re.compile(r"(?m)^[ \t>*-]*merge_method\s*:\s*([\w-]+)\s*$")
_LOOSE_MODEL = re.compile(r"^[ \t>*-]*(base_model|model|source_model)\s*:\s*[\"']?([^\s\"'#]+)")
_LOOSE_PARAM = re.compile(r"\b(weight|density|t)\s*[:=]\s*([-+]?\d*\.?\d+)")


def _loose_recipes(ctx: Context) -> list[tuple[CodeBlock, MergeConfig]]:
    """Recipes written as plain markdown text rather than a fenced YAML block."""
    text = ctx.card.text
    found = []
    configs: dict[tuple[Any, ...], MergeConfig] = {}
    for m in ctx.body_matches(_LOOSE_METHOD):
        end = ctx.doc.section_end(m.start())
        models: list[dict[str, Any]] = []
        base = None
        lines, end = _first_lines(text, m.end(), end, 80)  # the block ends with them
        for line in lines:
            model = _LOOSE_MODEL.match(line)
            if model is not None:
                if model.group(1) == "base_model":
                    base = model.group(2)
                else:
                    models.append({"model": model.group(2), "parameters": {}})
                continue
            if models:
                models[-1]["parameters"].update(
                    {k: float(v) for k, v in _LOOSE_PARAM.findall(line)})
        if models or base:
            # Recipes close together read the same lines: one validation per distinct recipe.
            key = (m.group(1), base, tuple((d["model"], *d["parameters"].items()) for d in models))
            if key not in configs:
                configs[key] = MergeConfig.model_validate(
                    {"merge_method": m.group(1), "base_model": base, "models": models})
            block = CodeBlock("", text[m.start():end], m.start(), m.start(), end)
            found.append((block, configs[key]))
    return found


# Where str.splitlines() breaks a line.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _first_lines(text: str, start: int, end: int, count: int) -> tuple[list[str], int]:
    """Return ``text[start:end].splitlines()[:count]`` and where they end.

    Only those lines are split: a section holding many recipes is not split again for each.
    """
    stop = start
    for _ in range(count):
        brk = _LINE_BREAK.search(text, stop, end)
        if brk is None:
            stop = end
            break
        stop = brk.end()
    return text[start:stop].splitlines()[:count], stop


def _number(value: Any) -> float | tuple[float, ...] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list) and value and all(isinstance(v, int | float) and
                                                 not isinstance(v, bool) for v in value):
        return tuple(float(v) for v in value)
    return None


def _not_finite(value: Any) -> bool:
    """Tell whether a parameter is NaN or an infinity (the YAML loader keeps those as text)."""
    if isinstance(value, list):
        return any(_not_finite(v) for v in value)
    text = str(value).strip().casefold().lstrip("+-.")
    return isinstance(value, float | str) and text in ("nan", "inf", "infinity")


def _line_of_name(ctx: Context, block: CodeBlock, name: str,
                  found: dict[str, int] | None = None) -> int:
    """Line of the first ``name`` in the block (from ``found`` when it was looked up)."""
    pos = found.get(name, -1) if found is not None else \
        ctx.card.text.find(name, block.content_start, block.end)
    return ctx.card.line_of(pos if pos >= 0 else block.content_start)


def extract_mergekit(ctx: Context) -> tuple[Fact, ...]:
    """Merge facts from the last mergekit configuration in the card."""
    configs = find_configs(ctx)
    if not configs:
        return ()
    return tuple(screen(_facts(ctx, *configs[-1], stages=len(configs))))


# The input models by key: ref, name as written, parameters.
_Inputs = dict[str, tuple[ModelRef, str, dict[str, Any]]]


def _facts(ctx: Context, block: CodeBlock, config: MergeConfig, *, stages: int) -> Iterator[Fact]:
    """Facts of the configuration that made the model: its inputs and its recipe."""
    if stages > 1:
        yield Warning(f"{stages} mergekit configurations; the last one is taken as the merge "
                      "that made this model", ctx.card.line_of(block.start))
    entries = [*config.models, *(source for sl in config.slices for source in sl.sources)]
    also = _named_ids(config, entries)
    base_ref = ctx.resolve(config.base_model.split("+")[0], also=also) if config.base_model \
        else None
    inputs = _inputs(ctx, config, entries, also)
    names = [written for _, written, _ in inputs.values()]
    if base_ref is not None:
        names.append(config.base_model or base_ref.name)
    yield from _parents(config, inputs, base_ref, _evidence_of_names(ctx, block, names))
    yield _recipe(ctx, block, config, base_ref)


def _named_ids(config: MergeConfig, entries: list[InputModel]) -> tuple[str, ...]:
    """Return the Hub ids the configuration names: they resolve its local paths too."""
    named = [config.base_model or "", *(e.model or "" for e in entries),
             *(e.source_model or "" for e in config.experts)]
    also = tuple(n.split("+")[0].split("@")[0].strip() for n in named)
    return tuple(n for n in also if is_repo_id(n, require_org=True))


def _inputs(ctx: Context, config: MergeConfig, entries: list[InputModel],
            also: tuple[str, ...]) -> _Inputs:
    """Return the input models by key: ref, name as written, parameters.

    A model listed again (once per slice) keeps the first parameters given; experts come
    after the models.
    """
    inputs: _Inputs = {}
    for entry in entries:
        if not entry.model:
            continue
        name = entry.model.split("+")[0].split("@")[0]
        ref = ctx.resolve(name, also=also)
        key = (ref.id or ref.name).casefold()
        if key not in inputs or (entry.parameters and not inputs[key][2]):
            inputs[key] = (ref, entry.model, dict(entry.parameters or {}))
    for expert in config.experts:
        if expert.source_model:
            ref = ctx.resolve(expert.source_model, also=also)
            inputs.setdefault((ref.id or ref.name).casefold(), (ref, expert.source_model, {}))
    return inputs


def _evidence_of_names(ctx: Context, block: CodeBlock,
                       names: list[str]) -> Callable[[str], Evidence]:
    """Return the evidence of a name the block holds: its first line there."""
    lines = ctx.card.text.splitlines()  # once, not for every input
    found = first_occurrences(ctx.card.text, names, block.content_start, block.end)

    def evidence(name: str) -> Evidence:
        line = _line_of_name(ctx, block, name, found)
        snippet = " ".join(lines[line - 1].split()) if line else name
        return Evidence(Method.MERGEKIT, snippet[:160], line, 0.95)

    return evidence


def _parents(config: MergeConfig, inputs: _Inputs, base_ref: ModelRef | None,
             ev: Callable[[str], Evidence]) -> Iterator[Fact]:
    """Yield a parent for each input and for a base model that is no input, in that order.

    A weight or density that is not a finite number is left out with a warning.
    """
    method = config.method
    base_key = (base_ref.id or base_ref.name).casefold() if base_ref else None
    for key, (ref, written, params) in inputs.items():
        role = Role.BASE if key == base_key else Role.SOURCE
        for name in ("weight", "density"):
            if _not_finite(params.get(name)):
                yield Warning(f"{name} {params[name]} of {written} is not a finite number; "
                              "left out", ev(written).line)
        yield Parent(ref, Relation.MERGE, ev(written), role=role, method=method,
                     weight=_number(params.get("weight")), density=_number(params.get("density")))
    if base_ref is not None and base_key not in inputs:
        yield Parent(base_ref, Relation.MERGE, ev(config.base_model or base_ref.name),
                     role=Role.BASE, method=method)


def _recipe(ctx: Context, block: CodeBlock, config: MergeConfig,
            base_ref: ModelRef | None) -> MergeRecipe:
    """Return the merge recipe: method, base, dtype and the global parameters."""
    recipe_params = tuple(sorted((str(k), json.dumps(v, sort_keys=True, default=str))
                                 for k, v in (config.parameters or {}).items()))
    if config.gate_mode:
        recipe_params += (("gate_mode", json.dumps(config.gate_mode)),)
    first = ctx.card.line_of(block.content_start)
    return MergeRecipe(config.method, base_ref, config.dtype, recipe_params,
                       Evidence(Method.MERGEKIT, f"merge_method: {config.method}", first, 0.95))
