#!/usr/bin/env bash
# The main job on the bundled examples, on a fresh machine: install lineage (and Graphviz's
# `dot` when missing), build the graph in the embedded store ./.lineage, print what it found,
# then draw the family and export it for other tools into ./lineage-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dot >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq graphviz >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e .
lineage build examples/cards
mkdir -p lineage-out
lineage diagram --all -o lineage-out/lineage.svg
for fmt in ttl trig jsonld graphml gexf; do
  lineage export --format "$fmt" -o "lineage-out/lineage.$fmt"
done
lineage export --format csv -o lineage-out/csv
echo "exports and diagram written to lineage-out/"
