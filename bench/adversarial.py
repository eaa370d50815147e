"""Extraction time of adversarial cards: does any input make extraction super-linear?

Builds cards of each adversarial class (long hyphenated words, repeated version tokens,
runs of spaces in table cells and in a flattened front matter, lines of ``-`` or ``*``,
repeated ``$1,``, repeated accelerator names, an unclosed code fence per line, headings
padded with spaces, long lines, deep lists, huge tables...) at several sizes, and times
``extract(read_card(...))`` on each, stopping a card at ``--timeout`` seconds. Prints the
worst card per class and size, and the growth from the smallest to the largest size.

    python bench/adversarial.py [--sizes 1000,10000,100000] [--timeout 30] [--only CLASS]
                                [--variants] [--patterns] [--profile CLASS:VARIANT:SIZE]

``--variants`` prints every variant, not only the worst per class. ``--patterns`` also
times every module-level pattern of the reader and the extractors over each card's text
(whole-text ``finditer``) and names those over 0.2 s. ``--profile`` prints a cProfile of one
card's extraction; ``--trace`` the time spent in each regular expression (module-level or
inline) while extracting one card, as the extractors call them.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import pkgutil
import pstats
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lineage import extract as extract_pkg  # noqa: E402
from lineage.cards import read_card  # noqa: E402
from lineage.extract import extract  # noqa: E402
from lineage.extract.scan import Anchored, Gated  # noqa: E402

FRONT = "---\nbase_model: org/base-7b\ntags:\n- gguf\n---\n"  # no license: prose is read
# One line that opens every gate (merge, train, epoch, $, accelerator...), so the
# adversarial text that follows meets the expensive patterns.
GATES = ("# Model\n\nFine-tuned and merged (merge of a and b); trained for 3 epochs, learning "
         "rate 2e-5, batch size 8, 1B tokens, $100 cost, A100 GPU hours on AWS; GGUF quants "
         "for a PeftModel adapter extracted from x; chatml template format; the X dataset; "
         "base_model: model_name_or_path; llama.cpp; int4 8-bit.\n\n")


def fill(unit: str, size: int) -> str:
    """Repeat ``unit`` until the text is at least ``size`` characters."""
    return unit * max(1, -(-size // len(unit)))


def one_token(prefix: str, unit: str, suffix: str, size: int) -> str:
    """One long token: ``prefix``, ``unit`` repeated to ``size``, then ``suffix``."""
    return prefix + fill(unit, max(1, size - len(prefix) - len(suffix)))[:size] + suffix


Variant = Callable[[int], str]
# class -> variant name -> body builder (the body is put after FRONT and GATES).
CLASSES: dict[str, dict[str, Variant]] = {
    "hyphen": {
        "230-char word, no dataset": lambda n: fill("On " + "-".join(["A"] * 115) + ": dataset\n",
                                                    n),
        "one long word before dataset": lambda n: one_token("Data: ", "Ab-", ": x dataset\n", n),
        "capitalised words": lambda n: fill("Ab Cd-Ef Gh-Ij Kl-Mn ", n) + ": dataset\n",
        "quoted": lambda n: fill('"' + "ab-" * 20 + '" ', n) + "dataset\n",
    },
    "version": {
        "v1.2.3 spaced": lambda n: fill("v1.2.3 ", n) + "\n",
        "one dotted token": lambda n: one_token("x", "1.x", " in\n", n),
        "model names spaced": lambda n: fill("Model-7B-v0.1 ", n) + "\n",
        "based on names": lambda n: "based on " + fill("Aa1 ", n) + "\n",
        "this is a": lambda n: fill("this is a v1.2 v1.2 v1.2 v1.2 v1.2 ", n) + "\n",
        "digits and dots": lambda n: one_token("v", "0.", " as x\n", n),
        "hyphen digits": lambda n: one_token("a", "-1", " model in x\n", n),
    },
    "table_spaces": {
        "cell of spaces": lambda n: fill("| Base model |" + " " * 200 + "x |\n", n),
        "one huge cell": lambda n: "| Base model | a" + " " * n + "b |\n",
        "hardware cell": lambda n: "| Hardware |" + " " * n + "|\n",
        "score table": lambda n: "| Benchmark | Score |\n|---|---|\n" + fill(
            "| mmlu | " + " " * 100 + "1" + " " * 100 + "x |\n", n),
        "number cell": lambda n: "| Benchmark | Score |\n|---|---|\n| mmlu | 1" + " " * n + "x |\n",
    },
    "flat_front": {
        "spaces in front": lambda n: "\0flat" + "--- license: mit" + " " * n + "x: y --- # T\n",
        "spaces, unclosed": lambda n: "\0flat" + "--- license: mit" + " " * n + "x\n",
        "many keys": lambda n: "\0flat" + "--- " + fill("k: v ", n) + "--- # T\n",
        "tabs and items": lambda n: "\0flat" + "--- tags:" + fill(" \t- a", n) + " --- # T\n",
    },
    "dash_lines": {
        "lines of -": lambda n: fill("-" * 79 + "\n", n),
        "lines of *": lambda n: fill("*" * 79 + "\n", n),
        "one line of -": lambda n: "-" * n + "\n",
        "one line of *": lambda n: "*" * n + "\n",
        "spaced - -": lambda n: fill("- ", n) + "\n",
        "spaced * *": lambda n: fill("* ", n) + "\n",
        "label then dashes": lambda n: "Base model:\n" + fill("-" * 79 + "\n", n),
        "pipes and dashes": lambda n: fill("|---", n) + "|\n",
    },
    "dollar": {
        "$1, repeated": lambda n: "cost " + fill("$1,", n) + "\n",
        "$1, per line": lambda n: fill("cost $1,$1,$1,$1,$1,$1,\n", n),
        "$ digits commas": lambda n: "cost $" + fill("1,", n) + "\n",
    },
    "accelerator": {
        "A100 repeated": lambda n: "trained on " + fill("A100 ", n) + "\n",
        "8x A100 repeated": lambda n: "trained on " + fill("8x A100 ", n) + "\n",
        "no spaces": lambda n: "trained on " + fill("A100", n) + "\n",
        "rtx instinct": lambda n: "trained on " + fill("RTX Instinct ", n) + "\n",
        "per line": lambda n: fill("trained on 8x A100 GPUs\n", n),
        "hardware field": lambda n: fill("Hardware: " + "A100 " * 15 + "\n", n),
    },
    "fence": {
        "``` per line": lambda n: fill("```\n", n),
        "```x per line": lambda n: fill("```python\ncode\n", n),
        "~~~ per line": lambda n: fill("~~~~\nx\n", n),
        "long fence": lambda n: "`" * n + "\nx\n",
        "mixed lengths": lambda n: fill("````\n```x\n", n),
    },
    "heading": {
        "padded inside": lambda n: fill("# a" + " " * 300 + "b\n", n),
        "one padded heading": lambda n: "# a" + " " * n + "b\n",
        "hash padding": lambda n: "## a" + fill(" #", n) + "b\n",
        "trailing spaces": lambda n: fill("## Title" + " " * 200 + "\n", n),
        "only spaces": lambda n: "#" + " " * n + "\n",
    },
    "long_line": {
        "words": lambda n: fill("the model was trained on data from ", n),
        "dots": lambda n: "." * n,
        "brackets": lambda n: "[" * n,
        "link openers": lambda n: fill("[a](", n),
        "hub urls": lambda n: fill("https://huggingface.co/", n),
        "spaces": lambda n: "x" + " " * n + "y",
        "underscores": lambda n: "_" * n,
        "backticks": lambda n: "`" * n + " x",
        "quotes": lambda n: '"' * n,
        "merge sentence": lambda n: "A merge of " + fill("a, ", n) + "\n",
        "system tags": lambda n: fill("<|system|> ", n) + "\n",
        "user tags": lambda n: fill("USER: ", n) + "\n",
        "fine-tuned words": lambda n: fill("fine-tuned from the ", n) + "\n",
        "quant of": lambda n: fill("gguf quants of the ", n) + "\n",
        "trained on with and": lambda n: fill("trained on the x and ", n) + "\n",
    },
    "deep_list": {
        "nested bullets": lambda n: "Base model:\n" + "".join(
            "  " * (i % 200) + "- item\n" for i in range(max(1, n // 200))),
        "merged models list": lambda n: "Merged models:\n" + fill("- org/m\n", n),
        "eval results list": lambda n: "It achieves the following results on the evaluation "
                                       "set:\n" + fill("- Loss: 0.5\n", n),
        "label lines": lambda n: fill("Base model:\n", n),
        "license lines": lambda n: fill("License: see below\n", n),
        "mergekit loose": lambda n: fill("merge_method: ties\n- model: a\n", n),
    },
    "whitespace": {
        "blank lines": lambda n: "x\n" + "\n" * n + "x\n",
        "lines of spaces": lambda n: "x\n" + fill("   \n", n) + "x\n",
        "spaces and tabs": lambda n: "x" + fill(" \t", n) + "\n",
        "blank lines in front": lambda n: "\0flat" + "---\nlicense: mit\n" + "\n" * n + "---\nx\n",
        "blank lines, colons": lambda n: fill("\n \n:\n", n),
    },
    "front_matter": {
        "many tags": lambda n: "\0flat" + "---\ntags:\n" + fill("- tag-x\n", n) + "---\nx\n",
        "many base models": lambda n: "\0flat" + "---\nbase_model:\n" + "".join(
            f"- org/m{i}\n" for i in range(max(1, n // 12))) + "---\nx\n",
        "many datasets": lambda n: "\0flat" + "---\ndatasets:\n" + "".join(
            f"- org/d{i}\n" for i in range(max(1, n // 12))) + "---\nx\n",
        "many languages": lambda n: "\0flat" + "---\nlanguage:\n" + fill("- en\n", n) + "---\n",
        "long license name": lambda n: "\0flat" + "---\nlicense: other\nlicense_name: " + fill(
            "a-", n) + "\n---\nx\n",
        "mojibake": lambda n: fill("caf\u00c3\u00a9 \u00e2\u20ac\u2122 ", n) + "\n",
    },
    "links": {
        "hub links one line": lambda n: "Fine-tuned from " + "".join(
            f"[m{i}](https://huggingface.co/org/m{i}) " for i in range(max(1, n // 40))) + "\n",
        "dataset links and headings": lambda n: "".join(
            f"## Data {i}\n[d](https://huggingface.co/datasets/o/d{i})\n"
            for i in range(max(1, n // 50))),
        "based on links": lambda n: "".join(
            f"based on [m{i}](https://huggingface.co/org/m{i}) " for i in range(max(1, n // 50))),
        "merged into": lambda n: fill("merged [a](https://huggingface.co/o/a) into ", n),
        "leaderboard links": lambda n: "".join(
            f"https://huggingface.co/datasets/open-llm-leaderboard/details_o__m{i} "
            for i in range(max(1, n // 70))),
        "scores of many models": lambda n: "| Model | MMLU |\n|---|---|\n" + "".join(
            f"| m{i} | {i} |\n" for i in range(max(1, n // 12))),
    },
    "big_table": {
        "many rows": lambda n: "| Benchmark | Score |\n|---|---|\n" + fill("| mmlu | 1.0 |\n", n),
        "many columns": lambda n: fill("| a ", n) + "|\n" + fill("|---", n) + "|\n" + fill(
            "| 1 ", n) + "|\n",
        "flattened": lambda n: "| a | b | | --- | --- | " + fill("| x | 1 | ", n) + "\n",
        "data table": lambda n: "## Training data\n| Source | n |\n|---|---|\n" + fill(
            "| set (x) | 1 |\n", n),
        "quant table": lambda n: "| Name | Quant method | Bits |\n|---|---|---|\n" + fill(
            "| [a](https://huggingface.co/datasets/o/d) | q4 | 4 |\n", n),
    },
}


def card_bytes(body: str) -> bytes:
    """A card: the fixed front matter and gate line, then ``body``."""
    if body.startswith("\0flat"):
        return body[len("\0flat"):].encode()
    return (FRONT + GATES + body).encode()


class Timeout(Exception):
    """The card took longer than the limit."""


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout


def timed(fn: Callable[[], Any], limit: float) -> float | None:
    """Seconds ``fn`` took, or None past ``limit`` (``re`` checks signals while matching)."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    start = time.perf_counter()
    try:
        fn()
    except Timeout:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - start


