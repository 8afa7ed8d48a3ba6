"""Run the contract suite in a subprocess and read back its JSON results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tidbok_contract.options import UNRELATED_PLUGINS

ROOT = Path(__file__).resolve().parents[2]
MEMORY = "tests.contract.memory_target"
BROKEN = "tests.contract.broken_target"


@dataclass
class SuiteRun:
    """A finished run: exit code, output and the per-test results."""

    returncode: int
    output: str
    tests: list[dict[str, Any]]

    def outcomes(self) -> dict[str, str]:
        """``{Class::test: outcome}``."""
        return {test_key(t["nodeid"]): t["outcome"] for t in self.tests}

    def with_outcome(self, *outcomes: str) -> set[str]:
        """The tests that ended with one of ``outcomes``."""
        return {key for key, outcome in self.outcomes().items() if outcome in outcomes}


def test_key(nodeid: str) -> str:
    """``Class::test`` from a node id."""
    return "::".join(nodeid.split("::")[-2:])


def run_suite(
    system: str,
    tmp_path: Path,
    plugins: Sequence[str] = (MEMORY,),
    extra: Sequence[str] = (),
    python: str = sys.executable,
    cwd: Path = ROOT,
    target: Sequence[str] = ("--pyargs", "tidbok_contract"),
) -> SuiteRun:
    """Run the suite against ``system`` and return its results."""
    results = tmp_path / f"{system}-results.json"
    command = [
        python,
        "-m",
        "pytest",
        *UNRELATED_PLUGINS,
        *target,
        "--tidbok-system",
        system,
        "--tidbok-results",
        str(results),
        "-q",
        "-p",
        "no:cacheprovider",
        *(arg for module in plugins for arg in ("--tidbok-plugin", module)),
        *extra,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=env, timeout=120, check=False
    )
    output = done.stdout + done.stderr
    assert results.exists(), f"no results written; output:\n{output}"
    data = json.loads(results.read_text(encoding="utf-8"))
    return SuiteRun(done.returncode, output, data["tests"])
