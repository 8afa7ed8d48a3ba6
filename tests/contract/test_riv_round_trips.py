"""The riv plugin through tidbok's own crm:scheduling producer passes the contract suite.

``riv -> tidbok gateway (producer) -> PASiS mock`` and ``-> PMO mock``: every applicable test
passes, and every test that does not apply says why (what crm:scheduling cannot carry: each
time type's 1177 access, who made a booking, open invitations). The same command by hand:
``tidbok contract riv --variant via-pasis`` (docs/contract-tests.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.runner import ROOT


def start(variant: str, results: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tidbok", "contract", "riv", "--variant", variant]
    command += ["-q", "-p", "no:cacheprovider", "--tidbok-results", str(results)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def test_riv_passes_the_contract_suite_through_tidbok_s_producer(tmp_path: Path) -> None:
    runs = {
        variant: (start(variant, tmp_path / f"{variant}.json"), tmp_path / f"{variant}.json")
        for variant in ("via-pasis", "via-pmo")
    }
    for variant, (process, results) in runs.items():
        output, _ = process.communicate(timeout=240)
        assert process.returncode == 0, f"{variant}:\n{output[-4000:]}"
        tests = json.loads(results.read_text(encoding="utf-8"))["tests"]
        outcomes = {test["outcome"] for test in tests}
        assert outcomes <= {"passed", "skipped"}, (variant, outcomes)
        passed = [test for test in tests if test["outcome"] == "passed"]
        assert len(passed) >= 60, (variant, len(passed))
        for test in tests:
            if test["outcome"] == "skipped":
                assert "not applicable" in test.get("reason", ""), (variant, test)
        names = {test["nodeid"].split("::")[-1] for test in passed}
        for must in ("test_book_a_free_slot", "test_lost_answer_to_a_booking_never_duplicates"):
            assert must in names, (variant, must)


@pytest.mark.parametrize("variant", ["via-nowhere"])
def test_an_unknown_variant_is_named_with_the_offered_ones(variant: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tidbok", "contract", "riv", "--variant", variant, "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "riv:via-pasis" in done.stdout + done.stderr
