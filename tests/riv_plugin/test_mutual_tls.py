"""The riv plugin over mutual TLS: its client certificate identifies it to a producer that
requires one (tidbok's own, with ``allowed_consumers``), and it verifies the producer's.

The configuration is the one docs/plugins/riv.md shows: ``client_certificate``, ``client_key``
and ``ca_bundle`` in the backend's options.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.certs import new_pki
from tests.riv.conftest import CITIZEN, NOW, RINKEBY, open_world
from tidbok import BackendProtocolError, BackendUnavailable, Caller, PersonalIdentityNumber
from tidbok.clock import FrozenClock
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings

CONSUMER = "SE5565594230-1177"
CALLER = Caller(
    subject_of_care=PersonalIdentityNumber(CITIZEN), given_name="Tolvan", family_name="Tolvansson"
)


def consumer_settings(producer_url: str, options: dict[str, Any]) -> TidbokSettings:
    return TidbokSettings(
        backends={
            "region": {
                "system": "riv",
                "base_url": producer_url,
                "options": {"earliest_booking": "same_day", "change_cutoff_hours": 0, **options},
            }
        },
        units=[
            {
                "hsa_id": RINKEBY,
                "name": "Rinkeby",
                "backend": "region",
                "case_types": [{"kind": "book"}, {"kind": "manage"}],
            }
        ],
    )


async def test_riv_books_through_a_producer_that_requires_its_certificate(tmp_path: Path) -> None:
    pki = new_pki(tmp_path / "pki")
    certificate = pki.client("tidbok", serial_number=CONSUMER)
    async with AsyncExitStack() as stack:
        world = await open_world(
            stack,
            tmp_path,
            tls=pki.tls(),
            verify=pki.client_context(),
            allowed_consumers=(CONSUMER,),
        )
        producer = f"{world.gateway.url}/riv/crm/scheduling"
        options = {
            "client_certificate": str(certificate.certificate),
            "client_key": str(certificate.key),
            "ca_bundle": str(pki.ca_file),
        }
        service = await stack.enter_async_context(
            BookingService(consumer_settings(producer, options), clock=FrozenClock(NOW))
        )
        slots = await service.available_slots(CALLER, RINKEBY, NOW, NOW + timedelta(days=7))
        later = next(slot for slot in slots if slot.start > NOW + timedelta(days=2))
        booked = await service.book(CALLER, RINKEBY, later.id, accept_terms=True)
        assert booked.booking.start == later.start
        book = await world.appointment_book(RINKEBY)
        assert booked.booking.id in {entry["booking_id"] for entry in book}


@pytest.mark.parametrize("missing", ["certificate", "trust"])
async def test_without_its_certificate_or_trust_nothing_is_answered(
    tmp_path: Path, missing: str
) -> None:
    pki = new_pki(tmp_path / "pki")
    certificate = pki.client("tidbok", serial_number=CONSUMER)
    async with AsyncExitStack() as stack:
        world = await open_world(
            stack,
            tmp_path,
            tls=pki.tls(),
            verify=pki.client_context(),
            allowed_consumers=(CONSUMER,),
        )
        producer = f"{world.gateway.url}/riv/crm/scheduling"
        options: dict[str, Any] = {"ca_bundle": str(pki.ca_file)}
        if missing == "trust":  # the producer's CA is not trusted: the system CAs are used
            options = {
                "client_certificate": str(certificate.certificate),
                "client_key": str(certificate.key),
            }
        service = await stack.enter_async_context(
            BookingService(consumer_settings(producer, options), clock=FrozenClock(NOW))
        )
        with pytest.raises((BackendProtocolError, BackendUnavailable)):
            await service.available_slots(CALLER, RINKEBY, NOW, NOW + timedelta(days=7))
