"""The suite passes a correct plugin, for both rule sets, and reports every skip's reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract.runner import run_suite

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("system", ["memory", "memory_sameday"])
def test_a_correct_plugin_passes_every_applicable_test(system: str, tmp_path: Path) -> None:
    run = run_suite(system, tmp_path)
    assert run.returncode == 0, run.output
    assert run.with_outcome("failed", "error", "xpassed") == set()
    assert len(run.with_outcome("passed")) > 60
    for test in run.tests:
        if test["outcome"] == "skipped":
            assert test["reason"].startswith("not applicable: "), test


def test_expectations_follow_the_declared_rules_not_the_name(tmp_path: Path) -> None:
    same_day = run_suite("memory_sameday", tmp_path).outcomes()
    next_day = run_suite("memory", tmp_path).outcomes()
    invitations = "TestInvitations::test_second_booking_of_an_invitation_gives_already_used"
    assert next_day[invitations] == "passed"
    assert same_day[invitations] == "skipped"
    early_rebook = "TestBookingWindow::test_rebook_into_a_slot_outside_the_window_is_refused"
    assert next_day[early_rebook] == "passed"
    assert same_day[early_rebook] == "skipped"


def test_every_operation_and_error_is_covered(tmp_path: Path) -> None:
    """A coarse guard that the suite keeps its coverage when it is edited."""
    source = "\n".join(
        path.read_text()
        for path in (
            Path(__file__).parents[2] / "contract_tests" / "tidbok_contract" / "features"
        ).glob("*.py")
    )
    for needle in (
        "list_units",
        "list_time_types",
        "available_dates",
        "available_slots",
        "service.book(",
        "service.rebook(",
        "service.cancel(",
        "service.schedule(",
        "service.booking(",
        "service.invitations(",
        "service.book_invitation(",
        "adapter.book(",
        "SlotTaken",
        "OutsideBookingWindow",
        "NotAvailableVia1177",
        "NotFound",
        "InvitationAlreadyUsed",
        "BackendUnavailable",
        "COMMIT_THEN_DROP",
    ):
        assert needle in source, needle
