"""The build benchmark at 400 cards as a smoke test: it runs, and any --jobs gives the same graph.

No time is asserted (benchmarks print figures; tests do not time).
"""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_build_benchmark_smoke(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "build.py"), "-n", "400", "--jobs", "2",
         "--keep", str(tmp_path / "cards"), "--compare-jobs", "1,2"],
        capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "identical N-Quads for --jobs 1 and --jobs 2: yes" in proc.stdout
    assert "cards ingested 400 / skipped unchanged 0 / rejected 0" in proc.stdout
    assert "cards ingested 0 / skipped unchanged 400" in proc.stdout
    assert "cards ingested 4 / skipped unchanged 396" in proc.stdout
    assert "where the time went (lineage build" in proc.stdout
