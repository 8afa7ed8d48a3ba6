"""The PASiS API as the adapter uses it: one pooled client, GETs, POSTs sent once, paged lists.

:class:`PasisApi` is the plumbing under :class:`~tidbok_pasis.adapter.PasisAdapter`: how a PASiS
answer becomes a wire model or a typed error (the system's own error table per operation), how
its ``offset``/``limit`` paging is followed to the end, and how a write is sent once and read back
when its answer is lost (:func:`~tidbok.backend_http.write_with_readback`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from tidbok import (
    AdapterContext,
    BackendProtocolError,
    BackendSettings,
    BookingResult,
    HttpSchedulingAdapter,
    PersonalIdentityNumber,
    TidbokError,
    collect_pages,
    page_model,
    parse_response,
    path_segment,
    write_with_readback,
)
from tidbok_pasis import mapping
from tidbok_pasis.wire import Bokning, Sida

R = TypeVar("R", bound=BaseModel)

API_KEY_HEADER = "X-Api-Key"
#: Posts per page the adapter asks for (PASiS allows 1..500, default 50).
PAGE_SIZE = 500


class PasisApi(HttpSchedulingAdapter):
    """The PASiS API of one backend: its connection pool (until :meth:`aclose`), page size and
    read-back pause, and the requests every operation is made of."""

    def __init__(
        self,
        backend: BackendSettings,
        context: AdapterContext,
        *,
        page_size: int = PAGE_SIZE,
        readback_pause: float = 0.2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            context.backend_http(
                "pasis",
                backend.base_url.rstrip("/") + "/",
                headers={API_KEY_HEADER: backend.credential("api_key")},
                transport=transport,
            )
        )
        self._page_size = page_size
        self._readback_pause = readback_pause

    async def _get(
        self,
        model: type[R],
        operation: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        table: Mapping[str, type[TidbokError]] = mapping.ERRORS,
    ) -> R:
        response = await self.http.read(operation, "GET", path, params=dict(params or {}))
        return self._parsed(model, response, operation, {200}, table)

    async def _post(
        self,
        model: type[R],
        operation: str,
        path: str,
        body: BaseModel,
        expected: Collection[int],
        table: Mapping[str, type[TidbokError]] = mapping.ERRORS,
    ) -> R | TidbokError:
        """Send a write once. A refusal is returned as a value: it is a definite answer.

        Only answers that leave the outcome open (no answer, an unreadable success) raise, so
        that :func:`write_with_readback` reads back exactly those and never a clear refusal.
        """
        response = await self.http.write(
            operation, "POST", path, retry=False, json=body.model_dump(exclude_none=True)
        )
        if response.status_code >= 300:
            return mapping.error(response, operation, table)
        return self._parsed(model, response, operation, expected, table)

    @staticmethod
    def _parsed(
        model: type[R],
        response: httpx.Response,
        operation: str,
        expected: Collection[int],
        table: Mapping[str, type[TidbokError]],
    ) -> R:
        if response.status_code in expected:
            return parse_response(model, response, operation)
        if 200 <= response.status_code < 300:
            raise BackendProtocolError(f"{operation}: unexpected status {response.status_code}")
        raise mapping.error(response, operation, table)

    async def _list(
        self,
        item: type[R],
        operation: str,
        path: str,
        params: Mapping[str, Any] | None = None,
    ) -> list[R]:
        """Every post of a PASiS list, following offset/limit paging to the end."""

        async def fetch(offset: int | None) -> tuple[list[R], int | None]:
            query = {**(params or {}), "offset": offset or 0, "limit": self._page_size}
            response = await self.http.read(operation, "GET", path, params=query)
            page: Sida[R] = self._parsed(
                page_model(Sida, item), response, operation, {200}, mapping.ERRORS
            )
            posts = page.poster
            following = page.offset + len(posts)
            if following >= page.totalt:
                return posts, None
            if not posts:
                raise BackendProtocolError(f"{operation}: empty page before the end of the list")
            return posts, following

        return await collect_pages(fetch, operation)

    async def _bokningar(self, unit: str, citizen: PersonalIdentityNumber) -> list[Bokning]:
        return await self._list(
            Bokning,
            "bookings_for",
            f"enheter/{path_segment(unit)}/bokningar",
            {"personnummer": citizen.dashed},
        )

    async def _bokning(self, booking_id: str, operation: str) -> Bokning:
        return await self._get(Bokning, operation, f"bokningar/{path_segment(booking_id)}")

    async def _written(
        self,
        write: Callable[[], Awaitable[BookingResult | TidbokError]],
        read_back: Callable[[], Awaitable[BookingResult | None]],
    ) -> BookingResult:
        """Run a write once; read back a lost answer; raise a refusal the backend gave."""
        outcome = await write_with_readback(
            write, read_back, pause=self._readback_pause, sleep=self.http.sleep
        )
        if isinstance(outcome, TidbokError):
            raise outcome
        return outcome
