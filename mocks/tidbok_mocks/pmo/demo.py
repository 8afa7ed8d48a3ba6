"""Realistic Swedish demo data for the PMO mock, built relative to the mock's today."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from ..common.demo import DEMO_CITIZEN, OTHER_CITIZENS, SlotSeries, slot_id, working_days

RINKEBY = "SE2321000016-2001"
KISTA = "SE2321000016-2002"

UNITS = [
    {"id": RINKEBY, "name": "Vårdcentralen Rinkeby", "address": "Rinkebytorget 5, 163 73 Spånga"},
    {"id": KISTA, "name": "Barnavårdscentralen Kista", "address": "Kista gång 12, 164 40 Kista"},
]

BOOKING_TYPES = [
    {
        "id": "bt-provtagning",
        "unit": RINKEBY,
        "name": "Provtagning",
        "duration_minutes": 15,
        "description": "Blodprov och andra prover som din läkare har beställt.",
        "purpose": "Kom fastande om du ska lämna blodfetter.",
    },
    {
        "id": "bt-influensa",
        "unit": RINKEBY,
        "name": "Vaccination mot influensa",
        "duration_minutes": 10,
        "description": "Säsongsvaccination för dig som är 65 år eller äldre eller i riskgrupp.",
    },
    {
        "id": "bt-lakare-uppf",
        "unit": RINKEBY,
        "name": "Läkarbesök, uppföljning",
        "duration_minutes": 30,
        "description": "Uppföljande besök hos din läkare.",
        "bookable": False,
    },
    {
        "id": "bt-sarvard",
        "unit": RINKEBY,
        "name": "Sjuksköterskebesök, såromläggning",
        "duration_minutes": 20,
        "bookable": False,
        "cancellable": False,
    },
    {
        "id": "bt-intern",
        "unit": RINKEBY,
        "name": "Intern tid, administration",
        "duration_minutes": 30,
        "visible": False,
        "bookable": False,
        "cancellable": False,
    },
    {
        "id": "bt-bvc-6man",
        "unit": KISTA,
        "name": "BVC-besök, 6 månader",
        "duration_minutes": 45,
        "description": "Hälsobesök hos BVC-sjuksköterskan när ditt barn är 6 månader.",
    },
    {
        "id": "bt-barnvaccination",
        "unit": KISTA,
        "name": "Vaccination enligt barnvaccinationsprogrammet",
        "duration_minutes": 20,
        "cancellable": False,
    },
]

PROV = SlotSeries(
    RINKEBY,
    "bt-provtagning",
    time(8),
    8,
    15,
    "Biomedicinsk analytiker Jonas Ali",
    "Provtagningen",
    "s-prov",
)
INFLUENSA = SlotSeries(
    RINKEBY, "bt-influensa", time(13), 6, 10, "Sjuksköterska Fatima Yusuf", "Rum 12", "s-infl"
)
LAKARE = SlotSeries(RINKEBY, "bt-lakare-uppf", time(10), 4, 30, "Dr Anna Berg", "Rum 7", "s-lak")
SARVARD = SlotSeries(
    RINKEBY, "bt-sarvard", time(15), 3, 20, "Sjuksköterska Per Lund", "Rum 11", "s-sar"
)
INTERN = SlotSeries(RINKEBY, "bt-intern", time(16, 30), 1, 30, "Dr Anna Berg", "Rum 7", "s-int")
BVC = SlotSeries(
    KISTA, "bt-bvc-6man", time(9), 4, 45, "BVC-sjuksköterska Sofia Berg", "BVC rum 1", "s-bvc"
)
BARNVACC = SlotSeries(
    KISTA,
    "bt-barnvaccination",
    time(13, 30),
    4,
    20,
    "BVC-sjuksköterska Sofia Berg",
    "BVC rum 2",
    "s-bvac",
)
SERIES = [PROV, INFLUENSA, LAKARE, SARVARD, INTERN, BVC, BARNVACC]


def demo_scenario(today: date) -> dict[str, Any]:
    """Facilities, booking types, a week of slots (today included), bookings, one hidden."""
    days = working_days(today, 5)
    slot_days = [today, *days] if today.weekday() < 5 else days
    slots = [slot for day in slot_days for series in SERIES for slot in series.on(day)]
    bookings = [
        {
            "slot": slot_id(LAKARE, days[2], time(10)),
            "person": DEMO_CITIZEN,
            "booked_by": "staff",
            "purpose": "Uppföljning av blodtryck. Ta med dina mätvärden.",
        },
        {
            "slot": slot_id(SARVARD, days[1], time(15)),
            "person": DEMO_CITIZEN,
            "booked_by": "staff",
            "purpose": "Omläggning av sår på vänster underben.",
        },
        {
            "slot": slot_id(LAKARE, days[4], time(11)),
            "person": DEMO_CITIZEN,
            "booked_by": "staff",
            "hidden": True,
            "purpose": "Samtal om provsvar.",
        },
        {
            "slot": slot_id(BVC, days[3], time(9)),
            "person": OTHER_CITIZENS[2],
            "booked_by": "staff",
        },
        {
            "slot": slot_id(PROV, days[0], time(8, 15)),
            "person": OTHER_CITIZENS[1],
            "booked_by": "citizen",
            "reason": "Kontroll av järnvärden.",
        },
    ]
    return {
        "units": UNITS,
        "time_types": BOOKING_TYPES,
        "slots": slots,
        "bookings": bookings,
    }
