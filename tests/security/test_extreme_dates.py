"""Hypothesis drives the slot search with dates at the extremes: year 1, year 9999, offsets up to
±23:59, microseconds; the gateway answers 200 or a 400 problem, never a 5xx.

Fails on the code before issue 12 (the first examples, ``9999-12-31`` with a positive offset or
``0001-01-01`` with any, answered 500). Schemathesis' own date-time strategies rarely reach these
corners, so they are drawn explicitly here, against the same gateway thread as ``tests/fuzz``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fuzz.test_gateway_api import GatewayThread
from tests.gateway.conftest import AUDIENCE, ISSUER, NOW, PMO_UNIT, SECRET, TOLVAN
from tidbok.gateway import issue_token

EXTREME_DAYS = [
    date(1, 1, 1),
    date(1, 1, 2),
    date(1999, 12, 31),
    date(2000, 1, 1),
    date(2099, 12, 31),
    date(2100, 1, 1),
    date(9999, 12, 30),
    date(9999, 12, 31),
]
EXTREME_OFFSETS = [-(24 * 60 - 1), -12 * 60, 0, 60, 14 * 60, 24 * 60 - 1]

days = st.one_of(st.sampled_from(EXTREME_DAYS), st.dates())
times = st.one_of(st.sampled_from([time(0), time(23, 59, 59, 999_999)]), st.times())
offsets = st.one_of(st.sampled_from(EXTREME_OFFSETS), st.integers(-(24 * 60 - 1), 24 * 60 - 1))
moments = st.builds(
    lambda day, clock, minutes: datetime.combine(
        day, clock, tzinfo=timezone(timedelta(minutes=minutes))
    ).isoformat(),
    days,
    times,
    offsets,
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    running = GatewayThread(tmp_path_factory.mktemp("dates") / "outbox.sqlite3")
    url = running.start()
    token = issue_token(
        SECRET,
        TOLVAN.value,
        audience=AUDIENCE,
        issuer=ISSUER,
        expires_at=NOW + timedelta(days=1),
        issued_at=NOW,
    )
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=5.0) as http:
            yield http
    finally:
        running.stop()


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(start=st.none() | moments, end=st.none() | moments)
@example(start="9999-12-31T00:00:00+01:00", end=None)
@example(start="0001-01-01T00:00:00+01:00", end=None)
@example(start=None, end="9999-12-31T23:59:59-12:00")
def test_extreme_dates_never_answer_5xx(
    client: httpx.Client, start: str | None, end: str | None
) -> None:
    params = {name: value for name, value in (("from", start), ("to", end)) if value is not None}
    response = client.get(f"/v1/units/{PMO_UNIT}/slots", params=params)
    assert response.status_code in (200, 400), (params, response.text)
    if response.status_code == 400:
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert response.json()["code"] == "invalid_input"
