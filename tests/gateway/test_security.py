"""Security: tokens are checked, a citizen only ever reaches their own data, logs stay clean."""

from __future__ import annotations

import logging
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tidbok.clock import FrozenClock
from tidbok.gateway import GatewayConfigError, TokenVerifier, issue_token
from tidbok.gateway.ids import encode_id
from tidbok.gateway.problems import Unauthorized
from tidbok.settings import GatewaySettings

from .conftest import AUDIENCE, ISSUER, NOW, OTHER, PMO_UNIT, SECRET, TOLVAN, Gateway, at

PROTECTED = [
    ("GET", "/v1/units"),
    ("GET", f"/v1/units/{PMO_UNIT}/time-types"),
    ("GET", f"/v1/units/{PMO_UNIT}/slots"),
    ("GET", f"/v1/units/{PMO_UNIT}/bookings"),
    ("POST", "/v1/bookings"),
    ("GET", "/v1/bookings"),
    ("GET", f"/v1/bookings/{encode_id(PMO_UNIT, 'b')}"),
    ("POST", f"/v1/bookings/{encode_id(PMO_UNIT, 'b')}/rebook"),
    ("POST", f"/v1/bookings/{encode_id(PMO_UNIT, 'b')}/cancel"),
    ("GET", "/v1/invitations"),
    ("POST", f"/v1/invitations/{encode_id(PMO_UNIT, 'i')}/book"),
    ("GET", "/v1/inbox"),
]


