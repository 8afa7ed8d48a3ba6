"""PASiS, PMO and riv (against its mock producer) pass every applicable contract test; every
'not applicable' says why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.contract.runner import ROOT


def test_the_builtin_systems_pass_the_contract_suite(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "tidbok", "contract", "--report", "--output", str(tmp_path)]
    command += ["--only", "pasis", "--only", "pmo", "--only", "riv"]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((tmp_path / "contract-report.json").read_text(encoding="utf-8"))
    assert report["systems"] == ["pasis", "pmo", "riv"]
    for feature, cells in report["features"].items():
        for system, cell in cells.items():
            assert cell["failed"] == 0, f"{system} fails {feature}: {cell['notes']}"
            assert cell["status"] in {"pass", "not applicable"}, (feature, system, cell)
            assert cell["passed"] + cell["not_applicable"] > 0, (feature, system)
            assert len(cell["notes"]) == cell["not_applicable"], (feature, system, cell)
            assert all("not applicable:" in note for note in cell["notes"])
    markdown = (tmp_path / "contract-report.md").read_text(encoding="utf-8")
    assert "| invitations | ✅ pass" in markdown
