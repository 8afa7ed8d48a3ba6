"""The slot search's answer, serialised in one pass, is exactly ``SlotListOut``'s JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tidbok.clock import STOCKHOLM
from tidbok.gateway.schemas import SlotListOut, SlotOut
from tidbok.gateway.slot_json import slot_list_json
from tidbok.models import Access1177, Slot


def slot(number: int, start: datetime, **extra: str) -> Slot:
    return Slot(
        id=f"S-{number}/ö",
        unit="SE2321000016-7000",
        start=start,
        end=(start.astimezone(UTC) + timedelta(minutes=45)).astimezone(STOCKHOLM),
        time_type_id="TT1",
        time_type_name='Läkarbesök "akut" \\ 😀',
        access=Access1177(visible=True, bookable=True),
        **extra,
    )


def test_the_one_pass_answer_is_byte_for_byte_slot_list_out() -> None:
    # Both sides of the autumn change (the repeated hour: +02:00, then +01:00), microseconds,
    # performer and resource present and absent, non-ASCII and characters JSON must escape.
    fold = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    slots = [
        slot(1, fold.astimezone(STOCKHOLM)),
        slot(2, (fold + timedelta(hours=1)).astimezone(STOCKHOLM), performer="Dr Åsa"),
        slot(3, datetime(2026, 3, 29, 3, 0, 0, 123456, tzinfo=STOCKHOLM), resource="Rum\n2"),
    ]
    documented = SlotListOut(slots=[SlotOut.of(item) for item in slots])
    assert slot_list_json(slots) == documented.model_dump_json().encode()
    assert slot_list_json([]) == b'{"slots":[]}'
