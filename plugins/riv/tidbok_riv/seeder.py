"""The riv plugin's contract targets.

* ``riv`` itself: the riv mock producer (``tidbok_mocks.riv``) in-process, seeded through the
  mocks' shared admin API (added once the mock exists);
* ``riv:via-pasis`` and ``riv:via-pmo``: round trips through tidbok's own crm:scheduling producer
  in front of the PASiS or PMO mock (:mod:`tidbok_contract.round_trip`), so the producer and this
  consumer check each other: ``tidbok contract riv --variant via-pasis``.
"""

from __future__ import annotations

from datetime import datetime

from tidbok import BackendSettings, Capability, EarliestBooking, SystemRules
from tidbok.crm import TimeslotType
from tidbok_contract.round_trip import RoundTripTarget
from tidbok_contract.seeding import ContractTarget
from tidbok_riv import mapping


def backend_settings(
    producer_url: str, rules: SystemRules, capabilities: frozenset[Capability]
) -> BackendSettings:
    """A riv backend declaring ``rules`` and ``capabilities`` (what the producer's units allow)."""
    same_day = rules.earliest_booking is EarliestBooking.SAME_DAY
    return BackendSettings(
        system="riv",
        base_url=producer_url,
        options={
            "earliest_booking": "same_day" if same_day else "next_day",
            "change_cutoff_hours": rules.change_cutoff.total_seconds() / 3600,
            "message_on_cancel": Capability.MESSAGE_ON_CANCEL in capabilities,
        },
    )


def slot_id_for(start: datetime, end: datetime, time_type_id: str) -> str:
    """The riv id of a free slot a producer offers with this start, end and time type."""
    return mapping.slot_id(
        TimeslotType(
            startTimeInclusive=start,
            endTimeExclusive=end,
            healthcare_facility="-",
            timeTypeID=time_type_id,
        )
    )


def round_trip_targets() -> list[ContractTarget]:
    """riv through tidbok's producer, in front of the PASiS mock and of the PMO mock."""
    return [RoundTripTarget("riv", via, backend_settings, slot_id_for) for via in ("pasis", "pmo")]
