"""Bad input gets the system's own error format and a 4xx, never a 500 or a traceback."""

from __future__ import annotations

import pytest

from .conftest import Harness, seed
from .scenarios import UNIT

PASIS_CASES: list[tuple[str, str, object]] = [
    ("POST", f"/enheter/{UNIT}/bokningar", b"{not json"),
    ("POST", f"/enheter/{UNIT}/bokningar", b""),
    ("POST", f"/enheter/{UNIT}/bokningar", b"[1, 2]"),
    ("POST", f"/enheter/{UNIT}/bokningar", b"[" * 100000),
    ("POST", f"/enheter/{UNIT}/bokningar", {"personnummer": "19121212-1212"}),
    ("POST", f"/enheter/{UNIT}/bokningar", {"tidId": 5, "personnummer": "19121212-1212"}),
    ("POST", f"/enheter/{UNIT}/bokningar", {"tidId": "S-TUE-1", "personnummer": "191212121212"}),
    ("POST", f"/enheter/{UNIT}/bokningar", {"tidId": "S-TUE-1", "personnummer": "19121212-1213"}),
    ("POST", f"/enheter/{UNIT}/bokningar", {"tidId": "S-TUE-1", "personnummer": "19121312-1212"}),
    ("POST", f"/enheter/{UNIT}/bokningar", b"\xff\xfe"),
    ("GET", f"/enheter/{UNIT}/bokningar", None),
    ("GET", f"/enheter/{UNIT}/bokningar?personnummer=tolvan", None),
    ("GET", f"/enheter/{UNIT}/lediga-tider?fran=2026-13-01", None),
    ("GET", f"/enheter/{UNIT}/lediga-tider?fran=2026-11-25&till=2026-11-24", None),
    ("GET", f"/enheter/{UNIT}/lediga-tider?fran=2026-01-01&till=2026-12-31", None),
    ("GET", f"/enheter/{UNIT}/lediga-tider?limit=0", None),
    ("GET", f"/enheter/{UNIT}/lediga-tider?offset=x", None),
    ("POST", "/bokningar/B1/avboka", {"meddelande": "x"}),
    ("POST", "/bokningar/B1/omboka", {"personnummer": "19121212-1212"}),
    ("DELETE", "/enheter", None),
]

PMO_CASES: list[tuple[str, str, object]] = [
    ("POST", "/appointments", b"{not json"),
    ("POST", "/appointments", b""),
    ("POST", "/appointments", {"slotId": "s-tue"}),
    ("POST", "/appointments", {"slotId": "s-tue", "patientId": "19121212-1212"}),
    ("POST", "/appointments", {"slotId": "s-tue", "patientId": "191212121213"}),
    ("POST", "/appointments", {"slotId": "s-tue", "patientId": "191212121212", "extra": 1}),
    ("POST", "/appointments", {"slotId": ["s-tue"], "patientId": "191212121212"}),
    ("POST", "/appointments/x/reschedule", {}),
    ("POST", "/appointments/x/cancel", {"reason": 5}),
    ("GET", "/appointments", None),
    ("GET", "/appointments?patientId=abc", None),
    ("GET", f"/facilities/{UNIT}/slots", None),
    ("GET", f"/facilities/{UNIT}/slots?start=2026-11-23T00:00:00&end=2026-11-24T00:00:00Z", None),
    ("GET", f"/facilities/{UNIT}/slots?start=2026-11-24T00:00:00Z&end=2026-11-23T00:00:00Z", None),
    ("GET", f"/facilities/{UNIT}/slots?start=igår&end=idag", None),
    ("GET", f"/facilities/{UNIT}/slots?start=2026-01-01T00:00:00Z&end=2027-01-01T00:00:00Z", None),
    ("GET", "/facilities?cursor=%%%", None),
    ("GET", "/facilities?cursor=bm9wZQ", None),
    ("GET", "/facilities?pageSize=1000", None),
    ("PUT", "/appointments", None),
]


def _cases(system: str) -> list[tuple[str, str, object]]:
    return PASIS_CASES if system == "pasis" else PMO_CASES


@pytest.mark.parametrize("index", range(20))
async def test_bad_input_is_a_4xx_in_the_system_format(harness: Harness, index: int) -> None:
    await seed(harness.admin, harness.scenario())
    method, path, body = _cases(harness.system)[index]
    kwargs: dict[str, object] = {}
    if isinstance(body, bytes):
        kwargs = {"content": body, "headers": {"Content-Type": "application/json"}}
    elif body is not None:
        kwargs = {"json": body}
    response = await harness.api.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
    assert "Traceback" not in response.text
    if harness.system == "pasis":
        assert set(response.json()) == {"felkod", "meddelande"}
    else:
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert {"type", "title", "status", "detail", "code"} <= set(response.json())


async def test_oversized_body_is_refused(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    response = await harness.api.post(
        harness.write_path.split("/api/v")[1][1:], content=b"{" + b" " * 400_000 + b"}"
    )
    assert response.status_code == 413
    assert harness.code(response) in ("OGILTIG_BEGARAN", "payload-too-large")


@pytest.mark.parametrize("text", ["١٩١٢١٢١٢-١٢١٢", "１９１２１２１２１２１２"])
def test_the_mocks_refuse_non_ascii_digits_in_personnummer(text: str) -> None:
    from tidbok_mocks.common.personnummer import parse_any

    with pytest.raises(ValueError, match="not"):
        parse_any(text)
