"""The story ``tidbok demo`` tells: one citizen's bookings, against the gateway's real HTTP API.

Find a slot, accept the terms, book, see "Bokade tider" beside bookings from the other system (and
one made by staff), rebook, cancel, book from an open invitation, read the inbox, and be refused a
cancellation inside PASiS' 24-hour window, with its Swedish text. The units, time types and the
citizen come from the mocks' own demo scenario (``tidbok_mocks.pasis.demo``, ``...pmo.demo``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from tidbok.clock import STOCKHOLM
from tidbok_mocks.common.demo import DEMO_CITIZEN
from tidbok_mocks.pasis import demo as pasis_demo
from tidbok_mocks.pmo import demo as pmo_demo

Say = Callable[[str], None]
ChangeableFrom = Callable[[str], datetime]
"""The earliest start a booking at a unit may have and still be changed by the demo."""

DEMO_MARGIN = timedelta(minutes=10)
"""How long the story may take: a slot it will change starts at least this far past the cut-off."""


class DemoFailed(Exception):
    """The demo's story did not go as it should; the message says where."""


class Story:
    """One citizen's booking story, told against the gateway's HTTP API."""

    def __init__(
        self,
        api: httpx.AsyncClient,
        pasis_admin: httpx.AsyncClient,
        say: Say,
        changeable_from: ChangeableFrom,
    ) -> None:
        self.api = api
        self.pasis_admin = pasis_admin
        self.say = say
        self.changeable_from = changeable_from
        self.unit_names: dict[str, str] = {}

    async def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        """Call the gateway and insist on the expected status."""
        response = await self.api.request(method, path, **kwargs)
        if response.status_code != expect:
            raise DemoFailed(
                f"{method} {path} answered {response.status_code}, expected {expect}: "
                f"{response.text[:300]}"
            )
        return response.json() if response.content else None

    def heading(self, text: str) -> None:
        """Print a step's heading."""
        self.say("")
        self.say(f"== {text}")

    def changeable(self, unit: str, slots: list[dict[str, Any]]) -> dict[str, Any]:
        """The first slot whose booking the story can still cancel or rebook at the unit."""
        earliest = self.changeable_from(unit)
        for slot in slots:
            if datetime.fromisoformat(slot["start"]) >= earliest:
                return slot
        raise DemoFailed(f"no slot at {unit} starts after {earliest.isoformat()}")

    def show_booking(self, booking: dict[str, Any]) -> None:
        """One line per booking, as 'Bokade tider' shows it."""
        start = _local(booking["start"])
        who = "bokad av dig" if booking["booked_by"] == "citizen" else "bokad av mottagningen"
        flags = booking["permissions"]
        changeable = "kan av-/ombokas" if flags["cancel_booking_allowed"] else "kan inte ändras här"
        unit = self.unit_names.get(booking["unit"], booking["unit"])
        self.say(f"   {start}  {booking['time_type']['name']}, {unit} ({who}; {changeable})")

    async def run(self) -> None:
        """Tell the whole story; raise DemoFailed if any step goes wrong."""
        tensta, rinkeby = pasis_demo.TENSTA, pmo_demo.RINKEBY
        self.heading("1. Mottagningar med 1177 tidbokning (GET /v1/units)")
        units = (await self.call("GET", "/v1/units", 200))["units"]
        for unit in units:
            self.unit_names[unit["hsa_id"]] = unit["name"]
            services = ", ".join(f"«{c['name']}»" for c in unit["case_types"])
            self.say(f"   {unit['name']} [{unit['system']}]: {services}")

        self.heading("2. Lediga tider på Vårdcentralen Tensta (PASiS; bokas tidigast i morgon)")
        types = (await self.call("GET", f"/v1/units/{tensta}/time-types", 200))["time_types"]
        self.say("   Tidstyper: " + ", ".join(t["name"] for t in types if t["bookable"]))
        slots = (await self.call("GET", f"/v1/units/{tensta}/slots", 200))["slots"]
        if len(slots) < 2:
            raise DemoFailed("the PASiS demo unit offers too few slots")
        for slot in slots[:3]:
            self.say(
                f"   {_local(slot['start'])}  {slot['time_type']['name']}  ({slot['performer']})"
            )

        self.heading("3. Boka utan att godkänna villkoren, sedan med (POST /v1/bookings)")
        chosen = self.changeable(tensta, slots)  # rebooked in step 6: beyond the 24-hour cut-off
        body = {"unit": tensta, "slot_id": chosen["id"], "accept_terms": False}
        refused = await self.call("POST", "/v1/bookings", 422, json=body)
        self.say(f"   422 {refused['code']}: {refused['detail']}")
        body |= {"accept_terms": True, "reason": "Min läkare vill ta nya prover."}
        answer = await self.call("POST", "/v1/bookings", 201, json=body)
        booked = answer["booking"]
        self.say(f"   201 bokad ({answer['outcome']}):")
        self.show_booking(booked)
        if answer.get("info"):
            self.say(f"   Att tänka på: {answer['info']}")

        self.heading("4. Boka på Vårdcentralen Rinkeby (PMO; samma dag går bra)")
        pmo_slots = (await self.call("GET", f"/v1/units/{rinkeby}/slots", 200))["slots"]
        if not pmo_slots:
            raise DemoFailed("the PMO demo unit offers no slot")
        pmo_slot = self.changeable(rinkeby, pmo_slots)  # cancelled in step 7
        body = {"unit": rinkeby, "slot_id": pmo_slot["id"], "accept_terms": True}
        pmo_booking = (await self.call("POST", "/v1/bookings", 201, json=body))["booking"]
        self.show_booking(pmo_booking)

        self.heading("5. Bokade tider: alla mottagningar, båda systemen (GET /v1/bookings)")
        schedule = await self.call("GET", "/v1/bookings", 200)
        for booking in schedule["bookings"]:
            self.show_booking(booking)
        self.say("   (en bokning som mottagningen har dolt visas inte)")

        self.heading("6. Omboka Tensta-tiden (GET slots?rebook=, POST /v1/bookings/{id}/rebook)")
        options = await self.call(
            "GET", f"/v1/units/{tensta}/slots", 200, params={"rebook": booked["id"]}
        )
        target = next(s for s in options["slots"] if s["id"] != chosen["id"])
        moved = await self.call(
            "POST", f"/v1/bookings/{booked['id']}/rebook", 200, json={"slot_id": target["id"]}
        )
        self.say(f"   flyttad från {_local(booked['start'])} till:")
        self.show_booking(moved["booking"])

        self.heading("7. Avboka Rinkeby-tiden (POST /v1/bookings/{id}/cancel)")
        await self.call("POST", f"/v1/bookings/{pmo_booking['id']}/cancel", 200, json={})
        self.say(f"   avbokad: {_local(pmo_booking['start'])}; tiden är genast bokningsbar igen")

        await self.invitation()
        await self.refused_cancel(tensta)
        await self.inbox()
        await self.staff_view(tensta)

    async def invitation(self) -> None:
        """Book one slot of the open invitation (R15), then be refused a second."""
        self.heading("8. Öppen kallelse från Tensta (GET /v1/invitations)")
        invitations = (await self.call("GET", "/v1/invitations", 200))["invitations"]
        if not invitations:
            raise DemoFailed("the demo citizen has no open invitation")
        invitation = invitations[0]
        self.say(f"   «{invitation['title']}»: {len(invitation['slots'])} tider att välja på")
        path = f"/v1/invitations/{invitation['id']}/book"
        first, second = invitation["slots"][0], invitation["slots"][-1]
        result = await self.call(
            "POST", path, 201, json={"slot_id": first["id"], "accept_terms": True}
        )
        self.show_booking(result["booking"])
        again = await self.call(
            "POST", path, 409, json={"slot_id": second["id"], "accept_terms": True}
        )
        self.say(f"   en gång till: 409 {again['code']}: {again['detail']}")

    async def refused_cancel(self, tensta: str) -> None:
        """Staff book a visit in five hours; the citizen may not cancel it via 1177 (R9)."""
        self.heading("9. Avboka en tid som börjar om fem timmar (PASiS: senast 24 h innan)")
        clock = (await self.pasis_admin.get("/clock")).json()
        start = datetime.fromisoformat(clock["now"]).replace(second=0, microsecond=0)
        start += timedelta(hours=5)
        staff_type = pasis_demo.LAKARE.time_type  # a type the citizen may cancel outside 24 h
        slot = await self.pasis_admin.post(
            "/slots",
            json={"unit": tensta, "time_type": staff_type, "start": start.isoformat()},
        )
        slot.raise_for_status()
        staff = await self.pasis_admin.post(
            "/bookings", json={"slot": slot.json()["id"], "person": DEMO_CITIZEN}
        )
        staff.raise_for_status()
        schedule = await self.call("GET", "/v1/bookings", 200)
        soon = next(b for b in schedule["bookings"] if _local(b["start"]) == _local(start))
        self.show_booking(soon)
        refused = await self.call("POST", f"/v1/bookings/{soon['id']}/cancel", 422, json={})
        self.say(f"   422 {refused['code']}: {refused['detail']}")

    async def inbox(self) -> None:
        """Read the 1177 inbox: one message per citizen activity, none for staff (R10)."""
        self.heading("10. Inkorgen på 1177 (GET /v1/inbox)")
        messages: list[dict[str, Any]] = []
        for _ in range(50):
            messages = (await self.call("GET", "/v1/inbox", 200))["messages"]
            if messages and all(message["delivered"] for message in messages):
                break
            await asyncio.sleep(0.1)
        for message in messages:
            state = "levererat" if message["delivered"] else "väntar i utkorgen"
            self.say(f"   [{state}] {message['subject']}: {message['body']}")
        if len(messages) != 5:
            raise DemoFailed(
                f"expected 5 inbox messages (2 booked, rebooked, cancelled, invitation), "
                f"got {len(messages)}"
            )

    async def staff_view(self, tensta: str) -> None:
        """What the unit's staff see in PASiS: the bookings made via 1177 are real (R2)."""
        self.heading("11. Tidboken på Tensta, som personalen ser den i PASiS")
        book = (await self.pasis_admin.get("/appointment-book", params={"unit": tensta})).json()
        for entry in book["entries"]:
            if entry["person"] == DEMO_CITIZEN:
                hidden = ", dold på 1177" if entry["hidden"] else ""
                who = "invånaren via 1177" if entry["booked_by"] == "citizen" else "personalen"
                self.say(
                    f"   {_local(entry['start'])}  {entry['time_type_name']} "
                    f"(bokad av {who}{hidden})"
                )


_DAYS = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")
_MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _local(text_or_time: Any) -> str:
    """A Stockholm time the Swedish way: ``tors 26 nov 08:00``."""
    moment = (
        datetime.fromisoformat(text_or_time) if isinstance(text_or_time, str) else text_or_time
    ).astimezone(STOCKHOLM)
    day, month = _DAYS[moment.weekday()], _MONTHS[moment.month - 1]
    return f"{day} {moment.day} {month} {moment:%H:%M}"
