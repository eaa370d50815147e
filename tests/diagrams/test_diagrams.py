"""Graphviz diagrams: DOT structure on the examples, limits, folding, summaries, rendering."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pytest

import lineage
from lineage import cli
from lineage.diagrams import (
    DEFAULT_COLLAPSE_QUANTIZED,
    DEFAULT_MAX_NODES,
    PACK_COMPONENTS,
    SUMMARY_WIDTH,
    DiagramFormat,
    lineage_diagram,
    render,
)
from lineage.errors import ExportError, QueryError
from lineage.graph import lineage_graph
from tests.conftest import ROOT, need, write

KINDS = {
    "acme-ai/Acme-7B": "base",
    "acme-ai/Acme-7B-Instruct": "finetune",
    "acme-ai/Acme-7B-Instruct-AWQ": "quantized",
    "bluefin/Bluefin-7B-Coder": "finetune",
    "lonewolf/Acme-7B-Instruct-abliterated": "finetune",
    "lonewolf/Acme-7B-Instruct-abliterated-v2": "finetune",
    "medtune/acme-7b-medical-lora": "adapter",
    "mergecraft/AcmePomme-Coder-7B-TIES": "merge",
    "mergecraft/AcmePomme-Coder-7B-TIES-GGUF": "quantized",
    "nightowl/Owl-7B-slerp": "merge",
    "nightowl/Owl-Mega-7B": "merge",
    "orchard-lab/Pomme-7B-Chat": "finetune",
}
# kind: (shape, fill, a style word)
STYLES = {
    "base": ("box", "#cfe3f1", "filled"),
    "finetune": ("box", "#c9ede0", "rounded"),
    "merge": ("hexagon", "#fbe6b8", "filled"),
    "quantized": ("note", "#f7f2b8", "filled"),
    "adapter": ("component", "#f4dcea", "filled"),
}
TIES = "mergecraft/AcmePomme-Coder-7B-TIES"
INSTRUCT = "acme-ai/Acme-7B-Instruct"
CONFLICT_RED = "#b2182b"  # red, as README says (not vermillion, too near the merge colour)

# -- a small reader for the DOT the graphviz package writes (one statement per line) ------

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|<(?:[^<>]|<[^<>]*>)*>|->|[^\s\[\]=;{}]+|[\[\]=;{}]')


def _unquote(token: str) -> str:
    if token.startswith('"'):
        return token[1:-1].replace('\\"', '"')
    return token


@dataclass
class Dot:
    text: str
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    clusters: dict[str, list[str]] = field(default_factory=dict)
    label: str = ""

    def node_cluster(self, name: str) -> str | None:
        return next((c for c, members in self.clusters.items() if name in members), None)

    def models(self) -> set[str]:
        return {n for n in self.nodes if not n.startswith(("legend/", "group/"))}


def _attrs(tokens: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, tok in enumerate(tokens):
        if tok == "=" and 0 < i < len(tokens) - 1:
            out[_unquote(tokens[i - 1])] = _unquote(tokens[i + 1])
    return out


def parse_dot(text: str) -> Dot:
    dot = Dot(text)
    stack: list[str] = []
    for line in text.splitlines()[1:]:
        toks = _TOKEN.findall(line)
        if not toks:
            continue
        if toks[0] == "subgraph":
            stack.append(_unquote(toks[1]))
        elif toks[0] == "{":
            stack.append("")
        elif toks[0] == "}":
            if stack:
                stack.pop()
        elif toks[0] == "graph" and not stack:
            dot.label = _attrs(toks[1:]).get("label", "")
        elif toks[0] in ("graph", "node", "edge"):
            continue
        elif len(toks) >= 3 and toks[1] == "->":
            ends = (_unquote(toks[0]), _unquote(toks[2]))
            if not any(end.startswith("legend/") for end in ends):  # invisible spacers
                dot.edges[ends] = _attrs(toks[3:])
        elif len(toks) >= 2 and toks[1] == "[":
            name = _unquote(toks[0])
            dot.nodes[name] = _attrs(toks[1:])
            for cluster in (s for s in stack if s.startswith("cluster_")):
                dot.clusters.setdefault(cluster, []).append(name)
    return dot


def diagram_dot(tmp_path: Path, model: str | None, store: Path | object, **options) -> Dot:
    out = tmp_path / f"d{len(list(tmp_path.glob('*.dot')))}.dot"
    lineage.diagram(model, store=store, out=out, **options)
    return parse_dot(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def whole(examples_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Dot:
    return diagram_dot(tmp_path_factory.mktemp("whole"), None, examples_store, all=True)


# -- the examples ------------------------------------------------------------------------


def test_every_model_is_drawn_with_the_style_of_its_kind(whole: Dot):
    assert whole.models() == set(KINDS)
    for model, kind in KINDS.items():
        shape, fill, word = STYLES[kind]
        attrs = whole.nodes[model]
        assert (attrs["shape"], attrs["fillcolor"]) == (shape, fill), model
        assert word in attrs["style"], model
        assert f"<B>{model.split('/')[1]}</B>" in attrs["label"]
        assert model.split("/")[0] in attrs["label"]  # the organisation, small
        assert attrs["URL"] == f"https://huggingface.co/{model}"
    # the kinds look different from each other (shape or fill)
    assert len({(s, f) for s, f, _ in STYLES.values()}) == len(STYLES)


def test_edges_go_from_parent_to_child_with_their_relation(whole: Dot):
    assert len(whole.edges) == 16
    assert ("acme-ai/Acme-7B", INSTRUCT) in whole.edges
    assert (INSTRUCT, "acme-ai/Acme-7B") not in whole.edges
    assert whole.edges[("acme-ai/Acme-7B", INSTRUCT)]["label"] == "fine-tuned"
    assert whole.edges[(INSTRUCT, "acme-ai/Acme-7B-Instruct-AWQ")]["style"] == "dashed"
    assert whole.edges[(INSTRUCT, "medtune/acme-7b-medical-lora")]["label"] == "adapter"
    assert whole.edges[(INSTRUCT, "medtune/acme-7b-medical-lora")]["style"] == "dotted"


def test_merge_edges_carry_method_weight_and_density(whole: Dot):
    assert whole.edges[(INSTRUCT, TIES)]["label"] == r"merged (ties)\nweight 0.5, density 0.6"
    assert whole.edges[("orchard-lab/Pomme-7B-Chat", TIES)]["label"] == \
        r"merged (ties)\nweight 0.3, density 0.5"
    assert whole.edges[("acme-ai/Acme-7B", TIES)]["label"] == r"merged (ties)\nbase model"
    assert whole.edges[(TIES, "nightowl/Owl-Mega-7B")]["label"] == r"merged (linear)\nweight 0.6"
    assert whole.edges[("bluefin/Bluefin-7B-Coder", "nightowl/Owl-7B-slerp")]["label"] == \
        "merged (slerp)"
    merges = [a for (_, c), a in whole.edges.items() if KINDS.get(c) == "merge"]
    assert len(merges) == 8
    assert all(a["style"] == "bold" for a in merges)


def test_license_conflict_is_marked_in_red_with_a_tooltip(whole: Dot):
    ties = whole.nodes[TIES]
    assert ties["color"] == CONFLICT_RED
    assert "apache-2.0 (license conflict)" in ties["label"]
    assert CONFLICT_RED in ties["label"]
    assert "orchard-lab/Pomme-7B-Chat (cc-by-nc-4.0, non-commercial)" in ties["tooltip"]
    # its GGUF inherits the conflict; a restrictive license below a permissive one does not
    assert "license conflict" in whole.nodes["mergecraft/AcmePomme-Coder-7B-TIES-GGUF"]["label"]
    for model in set(KINDS) - {TIES, "mergecraft/AcmePomme-Coder-7B-TIES-GGUF"}:
        assert "license conflict" not in whole.nodes[model]["label"], model
        assert whole.nodes[model]["color"] != CONFLICT_RED, model
    assert "cc-by-nc-4.0" in whole.nodes["nightowl/Owl-Mega-7B"]["label"]
    assert "mit" in whole.nodes["lonewolf/Acme-7B-Instruct-abliterated-v2"]["label"]
    assert "legend/mark/conflict" in whole.nodes


def test_models_of_one_organisation_are_clustered(whole: Dot):
    assert sorted(whole.clusters["cluster_acme-ai"]) == sorted(
        m for m in KINDS if m.startswith("acme-ai/"))
    assert sorted(whole.clusters["cluster_nightowl"]) == [
        "nightowl/Owl-7B-slerp", "nightowl/Owl-Mega-7B"]
    assert whole.node_cluster("bluefin/Bluefin-7B-Coder") is None  # alone: no box
    assert "cluster_mergecraft" in whole.clusters


def test_legend_explains_the_kinds_and_edges_drawn(whole: Dot):
    legend = whole.clusters["cluster_legend"]
    assert {f"legend/kind/{k}" for k in STYLES} <= set(legend)
    for kind, (shape, fill, _) in STYLES.items():
        attrs = whole.nodes[f"legend/kind/{kind}"]
        assert (attrs["shape"], attrs["fillcolor"]) == (shape, fill)
    table = whole.nodes["legend/edges"]["label"]
    for text in ("fine-tuned", "merged: method, weight, density", "quantized", "adapter"):
        assert text in table
    assert "legend/mark/focus" not in whole.nodes  # no focus in --all without a model


def test_focus_is_highlighted(examples_store: Path, tmp_path: Path):
    dot = diagram_dot(tmp_path, "ACME-AI/acme-7b-instruct", examples_store)  # any case
    focus = dot.nodes[INSTRUCT]
    assert (focus["color"], focus["penwidth"]) == ("#000000", "3.5")
    assert "bold" in focus["style"]
    others = [n for n in dot.models() if n != INSTRUCT]
    assert all(dot.nodes[n].get("penwidth") != "3.5" for n in others)
    assert "legend/mark/focus" in dot.nodes
    assert dot.label.startswith(f"Lineage of {INSTRUCT}: 2 generations up, 2 down")


def test_up_and_down_limit_the_generations(examples_store: Path, tmp_path: Path):
    down1 = diagram_dot(tmp_path, INSTRUCT, examples_store, up=0, down=1)
    assert down1.models() == {INSTRUCT, "acme-ai/Acme-7B-Instruct-AWQ",
                              "bluefin/Bluefin-7B-Coder", "lonewolf/Acme-7B-Instruct-abliterated",
                              "medtune/acme-7b-medical-lora", TIES}
    # models whose other parents or children are cut off say so
    assert "+2 parents and 2 children not shown" in down1.nodes[TIES]["label"]
    assert "+1 child not shown" in down1.nodes["bluefin/Bluefin-7B-Coder"]["label"]
    assert "+1 parent not shown" in down1.nodes[INSTRUCT]["label"]  # Acme-7B
    assert "not shown" not in down1.nodes["acme-ai/Acme-7B-Instruct-AWQ"]["label"]
    up1 = diagram_dot(tmp_path, INSTRUCT, examples_store, up=1, down=0)
    assert up1.models() == {INSTRUCT, "acme-ai/Acme-7B"}
    assert set(up1.edges) == {("acme-ai/Acme-7B", INSTRUCT)}
    full = diagram_dot(tmp_path, "nightowl/Owl-Mega-7B", examples_store, up=9, down=0)
    assert full.models() == set(KINDS) - {
        "acme-ai/Acme-7B-Instruct-AWQ", "lonewolf/Acme-7B-Instruct-abliterated",
        "lonewolf/Acme-7B-Instruct-abliterated-v2", "medtune/acme-7b-medical-lora",
        "mergecraft/AcmePomme-Coder-7B-TIES-GGUF"}


def test_relations_filter_what_is_followed_and_drawn(examples_store: Path, tmp_path: Path):
    dot = diagram_dot(tmp_path, INSTRUCT, examples_store, relations=["merge"])
    assert dot.models() == {INSTRUCT, TIES, "nightowl/Owl-Mega-7B"}
    assert set(dot.edges) == {(INSTRUCT, TIES), (TIES, "nightowl/Owl-Mega-7B")}
    assert "relations: merge" in dot.label
    merges_only = diagram_dot(tmp_path, None, examples_store, all=True,
                              relations=["merge", "quantized"])
    assert "lonewolf/Acme-7B-Instruct-abliterated" not in merges_only.models()
    assert all(a["label"].startswith(("merged", "quantized"))
               for a in merges_only.edges.values())


def test_output_is_deterministic(examples_store: Path, tmp_path: Path):
    first = diagram_dot(tmp_path, None, examples_store, all=True).text
    second = diagram_dot(tmp_path, None, examples_store, all=True).text
    assert first == second
    store = lineage.open_store(examples_store, read_only=True)
    g = lineage_graph(store)
    store.close()
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(g.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(g.edges(keys=True, data=True))))
    assert lineage_diagram(g, everything=True).dot.source == \
        lineage_diagram(shuffled, everything=True).dot.source


# -- folding and summaries ---------------------------------------------------------------

def need_dot() -> None:
    need(shutil.which("dot") is not None, "Graphviz dot is missing (apt-get install graphviz)")


QUANTS = ("GGUF", "AWQ", "GPTQ", "EXL2", "MLX")


@pytest.fixture(scope="module")
def fan_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A base with five quantized children and thirty fine-tunes."""
    root = tmp_path_factory.mktemp("fan")
    cards = root / "cards"
    write(cards, "o/Base", "---\nlicense: apache-2.0\ntags: [pretrained]\n---\n# Base\n")
    for q in QUANTS:
        write(cards, f"q/Base-{q}", "---\nlicense: apache-2.0\nbase_model: o/Base\n"
              "base_model_relation: quantized\n---\n# quantized\n")
    for i in range(30):
        write(cards, f"t{i % 4}/Tune-{i:02d}", "---\nlicense: mit\nbase_model: o/Base\n---\n# t\n")
    report = lineage.build([cards], store=root / "store", jobs=1)
    assert report.ok, report.rejected
    return root / "store"