def run_card(data: bytes) -> None:
    """Read and extract one card (as ``lineage build`` does)."""
    extract(read_card(data, "org/adversarial/README.md", id_hint="org/adversarial-7b-gguf",
                      id_hint_method="path"))


def patterns() -> Iterator[tuple[str, Any]]:
    """Every module-level pattern of the reader and the extractors."""
    names = ["lineage.cards", "lineage.ids"] + [
        f"lineage.extract.{m.name}" for m in pkgutil.iter_modules(extract_pkg.__path__)]
    for name in names:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern | Gated | Anchored):
                yield f"{name.rsplit('.', 1)[-1]}.{attr}", value
            elif isinstance(value, tuple):
                for i, item in enumerate(value):
                    for j, part in enumerate(item if isinstance(item, tuple) else (item,)):
                        if isinstance(part, re.Pattern | Gated | Anchored):
                            yield f"{name.rsplit('.', 1)[-1]}.{attr}[{i}][{j}]", part


def pattern_times(text: str, limit: float) -> list[tuple[str, float | None]]:
    """Time each pattern's ``finditer`` over ``text``; the slow ones, slowest first."""
    out = []
    for name, pattern in patterns():
        t = timed(lambda p=pattern: sum(1 for _ in p.finditer(text)), limit)
        if t is None or t > 0.2:
            out.append((name, t))
    return sorted(out, key=lambda x: -(x[1] if x[1] is not None else 1e9))


