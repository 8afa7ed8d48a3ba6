"""Swedish demo data for the riv mock (a crm:scheduling producer), relative to the mock's today."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from ..common.demo import DEMO_CITIZEN, OTHER_CITIZENS, SlotSeries, slot_id, working_days

HUSBY = "SE2321000016-3001"
SUNDBYBERG = "SE2321000016-3002"

UNITS = [
    {"id": HUSBY, "name": "Vårdcentralen Husby", "address": "Husby centrum 4, 164 32 Kista"},
    {"id": SUNDBYBERG, "name": "Vaccinationsmottagningen Sundbyberg", "address": "Sundbyberg"},
]

#: (id, unit, name, minutes, visible, bookable, changeable, purpose)
_TIME_TYPE_TABLE = [
    ("RT-PROV", HUSBY, "Provtagning", 15, 1, 1, 1, "Kom fastande om du ska lämna blodfetter."),
    ("RT-SSK", HUSBY, "Sjuksköterskebesök", 20, 1, 1, 1, ""),
    ("RT-LAKARE", HUSBY, "Läkarbesök, uppföljning", 30, 1, 0, 1, ""),
    ("RT-SPIRO", HUSBY, "Spirometri", 30, 1, 0, 0, ""),
    ("RT-INTERN", HUSBY, "Intern tid", 30, 0, 0, 0, ""),
    ("RT-TBE", SUNDBYBERG, "Vaccination mot TBE", 10, 1, 1, 1, ""),
]
TIME_TYPES = [
    {
        "id": key,
        "unit": unit,
        "name": name,
        "duration_minutes": minutes,
        "visible": bool(visible),
        "bookable": bool(bookable),
        "changeable": bool(changeable),
        "purpose": purpose,
    }
    for key, unit, name, minutes, visible, bookable, changeable, purpose in _TIME_TYPE_TABLE
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

    def at(series: SlotSeries, day: int, hour: int, minute: int = 0) -> str:
        return slot_id(series, days[day], time(hour, minute))

    bookings: list[dict[str, Any]] = [
        {
            "slot": at(LAKARE, 2, 10),
            "person": DEMO_CITIZEN,
            "purpose": "Ta med dina blodtrycksvärden.",
        },
        {"slot": at(PROV, 1, 8), "person": DEMO_CITIZEN, "booked_by": "citizen"},
        {"slot": at(SPIRO, 3, 15), "person": DEMO_CITIZEN},
        {"slot": at(TBE, 0, 9), "person": OTHER_CITIZENS[0]},
    ]
    return {
        "units": UNITS,
        "time_types": TIME_TYPES,
        "slots": [slot for day in days for series in SERIES for slot in series.on(day)],
        "bookings": bookings,
        "invitations": [
            {
                "id": "RK-DEMO-1",
                "unit": HUSBY,
                "person": DEMO_CITIZEN,
                "purpose": "Kallelse till sjuksköterskebesök. Välj en av tiderna.",
                "slots": [at(SSK, 3, 13), at(SSK, 4, 13), at(SSK, 4, 13, 20)],
            }
        ],
    }
