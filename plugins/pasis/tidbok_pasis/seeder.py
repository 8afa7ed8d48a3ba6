"""The contract kit's way into PASiS: a seeder over the mock's admin API and a contract target.

The shared admin-API seeder (:class:`tidbok_contract.mock_admin.MockAdminSeeder`) does the work;
PASiS only says how a 1177 access becomes a level and which API routes each fault target hits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any

from tidbok import STOCKHOLM, Access1177, BackendSettings
from tidbok_contract.mock_admin import MockAdminSeeder, Route
from tidbok_contract.seeding import ContractEnvironment, ContractTarget, FaultTarget
from tidbok_pasis import mapping

#: The PASiS API's base path below the server root.
API_BASE = "/api/v2"
#: Where the in-process mock's clock starts (the seeder sets it again per scenario).
MOCK_START = datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM)


class PasisSeeder(MockAdminSeeder):
    """Seeds a PASiS mock (or a test environment with the same admin API)."""

    def time_type_fields(self, access: Access1177) -> dict[str, Any]:
        """The time type's 1177 level: 1 not shown, 2 shown, 3 changeable, 4 bookable."""
        return {"level": mapping.level_of(access)}

    def fault_routes(self) -> Mapping[FaultTarget, Route]:
        """The PASiS route each adapter operation calls."""
        return {
            FaultTarget.BOOK: ("POST", r"/enheter/[^/]+/bokningar$"),
            FaultTarget.REBOOK: ("POST", r"/bokningar/[^/]+/omboka$"),
            FaultTarget.CANCEL: ("POST", r"/bokningar/[^/]+/avboka$"),
            FaultTarget.BOOK_INVITATION: ("POST", r"/kallelser/[^/]+/bokning$"),
            # Per unit, or across units (what the schedule asks).
            FaultTarget.LIST_BOOKINGS: ("GET", r"(/enheter/[^/]+)?/bokningar$"),
            FaultTarget.SEARCH: ("GET", r"/enheter/[^/]+/lediga-tider$"),
            FaultTarget.ANY: (None, f"^{API_BASE}/"),
        }


def _server_root(base_url: str) -> str:
    """The server root of a PASiS API URL (``http://host:port/api/v2`` -> ``http://host:port``)."""
    root = base_url.rstrip("/")
    return root.removesuffix(API_BASE)


class PasisContractTarget(ContractTarget):
    """Runs the contract suite against the bundled PASiS mock, or a real test environment."""

    system = "pasis"

    @asynccontextmanager
    async def mock(self) -> AsyncIterator[ContractEnvironment]:
        """Start the PASiS mock in-process (clock frozen, no demo data)."""
        from tidbok_mocks import run_pasis

        async with (
            run_pasis(now=MOCK_START, demo_data=False) as server,
            self._environment(server.api_url, {"api_key": server.api_key}) as env,
        ):
            yield env

    def real(
        self, base_url: str, credentials: Mapping[str, str]
    ) -> AbstractAsyncContextManager[ContractEnvironment]:
        """Connect to a PASiS test environment at ``base_url`` (its API, ``.../api/v2``).

        The environment must offer the admin API at ``/__admin`` on the same server for seeding.
        """
        return self._environment(base_url, credentials)

    @asynccontextmanager
    async def _environment(
        self, base_url: str, credentials: Mapping[str, str]
    ) -> AsyncIterator[ContractEnvironment]:
        root = _server_root(base_url)
        api_url = root + API_BASE
        seeder = PasisSeeder(root, admin_token=credentials.get("admin_token"))
        try:
            yield ContractEnvironment(
                backend=BackendSettings(
                    system="pasis", base_url=api_url, credentials=dict(credentials)
                ),
                seeder=seeder,
            )
        finally:
            await seeder.aclose()
