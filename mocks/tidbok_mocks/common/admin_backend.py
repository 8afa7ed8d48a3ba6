"""The schedule half of the admin API, shared by both mocks; systems fill in their extras."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Generic

from . import personnummer
from .admin_models import BookingIn, SlotIn, TimeTypeIn, UnitIn
from .clock import MockClock
from .errors import ErrorKind, MockError
from .http import validate
from .schedule import Booking, Schedule, SlotT, TimeTypeT, Unit
from .times import format_offset, parse_aware, to_utc


class ScheduleAdmin(ABC, Generic[TimeTypeT, SlotT]):
    """Implements :class:`~tidbok_mocks.common.context.AdminBackend` over a :class:`Schedule`."""

    time_type_model: type[TimeTypeIn] = TimeTypeIn
    slot_model: type[SlotIn] = SlotIn

    def __init__(self, schedule: Schedule[TimeTypeT, SlotT], clock: MockClock) -> None:
        self.schedule = schedule
        self.clock = clock

    # -- hooks for each system ------------------------------------------------------------

    @staticmethod
    def time_type_fields(data: TimeTypeIn, time_type_id: str) -> dict[str, Any]:
        """The fields every system's time type takes from admin input."""
        return {
            "id": time_type_id,
            "unit_id": data.unit,
            "name": data.name,
            "duration_minutes": data.duration_minutes,
            "description": data.description,
            "purpose": data.purpose,
        }

    @staticmethod
    def slot_fields(
        data: SlotIn, slot_id: str, start: datetime, end: datetime, time_type_id: str
    ) -> dict[str, Any]:
        """The fields every system's slot takes from admin input."""
        return {
            "id": slot_id,
            "unit_id": data.unit,
            "time_type_id": time_type_id,
            "start": start,
            "end": end,
            "performer": data.performer,
            "resource": data.resource,
        }

    @abstractmethod
    def build_time_type(self, data: TimeTypeIn, time_type_id: str) -> TimeTypeT:
        """Make the system's time type from validated input."""

    @abstractmethod
    def build_slot(
        self, data: SlotIn, slot_id: str, start: datetime, end: datetime, time_type: TimeTypeT
    ) -> SlotT:
        """Make the system's slot from validated input."""

    @abstractmethod
    def demo_scenario(self) -> dict[str, Any]:
        """The demo data as a scenario, built from the clock."""

    @abstractmethod
    def info(self) -> dict[str, Any]:
        """System name, API base path and credentials."""

    def time_type_extra(self, time_type: TimeTypeT) -> dict[str, Any]:
        """System-specific fields of a time type's admin view."""
        return {}

    def slot_extra(self, slot: SlotT) -> dict[str, Any]:
        """System-specific fields of a slot's admin view."""
        return {}

    def extra_sections(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        """Further scenario sections (after bookings) and their adders."""
        return {}

    def clear_extra(self) -> None:
        """Forget system-specific state on reset."""

    # -- views ------------------------------------------------------------------------------

    def unit_view(self, unit: Unit) -> dict[str, Any]:
        """A unit as the admin API shows it."""
        return {"id": unit.id, "name": unit.name, "address": unit.address}

    def time_type_view(self, time_type: TimeTypeT) -> dict[str, Any]:
        """A time type as the admin API shows it."""
        return {
            "id": time_type.id,
            "unit": time_type.unit_id,
            "name": time_type.name,
            "duration_minutes": time_type.duration_minutes,
            "description": time_type.description,
            "purpose": time_type.purpose,
            **self.time_type_extra(time_type),
        }

    def slot_view(self, slot: SlotT) -> dict[str, Any]:
        """A slot as the admin API shows it."""
        return {
            "id": slot.id,
            "unit": slot.unit_id,
            "time_type": slot.time_type_id,
            "time_type_name": self.schedule.time_type(slot.time_type_id).name,
            "start": format_offset(slot.start),
            "end": format_offset(slot.end),
            "performer": slot.performer,
            "resource": slot.resource,
            "booking_id": slot.booking_id,
            **self.slot_extra(slot),
        }

    def booking_view(self, booking: Booking) -> dict[str, Any]:
        """A booking as staff see it in the appointment book."""
        slot = self.schedule.slot_of(booking)
        return {
            "booking_id": booking.id,
            "unit": booking.unit_id,
            "unit_name": self.schedule.unit(booking.unit_id).name,
            "slot_id": slot.id,
            "time_type": booking.time_type_id,
            "time_type_name": self.schedule.time_type(booking.time_type_id).name,
            "start": format_offset(slot.start),
            "end": format_offset(slot.end),
            "performer": slot.performer,
            "resource": slot.resource,
            "person": booking.person,
            "booked_by": booking.booked_by.value,
            "hidden": booking.hidden,
            "purpose": booking.purpose,
            "reason": booking.reason,
            "status": booking.status.value,
            "cancel_message": booking.cancel_message,
            "invitation_id": booking.invitation_id,
            "created_at": format_offset(booking.created_at),
            "updated_at": format_offset(booking.updated_at),
            **self.slot_extra(slot),
        }

    # -- synchronous adders (caller holds the lock) -----------------------------------------

    def add_unit(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a unit."""
        data = validate(UnitIn, raw)
        unit = self.schedule.add_unit(Unit(id=data.id, name=data.name, address=data.address))
        return self.unit_view(unit)

    def add_time_type(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a time type."""
        data = validate(self.time_type_model, raw)
        time_type_id = data.id or self.schedule.new_id("time_type", self.schedule.time_types)
        time_type = self.schedule.add_time_type(self.build_time_type(data, time_type_id))
        return self.time_type_view(time_type)

    def add_slot(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a slot."""
        data = validate(self.slot_model, raw)
        time_type = self.schedule.time_type(data.time_type)
        start = to_utc(data.start)
        end = (
            to_utc(data.end) if data.end else start + timedelta(minutes=time_type.duration_minutes)
        )
        slot_id = data.id or self.schedule.new_id("slot", self.schedule.slots)
        slot = self.schedule.add_slot(self.build_slot(data, slot_id, start, end, time_type))
        return self.slot_view(slot)

    def add_booking(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Place a booking (staff-made unless ``booked_by`` says citizen); no 1177 rules apply."""
        data = validate(BookingIn, raw)
        person = parse_person(data.person)
        slot = self.schedule.slot(data.slot)
        time_type = self.schedule.time_type(slot.time_type_id)
        booking = self.schedule.book(
            slot,
            person=person,
            booked_by=data.booked_by,
            purpose=data.purpose if data.purpose is not None else time_type.purpose,
            reason=data.reason,
            hidden=data.hidden,
            now=self.clock.now(),
            booking_id=data.id,
        )
        return self.booking_view(booking)

    def adders(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        """Every section's adder, in load order."""
        return {
            "units": self.add_unit,
            "time_types": self.add_time_type,
            "slots": self.add_slot,
            "bookings": self.add_booking,
            **self.extra_sections(),
        }

    def load_now(self, scenario: Any) -> dict[str, int]:
        """Replace the schedule with ``scenario`` (caller holds the lock)."""
        if not isinstance(scenario, dict):
            raise MockError(ErrorKind.INVALID, "A scenario must be a JSON object")
        adders = self.adders()
        unknown = set(scenario) - set(adders) - {"now", "description"}
        if unknown:
            raise MockError(ErrorKind.INVALID, f"Unknown scenario sections: {sorted(unknown)}")
        sections: dict[str, list[Any]] = {}
        for name in adders:
            items = scenario.get(name, [])
            if not isinstance(items, list):
                raise MockError(ErrorKind.INVALID, f"Scenario section {name!r} must be a list")
            sections[name] = items
        now = scenario.get("now")
        if now is not None:
            try:
                self.clock.set(parse_aware(str(now)))
            except ValueError as error:
                raise MockError(ErrorKind.INVALID, f"Scenario 'now': {error}") from None
        self.schedule.clear()
        self.clear_extra()
        counts: dict[str, int] = {}
        for name, add in adders.items():
            for index, item in enumerate(sections[name]):
                if not isinstance(item, dict):
                    raise MockError(ErrorKind.INVALID, f"{name}[{index}] must be an object")
                try:
                    add(item)
                except MockError as error:
                    raise MockError(error.kind, f"{name}[{index}]: {error.message}") from None
            counts[name] = len(sections[name])
        return counts

    # -- the AdminBackend protocol ----------------------------------------------------------

    async def reset(self) -> None:
        """Forget the schedule and system-specific state."""
        async with self.schedule.lock:
            self.schedule.clear()
            self.clear_extra()

    async def load_scenario(self, data: dict[str, Any]) -> dict[str, int]:
        """Replace the schedule with a scenario."""
        async with self.schedule.lock:
            return self.load_now(data)

    async def load_demo(self) -> dict[str, int]:
        """Replace the schedule with the demo data."""
        async with self.schedule.lock:
            return self.load_now(self.demo_scenario())

    async def add(self, section: str, data: dict[str, Any]) -> dict[str, Any]:
        """Add one record to ``section``."""
        adders = self.adders()
        if section not in adders:
            raise MockError(ErrorKind.NOT_FOUND, f"This mock has no {section}")
        async with self.schedule.lock:
            return adders[section](data)

    async def appointment_book(
        self, unit: str | None, include_cancelled: bool
    ) -> list[dict[str, Any]]:
        """All bookings (of one unit) as staff see them."""
        async with self.schedule.lock:
            bookings = self.schedule.bookings_of(unit_id=unit, include_cancelled=include_cancelled)
            return [self.booking_view(booking) for booking in bookings]

    async def slot_list(self, unit: str | None) -> list[dict[str, Any]]:
        """All slots (of one unit) with their booking state."""
        async with self.schedule.lock:
            return [self.slot_view(slot) for slot in self.schedule.slots_of(unit)]


def parse_person(text: str) -> str:
    """A personnummer in either form, as canonical 12 digits; bad ones raise ``INVALID``."""
    try:
        return personnummer.parse_any(text)
    except ValueError as error:
        raise MockError(ErrorKind.INVALID, str(error)) from None
