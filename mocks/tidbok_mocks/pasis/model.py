"""PASiS's own records on top of the shared schedule: 1177 levels and open invitations."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kit import (
    Invitation,
    InvitationStatus,
    MockClock,
    ReservableSlot,
    Schedule,
    TimeType,
    sequential_ids,
)

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
class PasisSlot(ReservableSlot):
    """A tid with its 1177 level; ``invitation_id`` reserves it for an open invitation."""

    level: int = LEVEL_BOOKABLE


__all__ = [
    "LEVEL_BOOKABLE",
    "LEVEL_CHANGEABLE",
    "LEVEL_HIDDEN",
    "LEVEL_VISIBLE",
    "Invitation",
    "InvitationStatus",
    "PasisSlot",
    "PasisState",
    "PasisTimeType",
]

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