class _Timed:
    """A compiled pattern that adds the time of every call (and iteration) to ``spent``."""

    def __init__(self, name: str, inner: re.Pattern[str], spent: dict[str, float]):
        self._name, self._inner, self._spent = name, inner, spent

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._inner, attr)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                result = value(*args, **kwargs)
            finally:
                self._add(time.perf_counter() - start)
            return self._iterate(result) if attr == "finditer" else result
        return call

    def _add(self, seconds: float) -> None:
        self._spent[self._name] = self._spent.get(self._name, 0.0) + seconds

    def _iterate(self, it: Iterator[Any]) -> Iterator[Any]:
        while True:
            start = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                self._add(time.perf_counter() - start)
                return
            self._add(time.perf_counter() - start)
            yield item


def trace_patterns() -> dict[str, float]:
    """Replace every pattern of the extractors by a timed one; return the time table."""
    spent: dict[str, float] = {}
    wrapped: dict[int, _Timed] = {}
    for name, value in patterns():
        if isinstance(value, Gated | Anchored):
            value.pattern = _Timed(name, value.pattern, spent)  # type: ignore[assignment]
            if isinstance(value, Anchored):
                value.anchor = _Timed(name + ".anchor", value.anchor, spent)  # type: ignore
        else:
            wrapped.setdefault(id(value), _Timed(name, value, spent))
    for module in [m for n, m in sys.modules.items() if n.startswith("lineage.")]:
        for attr, value in list(vars(module).items()):
            if id(value) in wrapped:
                setattr(module, attr, wrapped[id(value)])
            elif isinstance(value, tuple) and any(id(v) in wrapped for v in value):
                setattr(module, attr, tuple(wrapped.get(id(v), v) for v in value))
            elif isinstance(value, tuple) and value and isinstance(value[0], tuple):
                setattr(module, attr, tuple(
                    tuple(wrapped.get(id(v), v) for v in row) for row in value))
    compile_ = re.compile

    # Where each re function takes its flags, and how many arguments go to the method.
    flag_at = {"sub": 3, "split": 2, "compile": 0}

    def inline(fn: str) -> Callable[..., Any]:
        def call(pattern: Any, *args: Any, **kwargs: Any) -> Any:
            at = flag_at.get(fn, 1)
            flags = kwargs.pop("flags", args[at] if len(args) > at else 0)
            p = pattern if isinstance(pattern, re.Pattern | _Timed) else compile_(pattern, flags)
            timed_p = _Timed(f"inline {p.pattern[:60]!r}", p, spent)  # type: ignore[union-attr]
            return timed_p if fn == "compile" else getattr(timed_p, fn)(*args[:at], **kwargs)
        return call
    for fn in ("search", "match", "fullmatch", "sub", "split", "findall", "finditer", "compile"):
        setattr(re, fn, inline(fn))
    return spent


