"""The README's first command: `tidbok demo` tells the whole story against the real HTTP API."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest

from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok_demo import run_demo

# The story must hold at any hour on any day: before the first slot of the day, in the middle of
# the working day (after PASiS' 24-hour cut-off for tomorrow's first slots), late at night, on a
# weekend and on both daylight-saving nights (2026-10-25 02:30 is the first of the two 02:30s).
INSTANTS = {
    "tuesday-0730": datetime(2026, 12, 1, 7, 30, tzinfo=STOCKHOLM),
    "tuesday-1400": datetime(2026, 12, 1, 14, 0, tzinfo=STOCKHOLM),
    "tuesday-2330": datetime(2026, 12, 1, 23, 30, tzinfo=STOCKHOLM),
    "friday-1630": datetime(2026, 12, 4, 16, 30, tzinfo=STOCKHOLM),
    "saturday-1200": datetime(2026, 12, 5, 12, 0, tzinfo=STOCKHOLM),
    "sunday-2200": datetime(2026, 12, 6, 22, 0, tzinfo=STOCKHOLM),
    "spring-forward-0130": datetime(2027, 3, 28, 1, 30, tzinfo=STOCKHOLM),
    "fall-back-0230": datetime(2026, 10, 25, 2, 30, tzinfo=STOCKHOLM),
}


@pytest.mark.parametrize("moment", INSTANTS.values(), ids=INSTANTS.keys())
async def test_the_demo_story_runs_to_the_end_at_any_hour(moment: datetime) -> None:
    lines: list[str] = []
    await run_demo(say=lines.append, clock=FrozenClock(moment))
    _assert_whole_story(lines)


async def test_the_demo_story_runs_on_the_real_clock() -> None:
    lines: list[str] = []
    await run_demo(say=lines.append)
    _assert_whole_story(lines)


def _assert_whole_story(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert "422 terms_not_accepted: Du behöver godkänna villkoren för att kunna boka." in text
    assert "201 bokad (INFO)" in text  # the unit's instructions ("kom fastande") are shown
    assert "bokad av mottagningen" in text  # a staff-made booking is shown (R12)
    assert "409 invitation_already_used" in text
    assert "422 outside_booking_window" in text  # PASiS 24-hour cut-off (R9)
    assert text.count("[levererat]") == 5  # one inbox message per citizen activity (R10)
    assert "dold på 1177" in text  # staff see the hidden booking; the citizen did not
    assert lines[-1].startswith("Klart")


def test_tidbok_demo_command_exits_zero() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tidbok", "demo"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Klart" in done.stdout
    assert "191212121212" not in done.stdout + done.stderr
