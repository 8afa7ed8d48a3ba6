"""The compliance report: features x systems, pass / fail / not applicable with reasons."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.runner import BROKEN, MEMORY, ROOT
from tidbok_contract.report import FEATURE_ORDER, NOT_APPLICABLE, cell_for
from tidbok_contract.suite import FEATURES


def test_report_rows_match_the_suites_features() -> None:
    assert [feature for feature, _ in FEATURES] == FEATURE_ORDER


def test_a_feature_with_only_skips_is_not_applicable_with_reasons() -> None:
    cell = cell_for(
        [{"outcome": "skipped", "name": "test_x", "reason": "not applicable: no invitations"}]
    )
    assert cell.status == NOT_APPLICABLE
    assert cell.notes == ["test_x: not applicable: no invitations"]


@pytest.mark.slow
def test_report_over_a_correct_and_a_broken_system(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "tidbok", "contract", "--report", "--output", str(tmp_path)]
    for module in (MEMORY, BROKEN):
        command += ["--plugin", module]
    for system in ("memory", "memory_broken", "memory_sameday"):
        command += ["--only", system]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the broken system fails
    data = json.loads((tmp_path / "contract-report.json").read_text())
    assert data["systems"] == ["memory", "memory_broken", "memory_sameday"]
    features = data["features"]
    assert {cell["status"] for cell in (row["memory"] for row in features.values())} == {"pass"}
    assert features["invitations"]["memory_sameday"]["status"] == "not applicable"
    assert features["invitations"]["memory_sameday"]["notes"]
    assert features["visibility"]["memory_broken"]["status"] == "fail"
    assert features["search"]["memory_broken"]["status"] == "fail"
    assert features["time_zones"]["memory_broken"]["status"] == "pass"
    markdown = (tmp_path / "contract-report.md").read_text()
    assert "| feature | memory | memory_broken | memory_sameday |" in markdown
    assert "does not declare capability open_invitations" in markdown
