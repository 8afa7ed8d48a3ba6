"""The README's first command: `tidbok demo` tells the whole story against the real HTTP API."""

from __future__ import annotations

import subprocess
import sys

from tidbok.demo import run_demo


async def test_the_demo_story_runs_to_the_end() -> None:
    lines: list[str] = []
    await run_demo(say=lines.append)
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
