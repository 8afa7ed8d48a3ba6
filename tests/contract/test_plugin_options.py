"""The pytest plugin: inert without --tidbok-system, known failures, clear usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.runner import ROOT, run_suite
from tidbok_contract.options import UNRELATED_PLUGINS

pytestmark = pytest.mark.slow


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *UNRELATED_PLUGINS, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_a_system_the_plugin_adds_options_only(tmp_path: Path) -> None:
    (tmp_path / "test_other.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture\n"
        "def service():\n"
        "    return 'mine'\n\n"
        "def test_own_fixture_wins(service):\n"
        "    assert service == 'mine'\n\n"
        "def test_no_contract_fixtures(request):\n"
        "    with pytest.raises(pytest.FixtureLookupError):\n"
        "        request.getfixturevalue('contract_env')\n"
    )
    done = _pytest("-q", "test_other.py", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    help_text = _pytest("--help", cwd=tmp_path).stdout
    assert "--tidbok-system" in help_text
    assert "--tidbok-known-failures" in help_text


def test_the_packaged_suite_skips_without_a_system(tmp_path: Path) -> None:
    done = _pytest("--pyargs", "tidbok_contract", "-q", "-rs", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the contract suite needs --tidbok-system NAME" in done.stdout


def test_options_that_need_a_system_are_refused(tmp_path: Path) -> None:
    done = _pytest("--tidbok-url", "http://x", cwd=tmp_path)
    assert done.returncode == 4
    assert "--tidbok-url needs --tidbok-system" in done.stderr


def test_known_failures_file_turns_failures_into_strict_xfails(tmp_path: Path) -> None:
    declared = tmp_path / "known.toml"
    declared.write_text(
        "[known-failures]\n"
        '"VisibilityTests::test_hidden_booking_is_never_shown" = "Hidden flag arrives in v2"\n'
        '"test_only_slots_bookable_via_1177_are_offered" = "Access flags arrive in v2"\n'
        '"TestBooking::test_terms_must_be_accepted" = "Declared although it passes"\n'
    )
    run = run_suite(
        "memory_broken",
        tmp_path,
        plugins=("tests.contract.memory_target", "tests.contract.broken_target"),
        extra=("--tidbok-known-failures", str(declared)),
    )
    outcomes = run.outcomes()
    assert outcomes["TestVisibility::test_hidden_booking_is_never_shown"] == "xfailed"
    assert outcomes["TestSearch::test_only_slots_bookable_via_1177_are_offered"] == "xfailed"
    # A declared known failure that passes is reported (strict), so the declaration is removed.
    assert outcomes["TestBooking::test_terms_must_be_accepted"] == "failed"
    reasons = {t["name"]: t["reason"] for t in run.tests}
    assert "Hidden flag arrives in v2" in reasons["test_hidden_booking_is_never_shown"]


def test_a_missing_system_stops_the_run_with_the_names_found(tmp_path: Path) -> None:
    run = run_suite("no_such_system", tmp_path)
    assert run.returncode == 4  # a usage error, reported once, not a failure per test
    assert run.output.count("no installed plugin registers") == 1
    assert "no installed plugin registers scheduling system 'no_such_system'" in run.output


def test_tidbok_contract_command_runs_the_suite(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tidbok", "contract", "memory_sameday"),
            *("--plugin", "tests.contract.memory_target", "-q", "-p", "no:cacheprovider"),
            *("-k", "TestBooking"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed" in done.stdout
