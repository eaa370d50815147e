const form = document.getElementById("form");
const out = document.getElementById("out");
const note = document.getElementById("note");
const MODEL = /^https:\/\/huggingface\.co\/(?!datasets\/|spaces\/)([^/?#]+\/[^/?#]+)$/;
const LOCAL = "https://w3id.org/lineage/id/model/";
function page(t) {
  if (t.type !== "uri") return null;
  const hub = MODEL.exec(t.value);
  if (hub) return "model/" + hub[1];
  if (t.value.startsWith(LOCAL)) return "model?iri=" + encodeURIComponent(t.value);
  return null;
}
function show(t) {
  if (t.type === "uri") return "<" + t.value + ">";
  if (t.type === "bnode") return "_:" + t.value;
  if (t["xml:lang"]) return JSON.stringify(t.value) + "@" + t["xml:lang"];
  return t.value;
}
async function run(event) {
  event.preventDefault();
  note.textContent = "running...";
  out.replaceChildren();
  const started = performance.now();
  let response;
  try {
    response = await fetch("sparql", {method: "POST",
      headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: new URLSearchParams({query: form.query.value})});
  } catch (err) {
    note.textContent = String(err);
    return;
  }
  const ms = Math.round(performance.now() - started) + " ms";
  const cut = response.headers.get("X-Lineage-Truncated") === "true"
    ? ", cut at the server's row limit" : "";
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || !type.startsWith("application/sparql-results+json")) {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    out.append(pre);
    note.textContent = (response.ok ? "" : "HTTP " + response.status + ", ") + ms + cut;
    return;
  }
  const data = await response.json();
  if ("boolean" in data) {
    note.textContent = data.boolean + ", " + ms;
    return;
  }
  const vars = data.head.vars, rows = data.results.bindings;
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const v of vars) {
      const cell = tr.insertCell();
      if (!row[v]) continue;
      const href = page(row[v]);
      if (href) {
        const a = document.createElement("a");
        a.href = href;
        a.textContent = show(row[v]);
        cell.append(a);
      } else {
        cell.textContent = show(row[v]);
      }
    }
  }
  out.append(table);
  note.textContent = rows.length + " rows, " + ms + cut;
}
form.addEventListener("submit", run);
form.query.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
});
