"""PASiS's error format: ``{"felkod": "...", "meddelande": "..."}`` with stable felkod values."""

from __future__ import annotations

from aiohttp import web

from ..kit import ErrorKind, MockError

FELKOD: dict[ErrorKind, tuple[int, str]] = {
    ErrorKind.INVALID: (400, "OGILTIG_BEGARAN"),
    ErrorKind.UNAUTHORIZED: (401, "EJ_BEHORIG"),
    ErrorKind.FORBIDDEN: (403, "EJ_BEHORIG"),
    ErrorKind.NOT_FOUND: (404, "HITTAS_EJ"),
    ErrorKind.METHOD_NOT_ALLOWED: (405, "METOD_EJ_TILLATEN"),
    ErrorKind.PAYLOAD_TOO_LARGE: (413, "OGILTIG_BEGARAN"),
    ErrorKind.SLOT_TAKEN: (409, "TIDEN_UPPTAGEN"),
    ErrorKind.ALREADY_CANCELLED: (409, "BOKNINGEN_AVBOKAD"),
    ErrorKind.INVITATION_BOOKED: (409, "KALLELSE_REDAN_BOKAD"),
    ErrorKind.OUTSIDE_WINDOW: (422, "UTANFOR_BOKNINGSFONSTER"),
    ErrorKind.NOT_BOOKABLE: (422, "EJ_BOKNINGSBAR_VIA_1177"),
    ErrorKind.NOT_CANCELLABLE: (422, "EJ_AVBOKNINGSBAR_VIA_1177"),
    ErrorKind.TOO_MANY_REQUESTS: (429, "FOR_MANGA_ANROP"),
    ErrorKind.INTERNAL: (500, "TEKNISKT_FEL"),
    ErrorKind.UNAVAILABLE: (503, "TJANSTEN_EJ_TILLGANGLIG"),
}


def render_pasis_error(error: MockError) -> web.Response:
    """Render an error the PASiS way."""
    status, felkod = FELKOD.get(error.kind, (400, "OGILTIG_BEGARAN"))
    return web.json_response(
        {"felkod": felkod, "meddelande": error.message, **error.extra},
        status=status,
        headers=error.headers,
    )
