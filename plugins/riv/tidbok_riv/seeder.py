"""The riv plugin's contract targets.

* ``riv`` itself: the riv mock producer (``tidbok_mocks.riv``) in-process, or a real producer's
  test environment that offers the mocks' admin API, seeded through that shared admin API;
* ``riv:via-pasis`` and ``riv:via-pmo``: round trips through tidbok's own crm:scheduling producer
  in front of the PASiS or PMO mock (:mod:`tidbok_contract.round_trip`), so the producer and this
  consumer check each other: ``tidbok contract riv --variant via-pasis``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from tidbok import (
    STOCKHOLM,
    Access1177,
    BackendSettings,
    Capability,
    EarliestBooking,
    SystemRules,
)
from tidbok.crm import TimeslotType
from tidbok_contract.mock_admin import MockAdminSeeder, Route
from tidbok_contract.round_trip import RoundTripTarget
from tidbok_contract.seeding import ContractEnvironment, ContractTarget, FaultTarget
from tidbok_riv import mapping

#: Where the mock's clock stands when it starts; the contract scenario sets its own at once.
MOCK_START = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)

#: The riv mock's ERROR texts (docs/mocks/riv-api.md) and what they mean: a real producer's
#: backend lists its own in ``options.result_texts`` the same way.
MOCK_RESULT_TEXTS = {
    "Tiden är redan bokad.": "slot_taken",
    "Tiden kan inte bokas så nära inpå.": "outside_booking_window",
    "Tiden kan inte bokas via nätet.": "not_available_via_1177",
    "Bokningen kan inte ändras via nätet.": "not_available_via_1177",
    "Bokningen finns inte.": "not_found",
    "Kallelsen är redan bokad.": "invitation_already_used",
}


class RivSeeder(MockAdminSeeder):
    """Seeds a crm:scheduling producer through the mocks' admin API (the riv mock, or a test
    environment that offers it); slot ids are translated to the riv plugin's."""

    def time_type_fields(self, access: Access1177) -> dict[str, Any]:
        """The riv mock keeps 1177's three flags as they are."""
        return access.model_dump()

    def slot_id_of(
        self, mock_id: str, unit: str, time_type_id: str, start: datetime, end: datetime
    ) -> str:
        """The riv plugin's id of a slot (the producer sends the mock's id as resourceID)."""
        return mapping.slot_id(
            TimeslotType(
                startTimeInclusive=start,
                endTimeExclusive=end,
                healthcare_facility=unit,
                timeTypeID=time_type_id,
                resourceID=mock_id,
            )
        )

    def fault_routes(self) -> Mapping[FaultTarget, Route]:
        """The endpoint each adapter operation calls."""
        return {
            FaultTarget.BOOK: ("POST", r"^/MakeBooking/1/rivtabp21$"),
            FaultTarget.BOOK_INVITATION: ("POST", r"^/MakeBooking/1/rivtabp21$"),
            FaultTarget.REBOOK: ("POST", r"^/UpdateBooking/1/rivtabp21$"),
            FaultTarget.CANCEL: ("POST", r"^/CancelBooking/1/rivtabp21$"),
            FaultTarget.LIST_BOOKINGS: ("POST", r"^/GetSubjectOfCareSchedule/1/rivtabp21$"),
            FaultTarget.SEARCH: ("POST", r"^/GetAvailableTimeslots/1/rivtabp21$"),
            FaultTarget.ANY: (None, r"/rivtabp21$"),
        }


def mock_backend(base_url: str) -> BackendSettings:
    """A riv backend for the riv mock with its default rules (next day, 24 h) and texts."""
    return BackendSettings(
        system="riv",
        base_url=base_url,
        options={
            "earliest_booking": "next_day",
            "change_cutoff_hours": 24,
            "result_texts": MOCK_RESULT_TEXTS,
        },
    )


class RivContractTarget(ContractTarget):
    """The riv plugin against the riv mock producer (or a producer's test environment)."""

    system = "riv"

    @asynccontextmanager
    async def mock(self) -> AsyncIterator[ContractEnvironment]:
        """Start the riv mock on loopback (clock frozen, no demo data); stop it on exit."""
        from tidbok_mocks import run_riv

        async with run_riv(now=MOCK_START, demo_data=False) as server:
            seeder = RivSeeder(server.url)
            try:
                yield ContractEnvironment(mock_backend(server.url), seeder)
            finally:
                await seeder.aclose()

    @asynccontextmanager
    async def real(
        self, base_url: str, credentials: Mapping[str, str]
    ) -> AsyncIterator[ContractEnvironment]:
        """A producer's test environment at ``base_url`` offering the admin API (``/__admin``);
        ``credentials`` may carry ``admin_token``."""
        seeder = RivSeeder(base_url, admin_token=credentials.get("admin_token"))
        try:
            yield ContractEnvironment(mock_backend(base_url), seeder)
        finally:
            await seeder.aclose()


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


def contract_targets() -> list[ContractTarget]:
    """The riv mock, and riv through tidbok's producer in front of the PASiS and PMO mocks."""
    return [
        RivContractTarget(),
        *(RoundTripTarget("riv", via, backend_settings, slot_id_for) for via in ("pasis", "pmo")),
    ]
