"""The bundled example family: `show` finds exactly what examples/expected.json says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lineage

from .conftest import ROOT

EXPECTED = json.loads((ROOT / "examples" / "expected.json").read_text(encoding="utf-8"))


def _parents(out: dict) -> list[dict]:
    keys = ("id", "relation", "role", "method", "weight", "density")
    return sorted(({k: p[k] for k in keys} for p in out["parents"]), key=lambda p: p["id"])


@pytest.fixture(scope="module")
def shown(examples_store: Path):
    return {model: lineage.show(model, store=examples_store) for model in EXPECTED}


@pytest.mark.parametrize("model", sorted(EXPECTED))
def test_lineage(shown, model):
    want = EXPECTED[model]
    assert _parents(shown[model]) == sorted(want["parents"], key=lambda p: p["id"])


@pytest.mark.parametrize("model", sorted(EXPECTED))
def test_facts(shown, model):
    want, out = EXPECTED[model], shown[model]
    assert out["id"] == model
    assert sorted(d["id"] or d["name"] for d in out["datasets"]) == sorted(want["datasets"])
    assert out["license"]["id"] == want["license"]
    assert out["hardware"] == want["hardware"]
    assert out["training"] == want["training"]
    assert out["prompt_format"] == want["prompt_format"]
    assert out["aliases"] == want["aliases"]
    assert len(out["scores"]) == want["n_scores"]