def test_many_quantized_children_fold_into_one_node(fan_store: Path, tmp_path: Path):
    dot = diagram_dot(tmp_path, "o/Base", fan_store)
    group = "group/quantized/o/Base"
    assert group in dot.nodes
    assert "<B>5 quantized</B>" in dot.nodes[group]["label"]
    assert "Base-..." in dot.nodes[group]["label"]  # what their names share
    assert all(f"q/Base-{q}" in dot.nodes[group]["tooltip"] for q in QUANTS)
    assert not any(n.startswith("q/") for n in dot.nodes)
    assert dot.edges[("o/Base", group)]["label"] == "quantized x5"
    assert len([n for n in dot.models() if n.startswith("t")]) == 30  # fine-tunes stay
    assert '#555555">q</FONT>' in dot.nodes[group]["label"]  # their one organisation


def test_folding_threshold_is_configurable(fan_store: Path, tmp_path: Path):
    assert DEFAULT_COLLAPSE_QUANTIZED == 3
    kept = diagram_dot(tmp_path, "o/Base", fan_store, collapse_quantized=5)
    assert {f"q/Base-{q}" for q in QUANTS} <= kept.models()
    never = diagram_dot(tmp_path, "o/Base", fan_store, collapse_quantized=None)
    assert not any(n.startswith("group/") for n in never.nodes)
    # the focus itself is never folded away
    focus = diagram_dot(tmp_path, "q/Base-GGUF", fan_store, collapse_quantized=0)
    assert "q/Base-GGUF" in focus.nodes


