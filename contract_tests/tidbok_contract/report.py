"""The compliance report: the suite run per installed system, as a features x systems matrix.

Each system runs in its own ``pytest`` subprocess (so mock servers and event loops never mix),
with ``--tidbok-results`` collecting every outcome. The matrix is written as Markdown and JSON::

    tidbok contract --report --output build/contract
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tidbok_contract.options import UNRELATED_PLUGINS

PASS, FAIL, NOT_APPLICABLE, KNOWN_FAILURE = "pass", "fail", "not applicable", "known failure"
SYMBOL = {PASS: "✅ pass", FAIL: "❌ fail", NOT_APPLICABLE: "➖ n/a", KNOWN_FAILURE: "⚠️ known"}
#: Report rows, in order; the names match ``ContractTests.feature`` (no pytest import needed).
FEATURE_ORDER = [
    "units_and_time_types",
    "case_types",
    "search",
    "booking",
    "booking_window",
    "cancel_rebook",
    "cancel_cutoff",
    "permissions",
    "visibility",
    "bookings_across_units",
    "invitations",
    "inbox_messages",
    "time_zones",
    "resilience",
]


@dataclass
class Cell:
    """One feature for one system."""

    status: str
    passed: int = 0
    failed: int = 0
    not_applicable: int = 0
    known_failures: int = 0
    notes: list[str] = field(default_factory=list)
    """Why tests were not applicable or known failures, and what failed."""


def installed_systems(plugins: Sequence[str] = ()) -> list[str]:
    """Systems that are registered and offer a contract target."""
    from tidbok_contract.targets import contract_registry, contract_targets

    if plugins and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # like `python -m`: modules beside the caller import
    registry = contract_registry(plugins)
    systems = registry.scheduling_systems()
    return sorted(name for name in contract_targets(registry) if name in systems)


def run_system(
    system: str, workdir: Path, plugins: Sequence[str] = (), pytest_args: Sequence[str] = ()
) -> dict[str, Any]:
    """Run the suite for one system in a subprocess; return its results document."""
    results = workdir / f"{system}.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *UNRELATED_PLUGINS,
        "--pyargs",
        "tidbok_contract",
        "--tidbok-system",
        system,
        "--tidbok-results",
        str(results),
        "-q",
        "-p",
        "no:cacheprovider",
        *(arg for module in plugins for arg in ("--tidbok-plugin", module)),
        *pytest_args,
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")]))
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if not results.exists():
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        return {"system": system, "exitstatus": done.returncode, "tests": [], "error": tail}
    data: dict[str, Any] = json.loads(results.read_text(encoding="utf-8"))
    return data


def run_systems(
    systems: Sequence[str], workdir: Path, plugins: Sequence[str], pytest_args: Sequence[str]
) -> list[dict[str, Any]]:
    """Run the systems' suites side by side (one process each, as many as there are CPUs), in
    the order given; say when each one is done."""
    workers = max(1, min(len(systems), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = {
            system: pool.submit(run_system, system, workdir, plugins, pytest_args)
            for system in systems
        }
        for system, run in runs.items():
            document = run.result()
            tests = document["tests"]
            failed = sum(1 for test in tests if test["outcome"] in ("failed", "error"))
            print(f"{system}: {len(tests)} contract tests run, {failed} failed", flush=True)
    return [runs[system].result() for system in systems]


def cell_for(tests: list[dict[str, Any]]) -> Cell:
    """Summarise one feature's test outcomes for one system."""
    cell = Cell(status=NOT_APPLICABLE)
    for test in tests:
        outcome, name, reason = test["outcome"], test["name"], test["reason"]
        if outcome == "passed":
            cell.passed += 1
        elif outcome == "skipped":
            cell.not_applicable += 1
            cell.notes.append(f"{name}: {reason}")
        elif outcome == "xfailed":
            cell.known_failures += 1
            cell.notes.append(f"{name}: {reason}")
        else:
            cell.failed += 1
            cell.notes.append(f"{name} ({outcome}): {reason}")
    if cell.failed:
        cell.status = FAIL
    elif cell.known_failures:
        cell.status = KNOWN_FAILURE
    elif cell.passed:
        cell.status = PASS
    return cell


