"""PASiS's own records on top of the shared schedule: 1177 levels and open invitations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ..common.clock import MockClock
from ..common.ids import sequential_ids
from ..common.schedule import Schedule, Slot, TimeType

LEVEL_HIDDEN = 1
"""1177-nivå 1: not shown on 1177."""
LEVEL_VISIBLE = 2
"""1177-nivå 2: shown on 1177 as a booked time."""
LEVEL_CHANGEABLE = 3
"""1177-nivå 3: also cancellable and rebookable by the citizen."""
LEVEL_BOOKABLE = 4
"""1177-nivå 4: also bookable directly by the citizen."""


@dataclass
class PasisTimeType(TimeType):
    """A tidstyp; slots scheduled with it get ``default_level`` unless given their own."""

    default_level: int = LEVEL_BOOKABLE


@dataclass
class PasisSlot(Slot):
    """A tid with its 1177 level; ``invitation_id`` reserves it for an open invitation."""

    level: int = LEVEL_BOOKABLE
    invitation_id: str | None = None


class InvitationStatus(StrEnum):
    """An open invitation is open until one of its slots is booked."""

    OPEN = "open"
    BOOKED = "booked"


@dataclass
class Invitation:
    """An öppen kallelse: a few slots opened for one chosen citizen (R15)."""

    id: str
    unit_id: str
    person: str
    slot_ids: list[str]
    purpose: str
    created_at: datetime
    status: InvitationStatus = InvitationStatus.OPEN
    booking_id: str | None = None


PASIS_ID_PREFIXES = {"time_type": "TT", "slot": "T", "booking": "B", "invitation": "K"}


@dataclass
class PasisState:
    """Everything a PASiS mock holds in memory."""

    clock: MockClock
    api_key: str
    schedule: Schedule[PasisTimeType, PasisSlot] = field(
        default_factory=lambda: Schedule(sequential_ids(PASIS_ID_PREFIXES))
    )
    invitations: dict[str, Invitation] = field(default_factory=dict)
