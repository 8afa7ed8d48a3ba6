"""PASiS as tidbok sees it: its rules, its names for the case types and its capabilities."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from tidbok import (
    AdapterContext,
    BackendSettings,
    Capability,
    CaseTypeKind,
    EarliestBooking,
    SchedulingAdapter,
    SchedulingSystem,
    SystemRules,
)
from tidbok_pasis.adapter import PasisAdapter


def _version() -> str:
    try:
        return version("tidbok")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


#: R9: new bookings and rebookings from the day after today; cancel and rebook until 24 h before.
PASIS_RULES = SystemRules(
    earliest_booking=EarliestBooking.NEXT_DAY, change_cutoff=timedelta(hours=24)
)

#: R5: PASiS's own names for the case types (units may rename them).
PASIS_CASE_TYPE_NAMES: Mapping[CaseTypeKind, str] = {
    CaseTypeKind.BOOK: "Boka tid direkt",
    CaseTypeKind.MANAGE: "Bokade tider, av- och omboka direkt",
    CaseTypeKind.VIEW: "Bokade tider",
}


class PasisSystem(SchedulingSystem):
    """The PASiS scheduling system: 1177 levels, next-day booking, 24 h cut-off, invitations."""

    name = "pasis"
    display_name = "PASiS"
    rules = PASIS_RULES
    case_type_names = PASIS_CASE_TYPE_NAMES
    capabilities = frozenset(
        {
            Capability.OPEN_INVITATIONS,
            Capability.MESSAGE_ON_CANCEL,
            Capability.ACCESS_LEVELS,
            Capability.BOOKED_BY,
            Capability.BOOKINGS_ACROSS_UNITS,
        }
    )

    def __init__(self) -> None:
        self.version = _version()

    def connect(self, backend: BackendSettings, context: AdapterContext) -> SchedulingAdapter:
        """One adapter (and connection pool) for the backend; no I/O until the first call."""
        return PasisAdapter(backend, context)
