"""The riv plugin's settings and its translation of crm:scheduling answers (no network)."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from tidbok import (
    BackendProtocolError,
    BackendUnavailable,
    Capability,
    EarliestBooking,
    InvitationAlreadyUsed,
    NotAvailableVia1177,
    NotFound,
    PersonalIdentityNumber,
    RefusedByUnit,
    SlotTaken,
)
from tidbok.clock import STOCKHOLM
from tidbok.crm import SoapFault, TimeslotType
from tidbok.settings import TidbokSettings
from tidbok_riv import mapping
from tidbok_riv.options import RivOptions

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 12, 8, 9, 0, tzinfo=STOCKHOLM)
CITIZEN = PersonalIdentityNumber("191212121212")


def timeslot(**more: object) -> TimeslotType:
    fields: dict[str, object] = {
        "startTimeInclusive": START,
        "endTimeExclusive": START + timedelta(minutes=30),
        "healthcare_facility": "SE2321000016-1001",
        "timeTypeID": "TT-PROV",
        "timeTypeName": "Provtagning",
        "resourceID": "R4",
        **more,
    }
    return TimeslotType(**fields)  # type: ignore[arg-type]


def test_the_documented_configuration_loads() -> None:
    text = (ROOT / "docs" / "plugins" / "riv.md").read_text(encoding="utf-8")
    toml = text.split("```toml\n", 1)[1].split("```", 1)[0]
    settings = TidbokSettings(**tomllib.loads(toml))
    backend = next(iter(settings.backends.values()))
    options = RivOptions.model_validate(backend.options)
    assert backend.system == "riv"
    assert options.rules.change_cutoff == timedelta(hours=24)
    assert options.url(backend.base_url, "MakeBooking").endswith("/vp/MakeBooking/1/rivtabp21")
    assert options.result_texts["Tiden är redan bokad."] == "slot_taken"
    assert options.client_certificate is not None


def test_the_defaults_declare_next_day_and_24_hours() -> None:
    options = RivOptions()
    assert options.rules.earliest_booking is EarliestBooking.NEXT_DAY
    assert options.capabilities == {Capability.MESSAGE_ON_CANCEL}
    same_day = RivOptions(earliest_booking=EarliestBooking.SAME_DAY, message_on_cancel=False)
    assert same_day.capabilities == {Capability.SAME_DAY_BOOKING}


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"operations": ["GetAvailableTimeslots"]}, "these operations are mandatory"),
        ({"operations": ["MakeBooking", "Bogus"]}, "unknown operations: Bogus"),
        ({"client_certificate": "/x.pem"}, "client_certificate and client_key are set together"),
        ({"endpoint": "{base_url}/soap"}, "endpoint must contain {operation}"),
        ({"result_texts": {"Fel.": "exploded"}}, "result_texts.`Fel.`"),
        ({"change_cutoff_hours": -1}, "change_cutoff_hours"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_options_say_which_field(options: dict[str, object], problem: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RivOptions.model_validate(options)
    assert problem in str(caught.value)


def test_a_slot_id_names_its_time_and_round_trips() -> None:
    free = timeslot()
    key = mapping.slot_key(mapping.slot_id(free))
    assert key == mapping.SlotKey("20261208090000", "20261208093000", "TT-PROV", "R4")
    assert mapping.same_slot(key, free)
    assert not mapping.same_slot(key, timeslot(resourceID="R5"))
    assert len(mapping.slot_id(free)) < 200  # NewBooking.slot_id's limit
    with pytest.raises(NotFound):
        mapping.slot_key("not-one-of-ours")


def test_a_booking_keeps_the_producer_s_flags_as_caps() -> None:
    booking = mapping.to_booking(
        timeslot(bookingId="B1", subject_of_care="191212121212", cancel_booking_allowed=True),
        "SE2321000016-1001",
        CITIZEN,
    )
    assert booking.backend_permissions is not None
    assert booking.backend_permissions.cancel_booking_allowed is True
    assert booking.backend_permissions.rebooking_allowed is False  # absent means not allowed
    assert booking.start == START


def test_error_texts_become_typed_refusals() -> None:
    assert isinstance(mapping.refusal(SlotTaken.citizen_text, {}), SlotTaken)
    configured = {"Kallelsen är redan bokad.": "invitation_already_used"}
    assert isinstance(
        mapping.refusal("Kallelsen är redan bokad.", configured), InvitationAlreadyUsed
    )
    unknown = mapping.refusal("Ring mottagningen på 08-123 45 67.", {})
    assert isinstance(unknown, RefusedByUnit)
    assert unknown.citizen_text == "Ring mottagningen på 08-123 45 67."


def test_faults_become_refusals_or_technical_errors() -> None:
    refused = mapping.fault_error(
        SoapFault("Client", f"not_available_via_1177: {NotAvailableVia1177.citizen_text}")
    )
    assert isinstance(refused, NotAvailableVia1177)
    assert isinstance(mapping.fault_error(SoapFault("Server", "VP009 timeout")), BackendUnavailable)
    assert isinstance(
        mapping.fault_error(SoapFault("Client", "invalid request: x")), BackendProtocolError
    )
