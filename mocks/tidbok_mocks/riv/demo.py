"""Swedish demo data for the riv mock (a crm:scheduling producer), relative to the mock's today."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from ..common.demo import DEMO_CITIZEN, OTHER_CITIZENS, SlotSeries, slot_id, working_days

HUSBY = "SE2321000016-3001"
SUNDBYBERG = "SE2321000016-3002"

UNITS = [
    {"id": HUSBY, "name": "Vårdcentralen Husby", "address": "Husby centrum 4, 164 32 Kista"},
    {
        "id": SUNDBYBERG,
        "name": "Vaccinationsmottagningen Sundbyberg",
        "address": "Landsvägen 50, 172 63 Sundbyberg",
    },
]

TIME_TYPES = [
    {
        "id": "RT-PROV",
        "unit": HUSBY,
        "name": "Provtagning",
        "duration_minutes": 15,
        "purpose": "Kom fastande om du ska lämna blodfetter.",
    },
    {"id": "RT-SSK", "unit": HUSBY, "name": "Sjuksköterskebesök", "duration_minutes": 20},
    {
        "id": "RT-LAKARE",
        "unit": HUSBY,
        "name": "Läkarbesök, uppföljning",
        "duration_minutes": 30,
        "bookable": False,
    },
    {
        "id": "RT-SPIRO",
        "unit": HUSBY,
        "name": "Spirometri",
        "duration_minutes": 30,
        "bookable": False,
        "changeable": False,
    },
    {
        "id": "RT-INTERN",
        "unit": HUSBY,
        "name": "Intern tid",
        "visible": False,
        "bookable": False,
        "changeable": False,
    },
    {
        "id": "RT-TBE",
        "unit": SUNDBYBERG,
        "name": "Vaccination mot TBE",
        "duration_minutes": 10,
    },
]

PROV = SlotSeries(HUSBY, "RT-PROV", time(8), 6, 15, "Undersköterska Maja Ek", "Provrum", "R-PROV")
SSK = SlotSeries(HUSBY, "RT-SSK", time(13), 4, 20, "Sjuksköterska Ali Hassan", "Rum 3", "R-SSK")
LAKARE = SlotSeries(HUSBY, "RT-LAKARE", time(10), 3, 30, "Dr Eva Lund", "Rum 7", "R-LAK")
SPIRO = SlotSeries(HUSBY, "RT-SPIRO", time(15), 2, 30, "Sjuksköterska Ali Hassan", "Rum 5", "R-SPI")
TBE = SlotSeries(SUNDBYBERG, "RT-TBE", time(9), 6, 10, "Sjuksköterska Lina Berg", "Rum 1", "R-TBE")
SERIES = [PROV, SSK, LAKARE, SPIRO, TBE]


def demo_scenario(today: date) -> dict[str, Any]:
    """Units, time types, a week of slots from tomorrow, bookings and one open invitation."""
    days = working_days(today, 5)
    slots = [slot for day in days for series in SERIES for slot in series.on(day)]
    bookings = [
        {
            "slot": slot_id(LAKARE, days[2], time(10)),
            "person": DEMO_CITIZEN,
            "purpose": "Uppföljning av blodtryck. Ta med dina mätvärden.",
        },
        {"slot": slot_id(PROV, days[1], time(8)), "person": DEMO_CITIZEN, "booked_by": "citizen"},
        {"slot": slot_id(SPIRO, days[3], time(15)), "person": DEMO_CITIZEN},
        {"slot": slot_id(TBE, days[0], time(9)), "person": OTHER_CITIZENS[0]},
    ]
    invitation = {
        "id": "RK-DEMO-1",
        "unit": HUSBY,
        "person": DEMO_CITIZEN,
        "purpose": "Kallelse till sjuksköterskebesök. Välj en av tiderna.",
        "slots": [
            slot_id(SSK, days[3], time(13)),
            slot_id(SSK, days[4], time(13)),
            slot_id(SSK, days[4], time(13, 20)),
        ],
    }
    return {
        "units": UNITS,
        "time_types": TIME_TYPES,
        "slots": slots,
        "bookings": bookings,
        "invitations": [invitation],
    }
