"""CI runs bench/identity.py --strict: the identity targets hold on the corpus laid out loose."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, SHARED, need


def test_identity_targets_hold_on_loose_layouts():
    need((SHARED / "corpus" / "MANIFEST.tsv").is_file(), f"{SHARED}/corpus is missing")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "identity.py"), "--shared",
                           str(SHARED), "--strict"], capture_output=True, text=True, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()
            if line.startswith(("NAME/README.md", "NAME.md"))]
    assert len(rows) == 2
    for _layout, cards, right, wrong, precision, _bare, shared, junk, paths in rows:
        assert int(cards) >= 70
        assert int(wrong) == 0
        assert float(precision) >= 0.99
        assert int(right) >= 20
        assert (shared, junk) == ("0", "0")
        done, total = paths.split("/")
        assert done == total
        assert int(total) >= 9
