"""The PMO API as the adapter uses it: the OAuth2 client, GETs, cursor-paged lists, and writes
with an ``Idempotency-Key`` that stays the same across all their attempts.

:class:`PmoApi` is the plumbing under :class:`~tidbok_pmo.adapter.PmoAdapter`: how a PMO answer
becomes a wire model or a typed error, how its cursor paging is followed to the end, and how a
write is retried with its key while PMO still processes an earlier attempt, then read back if its
outcome stays unknown (:func:`~tidbok.backend_http.write_with_readback`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import TypeVar

import httpx
from pydantic import BaseModel

from tidbok import (
    AdapterContext,
    BackendProtocolError,
    BackendSettings,
    HttpSchedulingAdapter,
    OutcomeUnknown,
    PersonalIdentityNumber,
    TidbokError,
    collect_pages,
    page_model,
    parse_response,
    path_segment,
    write_with_readback,
)
from tidbok_pmo import mapping
from tidbok_pmo.auth import client_credentials
from tidbok_pmo.wire import (
    Appointment,
    Body,
    BookingType,
    Page,
)

R = TypeVar("R", bound=BaseModel)

API_BASE = "/api/v1/"
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: Items per page the adapter asks for (PMO allows 1..200, default 50).
PAGE_SIZE = 200
#: Most facility ids one search names (PMO allows 1000); asked about more, the adapter searches
#: every facility and the service drops the units it did not ask about.
MAX_SEARCH_FACILITIES = 1000
#: Seconds between asks while PMO still processes an earlier attempt with the same key.
IN_PROGRESS_PAUSE = 0.1


class _Answered(Exception):
    """PMO answered a write with a definite refusal: report it, do not read back."""

    def __init__(self, error: TidbokError) -> None:
        super().__init__(str(error))
        self.error = error


class PmoApi(HttpSchedulingAdapter):
    """The PMO API of one backend: its connection pool and token (until :meth:`aclose`), page
    size, and the requests every operation is made of."""

    readback_pause: float = 0.2
    """Seconds between read-backs of a write whose outcome is unknown (tests use 0)."""

    def __init__(
        self,
        backend: BackendSettings,
        context: AdapterContext,
        *,
        page_size: int = PAGE_SIZE,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._page_size = page_size
        self._auth = client_credentials(backend, context.resilience)
        super().__init__(
            context.backend_http(
                "pmo",
                backend.base_url.rstrip("/") + API_BASE,
                auth=self._auth,
                transport=transport,
            )
        )

    async def aclose(self) -> None:
        """Close the connection pool and the token client."""
        await super().aclose()
        await self._auth.aclose()

    # -- reading ---------------------------------------------------------------------------

    @staticmethod
    def _answer(
        model: type[R],
        response: httpx.Response,
        operation: str,
        expected: Collection[int] = (200,),
        table: Mapping[str, type[TidbokError]] = mapping.ERRORS,
    ) -> R:
        """The answer as ``model``, or the typed error of a problem or unexpected status."""
        if response.status_code not in expected:
            raise mapping.error(response, operation, table)
        return parse_response(model, response, operation)

    async def _get(self, model: type[R], operation: str, path: str) -> R:
        return self._answer(model, await self.http.read(operation, "GET", path), operation)

    async def _all(
        self, item: type[R], operation: str, path: str, params: Mapping[str, str] | None = None
    ) -> list[R]:
        """Every item of a PMO list, following ``nextCursor`` to the last page."""

        async def fetch(cursor: str | None) -> tuple[list[R], str | None]:
            query = {**(params or {}), "pageSize": str(self._page_size)}
            if cursor is not None:
                query["cursor"] = cursor
            response = await self.http.read(operation, "GET", path, params=query)
            page: Page[R] = self._answer(page_model(Page, item), response, operation)
            return page.items, page.nextCursor

        return await collect_pages(fetch, operation)

    async def _kinds(self, unit: str, operation: str) -> dict[str, BookingType]:
        """The unit's booking types by id (names and flags of its slots and appointments)."""
        path = f"facilities/{path_segment(unit)}/booking-types"
        kinds = await self._all(BookingType, operation, path)
        return {kind.id: kind for kind in kinds}

    async def _appointment(self, booking_id: str, operation: str) -> Appointment:
        return await self._get(Appointment, operation, f"appointments/{path_segment(booking_id)}")

    async def _appointments(
        self, unit: str, citizen: PersonalIdentityNumber, operation: str
    ) -> list[Appointment]:
        """The citizen's booked appointments at the unit."""
        found = await self._all(
            Appointment, operation, "appointments", {"patientId": citizen.value, "facilityId": unit}
        )
        return [a for a in found if a.status == "booked" and a.facilityId == unit]

    # -- writing ---------------------------------------------------------------------------

    async def _post(
        self,
        operation: str,
        path: str,
        body: Body,
        expected: int,
        table: Mapping[str, type[TidbokError]] = mapping.ERRORS,
    ) -> Appointment:
        """One idempotent write: the same key for every attempt, retried until the deadline.

        Raises :class:`_Answered` for a definite refusal, :class:`OutcomeUnknown` when PMO is
        still busy with an earlier attempt at the deadline.
        """
        headers = {IDEMPOTENCY_HEADER: str(uuid.uuid4())}
        give_up = self.http.monotonic() + self.http.time_left()
        while True:
            response = await self.http.write(
                operation, "POST", path, retry=True, json=body.wire(), headers=headers
            )
            if response.status_code == expected:
                return parse_response(Appointment, response, operation)
            if 200 <= response.status_code < 300:  # not understood: read back what happened
                raise BackendProtocolError(f"{operation}: unexpected {response.status_code}")
            refusal = mapping.error(response, operation, table)
            if mapping.problem_code(response) != mapping.IN_PROGRESS:
                raise _Answered(refusal)
            if self.http.monotonic() + IN_PROGRESS_PAUSE >= give_up:
                raise OutcomeUnknown(f"{operation}: an earlier attempt is still in progress")
            await self.http.sleep(IN_PROGRESS_PAUSE)

    async def _written(
        self,
        write: Callable[[], Awaitable[Appointment]],
        read_back: Callable[[], Awaitable[Appointment | None]],
    ) -> Appointment:
        """Run an idempotent write; if its outcome stays unknown, read it back."""
        try:
            return await write_with_readback(
                write, read_back, pause=self.readback_pause, sleep=self.http.sleep
            )
        except _Answered as answered:
            raise answered.error from None
