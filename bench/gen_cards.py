"""Synthetic model-card corpus of realistic shape, for build benchmarks.

Writes ``DIR/{org}/{name}/README.md`` for N models forming heavy-tailed family trees: a
few base models (with heavy-tailed popularity) collect thousands of descendants through
preferential attachment; fine-tunes, merges of 2 to 4 parents (with a mergekit
configuration block), quantized repacks (GGUF, AWQ, GPTQ) and PEFT adapters hang below
them, at most 12 generations deep. About a fifth of the cards carry a ``model-index``;
prose mentions the parent ("fine-tuned on top of [X](...)"), hardware, epochs, learning
rate, dataset links and a leaderboard table. Cards are 1 to 10 KB (log-uniform), padded
with plausible sections. Same arguments, same bytes.

    python bench/gen_cards.py -n 10000 -o DIR [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

MAX_DEPTH = 12
HF = "https://huggingface.co"

SYLLABLES = ["lu", "ma", "ri", "so", "ka", "ve", "no", "ta", "xi", "qu", "zen", "por", "bel",
             "dra", "fi", "gor", "hel", "ix", "jo", "kel", "mir", "nox", "or", "pyr", "sal",
             "tor", "ul", "vor", "wyn", "yel"]
SIZES = ["0.5B", "1.5B", "3B", "7B", "8B", "13B", "14B", "32B", "70B"]
SUFFIXES = ["Instruct", "Chat", "Coder", "Math", "RP", "Medical", "Law", "DPO", "ORPO", "SFT",
            "Uncensored", "abliterated", "Hermes", "Writer", "Storyteller", "Reasoner", "Tool",
            "Vision", "Turbo", "Lite", "Pro", "Fusion", "Nova", "Sage", "Spark", "Bio", "Fin"]
LICENSES = ["apache-2.0"] * 6 + ["mit"] * 3 + ["cc-by-nc-4.0"] * 2 + [
    "llama3", "llama3.1", "gemma", "other", "cc-by-4.0", "openrail", "gpl-3.0"]
TAGS = ["chat", "code", "math", "roleplay", "medical", "multilingual", "instruct", "rlhf",
        "conversational", "text-generation-inference", "trl", "sft", "dpo", "unsloth",
        "axolotl", "reasoning", "storywriting", "function-calling"]
LANGS = ["en", "fr", "de", "es", "zh", "ja", "ko", "ru", "it", "pt", "ar", "hi"]
ACCELERATORS = ["NVIDIA H100 80GB", "NVIDIA A100 80GB", "NVIDIA A100 40GB", "NVIDIA RTX 4090",
                "NVIDIA L40S", "NVIDIA A6000", "AMD MI300X", "NVIDIA H200", "TPU v4"]
COUNTS = [1, 1, 2, 4, 8, 8, 16, 32, 64]
QUANTS = [("Q2_K", 0.35), ("Q3_K_M", 0.46), ("Q4_K_M", 0.6), ("Q5_K_M", 0.71), ("Q6_K", 0.82),
          ("Q8_0", 1.06), ("IQ4_XS", 0.55), ("f16", 2.0)]
BENCHMARKS = [  # name, dataset, config, split, shots, metric type, metric name
    ("AI2 Reasoning Challenge (25-Shot)", "ai2_arc", "ARC-Challenge", "test", 25, "acc_norm",
     "normalized accuracy"),
    ("HellaSwag (10-Shot)", "hellaswag", None, "validation", 10, "acc_norm",
     "normalized accuracy"),
    ("MMLU (5-Shot)", "cais/mmlu", "all", "test", 5, "acc", "accuracy"),
    ("TruthfulQA (0-shot)", "truthful_qa", "multiple_choice", "validation", 0, "mc2", "mc2"),
    ("Winogrande (5-shot)", "winogrande", "winogrande_xl", "validation", 5, "acc", "accuracy"),
    ("GSM8k (5-shot)", "gsm8k", "main", "test", 5, "acc", "accuracy"),
    ("IFEval (0-Shot)", "HuggingFaceH4/ifeval", None, "train", 0, "inst_level_strict_acc",
     "strict accuracy"),
    ("BBH (3-Shot)", "BBH", None, "test", 3, "acc_norm", "normalized accuracy"),
]
METHODS = ["ties", "dare_ties", "slerp", "linear", "task_arithmetic", "della", "model_stock"]

FILLER = [
    "The model may produce inaccurate or biased content; verify important facts independently.",
    "It inherits the limitations of its base model and of the data it was trained on.",
    "Outputs were spot-checked by hand on a few hundred prompts covering coding, "
    "summarisation, open-ended questions and multi-turn chat.",
    "We did not run a formal red-teaming exercise; do not deploy it without your own "
    "safety evaluation.",
    "The chat template is embedded in the tokenizer configuration, so "
    "`tokenizer.apply_chat_template` produces the right prompt.",
    "Long contexts beyond the training length degrade quickly; keep prompts under 8k tokens.",
    "Thanks to the open-source community for the tools and datasets that made this possible.",
    "Feedback and bug reports are welcome in the Community tab of this repository.",
    "Sampling with temperature 0.7 and top_p 0.9 gives a good balance of variety and focus.",
    "The tokenizer is unchanged from the original model; no tokens were added.",
    "Evaluation numbers below were produced with lm-evaluation-harness and may differ from "
    "the leaderboard by a point or two.",
    "This is an experimental release: expect rough edges and breaking changes in later "
    "versions.",
    "System prompts are respected but not required; the model behaves sensibly without one.",
    "Quantized versions lose a little accuracy, most visibly on arithmetic and code.",
]
PAD_TITLES = ["Intended uses & limitations", "Bias, Risks, and Limitations", "Usage tips",
              "Acknowledgements", "Out-of-Scope Use", "Environmental Impact", "Changelog",
              "Model Card Contact", "Recommendations", "Technical Specifications"]


@dataclass(slots=True)
class Model:
    """One synthetic model: its place in the tree and what its card says."""

    idx: int
    org: str
    name: str
    kind: str
    parents: list[int]
    depth: int
    root: int
    size: str
    license: str
    children: list[int] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def rid(self) -> str:
        """The ``org/name`` repository id."""
        return f"{self.org}/{self.name}"


def _word(rng: random.Random, lo: int = 2, hi: int = 3) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(lo, hi)))


def make_orgs(rng: random.Random, n: int) -> list[str]:
    """Distinct organisation names (labs, users, quantizers)."""
    orgs: list[str] = []
    seen: set[str] = set()
    shapes = ["{w}-ai", "{w}-lab", "{w}", "{W}AI", "{w}{k}", "{W}Research", "{w}-nlp"]
    while len(orgs) < n:
        w = _word(rng)
        org = rng.choice(shapes).format(w=w, W=w.capitalize(), k=rng.randrange(10, 99))
        if org not in seen:
            seen.add(org)
            orgs.append(org)
    return orgs


def _zipf_weights(k: int, s: float = 1.1) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(k)]


class Forest:
    """Grows the model forest by preferential attachment."""

    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = n
        self.orgs = make_orgs(self.rng, max(12, n // 8))
        self.org_w = _zipf_weights(len(self.orgs))
        self.quantizers = self.orgs[: max(3, len(self.orgs) // 200)]
        self.models: list[Model] = []
        self.ids: set[str] = set()
        # Preferential attachment: a parent is drawn from these tickets, one per model that
        # can have children plus one per child it already has; roots start with more.
        self.tickets: list[int] = []

    def _unique(self, org: str, name: str) -> str:
        base, k = name, 2
        while f"{org}/{name}".casefold() in self.ids:
            name = f"{base}-v{k}"
            k += 1
        self.ids.add(f"{org}/{name}".casefold())
        return name

    def _org(self) -> str:
        return self.rng.choices(self.orgs, self.org_w)[0]

    def _add_root(self, weight: int) -> None:
        rng = self.rng
        org = self.orgs[rng.randrange(min(len(self.orgs), 40))]
        stem = _word(rng).capitalize()
        size = rng.choice(SIZES)
        ver = rng.choice(["", "-v0.1", "-v1", "-2", "-3.1", "-v2.5"])
        name = self._unique(org, f"{stem}{ver}-{size}")
        m = Model(len(self.models), org, name, "base", [], 0, len(self.models), size,
                  rng.choice(LICENSES))
        self.models.append(m)
        self.tickets.extend([m.idx] * weight)

    def _pick_parent(self) -> int:
        p = self.models[self.rng.choice(self.tickets)]
        while p.depth >= MAX_DEPTH:
            p = self.models[p.parents[0]]
        return p.idx

    def grow(self) -> list[Model]:
        """Create all N models."""
        rng = self.rng
        n_roots = max(3, self.n // 500)
        for rank in range(min(n_roots, self.n)):
            self._add_root(max(1, round(60 / (rank + 1))))
        kinds = ["finetune", "quantized", "adapter", "merge"]
        kind_w = [0.44, 0.27, 0.15, 0.14]
        while len(self.models) < self.n:
            if rng.random() < 0.004:
                self._add_root(3)
                continue
            kind = rng.choices(kinds, kind_w)[0]
            if kind == "merge":
                want = rng.choices([2, 3, 4], [0.55, 0.3, 0.15])[0]
                parents: list[int] = []
                for _ in range(want * 3):
                    p = self._pick_parent()
                    if p not in parents:
                        parents.append(p)
                    if len(parents) == want:
                        break
                if len(parents) < 2:
                    kind = "finetune"
                    parents = parents[:1]
            else:
                parents = [self._pick_parent()]
            self._add_child(kind, parents)
        return self.models

    def _add_child(self, kind: str, parents: list[int]) -> None:
        rng = self.rng
        first = self.models[parents[0]]
        stem = first.name.split("-")[0]
        if kind == "quantized":
            fmt = rng.choices(["GGUF", "AWQ", "GPTQ", "exl2"], [0.7, 0.12, 0.12, 0.06])[0]
            org = rng.choice(self.quantizers) if rng.random() < 0.7 else first.org
            name = self._unique(org, f"{first.name}-{fmt}")
            extra: dict[str, object] = {"format": fmt}
        elif kind == "adapter":
            org = self._org()
            name = self._unique(org, f"{stem}-{first.size}-{rng.choice(SUFFIXES)}-lora")
            extra = {}
        elif kind == "merge":
            org = self._org()
            method = rng.choice(METHODS)
            if method == "slerp":
                parents = parents[:2]
            tag = {"dare_ties": "DARE-TIES", "task_arithmetic": "TA"}.get(method, method.upper())
            name = self._unique(org, f"{stem}-{rng.choice(SUFFIXES)}-{first.size}-{tag}")
            extra = {"method": method}
        else:
            org = self._org()
            name = self._unique(org, f"{stem}-{first.size}-{rng.choice(SUFFIXES)}")
            extra = {}
        depth = 1 + max(self.models[p].depth for p in parents)
        lic = first.license if rng.random() < 0.8 else rng.choice(LICENSES)
        m = Model(len(self.models), org, name, kind, parents, depth, first.root, first.size,
                  lic, extra=extra)
        self.models.append(m)
        for p in parents:
            self.models[p].children.append(m.idx)
            self.tickets.append(p)
        if kind in ("finetune", "merge") and depth < MAX_DEPTH:
            self.tickets.append(m.idx)


# ---------------------------------------------------------------------------------------
# Card text


def _link(m: Model) -> str:
    return f"[{m.rid}]({HF}/{m.rid})"


def _datasets(rng: random.Random, pool: list[str]) -> list[str]:
    k = rng.choices([0, 1, 2, 3, 4], [0.25, 0.3, 0.25, 0.12, 0.08])[0]
    return sorted(set(rng.choices(pool, _zipf_weights(len(pool)), k=k)))


def _model_index(rng: random.Random, m: Model) -> tuple[dict[str, object], list[tuple[str, float]]]:
    results = []
    scores = []
    for name, ds, config, split, shots, mtype, mname in rng.sample(BENCHMARKS, rng.randint(3, 6)):
        value = round(rng.uniform(20, 88), 2)
        dataset: dict[str, object] = {"name": name, "type": ds}
        if config:
            dataset["config"] = config
        dataset["split"] = split
        dataset["args"] = {"num_few_shot": shots}
        results.append({
            "task": {"type": "text-generation", "name": "Text Generation"},
            "dataset": dataset,
            "metrics": [{"type": mtype, "value": value, "name": mname}],
            "source": {"url": f"{HF}/spaces/open-llm-leaderboard/open_llm_leaderboard?query="
                              f"{m.rid}", "name": "Open LLM Leaderboard"},
        })
        scores.append((name, value))
    return {"name": m.name, "results": results}, scores


def _front_matter(rng: random.Random, m: Model, models: list[Model],
                  datasets: list[str]) -> tuple[dict[str, object], list[tuple[str, float]]]:
    meta: dict[str, object] = {}
    parents = [models[p] for p in m.parents]
    if m.kind == "quantized" and m.extra["format"] == "GGUF":
        meta["library_name"] = "gguf"
    elif m.kind == "adapter":
        meta["library_name"] = "peft"
    elif rng.random() < 0.8:
        meta["library_name"] = "transformers"
    meta["license"] = m.license
    if m.license == "other":
        meta["license_name"] = rng.choice(["custom-research", "model-license", "tongyi"])
        meta["license_link"] = f"{HF}/{m.rid}/blob/main/LICENSE"
    if parents:
        if m.kind == "merge":
            base = models[m.extra["base"]] if "base" in m.extra else None  # type: ignore[index]
            listed = ([base] if base and base not in parents else []) + parents
            meta["base_model"] = [p.rid for p in listed]
            if rng.random() < 0.3:
                meta["base_model_relation"] = "merge"
        else:
            meta["base_model"] = parents[0].rid if rng.random() < 0.85 else [parents[0].rid]
            relation = {"quantized": "quantized", "adapter": "adapter", "finetune": "finetune"}
            if m.kind == "quantized" or rng.random() < 0.35:
                meta["base_model_relation"] = relation[m.kind]
    if m.kind == "quantized":
        meta["quantized_by"] = m.org
    if rng.random() < 0.6:
        meta["language"] = sorted(set(rng.sample(LANGS, rng.randint(1, 3))) | {"en"})
    meta["pipeline_tag"] = "text-generation"
    tags = set(rng.sample(TAGS, rng.randint(1, 5)))
    if m.kind == "merge":
        tags |= {"mergekit", "merge"}
    elif m.kind == "quantized":
        tags |= {m.extra["format"].lower()}  # type: ignore[union-attr]
    elif m.kind == "adapter":
        tags |= {"lora", "peft"}
    meta["tags"] = sorted(tags)
    if datasets:
        meta["datasets"] = datasets
    scores: list[tuple[str, float]] = []
    if m.kind != "quantized" and rng.random() < 0.27:
        index, scores = _model_index(rng, m)
        meta["model-index"] = [index]
    return meta, scores


def _score_table(rng: random.Random, scores: list[tuple[str, float]], m: Model) -> str:
    if not scores:
        scores = [(b[0], round(rng.uniform(20, 88), 2)) for b in rng.sample(BENCHMARKS, 4)]
    avg = sum(v for _, v in scores) / len(scores)
    rows = "\n".join(f"|{name:<35}|{value:>6.2f}|" for name, value in scores)
    return (f"## [Open LLM Leaderboard Evaluation Results]({HF}/spaces/open-llm-leaderboard/"
            f"open_llm_leaderboard)\nDetailed results can be found [here]({HF}/datasets/"
            f"open-llm-leaderboard/details_{m.org}__{m.name})\n\n"
            f"|              Metric               |Value|\n|-----------------------------------|"
            f"----:|\n|Avg.                               |{avg:>6.2f}|\n{rows}\n")


def _training(rng: random.Random, datasets: list[str]) -> str:
    acc = rng.choice(ACCELERATORS)
    count = rng.choice(COUNTS)
    epochs = rng.choice([1, 2, 3, 3, 4, 5])
    lr = rng.choice(["1e-05", "2e-05", "5e-05", "0.0001", "0.0002", "3e-4"])
    bs = rng.choice([4, 8, 16, 32, 64, 128])
    hours = rng.randint(2, 240)
    ds_links = ", ".join(f"[{d}]({HF}/datasets/{d})" for d in datasets) or \
        "a private instruction mix"
    framework = rng.choice(["axolotl", "TRL", "unsloth", "LLaMA-Factory", "torchtune"])
    lines = [
        "## Training procedure\n",
        f"Trained for {epochs} epochs on {count}x {acc} in about {hours} hours with "
        f"{framework}, on {ds_links}.\n",
        "### Training hyperparameters\n",
        "The following hyperparameters were used during training:",
        f"- learning_rate: {lr}",
        f"- train_batch_size: {bs}",
        f"- eval_batch_size: {max(1, bs // 2)}",
        f"- seed: {rng.randrange(100)}",
        f"- gradient_accumulation_steps: {rng.choice([1, 2, 4, 8])}",
        "- optimizer: Adam with betas=(0.9,0.999) and epsilon=1e-08",
        f"- lr_scheduler_type: {rng.choice(['cosine', 'linear', 'constant_with_warmup'])}",
        f"- lr_scheduler_warmup_ratio: {rng.choice([0.03, 0.05, 0.1])}",
        f"- num_epochs: {epochs}",
        "",
    ]
    return "\n".join(lines) + "\n"


def _mergekit(rng: random.Random, m: Model, models: list[Model]) -> str:
    method = str(m.extra["method"])
    parents = [models[p] for p in m.parents]
    base = models[int(m.extra["base"])] if "base" in m.extra else None  # type: ignore[call-overload]
    short = rng.random() < 0.4

    def ref(x: Model) -> str:
        return x.name if short else x.rid

    desc = f"the {method.upper().replace('_', '-')} merge method"
    if base is not None:
        desc += f" using {_link(base)} as a base"
    merged = "\n".join(f"* {_link(p)}" for p in parents if p is not base)
    lines = ["models:"]
    if method == "slerp":
        a, b = parents[:2]
        cfg = (f"slices:\n  - sources:\n      - model: {ref(a)}\n        layer_range: [0, 32]\n"
               f"      - model: {ref(b)}\n        layer_range: [0, 32]\nmerge_method: slerp\n"
               f"base_model: {ref(a)}\nparameters:\n  t:\n    - filter: self_attn\n"
               f"      value: [0, 0.5, 0.3, 0.7, 1]\n    - filter: mlp\n"
               f"      value: [1, 0.5, 0.7, 0.3, 0]\n    - value: 0.5\ndtype: bfloat16\n")
    else:
        if base is not None and base not in parents:
            lines += [f"  - model: {ref(base)}", "    # no parameters necessary for base model"]
        for p in parents:
            lines.append(f"  - model: {ref(p)}")
            if p is base:
                lines.append("    # no parameters necessary for base model")
                continue
            params = [f"      weight: {round(rng.uniform(0.1, 0.9), 2)}"]
            if method in ("ties", "dare_ties", "della"):
                params.append(f"      density: {round(rng.uniform(0.3, 0.8), 2)}")
            lines += ["    parameters:", *params]
        lines.append(f"merge_method: {method}")
        if base is not None:
            lines.append(f"base_model: {ref(base)}")
        if method in ("ties", "dare_ties"):
            lines += ["parameters:", "  normalize: true", "  int8_mask: true"]
        lines.append(f"dtype: {rng.choice(['bfloat16', 'float16', 'float32'])}")
        cfg = "\n".join(lines) + "\n"
    return (f"# {m.name}\n\nThis is a merge of pre-trained language models created using "
            f"[mergekit](https://github.com/cg123/mergekit).\n\n## Merge Details\n"
            f"### Merge Method\n\nThis model was merged using {desc}.\n\n"
            f"### Models Merged\n\nThe following models were included in the merge:\n"
            f"{merged}\n\n### Configuration\n\nThe following YAML configuration was used to "
            f"produce this model:\n\n```yaml\n{cfg}```\n\n")


def _quantized(rng: random.Random, m: Model, models: list[Model]) -> str:
    parent = models[m.parents[0]]
    fmt = str(m.extra["format"])
    params = float(parent.size.rstrip("B"))
    intro = rng.choice([
        f"{fmt} quantizations of {_link(parent)}.",
        f"Original model: {_link(parent)}\n\nThese are {fmt} quants made with llama.cpp.",
        f"Quantized version of [{parent.name}]({HF}/{parent.rid}) in {fmt} format.",
    ])
    out = [f"# {m.name}\n", intro, ""]
    if fmt == "GGUF":
        out += ["## Files\n", "| File | Quant | Size | Notes |", "|---|---|---|---|"]
        for q, factor in rng.sample(QUANTS, rng.randint(3, len(QUANTS))):
            f = f"{parent.name}.{q}.gguf"
            out.append(f"| [{f}]({HF}/{m.rid}/blob/main/{f}) | {q} | "
                       f"{params * factor:.2f} GB | |")
        out += ["", "## Run\n", "```shell",
                f"llama-cli -m {parent.name}.Q4_K_M.gguf -c 4096 -cnv", "```", ""]
    else:
        out += ["## Usage\n", "```python", "from transformers import AutoModelForCausalLM",
                f'model = AutoModelForCausalLM.from_pretrained("{m.rid}", device_map="auto")',
                "```", ""]
    return "\n".join(out) + "\n"


def _finetune(rng: random.Random, m: Model, models: list[Model], datasets: list[str]) -> str:
    parent = models[m.parents[0]]
    what = "LoRA adapter" if m.kind == "adapter" else "model"
    intro = rng.choice([
        f"This {what} is fine-tuned on top of {_link(parent)}.",
        f"This {what} is a fine-tuned version of [{parent.rid}]({HF}/{parent.rid}) on "
        f"{', '.join(datasets) or 'an unknown dataset'}.",
        f"A {what} trained from {_link(parent)} for better instruction following.",
        f"Base model: {_link(parent)}",
    ])
    out = [f"# {m.name}\n", intro, "", "## Model description\n",
           rng.choice(FILLER) + " " + rng.choice(FILLER), ""]
    if m.kind == "adapter":
        out += ["## How to use\n", "```python", "from peft import PeftModel",
                "from transformers import AutoModelForCausalLM",
                f'base = AutoModelForCausalLM.from_pretrained("{parent.rid}")',
                f'model = PeftModel.from_pretrained(base, "{m.rid}")', "```", "",
                f"LoRA rank {rng.choice([8, 16, 32, 64])}, alpha {rng.choice([16, 32, 64])}, "
                f"dropout {rng.choice([0.0, 0.05, 0.1])}.", ""]
    return "\n".join(out) + "\n"


def _base(rng: random.Random, m: Model, datasets: list[str]) -> str:
    tokens = rng.choice(["2T", "8T", "15T", "18T", "3.5T"])
    return (f"# {m.name}\n\n{m.name} is a {m.size} parameter decoder-only language model "
            f"pretrained from scratch on {tokens} tokens of web text, code and books.\n\n"
            f"## Model details\n\n- Architecture: transformer decoder, grouped-query attention, "
            f"RoPE\n- Context length: {rng.choice([4096, 8192, 32768, 131072])}\n"
            f"- Vocabulary: {rng.choice([32000, 128256, 151936])} tokens\n\n")


def _pad(rng: random.Random, text: str, target: int) -> str:
    parts = [text]
    size = len(text.encode())
    while size < target:
        para = " ".join(rng.choice(FILLER) for _ in range(rng.randint(2, 6)))
        section = f"## {rng.choice(PAD_TITLES)}\n\n{para}\n\n"
        parts.append(section)
        size += len(section.encode())
    return "".join(parts)


def render(m: Model, models: list[Model], rng: random.Random, pools: list[str]) -> str:
    """The README.md text of one model."""
    datasets = _datasets(rng, pools) if m.kind not in ("quantized",) else []
    meta, scores = _front_matter(rng, m, models, datasets)
    if "model-index" in meta:
        m.extra["model-index"] = True
    fm = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    if m.kind == "merge":
        body = _mergekit(rng, m, models)
    elif m.kind == "quantized":
        body = _quantized(rng, m, models)
    elif m.kind == "base":
        body = _base(rng, m, datasets)
    else:
        body = _finetune(rng, m, models, datasets)
    if m.kind in ("finetune", "adapter", "base") and rng.random() < 0.85:
        body += _training(rng, datasets)
    quants = [models[c] for c in m.children if models[c].kind == "quantized"]
    if quants:
        body += "## Quantized versions\n\n" + "".join(
            f"- {q.extra['format']}: [{q.rid}]({HF}/{q.rid})\n" for q in quants[:5]) + "\n"
    if scores or (m.kind != "quantized" and rng.random() < 0.1):
        body += _score_table(rng, scores, m)
    target = int(1024 * 10 ** rng.uniform(0.0, 1.0))
    text = f"---\n{fm}---\n\n{body}"
    return _pad(rng, text, min(target, 10 * 1024))


def generate(n: int, out: Path, seed: int = 0) -> tuple[int, int, Counter[str], dict[str, int]]:
    """Write N cards under ``out``; return (cards, bytes, kinds, stats)."""
    forest = Forest(n, seed)
    models = forest.grow()
    rng = random.Random(seed * 7919 + 1)
    pool_orgs = make_orgs(random.Random(seed + 17), 60)
    kinds_ds = ["Instruct", "Chat", "Math", "Code", "Pref", "SFT"]
    pools = [f"{rng.choice(pool_orgs)}/{_word(rng).capitalize()}-{rng.choice(kinds_ds)}"
             f"-{rng.choice(['10k', '50k', '100k', '1M'])}" for _ in range(400)]
    for m in models:  # choose a mergekit base (the family root, when it is not an input)
        if m.kind == "merge" and m.extra["method"] in ("ties", "dare_ties", "della",
                                                       "task_arithmetic", "model_stock"):
            m.extra["base"] = m.root if rng.random() < 0.7 else m.parents[0]
    if out.exists():
        shutil.rmtree(out)
    total = 0
    for m in models:
        text = render(m, models, rng, pools)
        path = out / m.org / m.name / "README.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        path.write_bytes(data)
        total += len(data)
    kinds = Counter(m.kind for m in models)
    descendants = [0] * len(models)
    for m in reversed(models):  # children come after parents: count tree descendants
        for c in m.children:
            if models[c].parents[0] == m.idx:
                descendants[m.idx] += 1 + descendants[c]
    roots = sorted((descendants[m.idx] for m in models if m.kind == "base"), reverse=True)
    stats = {"max_depth": max(m.depth for m in models), "roots": len(roots),
             "top_root_descendants": roots[0] if roots else 0,
             "top3_root_descendants": sum(roots[:3]),
             "with_model_index": sum(1 for m in models if "model-index" in m.extra)}
    return len(models), total, kinds, stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=10000, help="number of cards")
    ap.add_argument("-o", "--out", type=Path, required=True, help="output directory (replaced)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("-n must be at least 1")
    cards, size, kinds, stats = generate(args.n, args.out, args.seed)
    kind_s = " ".join(f"{k} {kinds[k]}" for k in ("base", "finetune", "merge", "quantized",
                                                 "adapter") if kinds[k])
    print(f"cards {cards}, bytes {size} (mean {size / cards / 1024:.1f} KB), {kind_s}; "
          f"max depth {stats['max_depth']}, top root descendants "
          f"{stats['top_root_descendants']} (top 3: {stats['top3_root_descendants']}), "
          f"model-index {stats['with_model_index']} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
