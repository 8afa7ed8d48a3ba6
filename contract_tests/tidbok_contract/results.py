"""Collect every contract test's outcome, feature and reason, and write them as JSON.

Enabled by ``--tidbok-results FILE``; the compliance report reads these files.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest

from tidbok_contract.options import ContractOptions

PASSED, FAILED, ERROR, SKIPPED, XFAILED, XPASSED = (
    "passed",
    "failed",
    "error",
    "skipped",
    "xfailed",
    "xpassed",
)


@dataclass
class TestResult:
    """One contract test's outcome."""

    nodeid: str
    name: str
    feature: str
    rules: str
    outcome: str
    reason: str = ""


def _reason(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    if hasattr(report, "wasxfail"):
        return str(report.wasxfail)
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).splitlines()[0][:300] if crash.message else ""
    return str(report.longrepr or "").strip().splitlines()[-1][:300] if report.longrepr else ""


def outcome_of(report: pytest.TestReport) -> str:
    """The suite's word for a report's outcome."""
    if hasattr(report, "wasxfail"):
        return XFAILED if report.skipped else XPASSED
    if report.skipped:
        return SKIPPED
    if report.failed:
        return FAILED if report.when == "call" else ERROR
    return PASSED


class ResultsWriter:
    """A pytest plugin object that gathers reports and writes the JSON file at the end."""

    def __init__(self, options: ContractOptions) -> None:
        self.options = options
        self.results: dict[str, TestResult] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the most telling outcome of each test's phases."""
        outcome = outcome_of(report)
        if report.when != "call" and outcome == PASSED:
            return
        props = dict(report.user_properties)
        name = report.nodeid.rsplit("::", 1)[-1]
        current = self.results.get(report.nodeid)
        if current is not None and current.outcome in (FAILED, ERROR, SKIPPED, XFAILED):
            return
        self.results[report.nodeid] = TestResult(
            nodeid=report.nodeid,
            name=name,
            feature=str(props.get("tidbok_feature", "other")),
            rules=str(props.get("tidbok_rules", "")),
            outcome=outcome,
            reason="" if outcome == PASSED else _reason(report),
        )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Write the JSON file."""
        assert self.options.results is not None
        data: dict[str, Any] = {
            "system": self.options.system,
            "target": self.options.url or "mock",
            "exitstatus": int(exitstatus),
            "tests": [asdict(result) for result in self.results.values()],
        }
        path = Path(self.options.results)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
