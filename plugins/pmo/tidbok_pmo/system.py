"""PMO as a tidbok scheduling system: its rules, names and capabilities (R5, R8)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from tidbok import (
    AdapterContext,
    BackendSettings,
    Capability,
    CaseTypeKind,
    EarliestBooking,
    SchedulingSystem,
    SystemRules,
    __version__,
)
from tidbok_pmo.adapter import PAGE_SIZE, PmoAdapter

#: R8: new bookings and rebookings may be for later the same day; PMO lets a booking be
#: cancelled or rescheduled until it starts.
PMO_RULES = SystemRules(earliest_booking=EarliestBooking.SAME_DAY, change_cutoff=timedelta(0))

#: R5: PMO's own names for the case types; units may rename them.
PMO_CASE_TYPES: Mapping[CaseTypeKind, str] = {
    CaseTypeKind.BOOK: "Boka tid",
    CaseTypeKind.MANAGE: "Bokade tider, av- och omboka",
    CaseTypeKind.VIEW: "Bokade tider",
}

#: Same-day booking (R8); writes deduplicated by Idempotency-Key; the cancel ``reason`` is
#: stored on the appointment for the facility to read (a message to the unit). No open
#: invitations: PMO has none.
PMO_CAPABILITIES = frozenset(
    {
        Capability.SAME_DAY_BOOKING,
        Capability.IDEMPOTENT_WRITES,
        Capability.MESSAGE_ON_CANCEL,
        Capability.ACCESS_LEVELS,
        Capability.BOOKED_BY,
        Capability.BOOKINGS_ACROSS_UNITS,
    }
)


class PmoSystem(SchedulingSystem):
    """The PMO scheduling system; one :class:`PmoAdapter` per configured backend.

    ``page_size`` is how many items the adapters ask for per page (tests use small pages).
    """

    name = "pmo"
    display_name = "PMO"
    version = __version__
    rules = PMO_RULES
    case_type_names = PMO_CASE_TYPES
    capabilities = PMO_CAPABILITIES

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.page_size = page_size

    def connect(self, backend: BackendSettings, context: AdapterContext) -> PmoAdapter:
        """The adapter of one backend: creates its connection pool, does no I/O."""
        return PmoAdapter(backend, context, page_size=self.page_size)
