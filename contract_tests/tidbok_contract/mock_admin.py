"""A contract seeder over the admin API that every bundled mock shares (``/__admin``).

The PASiS and PMO mocks expose the same admin API; only a few things differ per system: how a time
type's 1177 access is expressed (PASiS levels, PMO flags), which request paths an operation uses
(for fault injection), and how to start the mock. A plugin's seeder subclasses
:class:`MockAdminSeeder` and fills in exactly those; everything else lives here once.
"""

from __future__ import annotations

import itertools
from abc import abstractmethod
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Access1177, BookedBy
from tidbok_contract.seeding import (
    AppointmentRecord,
    ContractSeeder,
    FaultKind,
    FaultTarget,
    SeededInvitation,
    SeedingUnsupported,
)

#: A route of the system's API, as a fault-matching rule: (HTTP method or None, path regex).
Route = tuple[str | None, str]


class MockAdminSeeder(ContractSeeder):
    """Seeds a bundled mock through ``{base_url}/__admin``."""

    #: Seconds a DELAY fault waits; longer than the contract suite's attempt timeout.
    delay_seconds: float = 1.5
    #: Seconds a COMMIT_AFTER_CLIENT_TIMEOUT fault waits before the write: past the contract
    #: suite's attempt timeout (0.5 s), and soon enough for a read-back to find the write.
    late_commit_seconds: float = 0.7

    def __init__(
        self,
        base_url: str,
        client: httpx.AsyncClient | None = None,
        *,
        admin_token: str | None = None,
    ) -> None:
        # A mock started with --admin-token wants it in X-Admin-Token on every admin request.
        headers = {"X-Admin-Token": admin_token} if admin_token else {}
        self._admin = client or httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/__admin", headers=headers
        )
        self._ids = itertools.count(1)

    async def aclose(self) -> None:
        """Close the admin connection."""
        await self._admin.aclose()

    # -- what differs per system ---------------------------------------------------------

    @abstractmethod
    def time_type_fields(self, access: Access1177) -> dict[str, Any]:
        """The system-specific fields of an admin time type with ``access``."""

    @abstractmethod
    def fault_routes(self) -> Mapping[FaultTarget, Route]:
        """The API route each fault target matches."""

    # -- the shared admin API ------------------------------------------------------------

    async def _post(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        response = await self._admin.post(path, json=dict(body or {}))
        if response.status_code >= 400:
            raise RuntimeError(f"mock admin {path} refused: {response.status_code} {response.text}")
        return response.json()

    async def reset(self) -> None:
        """Remove everything but the clock."""
        await self._post("/reset")

    async def set_clock(self, now: datetime) -> None:
        """Freeze the mock's clock at ``now``."""
        await self._post("/clock", {"now": now.isoformat(), "frozen": True})

    async def add_unit(self, hsa_id: str, name: str) -> None:
        """Create a care unit."""
        await self._post("/units", {"id": hsa_id, "name": name})

    async def add_time_type(self, unit: str, name: str, access: Access1177) -> str:
        """Create a time type whose slots get ``access``."""
        body = {"id": f"TT{next(self._ids)}", "unit": unit, "name": name}
        created = await self._post("/time-types", body | self.time_type_fields(access))
        return str(created["id"])

    async def add_free_slot(
        self, unit: str, time_type_id: str, start: datetime, minutes: int = 30
    ) -> str:
        """Create a free slot of the time type; the id is the adapter's (:meth:`slot_id_of`)."""
        created = await self._create_slot(unit, time_type_id, start, minutes)
        end = start.astimezone(UTC) + timedelta(minutes=minutes)
        return self.slot_id_of(created, unit, time_type_id, start, end)

    def slot_id_of(
        self, mock_id: str, unit: str, time_type_id: str, start: datetime, end: datetime
    ) -> str:
        """The adapter's id of the slot the mock created as ``mock_id`` (the same by default;
        a plugin whose wire has no slot ids builds its own)."""
        return mock_id

    async def _create_slot(
        self, unit: str, time_type_id: str, start: datetime, minutes: int
    ) -> str:
        """Create a free slot in the mock; the mock's own id."""
        created = await self._post(
            "/slots",
            {
                "id": f"S{next(self._ids)}",
                "unit": unit,
                "time_type": time_type_id,
                "start": start.isoformat(),
                "end": (start.astimezone(UTC) + timedelta(minutes=minutes)).isoformat(),
                "performer": "Dr Anna Berg",
                "resource": "Rum 4",
            },
        )
        return str(created["id"])

    async def add_booking(
        self,
        unit: str,
        time_type_id: str,
        subject_of_care: PersonalIdentityNumber,
        start: datetime,
        minutes: int = 30,
        booked_by: BookedBy = BookedBy.STAFF,
        hidden: bool = False,
    ) -> str:
        """Create a slot and book it directly, as staff (or a citizen) did."""
        slot = await self._create_slot(unit, time_type_id, start, minutes)
        created = await self._post(
            "/bookings",
            {
                "slot": slot,
                "person": subject_of_care.value,
                "booked_by": "citizen" if booked_by is BookedBy.CITIZEN else "staff",
                "hidden": hidden,
            },
        )
        return str(created["booking_id"])

    async def add_invitation(
        self,
        unit: str,
        time_type_id: str,
        subject_of_care: PersonalIdentityNumber,
        starts: list[datetime],
    ) -> SeededInvitation:
        """Open an invitation reserving new slots at ``starts`` for the citizen."""
        slots = [await self._create_slot(unit, time_type_id, start, 30) for start in starts]
        created = await self._post(
            "/invitations",
            {"unit": unit, "person": subject_of_care.value, "slots": slots},
        )
        ids = [
            self.slot_id_of(slot, unit, time_type_id, start, start + timedelta(minutes=30))
            for slot, start in zip(slots, starts, strict=True)
        ]
        return SeededInvitation(id=str(created["id"]), slot_ids=tuple(ids))

    async def appointment_book(self, unit: str) -> list[AppointmentRecord]:
        """Every booked appointment at the unit, as staff see it."""
        response = await self._admin.get("/appointment-book", params={"unit": unit})
        response.raise_for_status()
        return [
            AppointmentRecord(
                booking_id=str(entry["booking_id"]),
                start=datetime.fromisoformat(entry["start"]),
                subject_of_care=PersonalIdentityNumber(entry["person"]),
                booked_by=BookedBy.CITIZEN if entry["booked_by"] == "citizen" else BookedBy.STAFF,
                hidden=bool(entry["hidden"]),
            )
            for entry in response.json()["entries"]
        ]

    async def inject_fault(self, kind: FaultKind, target: FaultTarget, times: int = 1) -> None:
        """Make the next ``times`` calls of ``target`` fail with ``kind``."""
        route = self.fault_routes().get(target)
        if route is None:
            raise SeedingUnsupported(f"this system has no route for {target}")
        method, path = route
        match = {"path": path} | ({"method": method} if method else {})
        body: dict[str, Any] = {"match": match, "kind": str(kind), "times": times}
        if kind is FaultKind.DELAY:
            body["seconds"] = self.delay_seconds
        if kind is FaultKind.COMMIT_AFTER_CLIENT_TIMEOUT:
            body["seconds"] = self.late_commit_seconds
        if kind is FaultKind.HTTP_503:
            body["retry_after"] = 1
        await self._post("/faults", body)

    async def clear_faults(self) -> None:
        """Remove every injected fault."""
        response = await self._admin.delete("/faults")
        response.raise_for_status()