def test_a_large_neighbourhood_is_summarised(fan_store: Path, tmp_path: Path):
    dot = diagram_dot(tmp_path, "o/Base", fan_store, max_nodes=20)
    assert "summarised" in dot.label
    models = dot.models()
    assert "o/Base" in models
    # at most one row of children is drawn: here 5 quantized (folded) and 7 fine-tunes
    assert SUMMARY_WIDTH == 12
    assert len(models) == 1 + 7
    assert "<B>5 quantized</B>" in dot.nodes["group/quantized/o/Base"]["label"]
    rest = dot.nodes["group/depth/+1"]
    assert "<B>+23 more children</B>" in rest["label"]
    assert "fine-tunes" in rest["label"]
    assert dot.edges[("o/Base", "group/depth/+1")]["label"].startswith("fine-tuned x")
    assert "legend/kind/summary" in dot.nodes


def test_the_whole_graph_is_summarised_by_organisation(examples_store: Path, tmp_path: Path):
    result = lineage.diagram(None, store=examples_store, out=tmp_path / "s.dot", all=True,
                             max_nodes=5)
    assert result.summarised
    assert (result.models, result.nodes <= 5) == (12, True)
    dot = parse_dot((tmp_path / "s.dot").read_text(encoding="utf-8"))
    groups = [n for n in dot.nodes if n.startswith("group/org/")]
    assert groups
    counts = [int(m) for n in groups
              for m in re.findall(r": (\d+) models?</B>", dot.nodes[n]["label"])]
    assert sum(counts) + len(dot.models()) == 12  # every model drawn or counted once