def build_matrix(documents: list[dict[str, Any]]) -> dict[str, dict[str, Cell]]:
    """``{feature: {system: Cell}}`` over every feature seen."""
    features = list(FEATURE_ORDER)
    for document in documents:
        for test in document["tests"]:
            if test["feature"] not in features:
                features.append(test["feature"])
    matrix: dict[str, dict[str, Cell]] = {}
    for feature in features:
        matrix[feature] = {}
        for document in documents:
            tests = [t for t in document["tests"] if t["feature"] == feature]
            if document.get("error"):
                matrix[feature][document["system"]] = Cell(FAIL, notes=document["error"])
            elif tests:
                matrix[feature][document["system"]] = cell_for(tests)
            else:
                reason = "no contract test of this feature ran"
                matrix[feature][document["system"]] = Cell(NOT_APPLICABLE, notes=[reason])
    return matrix


def to_markdown(matrix: dict[str, dict[str, Cell]], systems: list[str]) -> str:
    """The matrix and every reason, as Markdown."""
    lines = [
        "# tidbok contract compliance",
        "",
        "| feature | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
    ]
    for feature, row in matrix.items():
        cells = []
        for system in systems:
            cell = row[system]
            counts = f"{cell.passed} passed" + (f", {cell.failed} failed" if cell.failed else "")
            if cell.not_applicable:
                counts += f", {cell.not_applicable} n/a"
            if cell.known_failures:
                counts += f", {cell.known_failures} known"
            cells.append(f"{SYMBOL[cell.status]} ({counts})")
        lines.append(f"| {feature} | " + " | ".join(cells) + " |")
    lines += ["", "## Reasons", ""]
    for system in systems:
        notes = [(f, n) for f, row in matrix.items() for n in row[system].notes]
        lines.append(f"### {system}")
        lines.append("")
        lines += [f"- **{feature}**: {note}" for feature, note in notes] or ["- nothing to note"]
        lines.append("")
    return "\n".join(lines)


def write_report(documents: list[dict[str, Any]], output: Path) -> tuple[Path, Path, bool]:
    """Write ``contract-report.md`` and ``.json``; return both paths and whether all passed."""
    systems = [document["system"] for document in documents]
    matrix = build_matrix(documents)
    output.mkdir(parents=True, exist_ok=True)
    markdown, json_path = output / "contract-report.md", output / "contract-report.json"
    markdown.write_text(to_markdown(matrix, systems), encoding="utf-8")
    data = {
        "systems": systems,
        "features": {f: {s: asdict(c) for s, c in row.items()} for f, row in matrix.items()},
        "runs": documents,
    }
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    ok = all(cell.status != FAIL for row in matrix.values() for cell in row.values())
    return markdown, json_path, ok


def run_report(
    output: Path,
    systems: Sequence[str] = (),
    plugins: Sequence[str] = (),
    pytest_args: Sequence[str] = (),
) -> int:
    """Run the suite per system and write the report; 0 when nothing failed."""
    chosen = list(systems) or installed_systems(plugins)
    if not chosen:
        print("No installed plugin offers a contract target (hook tidbok_contract_targets).")
        return 1
    with tempfile.TemporaryDirectory(prefix="tidbok-contract-") as tmp:
        documents = run_systems(chosen, Path(tmp), plugins, pytest_args)
    markdown, json_path, ok = write_report(documents, output)
    print(markdown.read_text(encoding="utf-8"))
    print(f"\nWritten: {markdown} and {json_path}")
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tidbok_contract.report [--output DIR] [--system NAME] [--plugin MODULE]``."""
    parser = argparse.ArgumentParser(prog="python -m tidbok_contract.report")
    parser.add_argument("--output", default="contract-report", help="directory for the report")
    parser.add_argument("--system", action="append", default=[], help="only this system")
    parser.add_argument("--plugin", action="append", default=[], help="extra plugin module")
    args = parser.parse_args(argv)
    return run_report(Path(args.output), args.system, args.plugin)


if __name__ == "__main__":
    raise SystemExit(main())
