"""Realistic Swedish demo data for the PASiS mock, built relative to the mock's today."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from ..common.demo import DEMO_CITIZEN, OTHER_CITIZENS, SlotSeries, slot_id, working_days

TENSTA = "SE2321000016-1001"
SOLNA = "SE2321000016-1002"

UNITS = [
    {"id": TENSTA, "name": "Vårdcentralen Tensta", "address": "Tensta allé 15, 163 64 Spånga"},
    {
        "id": SOLNA,
        "name": "Barnmorskemottagningen Solna",
        "address": "Solnavägen 3, 171 64 Solna",
    },
]

TIME_TYPES = [
    {
        "id": "TT-PROV",
        "unit": TENSTA,
        "name": "Provtagning",
        "duration_minutes": 15,
        "description": "Blodprov och andra prover som din läkare har beställt.",
        "purpose": "Kom fastande om du ska lämna blodfetter.",
        "level": 4,
    },
    {
        "id": "TT-INFLUENSA",
        "unit": TENSTA,
        "name": "Vaccination mot influensa",
        "duration_minutes": 10,
        "description": "Säsongsvaccination för dig som är 65 år eller äldre eller i riskgrupp.",
        "level": 4,
    },
    {
        "id": "TT-LAKARE-UPPF",
        "unit": TENSTA,
        "name": "Läkarbesök, uppföljning",
        "duration_minutes": 30,
        "description": "Uppföljande besök hos din läkare.",
        "level": 3,
    },
    {
        "id": "TT-HALSOKONTROLL",
        "unit": TENSTA,
        "name": "Hälsokontroll, årlig",
        "duration_minutes": 30,
        "description": "Årlig kontroll av blodtryck, vikt och blodsocker.",
        "level": 2,
    },
    {
        "id": "TT-AKUT",
        "unit": TENSTA,
        "name": "Akuttid, bokas av personal",
        "duration_minutes": 20,
        "level": 1,
    },
    {
        "id": "TT-INSKRIVNING",
        "unit": SOLNA,
        "name": "Inskrivningssamtal, graviditet",
        "duration_minutes": 60,
        "description": "Första besöket hos barnmorskan när du är gravid.",
        "level": 4,
    },
    {
        "id": "TT-CELLPROV",
        "unit": SOLNA,
        "name": "Cellprovtagning",
        "duration_minutes": 15,
        "description": "Gynekologisk cellprovtagning efter kallelse eller på egen begäran.",
        "level": 4,
    },
    {
        "id": "TT-BARNMORSKA",
        "unit": SOLNA,
        "name": "Besök hos barnmorska",
        "duration_minutes": 30,
        "level": 3,
    },
]

PROV = SlotSeries(
    TENSTA,
    "TT-PROV",
    time(8),
    8,
    15,
    "Biomedicinsk analytiker Sara Lind",
    "Provtagning 1",
    "T-PROV",
)
INFLUENSA = SlotSeries(
    TENSTA, "TT-INFLUENSA", time(13), 6, 10, "Sjuksköterska Omar Haddad", "Rum 2", "T-INFL"
)
LAKARE = SlotSeries(TENSTA, "TT-LAKARE-UPPF", time(10), 4, 30, "Dr Anna Berg", "Rum 4", "T-LAK")
HALSOKONTROLL = SlotSeries(
    TENSTA, "TT-HALSOKONTROLL", time(14, 30), 3, 30, "Distriktssköterska Lena Ek", "Rum 3", "T-HK"
)
AKUT = SlotSeries(TENSTA, "TT-AKUT", time(15, 40), 2, 20, "Dr Karim Nilsson", "Rum 5", "T-AKUT")
INSKRIVNING = SlotSeries(
    SOLNA, "TT-INSKRIVNING", time(9), 3, 60, "Barnmorska Maria Holm", "Rum B1", "T-INSKR"
)
CELLPROV = SlotSeries(
    SOLNA, "TT-CELLPROV", time(13), 6, 15, "Barnmorska Elin Sjö", "Rum B2", "T-CELL"
)
BARNMORSKA = SlotSeries(
    SOLNA, "TT-BARNMORSKA", time(14, 30), 3, 30, "Barnmorska Maria Holm", "Rum B1", "T-BM"
)
SERIES = [PROV, INFLUENSA, LAKARE, HALSOKONTROLL, AKUT, INSKRIVNING, CELLPROV, BARNMORSKA]


def demo_scenario(today: date) -> dict[str, Any]:
    """Units, time types, a week of slots from tomorrow, bookings and one open invitation."""
    days = working_days(today, 5)
    slots = [slot for day in days for series in SERIES for slot in series.on(day)]
    bookings = [
        {
            "slot": slot_id(LAKARE, days[2], time(10)),
            "person": DEMO_CITIZEN,
            "booked_by": "staff",
            "purpose": "Uppföljning av blodtryck. Ta med dina mätvärden.",
        },
        {
            "slot": slot_id(PROV, days[1], time(8)),
            "person": DEMO_CITIZEN,
            "booked_by": "staff",
            "purpose": "Kom fastande.",
        },
        {
            "slot": slot_id(BARNMORSKA, days[3], time(14, 30)),
            "person": DEMO_CITIZEN,
            "booked_by": "staff",
        },
        {
            "slot": slot_id(LAKARE, days[4], time(11)),
            "person": DEMO_CITIZEN,
            "booked_by": "staff",
            "hidden": True,
            "purpose": "Samtal om provsvar.",
        },
        {
            "slot": slot_id(PROV, days[0], time(8, 15)),
            "person": OTHER_CITIZENS[0],
            "booked_by": "citizen",
            "reason": "Min läkare vill ta nya prover.",
        },
    ]
    invitation = {
        "id": "K-DEMO-1",
        "unit": TENSTA,
        "person": DEMO_CITIZEN,
        "purpose": "Årlig hälsokontroll. Välj en av tiderna.",
        "slots": [
            slot_id(HALSOKONTROLL, days[3], time(14, 30)),
            slot_id(HALSOKONTROLL, days[4], time(14, 30)),
            slot_id(HALSOKONTROLL, days[4], time(15)),
        ],
    }
    return {
        "units": UNITS,
        "time_types": TIME_TYPES,
        "slots": slots,
        "bookings": bookings,
        "invitations": [invitation],
    }