def test_small_selection_is_not_summarised(examples_store: Path, tmp_path: Path):
    assert DEFAULT_MAX_NODES == 300
    result = lineage.diagram(None, store=examples_store, out=tmp_path / "x.dot", all=True)
    assert not result.summarised
    assert (result.models, result.nodes, result.edges) == (12, 12, 16)


@pytest.fixture(scope="module")
def islands_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six unconnected families: a base and its fine-tune each, all of organisation o."""
    root = tmp_path_factory.mktemp("islands")
    for i in range(6):
        write(root / "cards", f"o/Base-{i}", "---\nlicense: mit\n---\n# base\n")
        write(root / "cards", f"o/Tune-{i}", f"---\nlicense: mit\nbase_model: o/Base-{i}\n---\n")
    assert lineage.build([root / "cards"], store=root / "store", jobs=1).ok
    return root / "store"


def test_unconnected_families_get_their_own_clusters(islands_store: Path, tmp_path: Path):
    out = tmp_path / "islands.dot"
    result = lineage.diagram(None, store=islands_store, out=out, all=True)
    assert PACK_COMPONENTS < result.components == 6
    dot = parse_dot(out.read_text(encoding="utf-8"))
    assert sorted(dot.clusters["cluster_o_1"]) == ["o/Base-0", "o/Tune-0"]
    assert {c for c in dot.clusters if c.startswith("cluster_o")} == {
        f"cluster_o_{i}" for i in range(1, 7)}


def test_many_unconnected_families_are_packed_in_a_grid(islands_store: Path, tmp_path: Path):
    need_dot()
    out = tmp_path / "islands.svg"
    lineage.diagram(None, store=islands_store, out=out, all=True)
    root = ET.parse(out).getroot()
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert sum(t.startswith("Lineage graph") for t in texts) == 1  # one title, not six
    titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
    assert {f"o/Tune-{i}" for i in range(6)} <= titles
    width, height = (float(root.get(k, "0").removesuffix("pt")) for k in ("width", "height"))
    assert width < 4 * height  # a grid, not one long row
    png = tmp_path / "islands.png"
    lineage.diagram(None, store=islands_store, out=png, all=True)
    assert png.read_bytes().startswith(b"\x89PNG")


# -- text that could break DOT -----------------------------------------------------------


def test_hostile_names_are_escaped(tmp_path: Path):
    g = nx.MultiDiGraph()
    g.add_node("https://w3id.org/lineage/id/model/a%3Ab", id=None, kind="unresolved",
               label='<b>"x\\n" & y</b>', unresolved=True)
    g.add_node("https://huggingface.co/o/m", id="o/m", org="o", kind="finetune",
               license="other", license_name='<custom "x">')
    g.add_edge("https://huggingface.co/o/m", "https://w3id.org/lineage/id/model/a%3Ab",
               key="finetune", relation="finetune")
    diagram = lineage_diagram(g, focus="https://huggingface.co/o/m")
    parsed = parse_dot(diagram.dot.source)
    unresolved = "w3id.org/lineage/id/model/a%3Ab"  # no ':' (a port separator in DOT)
    assert (unresolved, "o/m") in parsed.edges
    assert "&lt;b&gt;" in parsed.nodes[unresolved]["label"]
    need_dot()
    svg = render(diagram, DiagramFormat.SVG)
    ET.fromstring(svg)  # well-formed


# -- rendering ---------------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG"),
                                               (".pdf", b"%PDF")])
def test_dot_renders_the_examples(examples_store: Path, tmp_path: Path, suffix: str,
                                  magic: bytes):
    need_dot()
    out = tmp_path / f"family{suffix}"
    lineage.diagram(INSTRUCT, store=examples_store, out=out)
    data = out.read_bytes()
    assert data.startswith(magic)
    if suffix == ".svg":
        root = ET.fromstring(data)
        titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
        assert {INSTRUCT, TIES, "acme-ai/Acme-7B"} <= titles
    if suffix == ".png":
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width > 800, height > 400) == (True, True)


def test_format_option_overrides_the_extension(examples_store: Path, tmp_path: Path):
    out = tmp_path / "family.txt"
    lineage.diagram(INSTRUCT, store=examples_store, out=out, fmt="DOT")
    assert out.read_text(encoding="utf-8").startswith("digraph lineage {")
    with pytest.raises(ExportError, match=r"\.svg, \.png, \.pdf, \.dot or --format"):
        lineage.diagram(INSTRUCT, store=examples_store, out=tmp_path / "family.txt")
    with pytest.raises(ExportError, match="unknown diagram format 'jpg'"):
        lineage.diagram(INSTRUCT, store=examples_store, out=out, fmt="jpg")


def test_missing_dot_program_is_one_clear_error(examples_store: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ExportError) as err:
        lineage.diagram(INSTRUCT, store=examples_store, out=tmp_path / "x.png")
    message = str(err.value)
    assert "`apt-get install graphviz`" in message
    assert "\n" not in message
    assert not (tmp_path / "x.png").exists()
    # DOT needs no program
    lineage.diagram(INSTRUCT, store=examples_store, out=tmp_path / "x.dot")
    assert (tmp_path / "x.dot").read_text(encoding="utf-8").startswith("digraph")


def test_bad_requests_raise_lineage_errors(examples_store: Path, tmp_path: Path):
    with pytest.raises(ExportError, match="--all"):
        lineage.diagram(None, store=examples_store, out=tmp_path / "x.dot")
    with pytest.raises(QueryError, match="no model 'nobody/nothing'"):
        lineage.diagram("nobody/nothing", store=examples_store, out=tmp_path / "x.dot")
    with pytest.raises(ExportError, match="0 or more"):
        lineage.diagram(INSTRUCT, store=examples_store, out=tmp_path / "x.dot", up=-1)
    with pytest.raises(ExportError, match="unknown relation"):
        lineage.diagram(INSTRUCT, store=examples_store, out=tmp_path / "x.dot",
                        relations=["sibling"])
    with pytest.raises(ExportError, match="cannot write"):
        lineage.diagram(INSTRUCT, store=examples_store, out=tmp_path / "no" / "dir" / "x.dot")


def test_cli_and_api_match_the_module():
    assert tuple(f.value for f in DiagramFormat) == cli.DIAGRAM_FORMATS
    defaults = inspect.signature(lineage.diagram).parameters
    assert defaults["max_nodes"].default == DEFAULT_MAX_NODES
    assert defaults["collapse_quantized"].default == DEFAULT_COLLAPSE_QUANTIZED


# -- the command -------------------------------------------------------------------------


def test_cli_draws_the_whole_graph_as_svg(run, examples_store: Path, tmp_path: Path):
    need_dot()
    out = tmp_path / "x.svg"
    proc = run("diagram", "--all", "--store", examples_store, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote {out}: 12 models, 16 edges"
    titles = {t.text for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}title")}
    assert set(KINDS) <= titles


def test_cli_draws_a_model_as_dot(run, examples_store: Path, tmp_path: Path):
    out = tmp_path / "x.dot"
    proc = run("diagram", TIES, "--store", examples_store, "--up", "1", "--down", "0",
               "--relation", "merge", "-o", out)
    assert proc.returncode == 0, proc.stderr
    dot = parse_dot(out.read_text(encoding="utf-8"))
    assert dot.models() == {TIES, INSTRUCT, "acme-ai/Acme-7B", "orchard-lab/Pomme-7B-Chat",
                            "bluefin/Bluefin-7B-Coder"}
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg", "-o", str(tmp_path / "x.svg"), str(out)], check=True)


def test_cli_errors_are_one_line(run, examples_store: Path, tmp_path: Path):
    proc = run("diagram", "--store", examples_store, "-o", tmp_path / "x.svg")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("lineage: error: name the MODEL to draw around, or draw "
                                   "the whole graph (--all)")
    proc = run("diagram", "nobody/nothing", "--store", examples_store, "-o", tmp_path / "x.svg")
    assert (proc.returncode, proc.stderr.count("\n")) == (2, 1)
    assert "Traceback" not in proc.stderr
    proc = run("diagram", "--help")
    assert proc.returncode == 0
    assert "--collapse-quantized" in proc.stdout


# -- what the issue asked: conflicts named, models without a card, colours, legend ----------


def test_a_conflict_names_its_ancestor_even_when_it_is_not_drawn(examples_store: Path,
                                                                 tmp_path: Path):
    dot = diagram_dot(tmp_path, INSTRUCT, examples_store)  # Pomme-7B-Chat is not selected
    assert "orchard-lab/Pomme-7B-Chat" not in dot.models()
    for model in (TIES, "mergecraft/AcmePomme-Coder-7B-TIES-GGUF"):
        label = dot.nodes[model]["label"]
        assert "derives from orchard-lab/Pomme-7B-Chat" in label, model
        assert "(cc-by-nc-4.0, not shown)" in label, model
    whole = diagram_dot(tmp_path, None, examples_store, all=True)  # drawn: named, no "not shown"
    assert "derives from orchard-lab/Pomme-7B-Chat" in whole.nodes[TIES]["label"]
    assert "(cc-by-nc-4.0)" in whole.nodes[TIES]["label"]


def test_conflicts_are_those_of_the_licenses_analysis(examples_store: Path):
    from lineage.analysis import licenses
    from lineage.diagrams import license_conflicts

    store = lineage.open_store(examples_store, read_only=True)
    g = lineage_graph(store)
    store.close()
    found = license_conflicts(g, list(g))
    expected = {}
    for node in g:
        report = licenses(g, node)
        own = [c["ancestor"] for c in report["conflicts"] if c["model"] == report["model"]]
        if own:
            expected[g.nodes[node]["id"]] = own
    assert {g.nodes[n]["id"]: [g.nodes[a]["id"] for a, _, _ in c.ancestors]
            for n, c in found.items()} == expected
    assert set(expected) == {TIES, "mergecraft/AcmePomme-Coder-7B-TIES-GGUF"}


@pytest.fixture(scope="module")
def nocard_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A quantized model whose parent, a fine-tune, has no card in the store."""
    root = tmp_path_factory.mktemp("nocard")
    write(root / "cards", "q/Tuned-GGUF", "---\nlicense: mit\nbase_model: o/Tuned\n"
          "base_model_relation: quantized\n---\n# GGUF of o/Tuned\n")
    write(root / "cards", "o/Base", "---\nlicense: mit\ntags: [pretrained]\n---\n# Base\n")
    assert lineage.build([root / "cards"], store=root / "store", jobs=1).ok
    return root / "store"