def _bad_tokens(gw: Gateway) -> dict[str, str | None]:
    return {
        "none": None,
        "not bearer": "Basic dXNlcjpwYXNz",
        "empty bearer": "Bearer",
        "garbage": "Bearer not.a.jwt",
        "expired": f"Bearer {gw.token(expires_in=-timedelta(minutes=5))}",
        "wrong signature": f"Bearer {gw.token(secret='another-secret-that-is-long-enough-xx')}",
        "wrong audience": f"Bearer {gw.token(audience='someone-else')}",
        "wrong issuer": f"Bearer {gw.token(issuer='https://evil.example')}",
        "no issuer": f"Bearer {gw.token(issuer=None)}",
        "sub not a personnummer": f"Bearer {gw.token('191212121213')}",
        "alg none": "Bearer "
        + jwt.encode(
            {"sub": TOLVAN.value, "aud": AUDIENCE, "iss": ISSUER, "exp": 4102444800},
            key="",  # what PyJWT takes as "no key" for alg none
            algorithm="none",
        ),
    }


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_every_protected_route_needs_a_token(gw: Gateway, method: str, path: str) -> None:
    response = await gw.client.request(method, path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_bad_tokens_are_refused(gw: Gateway) -> None:
    for name, header in _bad_tokens(gw).items():
        headers = {"Authorization": header} if header is not None else {}
        response = await gw.client.get("/v1/bookings", headers=headers)
        assert response.status_code == 401, name
        assert response.json()["detail"] == Unauthorized.citizen_text, name


async def test_expiry_follows_the_injected_clock(gw: Gateway) -> None:
    headers = gw.auth(expires_in=timedelta(minutes=10))
    assert (await gw.client.get("/v1/bookings", headers=headers)).status_code == 200
    gw.clock.advance(timedelta(minutes=11))  # 10 min + 30 s leeway passed
    assert (await gw.client.get("/v1/bookings", headers=headers)).status_code == 401


async def test_open_endpoints_need_no_token(gw: Gateway) -> None:
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert (await gw.client.get(path)).status_code == 200, path


async def test_citizen_a_cannot_reach_citizen_b(gw: Gateway) -> None:
    theirs = gw.pmo.add_booking(PMO_UNIT, OTHER, at(3, 10))
    free = gw.pmo.add_slot(PMO_UNIT, at(4, 10))
    opaque = encode_id(PMO_UNIT, theirs.id)
    before = dict(gw.pmo.bookings)

    read = await gw.client.get(f"/v1/bookings/{opaque}", headers=gw.auth(TOLVAN))
    rebook = await gw.client.post(
        f"/v1/bookings/{opaque}/rebook", json={"slot_id": free.id}, headers=gw.auth(TOLVAN)
    )
    cancel = await gw.client.post(f"/v1/bookings/{opaque}/cancel", headers=gw.auth(TOLVAN))
    rebook_search = await gw.client.get(
        f"/v1/units/{PMO_UNIT}/slots", params={"rebook": opaque}, headers=gw.auth(TOLVAN)
    )
    missing = await gw.client.get(
        f"/v1/bookings/{encode_id(PMO_UNIT, 'bk-999')}", headers=gw.auth(TOLVAN)
    )
    for response in (read, rebook, cancel, rebook_search):
        assert response.status_code == 404
        # exactly like a booking that does not exist: existence never leaks
        assert response.json()["detail"] == missing.json()["detail"]
        assert response.json()["code"] == missing.json()["code"]
    assert gw.pmo.bookings == before
    assert gw.pmo.slots[free.id].booking_id is None

    mine = (await gw.client.get("/v1/bookings", headers=gw.auth(TOLVAN))).json()
    assert mine["bookings"] == []
    theirs_listed = (await gw.client.get("/v1/bookings", headers=gw.auth(OTHER))).json()
    assert len(theirs_listed["bookings"]) == 1
    # nobody got an inbox message from the refused attempts
    assert (await gw.client.get("/v1/inbox", headers=gw.auth(OTHER))).json()["messages"] == []


async def test_inbox_and_invitations_are_per_citizen(gw: Gateway) -> None:
    gw.pasis.add_invitation("SE2321000016-1111", OTHER, [at(3, 9)])
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    booked = await gw.client.post(
        "/v1/bookings",
        json={"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True},
        headers=gw.auth(OTHER),
    )
    assert booked.status_code == 201
    assert (await gw.client.get("/v1/inbox", headers=gw.auth(TOLVAN))).json()["messages"] == []
    assert (await gw.client.get("/v1/invitations", headers=gw.auth(TOLVAN))).json()[
        "invitations"
    ] == []
    assert len((await gw.client.get("/v1/inbox", headers=gw.auth(OTHER))).json()["messages"]) == 1


async def test_rs256_tokens() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings = GatewaySettings(jwt_algorithm="RS256", jwt_public_key=public_pem, jwt_audience="a")
    verifier = TokenVerifier(settings, FrozenClock(NOW))
    token = issue_token(
        private_pem,
        TOLVAN.value,
        audience="a",
        expires_at=NOW + timedelta(hours=1),
        algorithm="RS256",
        agent_id="nurse-1",
    )
    caller = verifier.caller(f"Bearer {token}")
    assert caller.subject_of_care == TOLVAN
    assert caller.agent_id == "nurse-1"
    hs_token = issue_token(SECRET, TOLVAN.value, audience="a", expires_at=NOW + timedelta(hours=1))
    with pytest.raises(Unauthorized):
        verifier.caller(f"Bearer {hs_token}")


def test_missing_or_weak_keys_stop_start_up() -> None:
    clock = FrozenClock(NOW)
    with pytest.raises(GatewayConfigError):
        TokenVerifier(GatewaySettings(), clock)
    with pytest.raises(GatewayConfigError):
        TokenVerifier(GatewaySettings(jwt_secret="short"), clock)
    with pytest.raises(GatewayConfigError):
        TokenVerifier(GatewaySettings(jwt_algorithm="RS256"), clock)


async def test_no_personal_identity_number_in_any_log_line(
    gw: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slot = gw.pasis.add_slot("SE2321000016-1111", at(3, 10))
    other_slot = gw.pasis.add_slot("SE2321000016-1111", at(4, 10))
    headers = {**gw.auth(), "Idempotency-Key": "log-test"}
    booked = await gw.client.post(
        "/v1/bookings",
        json={"unit": "SE2321000016-1111", "slot_id": slot.id, "accept_terms": True},
        headers=headers,
    )
    booking_id = booked.json()["booking"]["id"]
    await gw.client.get("/v1/bookings", headers=gw.auth())
    await gw.client.get(f"/v1/bookings/{booking_id}", headers=gw.auth())
    await gw.client.post(
        f"/v1/bookings/{booking_id}/rebook", json={"slot_id": other_slot.id}, headers=gw.auth()
    )
    await gw.client.get("/v1/inbox", headers=gw.auth())
    await gw.client.get("/v1/bookings", headers=gw.auth("191212121213"))  # bad sub
    await gw.client.get("/v1/bookings", headers=gw.auth(OTHER, expires_in=-timedelta(hours=1)))
    gw.pmo_system.fail = ValueError("backend said no")
    await gw.client.get(f"/v1/units/{PMO_UNIT}/bookings", headers=gw.auth())
    gw.pmo_system.fail = None

    async def delivered() -> bool:
        return len(gw.inbox.state.store.all()) == 2

    from .conftest import wait_until

    await wait_until(delivered)
    assert caplog.records, "the flow should have logged something"
    full_forms = {TOLVAN.value, "19121212-1212", "1212121212", OTHER.value, "191212121213"}
    for record in caplog.records:
        text = record.getMessage()
        if record.exc_text:
            text += record.exc_text
        for form in full_forms:
            assert form not in text, f"{record.name}: {text}"
