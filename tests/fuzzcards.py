"""A seeded generator of varied, often broken model cards, for the fuzz build.

Every card is made here from small parts (no real card, organisation or model is named):
front matter with odd YAML tags, NaN and infinities, odd license strings, aliases and deep
nesting; prose with lineage phrases and numbers out of range; mergekit blocks with odd
weights; tables; long lines; flattened cards; and bytes that are not text at all.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

WORDS = ("model", "merge", "base", "tuned", "data", "chat", "instruct", "epochs", "rate",
         "license", "weights", "the", "of", "on", "with", "and", "7B", "v2", "GPU", "tokens",
         "score", "eval", "Zephyr", "Owl", "Pomme", "quant", "lora", "dpo", "sft", "RLHF")
ORGS = ("acme-ai", "orchard-lab", "bluefin", "night-owl", "x", "a-b", "Org_9", "mergecraft")
LICENSES = ("mit", "apache-2.0", "apache-2.0/mit", "mit/apache-2.0/bsd", "other", "", "unknown",
            "cc-by-nc-4.0", "llama2", "gpl-3.0+", "Apache 2.0", "MIT OR (", "AND", "WITH",
            "mit WITH", "(mit", "mit)", "a/b", "/", "//", "lgpl-2.1 or mit", "üñï©ødé",
            "cc-by-sa-4.0 AND mit", "BSD-3-Clause", "openrail++", "license: mit", "\\u0000",
            "[mit]", "{mit}", "mit\tapache", "-", "?", "*", "llama3.1", "gemma")
ODD_SCALARS = ("!!bool maybe", "!!bool", "!!timestamp soon", "!!timestamp 2023-13-45",
               "2023-02-30", "2023-01-01", "2023-01-01T25:61:00Z", "!!int abc", "!!int 0x",
               "!!float x", "!!float .nan", ".nan", ".NaN", ".inf", "-.inf", "+.INF",
               "1.0e+999", "-1.0e+999", "!!binary notbase64!", "!!binary aGVsbG8=",
               "!!null x", "!!str 5", "0o777", "0x1F", "1_000", "1:20:30", "~", "null",
               "yes", "No", "on", "OFF", "''", '""', "'unterminated", "|", ">",
               "!custom tag", "!python/object:os.system x", "!!python/name:os.system",
               "!!set {a, b}", "!!omap [a]", "!!pairs [a]", "!!map x", "!!seq x",
               "&a x", "*undefined", "[1, .nan, .inf]", "{a: .nan}", "[[[[]]]]", "?x")
NUMBERS = ("0.5", "1", "-1", "0", ".nan", ".inf", "-.inf", "1e999", "1.0e+999", "NaN",
           "inf", "3.14159265358979323846264338327950288", "99999999999999999999999",
           "-0.0", "1e-999", "0x10", "[0.1, .nan]", "[.inf, 0.2, 0.3]", "{a: 1}", "x", "''",
           "!!float .nan", "!!bool maybe")


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def _id(rng: random.Random) -> str:
    name = "-".join(_word(rng) for _ in range(rng.randint(1, 3)))
    return f"{rng.choice(ORGS)}/{name}"


def _value(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(ODD_SCALARS)
    if roll < 0.25:
        return rng.choice(NUMBERS)
    if roll < 0.6 and depth < 3:
        return "[" + ", ".join(_value(rng, depth + 1) for _ in range(rng.randint(0, 3))) + "]"
    if roll < 0.7 and depth < 3:
        return "{" + ", ".join(f"{_word(rng)}: {_value(rng, depth + 1)}"
                               for _ in range(rng.randint(0, 3))) + "}"
    if roll < 0.85:
        return _id(rng)
    return " ".join(_word(rng) for _ in range(rng.randint(1, 6)))


def _front_matter(rng: random.Random) -> list[str]:
    blocks = []  # each a key with its value, shuffled as wholes
    if rng.random() < 0.7:
        lic = rng.choice(LICENSES)
        blocks.append(f"license: {lic!r}" if rng.random() < 0.5 else f"license: {lic}")
    if rng.random() < 0.6:
        if rng.random() < 0.5:
            blocks.append(f"base_model: {rng.choice((_id(rng), _value(rng)))}")
        else:
            blocks.append("\n".join(["base_model:", *(f"- {rng.choice((_id(rng), _value(rng)))}"
                                                      for _ in range(rng.randint(0, 4)))]))
    if rng.random() < 0.3:
        relation = rng.choice(("merge", "finetune", "quantized", "adapter", _value(rng)))
        blocks.append(f"base_model_relation: {relation}")
    for key in ("datasets", "tags", "language", "pipeline_tag", "library_name", "license_name",
                "license_link", "co2_eq_emissions", "inference", "widget"):
        if rng.random() < 0.25:
            blocks.append(f"{key}: {_value(rng)}")
    if rng.random() < 0.25:
        lines = ["model-index:", f"- name: {rng.choice((_id(rng), _value(rng)))}", "  results:",
                 "  - task:", "      type: text-generation", "    dataset:",
                 f"      name: {_word(rng)}", f"      type: {_id(rng)}", "    metrics:"]
        for _ in range(rng.randint(0, 4)):
            lines += [f"    - type: {_word(rng)}", f"      value: {rng.choice(NUMBERS)}"]
        blocks.append("\n".join(lines))
    if rng.random() < 0.1:  # aliases, sometimes many
        blocks.append(f"anchors: &x [a, b, c]\nagain: [{', '.join(['*x'] * rng.randint(1, 50))}]")
    if rng.random() < 0.05:  # deep nesting
        depth = rng.choice((10, 100, 2000))
        blocks.append("deep: " + "[" * depth + "]" * depth)
    if rng.random() < 0.1:
        blocks.append(f"{_word(rng)}: {rng.choice(ODD_SCALARS)}")
    rng.shuffle(blocks)
    return blocks


def _mergekit(rng: random.Random) -> list[str]:
    method = rng.choice(("ties", "slerp", "dare_ties", "linear", _value(rng)))
    lines = ["```yaml", f"merge_method: {method}",
             f"base_model: {rng.choice((_id(rng), _value(rng)))}", "models:"]
    for _ in range(rng.randint(0, 4)):
        lines += [f"  - model: {rng.choice((_id(rng), _word(rng), _value(rng)))}",
                  "    parameters:", f"      weight: {rng.choice(NUMBERS)}",
                  f"      density: {rng.choice(NUMBERS)}"]
    lines.append(f"dtype: {rng.choice(('bfloat16', 'float16', _value(rng)))}")
    if rng.random() < 0.8:
        lines.append("```")
    return lines


def _prose(rng: random.Random) -> list[str]:
    makers: list[Callable[[], str]] = [
        lambda: f"Fine-tuned from [{_id(rng)}](https://huggingface.co/{_id(rng)}) on "
                f"[{_word(rng)}](https://huggingface.co/datasets/{_id(rng)}).",
        lambda: f"Trained for {rng.choice(NUMBERS)} epochs with a learning rate of "
                f"{rng.choice(NUMBERS)} and a batch size of {rng.choice(NUMBERS)}.",
        lambda: f"Trained on {rng.randint(1, 64)}x NVIDIA "
                f"{rng.choice(('H100', 'A100', 'RTX 4090'))} for {rng.choice(NUMBERS)} hours, "
                f"{rng.choice(NUMBERS)} million tokens.",
        lambda: f"A {rng.choice(('TIES', 'SLERP', 'DARE'))} merge of {_id(rng)} and {_id(rng)}.",
        lambda: f"License: {rng.choice(LICENSES)}",
        lambda: f"Released under the {rng.choice(LICENSES)} license.",
        lambda: f"## {' '.join(_word(rng) for _ in range(rng.randint(1, 5)))}",
        lambda: "| Model | Score |\n|---|---|\n" + "\n".join(
            f"| {_id(rng)} | {rng.choice(NUMBERS)} |" for _ in range(rng.randint(1, 5))),
        lambda: f"Prompt format: {rng.choice(('ChatML', 'Alpaca', 'Mistral', _word(rng)))}",
        lambda: f"Quantized versions: [{_id(rng)}](https://huggingface.co/{_id(rng)}-GGUF)",
        lambda: " ".join(_word(rng) for _ in range(rng.randint(3, 40))),
        lambda: "```" + rng.choice(("", "python", "yaml")),
        lambda: "\u00e2\u0080\u0099 Instinct\u00e2\u201e\u00a2 caf\u00c3\u00a9",
        lambda: "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 80))),
    ]
    return [rng.choice(makers)() for _ in range(rng.randint(0, 15))]


def card(rng: random.Random) -> bytes:
    """One generated card (mostly text, sometimes not)."""
    roll = rng.random()
    if roll < 0.02:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000)))
    if roll < 0.03:
        return rng.choice((b"", b"   \n\n", b"---", b"---\n---\n", b"\xef\xbb\xbf"))
    front = _front_matter(rng)
    body = _prose(rng)
    if rng.random() < 0.25:
        body += _mergekit(rng)
    if rng.random() < 0.01:  # a long line of sentences
        body.append(" ".join(" ".join(_word(rng) for _ in range(rng.randint(3, 15))) + "."
                             for _ in range(rng.randint(200, 800))))
    text = "---\n" + "\n".join(front) + "\n---\n" + "\n".join(body) + "\n"
    if rng.random() < 0.05:  # flattened onto one line
        text = " ".join(text.split("\n"))
    elif rng.random() < 0.03:  # front matter never closed
        text = "---\n" + "\n".join(front) + "\n" + "\n".join(body)
    data = text.encode("utf-8")
    if rng.random() < 0.02:
        data = text.encode("latin-1", "replace")
    if rng.random() < 0.02:
        cut = rng.randrange(len(data) + 1)
        data = data[:cut] + bytes([rng.randrange(128, 256)]) + data[cut:]
    return data


def cards(seed: int, count: int) -> Iterator[tuple[str, bytes]]:
    """``count`` generated cards as (org/name, bytes), the same for the same seed."""
    rng = random.Random(seed)
    for i in range(count):
        yield f"fuzz{i % 97}/card-{i:05d}", card(rng)