def fmt(t: float | None, limit: float) -> str:
    return f">{limit:g}" if t is None else f"{t:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--only", help="comma-separated classes")
    ap.add_argument("--variants", action="store_true", help="print every variant")
    ap.add_argument("--patterns", action="store_true", help="time each pattern too")
    ap.add_argument("--profile", metavar="CLASS:VARIANT:SIZE")
    ap.add_argument("--trace", metavar="CLASS:VARIANT:SIZE")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.trace:
        cls, variant, size = args.trace.split(":")
        data = card_bytes(CLASSES[cls][variant](int(size)))
        spent = trace_patterns()
        total = timed(lambda: run_card(data), args.timeout)
        print(f"card: {len(data):,} bytes, {fmt(total, args.timeout)} s")
        for name, t in sorted(spent.items(), key=lambda x: -x[1])[:12]:
            print(f"  {t:8.3f} s  {name}")
        return 0
    if args.profile:
        cls, variant, size = args.profile.split(":")
        data = card_bytes(CLASSES[cls][variant](int(size)))
        prof = cProfile.Profile()
        prof.runcall(timed, lambda: run_card(data), args.timeout)
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
        return 0
    classes = args.only.split(",") if args.only else list(CLASSES)
    run_card(card_bytes("warm up\n"))
    print(f"{'class':13} {'variant':30} " + " ".join(f"{s:>9,}B" for s in sizes) + "   growth")
    worst_total = 0.0
    for cls in classes:
        rows = []
        for variant, build in CLASSES[cls].items():
            times: list[float | None] = []
            lengths = []
            for size in sizes:
                data = card_bytes(build(size))
                lengths.append(len(data))
                t = timed(lambda d=data: run_card(d), args.timeout)
                times.append(t)
                if args.patterns:
                    text = read_card(data, "p.md").text
                    for name, pt in pattern_times(text, min(args.timeout, 10)):
                        print(f"    {cls}/{variant}/{size}: {name} {fmt(pt, 10)} s")
                if t is None:
                    times += [None] * (len(sizes) - len(times))
                    break
            rows.append((variant, times, lengths))
        shown = rows if args.variants else [max(rows, key=lambda r: [
            float("inf") if t is None else t for t in reversed(r[1])])]
        for variant, times, _ in shown:
            first, last = times[0], times[-1]
            growth = (f"x{last / first:,.0f}" if first and last else "-")
            print(f"{cls:13} {variant[:30]:30} " + " ".join(
                f"{fmt(t, args.timeout):>10}" for t in times) + f"   {growth}")
            worst_total = max(worst_total, *(args.timeout if t is None else t for t in times))
    print(f"\nworst card: {fmt(worst_total, args.timeout)} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
