"""The PMO contract target: the PMO mock in-process (or a real test environment) plus its seeder.

The seeder works through the admin API every bundled mock shares
(:class:`tidbok_contract.mock_admin.MockAdminSeeder`); only PMO's booking-type flags and the API
routes that fault injection matches are PMO's own. PMO has no open invitations, so
``add_invitation`` raises :class:`~tidbok_contract.seeding.SeedingUnsupported` before touching
the mock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from tidbok import STOCKHOLM, Access1177, BackendSettings, PersonalIdentityNumber
from tidbok_contract.mock_admin import MockAdminSeeder, Route
from tidbok_contract.seeding import (
    ContractEnvironment,
    ContractTarget,
    FaultTarget,
    SeededInvitation,
    SeedingUnsupported,
)
from tidbok_pmo import mapping

#: Where the mock's clock stands when it starts; the contract scenario sets its own at once.
MOCK_START = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)


class PmoSeeder(MockAdminSeeder):
    """Seeds a PMO mock (or a PMO test environment with the same admin API)."""

    def time_type_fields(self, access: Access1177) -> dict[str, Any]:
        """PMO's booking-type flags: visible in e-services, bookable, cancellable."""
        return mapping.flags(access)

    async def add_invitation(
        self,
        unit: str,
        time_type_id: str,
        subject_of_care: PersonalIdentityNumber,
        starts: list[datetime],
    ) -> SeededInvitation:
        """Refused: PMO has no open invitations."""
        raise SeedingUnsupported("PMO has no open invitations")

    def fault_routes(self) -> Mapping[FaultTarget, Route]:
        """The PMO API route each adapter operation uses."""
        return {
            FaultTarget.BOOK: ("POST", r"^/api/v1/appointments$"),
            FaultTarget.REBOOK: ("POST", r"^/api/v1/appointments/[^/]+/reschedule$"),
            FaultTarget.CANCEL: ("POST", r"^/api/v1/appointments/[^/]+/cancel$"),
            # Per facility; the schedule's search across facilities (POST
            # /appointments/search) shares no route with it (another method).
            FaultTarget.LIST_BOOKINGS: ("GET", r"^/api/v1/appointments$"),
            FaultTarget.SEARCH: ("GET", r"^/api/v1/facilities/[^/]+/slots$"),
            FaultTarget.ANY: (None, r"^/api/v1/|^/oauth/token$"),
        }


def backend_settings(base_url: str, credentials: Mapping[str, str]) -> BackendSettings:
    """PMO backend settings: the server root and the OAuth client (``token_url`` optional)."""
    return BackendSettings(system="pmo", base_url=base_url, credentials=dict(credentials))


class PmoContractTarget(ContractTarget):
    """How the contract suite reaches PMO: its mock in-process, or a real test environment."""

    system = "pmo"

    @asynccontextmanager
    async def mock(self) -> AsyncIterator[ContractEnvironment]:
        """Start the PMO mock on loopback (clock frozen, no demo data); stop it on exit."""
        from tidbok_mocks import run_pmo

        async with run_pmo(now=MOCK_START, demo_data=False) as server:
            credentials = {
                "client_id": server.client_id,
                "client_secret": server.client_secret,
                "token_url": server.token_url,
            }
            seeder = PmoSeeder(server.url)
            try:
                yield ContractEnvironment(backend_settings(server.url, credentials), seeder)
            finally:
                await seeder.aclose()

    @asynccontextmanager
    async def real(
        self, base_url: str, credentials: Mapping[str, str]
    ) -> AsyncIterator[ContractEnvironment]:
        """A PMO test environment at ``base_url`` that offers the mocks' admin API (``/__admin``).

        ``credentials`` are ``client_id``, ``client_secret`` and optionally ``token_url``.
        """
        seeder = PmoSeeder(base_url, admin_token=credentials.get("admin_token"))
        try:
            yield ContractEnvironment(backend_settings(base_url, credentials), seeder)
        finally:
            await seeder.aclose()
