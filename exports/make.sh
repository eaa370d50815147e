#!/usr/bin/env bash
# Rebuild exports/: the graph of the bundled example cards (examples/cards) in every export
# format. tests/test_exporters.py runs this script into a temporary folder and fails when a
# committed file differs from what it writes, so rerun it after changing extraction, the
# graph or an exporter:
#
#     bash exports/make.sh            # writes exports/
#     bash exports/make.sh OUTDIR     # writes OUTDIR instead
#
# The cards are built from the repository root into a temporary store, so each card graph
# records its source as examples/cards/..., and SOURCE_DATE_EPOCH fixes the retrieval time
# recorded with each card: the same cards and code always give the same bytes.
# LINEAGE names the console script to run (default: lineage on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-exports}"
lineage="${LINEAGE:-lineage}"
export SOURCE_DATE_EPOCH=1735689600  # 2025-01-01T00:00:00Z
store="$(mktemp -d)"
trap 'rm -rf "$store"' EXIT

"$lineage" build examples/cards --store "$store/store" --jobs 1 --quiet >/dev/null

export_as() {  # FORMAT PATH
  "$lineage" export --store "$store/store" --format "$1" -o "$out/$2" >/dev/null
}
export_as ttl lineage.ttl
export_as nt lineage.nt
export_as nq lineage.nq
export_as trig lineage.trig
export_as jsonld lineage.jsonld
export_as xml lineage.rdf
export_as graphml lineage.graphml
export_as gexf lineage.gexf
export_as json lineage.json
export_as cyjs lineage.cyjs
export_as csv csv

# --- diagram: lineage.svg (the whole graph; needs Graphviz's dot) -----------------------------
"$lineage" diagram --all --store "$store/store" -o "$out/lineage.svg" >/dev/null