def test_models_without_a_card_have_a_style_of_their_own(nocard_store: Path, tmp_path: Path):
    dot = diagram_dot(tmp_path, None, nocard_store, all=True)
    tuned, base = dot.nodes["o/Tuned"], dot.nodes["o/Base"]
    assert (base["shape"], base["fillcolor"]) == STYLES["base"][:2]  # a card says so
    assert (tuned["fillcolor"], tuned["color"]) == ("#ffffff", "#4d4d4d")  # not a base
    assert "dashed" in tuned["style"]
    assert "no card in the store" in tuned["tooltip"]
    assert "pretrained base" not in tuned["tooltip"]
    sample = dot.nodes["legend/kind/nocard"]
    assert (sample["fillcolor"], sample["style"]) == (tuned["fillcolor"], tuned["style"])
    assert sample["label"] == "no card in the store"


def test_a_kind_known_from_other_cards_is_said_on_a_node_without_a_card():
    g = nx.MultiDiGraph()
    g.add_node("m", id="o/mid", org="o", kind="finetune", described=False)
    g.add_node("b", id="o/base", org="o", kind="base", described=True)
    g.add_edge("m", "b", key="finetune", relation="finetune")
    dot = parse_dot(lineage_diagram(g, everything=True).dot.source)
    assert dot.nodes["o/mid"]["fillcolor"] == "#ffffff"
    assert "fine-tune, as other cards say" in dot.nodes["o/mid"]["label"]
    assert "legend/kind/finetune" not in dot.nodes  # no fine-tune drawn as one


