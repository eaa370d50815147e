#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, then run it all.
# Python packages come from pyproject.toml (the `test` extra); system binaries from apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # the web view's browser tests
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test,browser]'
# Spread over the cores (pytest-xdist); pass -n 0 to run in one process.
python3 -m pytest -n auto --dist worksteal "$@"
