"""The outbox under load: 10,000 activities, the inbox failing 30 % of the time.

Runs the scenario of ``tests/load/outbox_scenario.py`` (the test runs it with 2,000).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from common import BenchResult

from tests.load.outbox_scenario import run_outbox_load

ACTIVITIES = 10_000


async def run(activities: int = ACTIVITIES) -> BenchResult:
    result = BenchResult(f"outbox: {activities:,} activities, inbox failing 30 %")
    with tempfile.TemporaryDirectory() as tmp:
        load = await run_outbox_load(activities, Path(tmp), deadline=150.0)
    once = set(load.created_per_id.values()) == {1} and len(load.created_per_id) == activities
    delivered = load.outbox_states.get("delivered", 0)
    result.add("delivered (outbox)", delivered, "", f"= {activities:,}", delivered == activities)
    result.add(
        "in the inbox",
        len(load.inbox_ids),
        "",
        f"= {activities:,}",
        load.inbox_ids == load.outbox_ids,
    )
    result.add("each stored exactly once", "yes" if once else "NO", "", "yes", once)
    result.add("injected failures", load.injected_failures)
    result.add("replays recognised by id", load.puts_stored_or_replayed - activities)
    result.add("write time (10k hook calls)", load.write_seconds, "s")
    result.add("delivery time", load.deliver_seconds, "s")
    result.add("delivered per second", activities / load.deliver_seconds, "/s")
    result.data = {
        "write_seconds": load.write_seconds,
        "deliver_seconds": load.deliver_seconds,
        "injected_failures": load.injected_failures,
    }
    result.notes.append(
        "the worker stops its batch at the first transient failure and backs off (1 ms here), so "
        "delivery runs one message at a time; the inbox keys on the message id"
    )
    return result
