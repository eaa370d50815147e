"""The web view over HTTP: pages, search, model pages, named queries, escaping, privacy."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

import lineage
from lineage.server import create_app
from tests.conftest import EXAMPLES

BASE = "http://127.0.0.1:7878"
MIX = "webtest/Mix-7B"
LOCAL = "/data/ckpt/tiny-sft-7b"
# Our own small cards: one whose prose and tags carry markup (cards are untrusted text), a
# merge with a local path among its parents, and a card that names no id of its own.
CARDS = {
    "webtest/Base-Model/README.md": (
        "---\nlicense: cc-by-nc-4.0\ntags:\n- pretrained\n---\n# Base <i>Model</i>\n\n"
        "A pretrained base model.\n"),
    "webtest/Evil-Model/README.md": (
        "---\nbase_model: webtest/Base-Model\nlicense: apache-2.0\ntags:\n"
        "- \"<script>alert('tag')</script>\"\n---\n# Evil Model\n\n"
        "Fine-tuned from [webtest/Base-Model](https://huggingface.co/webtest/Base-Model) "
        "<script>alert(\"card\")</script> with <img src=x onerror=alert(1)> care.\n"),
    "webtest/Mix-7B/README.md": (
        "---\nlicense: apache-2.0\ntags:\n- merge\n---\n# Mix-7B\n\n"
        "A TIES merge of [Evil-Model](https://huggingface.co/webtest/Evil-Model) and a "
        "private checkpoint.\n\n```yaml\nmodels:\n  - model: webtest/Evil-Model\n"
        "    parameters:\n      weight: 0.6\n  - model: " + LOCAL + "\n    parameters:\n"
        "      weight: 0.4\nmerge_method: ties\nbase_model: webtest/Evil-Model\n"
        "dtype: bfloat16\n```\n"),
    "notes.md": ("---\nlicense: mit\nbase_model: webtest/Mix-7B\n---\n# notes\n\n"
                 "My own fine-tune.\n"),
}


@pytest.fixture(scope="module")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    for name, text in CARDS.items():
        path = root / "cards" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    report = lineage.build([root / "cards", EXAMPLES], store=root / "store", jobs=1)
    assert report.ok, report.rejected
    return root / "store"


@pytest.fixture(scope="module")
def client(web_store: Path) -> Iterator[TestClient]:
    app = create_app(web_store, timeout=60, max_rows=50, workers=1)
    with TestClient(app, base_url=BASE) as http:
        yield http


def links(page: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', page))


def test_home_has_search_and_counts(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert 'action="/models"' in page.text
    # 12 example models, 3 of ours with a Hub id, the local checkpoint and the loose card
    assert re.search(r"<b>17</b>\s*models", page.text)
    assert re.search(r"<b>16</b>\s*cards", page.text)
    assert "/model/acme-ai/Acme-7B-Instruct" in links(page.text)  # the most derived-from


def test_search_by_substring_and_misspelling(client):
    exact = client.get("/models", params={"q": "owl-mega"})
    assert exact.status_code == 200
    assert "/model/nightowl/Owl-Mega-7B" in links(exact.text)
    assert "/model/acme-ai/Acme-7B" not in links(exact.text)
    fuzzy = client.get("/models", params={"q": "Owl-Mgea-7B"})
    assert "/model/nightowl/Owl-Mega-7B" in links(fuzzy.text)
    merges = client.get("/models", params={"relation": "merge", "org": "webtest"})
    assert f"/model/{MIX}" in links(merges.text)
    assert "/model/webtest/Evil-Model" not in links(merges.text)
    bad = client.get("/models", params={"relation": "cousin"})
    assert bad.status_code == 400
    assert "unknown relation &#39;cousin&#39;" in bad.text


def test_model_page_shows_what_show_knows(client):
    page = client.get(f"/model/{MIX}")
    assert page.status_code == 200
    text = page.text
    shown = lineage.show(MIX, store=client.app.state.pages.library.get())
    assert f'<h1 id="model-id">{MIX}' in text
    for parent in shown["parents"]:
        assert parent["id"] in text
    # evidence: the card's source and the line, the snippet
    assert re.search(r"cards/webtest/Mix-7B/README\.md, line 12", text)
    assert "- model: webtest/Evil-Model" in text
    # the unresolved parent is marked, and links to its own page
    assert "unresolved" in text
    local = "/model?iri=" + quote("https://w3id.org/lineage/id/model/" + quote(LOCAL, safe=""),
                                  safe="")
    assert local.replace("&", "&amp;") in links(text) or local in links(text)
    # ancestors, descendants, licenses, contributions
    assert "/model/webtest/Base-Model" in links(text)
    assert 'id="descendants"' in text
    assert "notes" in text
    assert "License conflict" in text  # apache-2.0 below a non-commercial base
    assert 'id="contributions"' in text


def test_model_page_diagram_links_nodes_to_their_pages(client):
    page = client.get(f"/model/{MIX}").text
    svg = page[page.index("<svg"):page.index("</svg>")]
    hrefs = set(re.findall(r'<a href="([^"]+)"', svg))
    assert {"/model/webtest/Evil-Model", "/model/webtest/Base-Model", f"/model/{MIX}"} <= hrefs
    assert any(h.startswith("/model?iri=") for h in hrefs)  # the local checkpoint too
    assert "huggingface.co" not in svg  # nodes open our pages, not the Hub
    assert "<script" not in svg


def test_models_without_a_hub_id_have_pages(client):
    iri = "https://w3id.org/lineage/id/model/" + quote(LOCAL, safe="")
    page = client.get("/model", params={"iri": iri})
    assert page.status_code == 200
    assert f'<h1 id="model-id">{LOCAL}' in page.text
    assert "unresolved name" in page.text
    assert f"/model/{MIX}" in links(page.text)  # its child


def test_unknown_model_is_a_404_with_suggestions(client):
    page = client.get("/model/webtest/Mix-8B")
    assert page.status_code == 404
    assert "no model &#39;webtest/Mix-8B&#39; in the store" in page.text
    assert f"/model/{MIX}" in links(page.text)
    assert client.get("/model").status_code == 400


def test_card_text_is_escaped_everywhere(client):
    for url in ("/model/webtest/Evil-Model", "/model/webtest/Base-Model", f"/model/{MIX}",
                "/models?q=evil",
                "/queries/evidence?model=webtest/Evil-Model&run=1"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<script>alert" not in page.text, url
        assert "<img src=x" not in page.text, url
        assert "<i>Model</i>" not in page.text, url
    evil = client.get("/model/webtest/Evil-Model").text
    assert "&lt;script&gt;alert(&#34;card&#34;)&lt;/script&gt;" in evil  # shown, as text
    assert "&lt;script&gt;alert(&#39;tag&#39;)&lt;/script&gt;" in evil


def test_named_queries_are_forms_with_links_and_downloads(client):
    listing = client.get("/queries")
    assert "/queries/ancestors" in links(listing.text)
    form = client.get("/queries/ancestors")
    assert form.status_code == 200
    assert 'name="model"' in form.text
    assert 'id="results"' not in form.text
    run = client.get("/queries/ancestors", params={"model": MIX, "run": "1"})
    assert run.status_code == 200
    assert "/model/webtest/Base-Model" in links(run.text)  # IRIs and ids link to pages
    share = f"/queries/ancestors?model={quote(MIX, safe='')}&amp;run=1"
    assert f'href="{share}"' in run.text
    data = client.get("/queries/ancestors", params={"model": MIX, "run": "1", "format": "csv"})
    assert data.status_code == 200
    assert data.headers["content-type"].startswith("text/csv")
    assert 'filename="ancestors.csv"' in data.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(data.text)))
    assert {r["id"] for r in rows} >= {"webtest/Evil-Model", "webtest/Base-Model"}
    js = client.get("/queries/ancestors", params={"model": MIX, "run": "1", "format": "json"})
    assert js.headers["content-type"].startswith("application/sparql-results+json")
    assert len(js.json()["results"]["bindings"]) == len(rows)


def test_named_query_errors_are_one_line(client):
    unknown = client.get("/queries/ancestors", params={"model": "nobody/none", "run": "1"})
    assert unknown.status_code == 400
    assert "no model &#39;nobody/none&#39; in the store" in unknown.text
    missing = client.get("/queries/ancestors", params={"run": "1", "format": "csv"})
    assert missing.status_code == 400
    assert missing.text.count("\n") == 1
    assert "needs --param model" in missing.text
    no_query = client.get("/queries/ancestor")
    assert no_query.status_code == 404
    assert "did you mean" in no_query.text.lower()
    assert client.get("/queries/ancestors", params={"run": "1", "model": MIX,
                                                    "format": "xlsx"}).status_code == 400


def test_pages_keep_the_endpoint_private(client):
    rebound = client.get(f"/model/{MIX}", headers={"Host": "rebound.example"})
    assert rebound.status_code == 403
    other = client.get("/models", headers={"Origin": "http://example.org"})
    assert other.status_code == 403
    assert "access-control-allow-origin" not in other.headers
    assert client.post("/models").status_code == 405


def test_a_rebuilt_store_is_read_again(tmp_path):
    cards = tmp_path / "cards"
    path = cards / "webtest/Base-Model/README.md"
    path.parent.mkdir(parents=True)
    path.write_text(CARDS["webtest/Base-Model/README.md"], encoding="utf-8")
    store = tmp_path / "store"
    lineage.build([cards], store=store, jobs=1)
    with TestClient(create_app(store, timeout=30, workers=1), base_url=BASE) as http:
        assert http.get("/model/webtest/Evil-Model").status_code == 404
        for name in ("webtest/Evil-Model/README.md",):
            (cards / name).parent.mkdir(parents=True)
            (cards / name).write_text(CARDS[name], encoding="utf-8")
        lineage.build([cards], store=store, jobs=1)
        assert http.get("/model/webtest/Evil-Model").status_code == 200