def test_conflict_colour_is_the_red_readme_names():
    from lineage.diagrams.style import CONFLICT, KINDS, RELATIONS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "restrictive ancestor's in red" in readme
    r, g, b = (int(CONFLICT[i:i + 2], 16) for i in (1, 3, 5))
    assert r > 2 * g  # red, not orange (the old #d55e00 had g = r / 2.3)
    assert r > 2 * b
    others = {s.border for s in KINDS.values()} | {c for c, _, _ in RELATIONS.values()}
    assert CONFLICT not in others


def _legend_explains(dot: Dot) -> None:
    """Every node look drawn has a legend sample; every edge colour a legend row."""
    looks = {(a["shape"], a["fillcolor"]) for n, a in dot.nodes.items()
             if not n.startswith("legend/")}
    samples = {(a["shape"], a["fillcolor"]) for n, a in dot.nodes.items()
               if n.startswith("legend/kind/")}
    assert looks <= samples
    table = dot.nodes["legend/edges"]["label"]
    assert "parents above children" in table
    for attrs in dot.edges.values():
        assert attrs["color"] in table


def test_the_legend_is_one_row_under_the_drawing(examples_store: Path, tmp_path: Path):
    need_dot()
    out = tmp_path / "family.svg"
    lineage.diagram(INSTRUCT, store=examples_store, out=out)
    svg = "{http://www.w3.org/2000/svg}"
    tops: dict[str, float] = {}
    for group in ET.parse(out).getroot().iter(f"{svg}g"):
        title = group.findtext(f"{svg}title") or ""
        ys = [float(t.get("y", "0")) for t in group.iter(f"{svg}text")]
        if ys and group.get("class") == "node":
            tops[title] = min(ys)
    legend = {n: y for n, y in tops.items() if n.startswith("legend/")}
    models = {n: y for n, y in tops.items() if not n.startswith("legend/")}
    assert len(legend) == 8  # five kinds, focus, conflict, the table
    assert min(legend.values()) > max(models.values())  # SVG y grows downwards
    samples = [y for n, y in legend.items() if n != "legend/edges"]
    assert max(samples) - min(samples) < 15  # one row (a two-line label starts higher)
    _legend_explains(parse_dot(diagram_dot(tmp_path, INSTRUCT, examples_store).text))


def test_the_legend_explains_groups_and_counted_edges(fan_store: Path, tmp_path: Path):
    dot = diagram_dot(tmp_path, "o/Base", fan_store, max_nodes=20)
    table = dot.nodes["legend/edges"]["label"]
    assert "double border: several models in one node" in table
    assert "an edge marked xN stands for N derivations" in table
    _legend_explains(dot)


def test_the_seeds_diagram_keeps_every_promise(built_store: Path, tmp_path: Path):
    """On the examples and the seeds: no card, no base look; conflicts named; legend full."""
    store = lineage.open_store(built_store, read_only=True)
    g = lineage_graph(store)
    store.close()
    dot = diagram_dot(tmp_path, None, built_store, all=True)
    by_name = {(d.get("id") or n.split("://", 1)[-1].replace(":", "%3A")): d
               for n, d in g.nodes(data=True)}
    nocard = [n for n in dot.models()
              if not by_name[n].get("described") and by_name[n]["kind"] != "unresolved"]
    assert nocard  # the seeds name parents that have no card
    for name in nocard:
        assert (dot.nodes[name]["fillcolor"], dot.nodes[name]["shape"]) == ("#ffffff", "box")
    conflicted = [n for n in dot.models() if "(license conflict)" in dot.nodes[n]["label"]]
    assert conflicted
    assert all("derives from " in dot.nodes[n]["label"] for n in conflicted)
    _legend_explains(dot)
